"""Screening, conflicts of interest, assessor assignments, scores and moderation."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application
from .base import CreatedMixin, UTCDateTime
from .funds import Criterion
from .users import User


class Screening(CreatedMixin, db.Model):
    """One eligibility screening of one submitted version."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # "passed" | "failed"
    screened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[list[ScreeningAnswer]] = relationship(
        back_populates="screening", order_by="ScreeningAnswer.position", cascade="all, delete-orphan"
    )
    screened_by: Mapped[User] = relationship()


class ScreeningAnswer(db.Model):
    __tablename__ = "screening_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"), index=True)
    check_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_checks.id"))
    position: Mapped[int] = mapped_column(Integer)
    # The check's wording at the time, so later edits to the checklist don't rewrite history.
    check_text: Mapped[str] = mapped_column(String(500))
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    screening: Mapped[Screening] = relationship(back_populates="answers")


class ConflictDeclaration(CreatedMixin, db.Model):
    """A declaration of interest by an assessor or decision maker. Kept forever."""

    __tablename__ = "conflict_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    capacity: Mapped[str] = mapped_column(String(20))  # "assessor" | "decision_maker"
    has_conflict: Mapped[bool] = mapped_column(Boolean)
    nature: Mapped[str | None] = mapped_column(Text)
    user: Mapped[User] = relationship()
    application: Mapped[Application] = relationship()


class Assignment(CreatedMixin, db.Model):
    """An assessor asked to score an application."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # awaiting_declaration -> in_progress -> submitted, or -> conflicted
    status: Mapped[str] = mapped_column(String(30), default="awaiting_declaration")
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("conflict_declarations.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    declaration: Mapped[ConflictDeclaration | None] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class Score(db.Model):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    value: Mapped[int | None] = mapped_column(Integer)  # 0-5, None when not applicable
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    assignment: Mapped[Assignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class Moderation(CreatedMixin, db.Model):
    __tablename__ = "moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    moderated_score_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moderated_by: Mapped[User] = relationship()
