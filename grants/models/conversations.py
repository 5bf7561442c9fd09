"""Staff notes on applications, and messages between an organisation and staff."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application, Attachment
from .base import CreatedMixin
from .users import Organisation, User


class StaffNote(CreatedMixin, db.Model):
    """A note staff keep on an application; never shown to the applicant (permissions.Info.STAFF_NOTES)."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    application: Mapped[Application] = relationship()
    author: Mapped[User] = relationship()


class Message(CreatedMixin, db.Model):
    """One message in the thread between an organisation's members and staff (permissions.Info.MESSAGES)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_staff: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    # A file sent with the message (checked and stored by services.attachments like any upload).
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User] = relationship()
    attachment: Mapped[Attachment | None] = relationship()
