"""Funds, their rounds, and the reference lists rounds draw on."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint,
                        false, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .base import CreatedMixin, Pence, UTCDateTime
from .users import OrgType

round_objectives = Table(
    "round_objectives",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id"), primary_key=True),
    Column("objective_id", ForeignKey("objectives.id"), primary_key=True),
)

round_areas = Table(
    "round_areas",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True),
)


class PlanPeriod(db.Model):
    """A Police and Crime Plan: its objectives apply to rounds opening between its start and end."""

    __tablename__ = "plan_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    objectives: Mapped[list[Objective]] = relationship(back_populates="plan", order_by="Objective.number")

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Objective(db.Model):
    """A Police and Crime Plan objective. Never deleted: applications keep the one they were assessed against."""

    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan_periods.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    plan: Mapped[PlanPeriod] = relationship(back_populates="objectives")


class Area(db.Model):
    """A local authority area in the force area (GSS code for open data)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)

    wards: Mapped[list[Ward]] = relationship(back_populates="area", order_by="Ward.name")


class Ward(db.Model):
    """An electoral ward within a local authority (GSS code E05..., optional)."""

    __tablename__ = "wards"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    gss_code: Mapped[str | None] = mapped_column(String(9), unique=True)

    area: Mapped[Area] = relationship(back_populates="wards")


class Fund(CreatedMixin, db.Model):
    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # "CSF", "PPAF"
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    who_can_apply: Mapped[str] = mapped_column(Text, default="")
    # The law the fund pays under, printed on letters and decision records.
    legal_power: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What the public register says each grant serves ("crime and disorder reduction", "charitable purposes").
    public_benefit: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # A retired fund keeps its rounds and applications but takes no new rounds.
    open_for_new_rounds: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The finance system's codes printed on every payment-run line for this fund.
    ledger_code: Mapped[str] = mapped_column(String(30), default="", server_default="")
    cost_centre: Mapped[str] = mapped_column(String(30), default="", server_default="")

    rounds: Mapped[list[Round]] = relationship(back_populates="fund", order_by="Round.opens_on")


class Round(CreatedMixin, db.Model):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("fund_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    financial_year: Mapped[str] = mapped_column(String(7))  # "2026-27"
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    guidance: Mapped[str] = mapped_column(Text, default="")
    budget_pence: Mapped[int] = mapped_column(Pence)
    min_award_pence: Mapped[int] = mapped_column(Pence)
    max_award_pence: Mapped[int] = mapped_column(Pence)
    # Awards up to this may be decided under delegation; above it only by the PCC.
    delegated_limit_pence: Mapped[int] = mapped_column(Pence)
    # Awards up to this are paid in full on acceptance; larger ones in two halves.
    full_payment_threshold_pence: Mapped[int] = mapped_column(Pence, default=250_000)
    min_assessors_above_limit: Mapped[int] = mapped_column(Integer, default=2)
    min_assessors_within_limit: Mapped[int] = mapped_column(Integer, default=1)
    pass_mark_percent: Mapped[int] = mapped_column(Integer, default=50)
    # The reporting schedule (services/reporting_schedule.py reads these, nothing else does).
    final_report_months_after_end: Mapped[int] = mapped_column(Integer, default=3)
    # "never" | "above" (awards above interim_report_threshold_pence) | "always"
    interim_report_rule: Mapped[str] = mapped_column(String(10), default="above", server_default="above")
    interim_report_threshold_pence: Mapped[int] = mapped_column(Pence, default=250_000, server_default="250000")
    offer_acceptance_days: Mapped[int] = mapped_column(Integer, default=28)
    # OrgType values that may apply (the PPAF: registered charities only).
    allowed_org_types: Mapped[list] = mapped_column(JSON, default=lambda: [t.value for t in OrgType])
    # Eligibility (services/round_questions.eligibility_refusal): at most this many live applications
    # per organisation (None: no limit); refuse organisations with an overdue monitoring report.
    max_live_applications: Mapped[int | None] = mapped_column(Integer)
    refuse_overdue_reports: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Applicants declare other minimal financial assistance (Subsidy Control Act 2022; services/minimal_assistance.py).
    minimal_assistance_declaration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closed_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_early_reason: Mapped[str | None] = mapped_column(Text)

    fund: Mapped[Fund] = relationship(back_populates="rounds", lazy="joined")
    objectives: Mapped[list[Objective]] = relationship(
        secondary=round_objectives, order_by="Objective.number"
    )
    areas: Mapped[list[Area]] = relationship(secondary=round_areas, order_by="Area.name")
    eligibility_checks: Mapped[list[EligibilityCheck]] = relationship(
        back_populates="round", order_by="EligibilityCheck.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    fixed_returns: Mapped[list[FixedReturn]] = relationship(
        back_populates="round", order_by="FixedReturn.due_on, FixedReturn.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_early_at is None and self.opens_on <= clock.today() <= self.closes_on

    @property
    def has_opened(self) -> bool:
        """From its opening day on, applicants may rely on a round's rules, so most can no longer change."""
        return clock.today() >= self.opens_on

    def accepts_org_type(self, org_type: str) -> bool:
        return org_type in (self.allowed_org_types or [])

    @property
    def title(self) -> str:
        return f"{self.fund.name} {self.name}"


class FixedReturn(db.Model):
    """A return every grant of the round sends on a fixed date (e.g. "Budget return", 30 October),
    when its project is running on that date."""

    __tablename__ = "round_fixed_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    round: Mapped[Round] = relationship(back_populates="fixed_returns")


class EligibilityCheck(db.Model):
    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    guidance: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[Round] = relationship(back_populates="eligibility_checks")


class Criterion(db.Model):
    """One scoring criterion of a round's rubric."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight_percent: Mapped[int] = mapped_column(Integer)
    # Six strings: what a score of 0, 1, 2, 3, 4 and 5 means.
    descriptors: Mapped[list] = mapped_column(JSON, default=list)
    allow_not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    round: Mapped[Round] = relationship(back_populates="criteria")
