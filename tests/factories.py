"""Small make_* helpers that build data for tests directly (not through HTTP)."""
from __future__ import annotations

from datetime import date

from grants import clock
from grants.extensions import db
from grants.models import Application, BudgetLine, PlannedOutput
from grants.services.numbering import next_number


def make_application(demo, *, org=None, user=None, round_=None, status: str = "draft",
                     amount_pence: int = 300_000, title: str = "Allotment security", complete: bool = True,
                     **fields) -> Application:
    """An application with every section filled in, put straight into `status`."""
    round_ = round_ or demo.csf_round
    user = user or demo.applicant
    org = org or user.organisation
    year = round_.opens_on.year
    reference = f"{round_.fund.code}-{year}-{next_number(f'application:{round_.fund.code}:{year}'):04d}"
    application = Application(
        reference=reference, round=round_, organisation=org, created_by=user, status=status,
        title=title, summary="Padlocks and alarms for allotment sheds",
        start_date=fields.pop("start_date", date(2027, 1, 1)), end_date=fields.pop("end_date", date(2027, 6, 30)),
        need="Sheds broken into 30 times last year", evidence="Police incident log summary",
        activities="Buy and fit padlocks and alarms", beneficiaries="Allotment holders", beneficiary_count=120,
        crime_reduction_reasons="Fewer thefts and less damage at allotments",
        other_funding="None", works_with_children_or_vulnerable_adults=False, safeguarding="Not applicable",
        amount_requested_pence=amount_pence, **fields,
    )
    if complete:
        from grants.models import Area, Objective

        application.areas = [db.session.scalar(db.select(Area).order_by(Area.id))]
        application.objectives = [db.session.scalar(db.select(Objective).order_by(Objective.number))]
        application.planned_outputs = [PlannedOutput(position=1, measure="padlocks and alarms fitted", target=420)]
        application.budget_lines = [BudgetLine(position=1, item="Padlocks and alarms", cost_pence=amount_pence)]
    if status != "draft":
        application.submitted_at = clock.now()
        application.declaration_name = user.full_name
        application.declaration_position = "Secretary"
    db.session.add(application)
    db.session.flush()
    return application
