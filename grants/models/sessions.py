"""Sign-in sessions held on the server, and failed sign-ins counted per account and address."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CreatedMixin, UTCDateTime


class SignInSession(CreatedMixin, db.Model):
    """One signed-in browser. The cookie carries a random token; only its SHA-256 is stored here,
    so a copy of this table cannot be replayed. Signing out, deactivation or a password change
    sets ended_at, and the session is refused from then on, whatever cookie is presented."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # When this session last proved it is the person (password, and code if enrolled).
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User")

    # The token itself, known only in the request that started the session or presented it.
    token = None


class SignInThrottle(db.Model):
    """Failed sign-ins for one email (known or not) from one client address.

    Counting per (email, address) means failures from one place cannot lock the person
    out anywhere else; the email is kept only as a SHA-256.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("email_hash", "address", name="uq_sign_in_throttles_email_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
