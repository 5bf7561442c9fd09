"""The report to the Police and Crime Panel: what was decided, awarded, paid, returned and reported between two dates.

The figures for applications, awards and outcomes are services/summaries.fund_summary's for the
period (a services/periods.Period.between the two dates); this module adds only what the summary
does not give: the decision notices signed, decision records, payments and returns made on dates in
the period, and the reports overdue now (services/monitoring.overdue_reports). The period defaults to
the day after the last report generated (its PDF) up to today.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import AuditEvent, DecisionNotice, DecisionRecord, GrantReturn, Payment, Report, User
from . import audit, monitoring
from .periods import Period
from .summaries import Summary, fund_summary

GENERATED = "report.panel_generated"


@dataclass
class PanelReport:
    period: Period
    summary: Summary
    notices: list[DecisionNotice]
    records: list[DecisionRecord]
    payments_count: int
    payments_pence: int
    returns_count: int
    returns_pence: int
    overdue: list[Report]


def last_generated_to() -> date | None:
    """The last day covered by the last report generated, if any."""
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == GENERATED)
                              .order_by(AuditEvent.id.desc()).limit(1))
    return date.fromisoformat(event.after["to"]) if event and (event.after or {}).get("to") else None


def default_period() -> Period:
    """From the day after the last report generated (or the start of this financial year) to today."""
    today = clock.today()
    last = last_generated_to()
    start = last + timedelta(days=1) if last else clock.financial_year_bounds(clock.financial_year(today))[0]
    return Period.between(min(start, today), today)


def panel_report(period: Period) -> PanelReport:
    """Every figure of the panel report for `period` (a date range)."""
    start, end = period.utc_bounds()
    notices = list(db.session.scalars(
        select(DecisionNotice).where(DecisionNotice.signed_at >= start, DecisionNotice.signed_at < end)
        .order_by(DecisionNotice.signed_at, DecisionNotice.id)))
    records = list(db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.decided_at >= start, DecisionRecord.decided_at < end)
        .order_by(DecisionRecord.decided_at, DecisionRecord.id)))
    payments_count, payments_pence = db.session.execute(
        select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount_pence), 0))
        .where(Payment.paid_on >= period.start, Payment.paid_on <= period.end)).one()
    returns_count, returns_pence = db.session.execute(
        select(func.count(GrantReturn.id), func.coalesce(func.sum(GrantReturn.amount_pence), 0))
        .where(GrantReturn.received_on >= period.start, GrantReturn.received_on <= period.end)).one()
    return PanelReport(period=period, summary=fund_summary(period=period), notices=notices, records=records,
                       payments_count=int(payments_count), payments_pence=int(payments_pence),
                       returns_count=int(returns_count), returns_pence=int(returns_pence),
                       overdue=monitoring.overdue_reports())


def record_generated(period: Period, *, actor: User) -> None:
    """Note that the report was produced for the panel: the next report starts the day after this one ends."""
    audit.record(GENERATED, actor=actor, entity_type="report", entity_id="panel",
                 after={"from": period.start.isoformat(), "to": period.end.isoformat()})
