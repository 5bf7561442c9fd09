"""The OPCC's own details (letters, page footers) and the versioned standard terms of grant."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CreatedMixin, UTCDateTime
from .users import User


class OrganisationSettings(db.Model):
    """One row: who the OPCC is, as letters and public pages show it. Until an admin saves, defaults apply."""

    __tablename__ = "organisation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)  # one line per address line
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40))
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TermsVersion(CreatedMixin, db.Model):
    """The standard terms of grant as saved once: a new save is a new version, never an edit."""

    __tablename__ = "terms_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User | None] = relationship()


def _refuse_change(mapper, connection, target) -> None:
    from ..services.errors import Immutable

    raise Immutable(f"Terms version {target.number} was sent in letters and cannot be changed; save a new version")


event.listen(TermsVersion, "before_update", _refuse_change)
event.listen(TermsVersion, "before_delete", _refuse_change)
