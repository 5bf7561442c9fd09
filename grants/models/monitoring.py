"""Monitoring reports against planned outputs, reminders and variations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application, BudgetLine, PlannedOutput
from .base import CreatedMixin, Pence, UTCDateTime


class Report(CreatedMixin, db.Model):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # "interim" | "final" | "return-<FixedReturn.id>" (one of each per grant)
    kind: Mapped[str] = mapped_column(String(20))
    # The name a fixed-date return goes by ("Budget return"); interim and final reports have none.
    title: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # not_started | in_progress | submitted | returned | signed_off
    status: Mapped[str] = mapped_column(String(20), default="not_started", index=True)
    beneficiaries_reached: Mapped[int | None] = mapped_column(Integer)
    # Aggregate counts only (e.g. {"age": {"under_18": 40}}): never about a named person.
    equality_monitoring: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    went_well: Mapped[str | None] = mapped_column(Text)
    did_not_go_well: Mapped[str | None] = mapped_column(Text)
    case_study: Mapped[str | None] = mapped_column(Text)
    staff_questions: Mapped[str | None] = mapped_column(Text)
    applicant_response: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    output_actuals: Mapped[list[ReportOutputActual]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    spend_lines: Mapped[list[ReportSpend]] = relationship(back_populates="report", cascade="all, delete-orphan")
    versions: Mapped[list[ReportVersion]] = relationship(order_by="ReportVersion.number")

    @property
    def label(self) -> str:
        """What the report is called wherever it is shown ("Interim report", "Budget return")."""
        return self.title or {"interim": "Interim report", "final": "Final report"}.get(self.kind, self.kind)


class ReportOutputActual(db.Model):
    __tablename__ = "report_output_actuals"
    __table_args__ = (UniqueConstraint("report_id", "planned_output_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    planned_output_id: Mapped[int] = mapped_column(ForeignKey("planned_outputs.id"))
    actual: Mapped[int] = mapped_column(Integer)
    report: Mapped[Report] = relationship(back_populates="output_actuals")
    planned_output: Mapped[PlannedOutput] = relationship()


class ReportSpend(db.Model):
    __tablename__ = "report_spend"
    __table_args__ = (UniqueConstraint("report_id", "budget_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"))
    spent_pence: Mapped[int] = mapped_column(Pence)
    report: Mapped[Report] = relationship(back_populates="spend_lines")
    budget_line: Mapped[BudgetLine] = relationship()


class ReportVersion(db.Model):
    """A report exactly as submitted; each resubmission adds one."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(JSON)


class ReminderSent(CreatedMixin, db.Model):
    """One row per reminder, so the daily job never sends the same one twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("report_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "before_14" | "due" | "after_7"


class Variation(CreatedMixin, db.Model):
    __tablename__ = "variations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # "extend_end_date" | "move_budget"
    details: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="requested")  # requested|approved|rejected
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    application: Mapped[Application] = relationship()
