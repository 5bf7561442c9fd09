"""Fund summaries: the figures the PCC reports to the Police and Crime Panel.

Scope: every application whose round belongs to the chosen fund (or any fund)
within the chosen period (services.periods: a financial year or all years
picks rounds by their year; a quarter or a date range picks applications by
decision date, else submission date, and report figures by sign-off date).
Drafts were never sent to the OPCC, so they are never counted. For a quarter
or date range, budget, committed, paid and remaining are those of the rounds
open at any time in the period, as whole rounds.

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
area it names, so their rows can add up to more than the total.

Outcomes come in two kinds, never added together:

* delivered         - from signed-off final reports of completed grants;
* reported so far   - from signed-off interim reports of live (funded) grants.

Outputs are added up by standard measure (OutputMeasure); an "Other" output
with no standard measure is grouped by its wording, case and spacing ignored.
People reached adds Report.beneficiaries_reached, in total and per objective
and area. Equality monitoring adds the age, disability and ethnic group counts
in reports; every such cell from 1 to 4 is replaced here by "fewer than 5"
before it leaves this module, so no page, PDF or download can show it.

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
    OutputMeasure,
    PlannedOutput,
    Report,
    ReportOutputActual,
    Round,
    application_areas,
    application_objectives,
)
from .budget import round_money
from .periods import Period
from .workflow import COMMITTED_STATES, Status

AWARDED = sorted(s.value for s in COMMITTED_STATES)
APPROVED = sorted({*AWARDED, Status.OFFER_LAPSED.value})
ASSESSED = sorted({*APPROVED, Status.ASSESSED.value, Status.DEFERRED.value, Status.DECLINED.value})

# Equality monitoring cells below this are never shown.
SMALL_NUMBER = 5
SUPPRESSED = "fewer than 5"

# Outcomes: (report kind, status of the grant) for each of the two kinds of figure.
DELIVERED = ("final", Status.COMPLETED.value)
REPORTED_SO_FAR = ("interim", Status.FUNDED.value)


def suppress(count: int) -> int | str:
    """A count safe to publish: 1 to 4 becomes "fewer than 5" (0 and 5 or more are shown)."""
    count = int(count)
    return SUPPRESSED if 0 < count < SMALL_NUMBER else count


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
    unit: str = ""
    standard: bool = False  # a standard measure (OutputMeasure), not "Other" wording


@dataclass(frozen=True)
class PeopleRow:
    label: str
    delivered: int
    reported: int


@dataclass(frozen=True)
class EqualityRow:
    """One equality monitoring category; counts already suppressed (int, or SUPPRESSED)."""

    group: str
    label: str
    delivered: int | str
    reported: int | str


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
    period: Period = field(default_factory=Period.all_years)
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
    outputs: list[OutputRow] = field(default_factory=list)  # delivered
    outputs_reported: list[OutputRow] = field(default_factory=list)  # reported so far
    people_delivered: int = 0
    people_reported: int = 0
    people_by_fund: list[PeopleRow] = field(default_factory=list)  # all funds only
    people_by_objective: list[PeopleRow] = field(default_factory=list)
    people_by_area: list[PeopleRow] = field(default_factory=list)
    equality: list[EqualityRow] = field(default_factory=list)

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
        return f"{fund}, {self.period.label}"

    @property
    def headline(self) -> str:
        """The sentence an annual report quotes: '£140,000 to 36 projects'."""
        from ..money import format_pence

        noun = "project" if self.awarded_count == 1 else "projects"
        return f"{format_pence(self.awarded_pence)} to {self.awarded_count} {noun}"


@dataclass(frozen=True)
class _Scope:
    """Which applications and which report figures a set of figures covers."""

    round_ids: list[int]
    period: Period
    organisation_id: int | None = None

    def applications(self, stmt: Select) -> Select:
        """Applications of these rounds (drafts left out), dated within a quarter or range."""
        stmt = stmt.where(Application.round_id.in_(self.round_ids), Application.status != Status.DRAFT.value)
        if self.organisation_id is not None:
            stmt = stmt.where(Application.organisation_id == self.organisation_id)
        if not self.period.by_round_year:
            first, after = self.period.utc_bounds()
            moment = func.coalesce(Application.decided_at, Application.submitted_at)
            stmt = stmt.where(moment >= first, moment < after)
        return stmt

    def reports(self, stmt: Select, kind: tuple[str, str]) -> Select:
        """Signed-off reports of `kind` (DELIVERED or REPORTED_SO_FAR); stmt must join Report and Application."""
        report_kind, grant_status = kind
        stmt = stmt.where(Report.kind == report_kind, Report.status == "signed_off",
                          Application.status == grant_status, Application.round_id.in_(self.round_ids))
        if self.organisation_id is not None:
            stmt = stmt.where(Application.organisation_id == self.organisation_id)
        if not self.period.by_round_year:
            first, after = self.period.utc_bounds()
            stmt = stmt.where(Report.signed_off_at >= first, Report.signed_off_at < after)
        return stmt


def _rounds_in_scope(*, fund_id: int | None, period: Period) -> list[Round]:
    stmt = select(Round).order_by(Round.id)
    if fund_id is not None:
        stmt = stmt.where(Round.fund_id == fund_id)
    if period.year and period.kind == "year":
        stmt = stmt.where(Round.financial_year == period.year)
    return list(db.session.scalars(stmt))


def _rounds_for_money(rounds: list[Round], period: Period) -> list[Round]:
    """Rounds whose budgets the money figures add: all in scope, or, for dates, those open in the period."""
    if period.by_round_year:
        return rounds
    return [r for r in rounds if r.opens_on <= period.end and r.closes_on >= period.start]


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


def fund_summary(*, fund: Fund | None = None, year: str | None = None, period: Period | None = None) -> Summary:
    """Every figure on the fund summary for one fund (None: all) and period.

    `period` is a services.periods.Period; `year` (a financial year label) is
    the short form of Period.financial_year(year), and neither means all years.
    The applications table is read in three grouped passes (by status, round
    and organisation type; by area; by objective), each returning a few dozen
    rows that are folded into the figures here.
    """
    if period is None:
        period = Period.financial_year(year) if year else Period.all_years()
    summary = Summary(fund=fund, year=period.year if period.kind == "year" else None, period=period)
    rounds = _rounds_in_scope(fund_id=fund.id if fund else None, period=period)
    scope = _Scope([r.id for r in rounds], period)
    fund_of_round = {r.id: r.fund_id for r in rounds}
    for round_ in _rounds_for_money(rounds, period):
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
        scope.applications(
            select(Application.status, Application.round_id, Organisation.org_type, func.count(Application.id),
                   func.sum(Application.amount_requested_pence), func.sum(Application.awarded_pence))
            .join(Organisation, Organisation.id == Application.organisation_id)
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
        summary.median_award_pence = _median_award(scope, count=summary.awarded_count)

    summary.by_org_type = [by_type.pop(t.value).row(ORG_TYPE_LABELS[t]) for t in OrgType]
    summary.by_org_type += [tally.row(label) for label, tally in sorted(by_type.items())]  # unknown types, if any
    objectives = _objective_labels()
    areas = {a.id: a.name for a in db.session.scalars(select(Area).order_by(Area.name))}
    summary.by_objective = _split_by_link(
        application_objectives.c.objective_id, application_objectives.c.application_id, scope, objectives)
    summary.by_area = _split_by_link(application_areas.c.area_id, application_areas.c.application_id, scope, areas)
    if fund is None:
        funds = list(db.session.scalars(select(Fund).order_by(Fund.code)))
        summary.by_fund = [
            FundRow(f.code, f.name, t.received, t.awarded_count, t.awarded_pence)
            for f in funds for t in [by_fund_id.get(f.id, _Tally())]
        ]
        summary.people_by_fund = [
            PeopleRow(f"{f.name} ({f.code})", _people(sub, DELIVERED), _people(sub, REPORTED_SO_FAR))
            for f in funds
            for sub in [_Scope([r for r in scope.round_ids if fund_of_round[r] == f.id], period)]
        ]
    _add_outcomes(summary, scope, objectives, areas)
    return summary


def _objective_labels() -> dict[int, str]:
    return {o.id: f"{o.number}. {o.name}" for o in db.session.scalars(select(Objective).order_by(Objective.number))}


def _add_outcomes(summary, scope: _Scope, objectives: dict[int, str], areas: dict[int, str]) -> None:
    """Outputs, people reached and equality monitoring: delivered and reported so far, kept apart."""
    summary.outputs = _outputs(scope, DELIVERED)
    summary.outputs_reported = _outputs(scope, REPORTED_SO_FAR)
    summary.people_delivered = _people(scope, DELIVERED)
    summary.people_reported = _people(scope, REPORTED_SO_FAR)
    summary.people_by_objective = _people_split(
        scope, application_objectives.c.objective_id, application_objectives.c.application_id, objectives)
    summary.people_by_area = _people_split(
        scope, application_areas.c.area_id, application_areas.c.application_id, areas)
    summary.equality = equality_totals(scope)


def _median_award(scope: _Scope, *, count: int) -> int:
    """The middle award (mean of the middle two when even), read with OFFSET so only 1-2 rows load."""
    amount = func.coalesce(Application.awarded_pence, 0)
    stmt = (
        scope.applications(select(amount))
        .where(Application.status.in_(AWARDED))
        .order_by(amount)
        .offset((count - 1) // 2)
        .limit(2 if count % 2 == 0 else 1)
    )
    middle = [int(v) for v in db.session.scalars(stmt)]
    return int((Decimal(sum(middle)) / len(middle)).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def _split_by_link(key, application_key, scope: _Scope, labels: dict[int, str]) -> list[SplitRow]:
    """Split over a many-to-many link (objectives, areas): every label listed, zeros included."""
    stmt = scope.applications(
        select(key, Application.status, func.count(Application.id), func.sum(Application.awarded_pence))
        .select_from(Application)
        .join(application_key.table, application_key == Application.id)
    ).group_by(key, Application.status)
    tallies = {item_id: _Tally() for item_id in labels}
    for item_id, status, count, awarded in db.session.execute(stmt):
        tallies.setdefault(item_id, _Tally()).add(status, int(count), awarded)
    # A zero is a finding: every objective and area appears, in reference order.
    return [tallies[item_id].row(label) for item_id, label in labels.items()]


def normalise_measure(measure: str) -> str:
    """'  Padlocks   and Alarms ' and 'padlocks and alarms' are the same measure."""
    return " ".join((measure or "").split()).lower()


def _report_rows(*columns) -> Select:
    return select(*columns).select_from(Report).join(Application, Application.id == Report.application_id)


def _outputs(scope: _Scope, kind: tuple[str, str]) -> list[OutputRow]:
    """Actual outputs from signed-off reports of `kind`, per standard measure, else per wording.

    SQL groups by the standard measure, or for "Other" outputs by
    lower(trim(wording)); wordings differing only in runs of inner spaces
    (which SQL cannot collapse portably) are merged afterwards, over the
    handful of groups, not over grants.
    """
    wording = case((PlannedOutput.measure_id.is_(None), func.lower(func.trim(PlannedOutput.measure))), else_=None)
    stmt = scope.reports(
        select(PlannedOutput.measure_id, wording, func.sum(ReportOutputActual.actual),
               func.count(distinct(Application.id)))
        .select_from(ReportOutputActual)
        .join(Report, Report.id == ReportOutputActual.report_id)
        .join(PlannedOutput, PlannedOutput.id == ReportOutputActual.planned_output_id)
        .join(Application, and_(Application.id == Report.application_id,
                                Application.id == PlannedOutput.application_id)),
        kind,
    ).group_by(PlannedOutput.measure_id, wording)
    groups = list(db.session.execute(stmt))
    measures = {m.id: m for m in db.session.scalars(
        select(OutputMeasure).where(OutputMeasure.id.in_({g[0] for g in groups if g[0] is not None})))}
    totals: dict[tuple, list] = {}
    for measure_id, text, delivered, grants in groups:
        key = ("measure", measure_id) if measure_id is not None else ("other", normalise_measure(text))
        entry = totals.setdefault(key, [0, 0])
        entry[0] += int(delivered or 0)
        entry[1] += int(grants)
    rows = []
    for (what, value), (delivered, grants) in totals.items():
        if what == "measure":
            measure = measures[value]
            rows.append(OutputRow(measure.name, delivered, grants, unit=measure.unit, standard=True))
        else:
            rows.append(OutputRow(value, delivered, grants))
    return sorted(rows, key=lambda r: (not r.standard, -r.delivered, r.measure))


def outputs_delivered(round_ids: list[int]) -> list[OutputRow]:
    """Outputs delivered (signed-off final reports of completed grants) in these rounds, per measure."""
    return _outputs(_Scope(round_ids, Period.all_years()), DELIVERED)


def _people(scope: _Scope, kind: tuple[str, str]) -> int:
    total = db.session.scalar(scope.reports(_report_rows(func.sum(Report.beneficiaries_reached)), kind))
    return int(total or 0)


def _people_split(scope: _Scope, key, application_key, labels: dict[int, str]) -> list[PeopleRow]:
    """People reached under each objective or area a grant names (a grant counts under each)."""
    found: dict[tuple[int, str], int] = {}
    for kind in (DELIVERED, REPORTED_SO_FAR):
        stmt = scope.reports(
            _report_rows(key, func.sum(Report.beneficiaries_reached))
            .join(application_key.table, application_key == Application.id),
            kind,
        ).group_by(key)
        for item_id, total in db.session.execute(stmt):
            found[(item_id, kind[0])] = int(total or 0)
    return [PeopleRow(label, found.get((item_id, DELIVERED[0]), 0), found.get((item_id, REPORTED_SO_FAR[0]), 0))
            for item_id, label in labels.items()]


def equality_totals(scope: _Scope) -> list[EqualityRow]:
    """Age, disability and ethnic group totals from reports, each cell suppressed below 5.

    The raw sums never leave this function: what it returns is already safe
    to show on any page, PDF or download.
    """
    from .monitoring import EQUALITY_GROUPS

    raw: dict[tuple[str, str, str], int] = {}
    for kind in (DELIVERED, REPORTED_SO_FAR):
        stmt = scope.reports(_report_rows(Report.equality_monitoring), kind)
        for (counts,) in db.session.execute(stmt):
            for group, values in (counts or {}).items():
                for key, value in (values or {}).items():
                    if isinstance(value, int) and value > 0:
                        raw[(kind[0], group, key)] = raw.get((kind[0], group, key), 0) + value
    return [
        EqualityRow(group_label, label, suppress(raw.get((DELIVERED[0], group, key), 0)),
                    suppress(raw.get((REPORTED_SO_FAR[0], group, key), 0)))
        for group, (group_label, options) in EQUALITY_GROUPS.items()
        for key, label in options
    ]


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


def outcome_tables(summary: Summary) -> list[tuple[str, list[str], list[list]]]:
    """Outcomes reported so far, people reached and equality monitoring, as export tables.

    Exports add these after summary_tables(); equality cells are already suppressed.
    """
    people = [
        ["People reached: delivered (signed-off final reports, completed grants)", summary.people_delivered],
        ["People reached: reported so far (signed-off interim reports, live grants)", summary.people_reported],
    ]
    return [
        ("Outputs reported so far", ["Output measure", "Reported so far", "Live grants reporting it"],
         [[r.measure, r.delivered, r.grants] for r in summary.outputs_reported]),
        ("People reached", ["Figure", "People"], people),
        *([("People reached by fund", ["Fund", "Delivered", "Reported so far"],
            [[r.label, r.delivered, r.reported] for r in summary.people_by_fund])] if summary.people_by_fund else []),
        ("People reached by objective", ["Police and Crime Plan objective", "Delivered", "Reported so far"],
         [[r.label, r.delivered, r.reported] for r in summary.people_by_objective]),
        ("People reached by area", ["Local authority area", "Delivered", "Reported so far"],
         [[r.label, r.delivered, r.reported] for r in summary.people_by_area]),
        ("Equality monitoring", ["Group", "Category", "Delivered", "Reported so far"],
         [[r.group, r.label, r.delivered, r.reported] for r in summary.equality]),
    ]


# --- One organisation across years ------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    year: str
    grants: int
    awarded_pence: int
    people_delivered: int
    people_reported: int


@dataclass(frozen=True)
class GrantLine:
    reference: str
    title: str | None
    fund_code: str
    year: str
    status: str
    awarded_pence: int
    imported: bool


@dataclass
class OrganisationHistory:
    """Every award an organisation has had, and what it delivered, year by year."""

    organisation: Organisation
    years: list[YearRow]
    grants: list[GrantLine]
    outputs: list[OutputRow]
    outputs_reported: list[OutputRow]

    @property
    def grant_count(self) -> int:
        return len(self.grants)

    @property
    def awarded_pence(self) -> int:
        return sum(g.awarded_pence for g in self.grants)

    @property
    def people_delivered(self) -> int:
        return sum(y.people_delivered for y in self.years)

    @property
    def people_reported(self) -> int:
        return sum(y.people_reported for y in self.years)

    @property
    def headline(self) -> str:
        from ..money import format_pence

        years = sorted(y.year for y in self.years)
        span = "" if not years else f" in {years[0]}" if len(years) == 1 else f" from {years[0]} to {years[-1]}"
        noun = "grant" if self.grant_count == 1 else "grants"
        return f"{format_pence(self.awarded_pence)} in {self.grant_count} {noun}{span}"


def organisation_history(organisation: Organisation, *, period: Period | None = None) -> OrganisationHistory:
    """Awards (approved, funded, completed; imported ones included) to one organisation in `period` (default all).

    Per financial year of the round: grants, amount awarded and people reached
    (delivered and reported so far, as in the fund summary); outputs by measure
    across all the years.
    """
    from .workflow import STAFF_LABELS
    from ..models import ImportedGrant

    period = period or Period.all_years()
    rounds = _rounds_in_scope(fund_id=None, period=period)
    scope = _Scope([r.id for r in rounds], period, organisation_id=organisation.id)
    grants = [
        GrantLine(reference, title, code, year, STAFF_LABELS[Status(status)], int(awarded or 0), imported is not None)
        for reference, title, code, year, status, awarded, imported in db.session.execute(
            scope.applications(
                select(Application.reference, Application.title, Fund.code, Round.financial_year, Application.status,
                       Application.awarded_pence, ImportedGrant.id)
                .join(Round, Round.id == Application.round_id).join(Fund, Fund.id == Round.fund_id)
                .outerjoin(ImportedGrant, ImportedGrant.application_id == Application.id)
            ).where(Application.status.in_(AWARDED)).order_by(Round.financial_year.desc(), Application.reference)
        )
    ]
    people: dict[tuple[str, str], int] = {}
    for kind in (DELIVERED, REPORTED_SO_FAR):
        stmt = scope.reports(
            _report_rows(Round.financial_year, func.sum(Report.beneficiaries_reached))
            .join(Round, Round.id == Application.round_id), kind,
        ).group_by(Round.financial_year)
        for year, total in db.session.execute(stmt):
            people[(year, kind[0])] = int(total or 0)
    years = []
    for year in sorted({g.year for g in grants} | {y for y, _ in people}, reverse=True):
        in_year = [g for g in grants if g.year == year]
        years.append(YearRow(year, len(in_year), sum(g.awarded_pence for g in in_year),
                             people.get((year, DELIVERED[0]), 0), people.get((year, REPORTED_SO_FAR[0]), 0)))
    return OrganisationHistory(organisation, years, grants, _outputs(scope, DELIVERED),
                               _outputs(scope, REPORTED_SO_FAR))
