"""Funding meetings and the decision notices they produce."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application
from .base import CreatedMixin, UTCDateTime
from .funds import Round
from .users import User


class FundingMeeting(CreatedMixin, db.Model):
    """A meeting of a round's decision makers: who attended, what they declared, which applications it took."""

    __tablename__ = "funding_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "capacity"}]
    declarations: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "declaration"}]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship()
    items: Mapped[list[MeetingItem]] = relationship(order_by="MeetingItem.position", cascade="all, delete-orphan")

    @property
    def applications(self) -> list[Application]:
        return [item.application for item in self.items]


class MeetingItem(db.Model):
    """An application on a meeting's agenda, in the panel's order."""

    __tablename__ = "meeting_items"
    __table_args__ = (UniqueConstraint("meeting_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("funding_meetings.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    application: Mapped[Application] = relationship()


class DecisionNotice(CreatedMixin, db.Model):
    """The signed, numbered notice of a meeting's decisions: written once, never changed (a correction supersedes)."""

    __tablename__ = "decision_notices"
    __table_args__ = (UniqueConstraint("financial_year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # "2026/27-0008"
    financial_year: Mapped[str] = mapped_column(String(7))
    sequence: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("funding_meetings.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    # Everything the notice says, frozen when signed: awards, declines, budget, legal power, attendees, declarations.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_by_name: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(300))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    for_publication: Mapped[bool] = mapped_column(Boolean, default=True)
    not_for_publication_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision_notices.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))

    meeting: Mapped[FundingMeeting] = relationship()
    signed_by: Mapped[User] = relationship()
    supersedes: Mapped[DecisionNotice | None] = relationship(remote_side=[id])


def _refuse_change(mapper, connection, target) -> None:
    from ..services.errors import Immutable

    raise Immutable(f"Decision notice {target.number} is a permanent record and cannot be changed or deleted; "
                    "sign a correcting notice instead")


event.listen(DecisionNotice, "before_update", _refuse_change)
event.listen(DecisionNotice, "before_delete", _refuse_change)
