"""Bring in grants awarded before this service existed, from a CSV file.

Each row becomes an ordinary Application (status completed, in an "Imported
awards YYYY-YY" round of its fund and year) with an ImportedGrant row marking
it as imported, its outputs as planned outputs with a signed-off final report.
So summaries, the register and 360Giving count imported grants through the
same queries as any other; a row marked public "no" is kept off the register
and open data.

Rules:
* the whole file is checked before anything is written; any problem (listed
  with its line number and how to fix it) means nothing is written;
* every row carries a stable import_id; a row whose import_id was imported
  before is skipped, so importing the same file again adds nothing;
* awards must be in the past, in the financial year given, from a fund that
  exists; areas, objectives and output measures must be ones the service knows.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import (
    Application,
    Area,
    Fund,
    ImportedGrant,
    Objective,
    Organisation,
    OrgType,
    OutputMeasure,
    PlannedOutput,
    Report,
    ReportOutputActual,
    Round,
    User,
)
from ..money import MoneyError, parse_pounds
from . import audit, workflow
from .errors import DomainError
from .numbering import next_number
from .periods import is_financial_year
from .organisations import (
    CHARITY_NUMBER,
    COMPANY_NUMBER,
    normalise_charity_number,
    normalise_company_number,
)

REQUIRED = ["import_id", "organisation_name", "fund_code", "financial_year", "award_date", "amount",
            "project_title", "public"]
OPTIONAL = ["charity_number", "company_number", "organisation_type", "area", "objective", "outputs",
            "people_reached"]
COLUMNS = REQUIRED + OPTIONAL
IMPORTED_ROUND = "Imported awards {year}"

SAMPLE_CSV = (
    "import_id,organisation_name,charity_number,company_number,fund_code,financial_year,award_date,amount,"
    "project_title,area,objective,outputs,people_reached,public\n"
    "CSF-2017-001,Hartlepool Allotment Holders Association,,,CSF,2017-18,2017-09-14,2400,"
    "Padlocks and alarms for allotment sheds,Hartlepool,4,crime prevention devices fitted: 420,150,yes\n"
    "CSF-2017-002,Middlesbrough Football Club Foundation,1133051,,CSF,2017-18,2017-10-02,3900,"
    "Friday night football,Middlesbrough; Redcar and Cleveland,3; 5,young people engaged: 310,310,yes\n"
)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"Line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}. {self.fix}"


@dataclass
class ImportRow:
    line: int
    import_id: str
    organisation_name: str
    charity_number: str
    company_number: str
    org_type: str
    fund: Fund
    financial_year: str
    award_date: date
    amount_pence: int
    title: str
    areas: list[Area]
    objectives: list[Objective]
    outputs: list[tuple[OutputMeasure, int]]
    people_reached: int | None
    public: bool


@dataclass
class ImportPlan:
    """What a file would do: rows to add, rows already imported, and every problem found."""

    source_name: str
    rows: list[ImportRow] = field(default_factory=list)
    already_imported: list[tuple[int, str]] = field(default_factory=list)  # (line, import_id)
    problems: list[Problem] = field(default_factory=list)
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_pence(self) -> int:
        return sum(r.amount_pence for r in self.rows)


class ImportRefused(DomainError):
    """The file has problems; nothing was written. `plan.problems` lists them."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"The file has {len(plan.problems)} problem(s); nothing was imported", field="file")
        self.plan = plan


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


class _Lookups:
    """Reference data read once per file."""

    def __init__(self) -> None:
        self.funds = {f.code.upper(): f for f in db.session.scalars(select(Fund))}
        self.areas = {a.name.lower(): a for a in db.session.scalars(select(Area))}
        objectives = list(db.session.scalars(select(Objective)))
        self.objectives = {str(o.number): o for o in objectives} | {o.name.lower(): o for o in objectives}
        self.measures = {" ".join(m.name.split()).lower(): m for m in db.session.scalars(select(OutputMeasure))}
        self.imported = set(db.session.scalars(select(ImportedGrant.import_id)))
        self.org_types = {t.value: t.value for t in OrgType} | {t.label.lower(): t.value for t in OrgType}


