"""Fund summaries: the figures the PCC reports to the Police and Crime Panel.

Scope: every application whose round belongs to the chosen fund (or any fund)
and whose round's financial year is the chosen year (or any year). Drafts were
never sent to the OPCC, so they are never counted.

How each figure is counted (the page repeats this in plain English):

* received      - applications submitted (every status except draft).
* screened out  - found ineligible at screening (status ineligible).
* assessed      - scored by the panel: assessed, deferred, approved, declined,
                  offer lapsed, funded or completed.
* approved      - a decision to fund was made: approved, funded, completed, or
                  offer lapsed (approved but the offer was not taken up).
* declined      - a decision not to fund (status declined).
* withdrawn     - withdrawn by the applicant before a decision.
* success rate  - approved / (approved + declined), as a whole percentage;
                  none when nothing has been decided.
* awarded       - grants whose offer stands (workflow.COMMITTED_STATES:
                  approved, funded, completed): their number and the sum of
                  awarded_pence. Average and median are over these awards.
* requested     - sum of amount requested over received applications.
* budget, committed, paid, returned, remaining - services.budget.round_money
                  for each round in scope, added up (never computed here).

Splits (objective, area) count an application once under each objective or
area it names, so their rows can add up to more than the total. Outputs
delivered add ReportOutputActual.actual over signed-off final reports of
completed grants, grouped by the planned output's measure with case and
spacing ignored.

Every count and sum is one SQL GROUP BY query, so the cost does not grow with
Python loops over applications.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, and_, case, distinct, func, select

from .. import clock
from ..extensions import db
from ..models import (
    ORG_TYPE_LABELS,
    Application,
    Area,
    Fund,
    Objective,
    Organisation,
    OrgType,
    PlannedOutput,
    Report,
    ReportOutputActual,
    Round,
    application_areas,
    application_objectives,
)
from .budget import round_money
from .workflow import COMMITTED_STATES, Status

AWARDED = sorted(s.value for s in COMMITTED_STATES)
APPROVED = sorted({*AWARDED, Status.OFFER_LAPSED.value})
ASSESSED = sorted({*APPROVED, Status.ASSESSED.value, Status.DEFERRED.value, Status.DECLINED.value})


@dataclass(frozen=True)
class SplitRow:
    label: str
    received: int
    awarded_count: int
    awarded_pence: int


@dataclass(frozen=True)
class OutputRow:
    measure: str
    delivered: int
    grants: int


@dataclass(frozen=True)
class FundRow:
    code: str
    name: str
    received: int
    awarded_count: int
    awarded_pence: int


@dataclass
class Summary:
    fund: Fund | None
    year: str | None
    received: int = 0
    screened_out: int = 0
    assessed: int = 0
    approved: int = 0
    declined: int = 0
    withdrawn: int = 0
    in_progress: int = 0
    awarded_count: int = 0
    requested_pence: int = 0
    awarded_pence: int = 0
    average_award_pence: int | None = None
    median_award_pence: int | None = None
    budget_pence: int = 0
    committed_pence: int = 0
    paid_pence: int = 0
    returned_pence: int = 0
    remaining_pence: int = 0
    rounds: int = 0
    by_objective: list[SplitRow] = field(default_factory=list)
    by_area: list[SplitRow] = field(default_factory=list)
    by_org_type: list[SplitRow] = field(default_factory=list)
    by_fund: list[FundRow] = field(default_factory=list)
    outputs: list[OutputRow] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return self.approved + self.declined

    @property
    def success_rate_percent(self) -> int | None:
        """Approved / decided, rounded half up to a whole percent."""
        if not self.decided:
            return None
        return int((Decimal(self.approved * 100) / self.decided).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))

    @property
    def scope_label(self) -> str:
        fund = self.fund.name if self.fund else "All funds"
        year = self.year or "all years"
        return f"{fund}, {year}" if self.year else f"{fund}, all years"

    @property
    def headline(self) -> str:
        """The sentence an annual report quotes: '£140,000 to 36 projects'."""
        from ..money import format_pence

        noun = "project" if self.awarded_count == 1 else "projects"
        return f"{format_pence(self.awarded_pence)} to {self.awarded_count} {noun}"


def _scope(stmt: Select, *, fund_id: int | None, year: str | None) -> Select:
    stmt = stmt.join(Round, Application.round_id == Round.id).where(Application.status != Status.DRAFT.value)
    if fund_id is not None:
        stmt = stmt.where(Round.fund_id == fund_id)
    if year is not None:
        stmt = stmt.where(Round.financial_year == year)
    return stmt


def _awarded_sum():
    return func.coalesce(
        func.sum(case((Application.status.in_(AWARDED), func.coalesce(Application.awarded_pence, 0)), else_=0)), 0
    )


def _awarded_count():
    return func.coalesce(func.sum(case((Application.status.in_(AWARDED), 1), else_=0)), 0)


def financial_years() -> list[str]:
    """Every financial year that has a round, newest first."""
    return list(db.session.scalars(select(Round.financial_year).distinct().order_by(Round.financial_year.desc())))


def default_year() -> str | None:
    """The current financial year if it has a round, else the newest that does."""
    years = financial_years()
    current = clock.financial_year(clock.today())
    if current in years:
        return current
    return years[0] if years else None


def fund_summary(*, fund: Fund | None = None, year: str | None = None) -> Summary:
    """Every figure on the fund summary for one fund (None: all) and financial year (None: all)."""
    fund_id = fund.id if fund else None
    summary = Summary(fund=fund, year=year)

    counts = dict(
        db.session.execute(
            _scope(select(Application.status, func.count(Application.id)), fund_id=fund_id, year=year).group_by(
                Application.status
            )
        ).all()
    )
    summary.received = sum(counts.values())
    summary.screened_out = counts.get(Status.INELIGIBLE.value, 0)
    summary.assessed = sum(counts.get(s, 0) for s in ASSESSED)
    summary.approved = sum(counts.get(s, 0) for s in APPROVED)
    summary.declined = counts.get(Status.DECLINED.value, 0)
    summary.withdrawn = counts.get(Status.WITHDRAWN.value, 0)
    summary.awarded_count = sum(counts.get(s, 0) for s in AWARDED)
    summary.in_progress = summary.received - (
        summary.screened_out + summary.approved + summary.declined + summary.withdrawn
    )

    requested, awarded = db.session.execute(
        _scope(
            select(func.coalesce(func.sum(Application.amount_requested_pence), 0), _awarded_sum()),
            fund_id=fund_id,
            year=year,
        )
    ).one()
    summary.requested_pence, summary.awarded_pence = int(requested), int(awarded)
    if summary.awarded_count:
        summary.average_award_pence = int(
            (Decimal(summary.awarded_pence) / summary.awarded_count).quantize(Decimal("1"), rounding="ROUND_HALF_UP")
        )
        summary.median_award_pence = _median_award(fund_id=fund_id, year=year, count=summary.awarded_count)

    _add_round_money(summary, fund_id=fund_id, year=year)
    summary.by_objective = _split_by_objective(fund_id=fund_id, year=year)
    summary.by_area = _split_by_area(fund_id=fund_id, year=year)
    summary.by_org_type = _split_by_org_type(fund_id=fund_id, year=year)
    if fund is None:
        summary.by_fund = _split_by_fund(year=year)
    summary.outputs = outputs_delivered(fund_id=fund_id, year=year)
    return summary


def _median_award(*, fund_id: int | None, year: str | None, count: int) -> int:
    """The middle award (mean of the middle two when even), read with OFFSET so only 1-2 rows load."""
    stmt = _scope(
        select(func.coalesce(Application.awarded_pence, 0)), fund_id=fund_id, year=year
    ).where(Application.status.in_(AWARDED)).order_by(func.coalesce(Application.awarded_pence, 0))
    middle = list(db.session.scalars(stmt.offset((count - 1) // 2).limit(2 if count % 2 == 0 else 1)))
    total = sum(int(v) for v in middle)
    return int((Decimal(total) / len(middle)).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def _add_round_money(summary: Summary, *, fund_id: int | None, year: str | None) -> None:
    stmt = select(Round.id)
    if fund_id is not None:
        stmt = stmt.where(Round.fund_id == fund_id)
    if year is not None:
        stmt = stmt.where(Round.financial_year == year)
    for round_id in db.session.scalars(stmt):
        money = round_money(round_id)
        summary.rounds += 1
        summary.budget_pence += money.budget
        summary.committed_pence += money.committed
        summary.paid_pence += money.paid
        summary.returned_pence += money.returned
        summary.remaining_pence += money.remaining


def _split_rows(stmt: Select) -> list[SplitRow]:
    return [
        SplitRow(label=label, received=int(received), awarded_count=int(count), awarded_pence=int(amount))
        for label, received, count, amount in db.session.execute(stmt)
    ]


def _split_by_objective(*, fund_id: int | None, year: str | None) -> list[SplitRow]:
    stmt = (
        select(Objective.number, Objective.name, func.count(Application.id), _awarded_count(), _awarded_sum())
        .select_from(Application)
        .join(application_objectives, application_objectives.c.application_id == Application.id)
        .join(Objective, Objective.id == application_objectives.c.objective_id)
    )
    stmt = _scope(stmt, fund_id=fund_id, year=year).group_by(Objective.number, Objective.name).order_by(
        Objective.number
    )
    by_number = {
        number: SplitRow(f"{number}. {name}", int(r), int(c), int(a))
        for number, name, r, c, a in db.session.execute(stmt)
    }
    # Every objective appears, even with nothing against it: a zero is a finding.
    return [
        by_number.get(o.number, SplitRow(f"{o.number}. {o.name}", 0, 0, 0))
        for o in db.session.scalars(select(Objective).order_by(Objective.number))
    ]


def _split_by_area(*, fund_id: int | None, year: str | None) -> list[SplitRow]:
    stmt = (
        select(Area.name, func.count(Application.id), _awarded_count(), _awarded_sum())
        .select_from(Application)
        .join(application_areas, application_areas.c.application_id == Application.id)
        .join(Area, Area.id == application_areas.c.area_id)
    )
    rows = {row.label: row for row in _split_rows(_scope(stmt, fund_id=fund_id, year=year).group_by(Area.name))}
    return [rows.get(name, SplitRow(name, 0, 0, 0)) for name in db.session.scalars(select(Area.name).order_by(Area.name))]


def _split_by_org_type(*, fund_id: int | None, year: str | None) -> list[SplitRow]:
    stmt = (
        select(Organisation.org_type, func.count(Application.id), _awarded_count(), _awarded_sum())
        .select_from(Application)
        .join(Organisation, Organisation.id == Application.organisation_id)
    )
    rows = {row.label: row for row in _split_rows(_scope(stmt, fund_id=fund_id, year=year).group_by(Organisation.org_type))}
    result = []
    for org_type in OrgType:
        row = rows.pop(org_type.value, None)
        result.append(SplitRow(ORG_TYPE_LABELS[org_type], row.received, row.awarded_count, row.awarded_pence)
                      if row else SplitRow(ORG_TYPE_LABELS[org_type], 0, 0, 0))
    return result


def _split_by_fund(*, year: str | None) -> list[FundRow]:
    stmt = (
        select(Fund.code, Fund.name, func.count(Application.id), _awarded_count(), _awarded_sum())
        .select_from(Application)
    )
    stmt = _scope(stmt, fund_id=None, year=year).join(Fund, Fund.id == Round.fund_id).group_by(Fund.code, Fund.name)
    rows = {code: FundRow(code, name, int(r), int(c), int(a)) for code, name, r, c, a in db.session.execute(stmt)}
    return [rows.get(f.code, FundRow(f.code, f.name, 0, 0, 0)) for f in db.session.scalars(select(Fund).order_by(Fund.code))]


def normalise_measure(measure: str) -> str:
    """'  Padlocks   and Alarms ' and 'padlocks and alarms' are the same measure."""
    return " ".join((measure or "").split()).lower()


def outputs_delivered(*, fund_id: int | None, year: str | None) -> list[OutputRow]:
    """Actual outputs from signed-off final reports of completed grants, per measure.

    SQL groups by lower(trim(measure)); measures differing only in runs of
    inner spaces (which SQL cannot collapse portably) are merged afterwards,
    over the handful of measure groups, not over grants.
    """
    key = func.lower(func.trim(PlannedOutput.measure))
    stmt = (
        select(key, func.sum(ReportOutputActual.actual), func.count(distinct(Application.id)))
        .select_from(ReportOutputActual)
        .join(Report, Report.id == ReportOutputActual.report_id)
        .join(PlannedOutput, PlannedOutput.id == ReportOutputActual.planned_output_id)
        .join(Application, and_(Application.id == Report.application_id,
                                Application.id == PlannedOutput.application_id))
        .where(Report.kind == "final", Report.status == "signed_off",
               Application.status == Status.COMPLETED.value)
    )
    stmt = _scope(stmt, fund_id=fund_id, year=year).group_by(key)
    totals: dict[str, list[int]] = {}
    for measure, delivered, grants in db.session.execute(stmt):
        entry = totals.setdefault(normalise_measure(measure), [0, 0])
        entry[0] += int(delivered or 0)
        entry[1] += int(grants)
    rows = [OutputRow(measure=m, delivered=d, grants=g) for m, (d, g) in totals.items()]
    return sorted(rows, key=lambda r: (-r.delivered, r.measure))


def _pounds(pence: int | None):
    from ..money import pence_to_decimal_pounds

    return None if pence is None else pence_to_decimal_pounds(pence)


def summary_tables(summary: Summary) -> list[tuple[str, list[str], list[list]]]:
    """The summary as (title, header, rows) tables for CSV, XLSX and PDF; money in pounds."""
    rate = summary.success_rate_percent
    figures = [
        ["Scope", summary.scope_label],
        ["Rounds", summary.rounds],
        ["Applications received", summary.received],
        ["Screened out (ineligible)", summary.screened_out],
        ["Assessed", summary.assessed],
        ["Approved", summary.approved],
        ["Declined", summary.declined],
        ["Withdrawn", summary.withdrawn],
        ["Still in progress", summary.in_progress],
        ["Success rate (%)", "" if rate is None else rate],
        ["Grants awarded", summary.awarded_count],
        ["Amount requested (£)", _pounds(summary.requested_pence)],
        ["Amount awarded (£)", _pounds(summary.awarded_pence)],
        ["Average award (£)", _pounds(summary.average_award_pence) if summary.average_award_pence is not None else ""],
        ["Median award (£)", _pounds(summary.median_award_pence) if summary.median_award_pence is not None else ""],
        ["Budget (£)", _pounds(summary.budget_pence)],
        ["Committed (£)", _pounds(summary.committed_pence)],
        ["Paid (£)", _pounds(summary.paid_pence)],
        ["Returned (£)", _pounds(summary.returned_pence)],
        ["Remaining against budget (£)", _pounds(summary.remaining_pence)],
    ]
    split_header = ["Applications received", "Grants awarded", "Amount awarded (£)"]

    def split(rows: list[SplitRow]) -> list[list]:
        return [[r.label, r.received, r.awarded_count, _pounds(r.awarded_pence)] for r in rows]

    tables = [
        ("Summary", ["Figure", "Value"], figures),
        ("By objective", ["Police and Crime Plan objective", *split_header], split(summary.by_objective)),
        ("By area", ["Local authority area", *split_header], split(summary.by_area)),
        ("By organisation type", ["Organisation type", *split_header], split(summary.by_org_type)),
    ]
    if summary.by_fund:
        tables.append(("By fund", ["Fund", *split_header],
                       [[f"{r.name} ({r.code})", r.received, r.awarded_count, _pounds(r.awarded_pence)]
                        for r in summary.by_fund]))
    tables.append(("Outputs delivered", ["Output measure", "Total delivered", "Completed grants reporting it"],
                   [[r.measure, r.delivered, r.grants] for r in summary.outputs]))
    return tables
