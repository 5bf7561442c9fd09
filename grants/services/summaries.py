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

from sqlalchemy import Select, and_, distinct, func, select

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


def _rounds_in_scope(*, fund_id: int | None, year: str | None) -> list[Round]:
    stmt = select(Round).order_by(Round.id)
    if fund_id is not None:
        stmt = stmt.where(Round.fund_id == fund_id)
    if year is not None:
        stmt = stmt.where(Round.financial_year == year)
    return list(db.session.scalars(stmt))


def _in_scope(stmt: Select, round_ids: list[int]) -> Select:
    """Applications of these rounds, drafts left out. Rounds are few, so filter by id, not by join."""
    return stmt.where(Application.round_id.in_(round_ids), Application.status != Status.DRAFT.value)


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


class _Tally:
    """Received / awarded count / awarded sum for one split row, folded from (status, count, sum) groups."""

    __slots__ = ("received", "awarded_count", "awarded_pence")

    def __init__(self) -> None:
        self.received = self.awarded_count = self.awarded_pence = 0

    def add(self, status: str, count: int, awarded: int | None) -> None:
        self.received += count
        if status in AWARDED:
            self.awarded_count += count
            self.awarded_pence += int(awarded or 0)

    def row(self, label: str) -> SplitRow:
        return SplitRow(label, self.received, self.awarded_count, self.awarded_pence)


def fund_summary(*, fund: Fund | None = None, year: str | None = None) -> Summary:
    """Every figure on the fund summary for one fund (None: all) and financial year (None: all).

    The applications table is read in three grouped passes (by status, round
    and organisation type; by area; by objective), each returning a few dozen
    rows that are folded into the figures here.
    """
    summary = Summary(fund=fund, year=year)
    rounds = _rounds_in_scope(fund_id=fund.id if fund else None, year=year)
    round_ids = [r.id for r in rounds]
    fund_of_round = {r.id: r.fund_id for r in rounds}
    for round_ in rounds:
        money = round_money(round_)
        summary.rounds += 1
        summary.budget_pence += money.budget
        summary.committed_pence += money.committed
        summary.paid_pence += money.paid
        summary.returned_pence += money.returned
        summary.remaining_pence += money.remaining

    counts: dict[str, int] = {}
    by_type: dict[str, _Tally] = {t.value: _Tally() for t in OrgType}
    by_fund_id: dict[int, _Tally] = {}
    groups = db.session.execute(
        _in_scope(
            select(Application.status, Application.round_id, Organisation.org_type, func.count(Application.id),
                   func.sum(Application.amount_requested_pence), func.sum(Application.awarded_pence))
            .join(Organisation, Organisation.id == Application.organisation_id),
            round_ids,
        ).group_by(Application.status, Application.round_id, Organisation.org_type)
    )
    for status, round_id, org_type, count, requested, awarded in groups:
        count = int(count)
        counts[status] = counts.get(status, 0) + count
        summary.requested_pence += int(requested or 0)
        if status in AWARDED:
            summary.awarded_pence += int(awarded or 0)
        by_type.setdefault(org_type, _Tally()).add(status, count, awarded)
        by_fund_id.setdefault(fund_of_round[round_id], _Tally()).add(status, count, awarded)

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
    if summary.awarded_count:
        summary.average_award_pence = int(
            (Decimal(summary.awarded_pence) / summary.awarded_count).quantize(Decimal("1"), rounding="ROUND_HALF_UP")
        )
        summary.median_award_pence = _median_award(round_ids, count=summary.awarded_count)

    summary.by_org_type = [by_type.pop(t.value).row(ORG_TYPE_LABELS[t]) for t in OrgType]
    summary.by_org_type += [tally.row(label) for label, tally in sorted(by_type.items())]  # unknown types, if any
    summary.by_objective = _split_by_link(
        application_objectives.c.objective_id, application_objectives.c.application_id, round_ids,
        {o.id: f"{o.number}. {o.name}" for o in db.session.scalars(select(Objective).order_by(Objective.number))},
    )
    summary.by_area = _split_by_link(
        application_areas.c.area_id, application_areas.c.application_id, round_ids,
        {a.id: a.name for a in db.session.scalars(select(Area).order_by(Area.name))},
    )
    if fund is None:
        summary.by_fund = [
            FundRow(f.code, f.name, t.received, t.awarded_count, t.awarded_pence)
            for f in db.session.scalars(select(Fund).order_by(Fund.code))
            for t in [by_fund_id.get(f.id, _Tally())]
        ]
    summary.outputs = outputs_delivered(round_ids)
    return summary


def _median_award(round_ids: list[int], *, count: int) -> int:
    """The middle award (mean of the middle two when even), read with OFFSET so only 1-2 rows load."""
    amount = func.coalesce(Application.awarded_pence, 0)
    stmt = (
        select(amount)
        .where(Application.round_id.in_(round_ids), Application.status.in_(AWARDED))
        .order_by(amount)
        .offset((count - 1) // 2)
        .limit(2 if count % 2 == 0 else 1)
    )
    middle = [int(v) for v in db.session.scalars(stmt)]
    return int((Decimal(sum(middle)) / len(middle)).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def _split_by_link(key, application_key, round_ids: list[int], labels: dict[int, str]) -> list[SplitRow]:
    """Split over a many-to-many link (objectives, areas): every label listed, zeros included."""
    stmt = _in_scope(
        select(key, Application.status, func.count(Application.id), func.sum(Application.awarded_pence))
        .select_from(Application)
        .join(application_key.table, application_key == Application.id),
        round_ids,
    ).group_by(key, Application.status)
    tallies = {item_id: _Tally() for item_id in labels}
    for item_id, status, count, awarded in db.session.execute(stmt):
        tallies.setdefault(item_id, _Tally()).add(status, int(count), awarded)
    # A zero is a finding: every objective and area appears, in reference order.
    return [tallies[item_id].row(label) for item_id, label in labels.items()]


def normalise_measure(measure: str) -> str:
    """'  Padlocks   and Alarms ' and 'padlocks and alarms' are the same measure."""
    return " ".join((measure or "").split()).lower()


def outputs_delivered(round_ids: list[int]) -> list[OutputRow]:
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
    stmt = stmt.where(Application.round_id.in_(round_ids)).group_by(key)
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
