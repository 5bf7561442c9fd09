"""Which grants an officer has published to the public register and open data."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application
from .base import UTCDateTime
from .users import User


class GrantPublication(db.Model):
    """A grant on the public register: one row per application, written when an officer publishes it.

    A published grant stays published whatever happens to it later (a correction, an offer declined
    or lapsed): the register shows its current state rather than dropping it.
    """

    __tablename__ = "grant_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    published_by: Mapped[User] = relationship()