def _check_row(line: int, raw: dict, look: _Lookups, problems: list[Problem]) -> ImportRow | None:
    """One data row checked against every rule; problems appended; the row if it had none."""
    found: list[Problem] = []

    def problem(column: str, message: str, fix: str) -> None:
        found.append(Problem(line, column, message, fix))

    value = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not value[column]:
            problem(column, "is empty", f"Fill in {column} on every row")
    if len(value["import_id"]) > 100:
        problem("import_id", "is longer than 100 characters", "Use a shorter identifier, like CSF-2017-001")
    if len(value["organisation_name"]) > 200:
        problem("organisation_name", "is longer than 200 characters", "Shorten the name to 200 characters")
    if len(value["project_title"]) > 200:
        problem("project_title", "is longer than 200 characters", "Shorten the title to 200 characters")
    charity = normalise_charity_number(value["charity_number"])
    if charity and not CHARITY_NUMBER.match(charity):
        problem("charity_number", f"'{value['charity_number']}' is not a charity number",
                "Use 6 or 7 digits (England and Wales), SC and 6 digits, or NIC and 6 digits; or leave it blank")
    company = normalise_company_number(value["company_number"])
    if company and not COMPANY_NUMBER.match(company):
        problem("company_number", f"'{value['company_number']}' is not a company number",
                "Use 8 digits, or 2 letters and 6 digits; or leave it blank")
    org_type = None
    if value["organisation_type"]:
        org_type = look.org_types.get(value["organisation_type"].lower())
        if org_type is None:
            problem("organisation_type", f"'{value['organisation_type']}' is not an organisation type",
                    "Use one of: " + ", ".join(OrgType(t).label for t in dict.fromkeys(look.org_types.values())))
    org_type = org_type or (OrgType.REGISTERED_CHARITY.value if charity else
                            OrgType.COMPANY_LIMITED_BY_GUARANTEE.value if company else OrgType.OTHER.value)
    fund = look.funds.get(value["fund_code"].upper())
    if value["fund_code"] and fund is None:
        problem("fund_code", f"there is no fund with code '{value['fund_code']}'",
                "Use one of: " + ", ".join(sorted(look.funds)))
    year = value["financial_year"]
    year_ok = is_financial_year(year)
    if year and not year_ok:
        problem("financial_year", f"'{year}' is not a financial year", "Write it like 2017-18")
    award_date = _parse_date(value["award_date"]) if value["award_date"] else None
    if value["award_date"] and award_date is None:
        problem("award_date", f"'{value['award_date']}' is not a date", "Write it like 2017-09-14 or 14/09/2017")
    elif award_date is not None:
        if award_date >= clock.today():
            problem("award_date", "is not in the past", "Import only grants already awarded; give the award date")
        elif year_ok and clock.financial_year(award_date) != year:
            problem("award_date", f"{award_date:%d %B %Y} is not in the financial year {year}",
                    f"Correct the date, or give its financial year {clock.financial_year(award_date)}")
    amount = None
    if value["amount"]:
        try:
            amount = parse_pounds(value["amount"])
        except MoneyError:
            problem("amount", f"'{value['amount']}' is not an amount of money",
                    "Write the amount awarded in pounds, like 3600 or 3,600.00")
    areas = []
    for name in _split(value["area"]):
        if name.lower() in look.areas:
            areas.append(look.areas[name.lower()])
        else:
            problem("area", f"there is no area called '{name}'",
                    "Use one or more of: " + "; ".join(sorted(a.name for a in look.areas.values())))
    objectives = []
    for name in _split(value["objective"]):
        if name.lower() in look.objectives:
            objectives.append(look.objectives[name.lower()])
        else:
            problem("objective", f"there is no plan objective '{name}'",
                    "Give objective numbers (like 3) or names, separated by ;")
    outputs = []
    for part in _split(value["outputs"]):
        measure_name, _, figure = part.rpartition(":")
        measure = look.measures.get(" ".join(measure_name.split()).lower())
        figure = figure.strip().replace(",", "")
        if not measure_name or not figure.isdigit():
            problem("outputs", f"'{part}' is not a measure and a figure",
                    "Write each output as measure: figure, separated by ;, like crime prevention devices fitted: 420")
        elif measure is None:
            problem("outputs", f"there is no standard output measure called '{measure_name.strip()}'",
                    "Use a measure listed under Output measures, or ask an administrator to add it first")
        else:
            outputs.append((measure, int(figure)))
    people = None
    if value["people_reached"]:
        digits = value["people_reached"].replace(",", "")
        if digits.isdigit():
            people = int(digits)
        else:
            problem("people_reached", f"'{value['people_reached']}' is not a whole number",
                    "Write the number of people, like 150, or leave it blank")
    public = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(
        value["public"].lower())
    if value["public"] and public is None:
        problem("public", f"'{value['public']}' is not yes or no",
                "Write yes to publish the grant on the register and in open data, or no")
    problems.extend(found)
    if found:
        return None
    return ImportRow(line, value["import_id"], " ".join(value["organisation_name"].split()), charity, company,
                     org_type, fund, year, award_date, amount, value["project_title"], areas, objectives, outputs,
                     people, public)


