"""make_* helpers for monitoring: funded grants with instalments, payments and reports."""
from __future__ import annotations

from datetime import date

from grants import clock
from grants.extensions import db
from grants.models import BudgetLine, Payment, PaymentInstalment, PlannedOutput
from grants.services import monitoring

from .factories import make_application


def make_funded_grant(demo, *, awarded_pence: int = 300_000, start_date=date(2027, 1, 1),
                      end_date=date(2027, 6, 30), two_lines: bool = False, pay_first: bool = True,
                      schedule: bool = True, **fields):
    """A funded grant: instalments as decisions creates them, the first paid, reports scheduled.

    Above the round's full-payment threshold the award is paid in two halves
    (on acceptance, after the interim report); otherwise in full on acceptance.
    """
    application = make_application(demo, status="funded", amount_pence=awarded_pence, awarded_pence=awarded_pence,
                                   start_date=start_date, end_date=end_date, **fields)
    application.accepted_at = clock.now()
    if two_lines:
        application.budget_lines = [
            BudgetLine(position=1, item="Padlocks and alarms", cost_pence=awarded_pence - 50_000),
            BudgetLine(position=2, item="Workshop venue hire", cost_pence=50_000),
        ]
        application.planned_outputs = [
            PlannedOutput(position=1, measure="padlocks and alarms fitted", target=420),
            PlannedOutput(position=2, measure="scam awareness workshops", target=200),
        ]
    if awarded_pence > application.round.full_payment_threshold_pence:
        first = awarded_pence // 2
        instalments = [PaymentInstalment(application=application, sequence=1, amount_pence=first,
                                         trigger="on_acceptance", released_at=clock.now()),
                       PaymentInstalment(application=application, sequence=2, amount_pence=awarded_pence - first,
                                         trigger="after_interim_report")]
    else:
        instalments = [PaymentInstalment(application=application, sequence=1, amount_pence=awarded_pence,
                                         trigger="on_acceptance", released_at=clock.now())]
    db.session.add_all(instalments)
    db.session.flush()
    if pay_first:
        make_payment(demo, instalments[0])
    if schedule:
        monitoring.create_reporting_schedule(application, actor=demo.applicant)
    db.session.flush()
    return application


def make_payment(demo, instalment: PaymentInstalment, *, paid_on: date | None = None) -> Payment:
    payment = Payment(application_id=instalment.application_id, instalment_id=instalment.id,
                      amount_pence=instalment.amount_pence, paid_on=paid_on or clock.today(),
                      reference=f"BACS-{instalment.application_id}-{instalment.sequence}",
                      recorded_by_id=demo.finance.id)
    db.session.add(payment)
    db.session.flush()
    return payment


def fill_report(report, *, actor, actual: int = 400, spent: dict | None = None, **overrides):
    """Save a complete report: every output, every line (spent defaults to the line's budget)."""
    application = report.application
    spend = spent if spent is not None else {b.id: b.cost_pence for b in application.budget_lines}
    values = dict(
        actuals={o.id: actual for o in application.planned_outputs}, spend=spend, beneficiaries_reached=110,
        equality={"age": {"65_and_over": 60, "25_to_64": 50}}, went_well="Thefts stopped on two sites",
        did_not_go_well="Alarm supplier was late", case_study="One allotment society reported no break-ins since.",
    )
    values.update(overrides)
    return monitoring.save_report(report, actor=actor, **values)


def report_of(application, kind: str):
    return next(r for r in monitoring.reports_of(application) if r.kind == kind)
