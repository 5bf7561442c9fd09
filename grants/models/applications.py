"""Applications, what they hold, and their frozen submitted versions."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import func
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .base import CreatedMixin, Pence, UTCDateTime
from .funds import Area, Objective, Round
from .users import Organisation, User

application_areas = Table(
    "application_areas",
    db.metadata,
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True),
)

application_objectives = Table(
    "application_objectives",
    db.metadata,
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
    Column("objective_id", ForeignKey("objectives.id"), primary_key=True),
)


class Application(CreatedMixin, db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "CSF-2026-0042"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Only grants.services.workflow changes this.
    status: Mapped[str] = mapped_column(String(30), index=True, default="draft")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    # About the project
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # Need
    need: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    # Activities
    activities: Mapped[str | None] = mapped_column(Text)
    # Where and who
    ward: Mapped[str | None] = mapped_column(String(200))
    beneficiaries: Mapped[str | None] = mapped_column(Text)
    beneficiary_count: Mapped[int | None] = mapped_column(Integer)
    # Crime and disorder: why the project contributes (published on the register)
    crime_reduction_reasons: Mapped[str | None] = mapped_column(Text)
    # Money
    amount_requested_pence: Mapped[int] = mapped_column(Pence, default=0)
    other_funding: Mapped[str | None] = mapped_column(Text)
    # Safeguarding
    works_with_children_or_vulnerable_adults: Mapped[bool | None] = mapped_column(Boolean)
    safeguarding: Mapped[str | None] = mapped_column(Text)
    # Section name -> "in_progress" | "completed"
    section_status: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    # Answers to the round's own questions (models/questions.py): str(question id) -> value.
    question_answers: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict, server_default="{}")
    # Other minimal financial assistance declared: {"received": bool, "rows": [{giver, financial_year, amount_pence}]}
    minimal_assistance: Mapped[dict | None] = mapped_column(JSON)

    # Declaration and submission
    declaration_name: Mapped[str | None] = mapped_column(String(200))
    declaration_position: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    # Assessment results (kept here for ranking; computed by the assessment service)
    score_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    needs_moderation: Mapped[bool] = mapped_column(Boolean, default=False)
    moderated_score_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    # Decision and offer
    awarded_pence: Mapped[int | None] = mapped_column(Pence)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=application_areas, order_by="Area.name")
    objectives: Mapped[list[Objective]] = relationship(
        secondary=application_objectives, order_by="Objective.number"
    )
    planned_outputs: Mapped[list[PlannedOutput]] = relationship(
        back_populates="application", order_by="PlannedOutput.position", cascade="all, delete-orphan"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", order_by="BudgetLine.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application",
        order_by="Attachment.id",
        primaryjoin="and_(Attachment.application_id == Application.id, Attachment.report_id.is_(None))",
        viewonly=True,
    )
    versions: Mapped[list[ApplicationVersion]] = relationship(
        back_populates="application", order_by="ApplicationVersion.number"
    )

    @property
    def score_for_ranking(self) -> Decimal | None:
        return self.moderated_score_percent if self.moderated_score_percent is not None else self.score_percent


# The public register lists awards newest first by coalesce(decided_at, updated_at)
# (services.opendata); without this index every page view sorts every award.
# Partial: only awarded applications (workflow.COMMITTED_STATES, spelled out
# here because models must not import services).
_AWARDED_STATES = ("approved", "funded", "completed")
Index(
    "ix_applications_award_moment",
    func.coalesce(Application.decided_at, Application.updated_at),
    Application.id,
    postgresql_where=Application.status.in_(_AWARDED_STATES) & Application.awarded_pence.is_not(None),
    sqlite_where=Application.status.in_(_AWARDED_STATES) & Application.awarded_pence.is_not(None),
)


# The staff list shows the newest submissions first, never-submitted ones (withdrawn drafts)
# last: ORDER BY submitted_at IS NULL, submitted_at DESC, id DESC. This index has exactly
# that order, so the first page is read from it instead of sorting every application.
# (Spelled with IS NULL rather than NULLS LAST, which SQLite cannot put in an index.)
Index(
    "ix_applications_submitted_order",
    Application.submitted_at.is_(None),
    Application.submitted_at.desc(),
    Application.id.desc(),
)


# Per-round figures (staff list status counts, round_money, the fund summary's groupings)
# read only these columns; with them in the index PostgreSQL answers from the index
# instead of visiting a heap page for every application in the round.
Index(
    "ix_applications_round_status",
    Application.round_id,
    Application.status,
    postgresql_include=["id", "organisation_id", "amount_requested_pence", "awarded_pence"],
)


class PlannedOutput(db.Model):
    """What the project will deliver, as a measure and a number, so it can be added up."""

    __tablename__ = "planned_outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(200))
    target: Mapped[int] = mapped_column(Integer)
    # The standard measure this output counts; None for "Other" (free text only).
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("output_measures.id"), index=True)
    application: Mapped[Application] = relationship(back_populates="planned_outputs")
    standard_measure: Mapped[OutputMeasure | None] = relationship()  # noqa: F821 (grants.models.outcomes)


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    cost_pence: Mapped[int] = mapped_column(Pence)
    application: Mapped[Application] = relationship(back_populates="budget_lines")


class AttachmentKind:
    GOVERNING_DOCUMENT = "governing_document"
    ACCOUNTS = "accounts"
    SAFEGUARDING_POLICY = "safeguarding_policy"
    QUOTE = "quote"
    OTHER = "other"
    EVIDENCE = "evidence"  # monitoring reports

    LABELS = {
        "governing_document": "Governing document",
        "accounts": "Latest accounts or bank statement",
        "safeguarding_policy": "Safeguarding policy",
        "quote": "Quote",
        "other": "Other supporting document",
        "evidence": "Evidence",
    }


class Attachment(CreatedMixin, db.Model):
    """An uploaded file. The bytes live outside static/ under a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Removed by the applicant from a draft: kept for the record, no longer shown.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    application: Mapped[Application | None] = relationship(
        back_populates="attachments", foreign_keys=[application_id]
    )

    @property
    def kind_label(self) -> str:
        return AttachmentKind.LABELS.get(self.kind, self.kind)


class ApplicationVersion(db.Model):
    """The application exactly as submitted; never changed after it is written."""

    __tablename__ = "application_versions"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(JSON)
    application: Mapped[Application] = relationship(back_populates="versions")


class MoreInfoRequest(CreatedMixin, db.Model):
    """Staff asked the applicant a question; named sections reopen for editing."""

    __tablename__ = "more_info_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    sections: Mapped[list] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    application: Mapped[Application] = relationship()
