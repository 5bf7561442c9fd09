"""make_* helpers for summaries and open data: awards, payments, returns, signed-off reports."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Area,
    DecisionRecord,
    GrantPublication,
    GrantReturn,
    Objective,
    Organisation,
    Payment,
    PlannedOutput,
    Report,
    ReportOutputActual,
)

from .factories import make_application


def area(name: str) -> Area:
    return db.session.scalar(select(Area).where(Area.name == name))


def objective(number: int) -> Objective:
    return db.session.scalar(select(Objective).where(Objective.number == number))


def make_org(name: str, *, org_type: str = "constituted_group", charity_number=None, company_number=None,
             town: str = "Hartlepool", **fields) -> Organisation:
    """An organisation with contact details that must never reach open data."""
    org = Organisation(
        legal_name=name, org_type=org_type, charity_number=charity_number, company_number=company_number,
        address_line_1=fields.pop("address_line_1", "7 Privet Close"), town=town,
        postcode=fields.pop("postcode", "TS24 9ZZ"), contact_name=fields.pop("contact_name", "Winifred Quartermaine"),
        contact_email=fields.pop("contact_email", "winifred.q@example.net"),
        contact_phone=fields.pop("contact_phone", "07700 900123"), **fields,
    )
    db.session.add(org)
    db.session.flush()
    return org


def make_award(demo, *, awarded_pence: int | None = None, status: str = "funded", areas=("Hartlepool",),
               objectives=(1,), decided_at: datetime | None = None, reasons: str | None = None,
               public_summary: str | None = None, published: bool | None = None, **fields):
    """An application with an award in `status`, its areas and objectives, and optionally a decision record.

    An award whose offer stands is published to the register unless published=False; any other only if
    published=True.
    """
    amount = fields.pop("amount_pence", awarded_pence or 300_000)
    application = make_application(demo, status=status, amount_pence=amount, **fields)
    application.areas = [area(name) for name in areas]
    application.objectives = [objective(n) for n in objectives]
    if status not in ("declined", "ineligible", "withdrawn", "submitted", "in_assessment", "assessed"):
        application.awarded_pence = awarded_pence if awarded_pence is not None else amount
        application.decided_at = decided_at or datetime(2026, 7, 15, 10, 0, tzinfo=timezone.utc)
    if reasons is not None or public_summary is not None:
        make_decision_record(demo, application, reasons=reasons or "Internal reasons", public_summary=public_summary)
    if published if published is not None else status in ("approved", "funded", "completed"):
        db.session.add(GrantPublication(application_id=application.id, published_by_id=demo.officer.id,
                                        published_at=application.decided_at))
    db.session.flush()
    return application


def make_decision_record(demo, application, *, reasons: str, outcome: str = "approve_full",
                         public_summary: str | None = None) -> DecisionRecord:
    round_ = application.round
    sequence = db.session.scalar(select(db.func.count(DecisionRecord.id))) + 1
    record = DecisionRecord(
        number=f"{round_.fund.code}/{round_.financial_year}/{sequence:03d}", fund_id=round_.fund_id,
        financial_year=round_.financial_year, sequence=sequence, application_id=application.id, outcome=outcome,
        amount_requested_pence=application.amount_requested_pence, amount_awarded_pence=application.awarded_pence,
        reasons=reasons, public_summary=public_summary, payment_schedule=[], decided_by_id=demo.ceo.id, decided_by_name=demo.ceo.full_name,
        authority="Chief Executive under delegation", declaration_of_interest="None",
        organisation_name=application.organisation.legal_name, decided_at=application.decided_at
        or datetime(2026, 7, 15, tzinfo=timezone.utc), content_hash="0" * 64,
    )
    db.session.add(record)
    db.session.flush()
    return record


def make_payment(demo, application, amount_pence: int, *, paid_on: date = date(2026, 8, 1)) -> Payment:
    payment = Payment(application_id=application.id, amount_pence=amount_pence, paid_on=paid_on,
                      reference=f"BACS-{application.id}-{amount_pence}", recorded_by_id=demo.finance.id)
    db.session.add(payment)
    db.session.flush()
    return payment


def make_return(demo, application, amount_pence: int, *, received: bool = True) -> GrantReturn:
    grant_return = GrantReturn(application_id=application.id, amount_pence=amount_pence, reason="Underspend",
                               raised_by_id=demo.officer.id, received_on=date(2027, 9, 1) if received else None)
    db.session.add(grant_return)
    db.session.flush()
    return grant_return


def make_final_report(demo, application, actuals: dict[str, int], *, status: str = "signed_off") -> Report:
    """A final report with actual figures per measure (planned outputs made as needed)."""
    report = Report(application_id=application.id, kind="final", due_on=date(2027, 9, 30), status=status)
    db.session.add(report)
    db.session.flush()
    existing = {p.measure: p for p in application.planned_outputs}
    for position, (measure, actual) in enumerate(actuals.items(), start=10):
        planned = existing.get(measure)
        if planned is None:
            planned = PlannedOutput(application_id=application.id, position=position, measure=measure, target=actual)
            db.session.add(planned)
            db.session.flush()
        db.session.add(ReportOutputActual(report_id=report.id, planned_output_id=planned.id, actual=actual))
    db.session.flush()
    return report