def check_file(content: bytes | str, *, source_name: str = "") -> ImportPlan:
    """Read and check a whole file without writing anything: the dry run.

    Line numbers are the file's own (the header is line 1).
    """
    plan = ImportPlan(source_name=source_name)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            plan.problems.append(Problem(1, "", "the file is not UTF-8 text",
                                         "Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)'"))
            return plan
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        plan.problems.append(Problem(1, "", "the header row lacks " + ", ".join(missing),
                                     "The first row must name the columns: " + ",".join(COLUMNS)))
        return plan
    look = _Lookups()
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        raw = dict(zip(header, cells))
        if not any(cell.strip() for cell in cells):
            continue
        import_id = (raw.get("import_id") or "").strip()
        if import_id in seen:
            plan.problems.append(Problem(line, "import_id", f"'{import_id}' is also on line {seen[import_id]}",
                                         "Give every row its own import_id"))
            continue
        if import_id:
            seen[import_id] = line
        row = _check_row(line, raw, look, plan.problems)
        if row is None:
            continue
        if row.import_id in look.imported:
            plan.already_imported.append((line, row.import_id))
        else:
            plan.rows.append(row)
    if not plan.rows and not plan.already_imported and not plan.problems:
        plan.problems.append(Problem(1, "", "the file has no grants in it", "Add one row per grant under the header"))
    return plan


def import_file(content: bytes | str, *, actor: User, source_name: str = "", dry_run: bool = False) -> ImportPlan:
    """Check the whole file, then (unless dry_run) add every new row; all or nothing.

    Raises ImportRefused (writing nothing) if any row has a problem. Rows
    already imported (same import_id) are skipped, so re-importing a file is safe.
    """
    plan = check_file(content, source_name=source_name)
    if not plan.ok:
        raise ImportRefused(plan)
    if dry_run:
        return plan
    organisations: dict[tuple, Organisation] = {}
    rounds: dict[tuple[int, str], Round] = {}
    for row in plan.rows:
        organisation = _organisation(row, organisations)
        round_ = _round(row, rounds)
        round_.budget_pence += row.amount_pence
        _add_grant(row, organisation, round_, actor=actor, source_name=source_name)
        plan.written += 1
    db.session.flush()
    audit.record("grants.imported", actor=actor, entity_type="import", entity_id=(source_name or "csv")[:60],
                 after={"source": source_name, "added": plan.written, "already_imported": len(plan.already_imported),
                        "total_pence": plan.total_pence})
    return plan


def _organisation(row: ImportRow, made: dict) -> Organisation:
    """The organisation by charity number, else company number, else name (any case); created if new."""
    key = ("charity", row.charity_number) if row.charity_number else (
        ("company", row.company_number) if row.company_number else ("name", row.organisation_name.lower()))
    if key in made:
        return made[key]
    column = {"charity": Organisation.charity_number, "company": Organisation.company_number,
              "name": func.lower(Organisation.legal_name)}[key[0]]
    organisation = db.session.scalar(select(Organisation).where(column == key[1]).order_by(Organisation.id).limit(1))
    if organisation is None:
        # Historic records hold no address or contact: nothing personal is imported.
        organisation = Organisation(legal_name=row.organisation_name, org_type=row.org_type,
                                    charity_number=row.charity_number or None,
                                    company_number=row.company_number or None, address_line_1="", town="",
                                    postcode="", contact_name="", contact_email="")
        db.session.add(organisation)
        db.session.flush()
    made[key] = organisation
    return organisation


def _round(row: ImportRow, made: dict) -> Round:
    """The fund's "Imported awards" round for the year: never open (it closed on the year's first day)."""
    key = (row.fund.id, row.financial_year)
    if key in made:
        return made[key]
    name = IMPORTED_ROUND.format(year=row.financial_year)
    round_ = db.session.scalar(select(Round).where(Round.fund_id == row.fund.id, Round.name == name))
    if round_ is None:
        first_day, _ = clock.financial_year_bounds(row.financial_year)
        round_ = Round(fund_id=row.fund.id, name=name, financial_year=row.financial_year, opens_on=first_day,
                       closes_on=first_day, budget_pence=0, min_award_pence=0, max_award_pence=0,
                       delegated_limit_pence=0, guidance="Grants awarded before this service, imported from records.")
        db.session.add(round_)
        db.session.flush()
    made[key] = round_
    return round_


def _add_grant(row: ImportRow, organisation: Organisation, round_: Round, *, actor: User, source_name: str) -> None:
    moment = datetime.combine(row.award_date, time(12), tzinfo=clock.LONDON)
    year = row.financial_year[:4]
    reference = f"{row.fund.code}-{year}-H{next_number(f'import:{row.fund.code}:{year}'):04d}"
    application = Application(
        reference=reference, round_id=round_.id, organisation_id=organisation.id, created_by_id=actor.id,
        title=row.title, summary=row.title, amount_requested_pence=row.amount_pence, awarded_pence=row.amount_pence,
        submitted_at=moment, decided_at=moment, completed_at=moment, section_status={},
    )
    application.areas = row.areas
    application.objectives = row.objectives
    application.planned_outputs = [PlannedOutput(position=n, measure=m.name, target=figure, measure_id=m.id)
                                   for n, (m, figure) in enumerate(row.outputs, 1)]
    db.session.add(application)
    db.session.flush()
    workflow.start_as_imported_award(application, actor=actor, details={
        "import_id": row.import_id, "awarded_pence": row.amount_pence, "public": row.public,
        "source": source_name, "line": row.line})
    if row.outputs or row.people_reached is not None:
        report = Report(application_id=application.id, kind="final", due_on=row.award_date, status="signed_off",
                        beneficiaries_reached=row.people_reached, equality_monitoring={}, signed_off_at=moment,
                        signed_off_by_id=actor.id, submitted_at=moment)
        report.output_actuals = [ReportOutputActual(planned_output_id=o.id, actual=o.target)
                                 for o in application.planned_outputs]
        db.session.add(report)
    db.session.add(ImportedGrant(import_id=row.import_id, application_id=application.id, public=row.public,
                                 source_name=source_name[:255], source_line=row.line, imported_by_id=actor.id))
