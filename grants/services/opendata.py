"""What the OPCC publishes: awarded grants as 360Giving data and the public register.

Published grants are awards a grants officer has published (or imported
historic grants marked public; see services/publication.py), in their current
state: an offer that stands (approved, funded, completed), or one declined or
lapsed after publication, shown as such. What is said about each is the
decision's public summary and conditions, never its internal reasons. Nothing here reads or
writes a person's details: no contact names, emails, phone numbers, street
addresses or postcodes (a community group's address can be a volunteer's
home), no applicant or staff names. Recipient organisations appear with their
name, registered numbers, organisation type and town only.

Large outputs are generated: grants are read in batches (yield_per) and each
is written out as it is read, so memory stays flat at any number of grants.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterator, NamedTuple
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import Select, case, extract, func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import (
    ORG_TYPE_LABELS,
    Application,
    Area,
    Fund,
    GrantReturn,
    ImportedGrant,
    Objective,
    Organisation,
    OrgType,
    Payment,
    Round,
    application_areas,
    application_objectives,
)
from ..templating import link
from .publication import (
    PUBLIC_STATES,
    PUBLIC_STATUS_LABELS,
    award_terms,
    latest_public_parts,
    month_label,
    published_condition,
)
from .workflow import COMMITTED_STATES, Status

AWARDED = sorted(s.value for s in COMMITTED_STATES)
BATCH = 500
SCHEMA_VERSION = "1.4"
PLAN_VOCABULARY = "Cleveland Police and Crime Plan objectives"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# ONS GSS entity prefix -> 360Giving geoCodeType codelist value. Cleveland's four
# councils are unitary authorities (E06), so "UA".
GEO_CODE_TYPES = {"E06": "UA", "W06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "E10": "CTY"}


# --- Identifiers --------------------------------------------------------------

def prefix() -> str:
    return current_app.config["THREESIXTY_PREFIX"]


def grant_identifier(application: Application) -> str:
    return f"{prefix()}-{application.reference}"


def organisation_identifier(organisation: Organisation) -> str:
    """An org-id.guide identifier from a registered number, else one under our 360G prefix.

    Charity numbers win over company numbers (360Giving's advice for charitable
    companies): SC... -> GB-SC (OSCR), NIC... -> GB-NIC, digits -> GB-CHC
    (England and Wales); then company number -> GB-COH (8 characters, zero padded).
    """
    charity = re.sub(r"\s+", "", organisation.charity_number or "").upper()
    if charity.startswith("SC"):
        return f"GB-SC-{charity}"
    if charity.startswith("NIC"):
        return f"GB-NIC-{charity[3:]}"
    if charity:
        return f"GB-CHC-{charity}"
    company = re.sub(r"\s+", "", organisation.company_number or "").upper()
    if company:
        return f"GB-COH-{company.zfill(8) if company.isdigit() else company}"
    return f"{prefix()}-org-{organisation.id}"


def geo_code_type(gss_code: str) -> str | None:
    return GEO_CODE_TYPES.get((gss_code or "")[:3])


def pounds_number(pence: int) -> int | float:
    """Pounds as a JSON number: whole pounds as an integer, else two decimals."""
    pence = int(pence)
    return pence // 100 if pence % 100 == 0 else round(pence / 100, 2)


# --- Querying awarded grants -------------------------------------------------

def _paid_subquery():
    return (
        select(Payment.application_id.label("application_id"), func.sum(Payment.amount_pence).label("paid"))
        .group_by(Payment.application_id)
        .subquery()
    )


def _returned_subquery():
    return (
        select(GrantReturn.application_id.label("application_id"),
               func.sum(GrantReturn.amount_pence).label("returned"))
        .where(GrantReturn.received_on.is_not(None))
        .group_by(GrantReturn.application_id)
        .subquery()
    )


class OrgRow(NamedTuple):
    id: int
    legal_name: str
    org_type: str
    charity_number: str | None
    company_number: str | None
    town: str | None


@dataclass(slots=True)
class GrantRow:
    """An awarded grant as plain values: only the columns open data and the register need."""

    id: int
    reference: str
    title: str | None
    summary: str | None
    status: str
    amount_requested_pence: int
    awarded_pence: int
    decided_at: datetime | None
    updated_at: datetime
    created_at: datetime
    start_date: date | None
    end_date: date | None
    round_name: str
    financial_year: str
    fund_code: str
    fund_name: str
    organisation: OrgRow
    paid: int
    returned: int
    areas: list = field(default_factory=list)  # [(name, gss_code)]
    objectives: list = field(default_factory=list)  # [(number, name)]
    imported: bool = False  # awarded before this service; paid outside it
    public_summary: str | None = None
    special_conditions: str | None = None
    terms_version: int | None = None
    public_benefit: str = ""

    @property
    def round_title(self) -> str:
        return f"{self.fund_name} {self.round_name}"


def published():
    """The condition that keeps unpublished grants off the register and open data (services/publication.py)."""
    return published_condition()


def awarded_grants(states: list[str] | None = None, *, public: bool = False) -> Select:
    """Awards in `states` as plain columns, with payments and received returns summed in SQL.

    public=True: only what may be published (see published()).
    """
    paid, returned = _paid_subquery(), _returned_subquery()
    stmt = (
        select(
            Application.id, Application.reference, Application.title, Application.summary, Application.status,
            Application.amount_requested_pence, Application.awarded_pence, Application.decided_at,
            Application.updated_at, Application.created_at, Application.start_date, Application.end_date,
            Round.name, Round.financial_year, Fund.code, Fund.name, Fund.public_benefit,
            Organisation.id, Organisation.legal_name, Organisation.org_type, Organisation.charity_number,
            Organisation.company_number, Organisation.town,
            func.coalesce(paid.c.paid, 0), func.coalesce(returned.c.returned, 0), ImportedGrant.id,
        )
        .join(Round, Round.id == Application.round_id)
        .join(Fund, Fund.id == Round.fund_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(paid, paid.c.application_id == Application.id)
        .outerjoin(returned, returned.c.application_id == Application.id)
        .outerjoin(ImportedGrant, ImportedGrant.application_id == Application.id)
        .where(Application.status.in_(states or AWARDED), Application.awarded_pence.is_not(None))
        .order_by(Application.id)
    )
    return stmt.where(published()) if public else stmt


def _stream(stmt: Select) -> Iterator[GrantRow]:
    """Grants in batches of BATCH rows; each batch's areas and objectives in one query apiece.

    Plain columns rather than ORM objects: nothing accumulates in the session,
    so memory stays flat however many grants there are.
    """
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        grants = {}
        for row in batch:
            (app_id, reference, title, summary, status, requested, awarded, decided_at, updated_at, created_at,
             start_date, end_date, round_name, year, fund_code, fund_name, public_benefit, org_id, org_name,
             org_type, charity, company, town, paid, returned, imported_id) = row
            grants[app_id] = GrantRow(
                app_id, reference, title, summary, status, int(requested or 0), int(awarded or 0), decided_at,
                updated_at, created_at, start_date, end_date, round_name, year, fund_code, fund_name,
                OrgRow(org_id, org_name, org_type, charity, company, town), int(paid), int(returned),
                imported=imported_id is not None, public_benefit=public_benefit or "",
            )
        ids = list(grants)
        for app_id, parts in latest_public_parts(ids).items():
            grants[app_id].public_summary, grants[app_id].special_conditions = parts.public_summary, parts.conditions
        for app_id, number in award_terms(ids).items():
            grants[app_id].terms_version = number
        for app_id, name, gss in db.session.execute(
            select(application_areas.c.application_id, Area.name, Area.gss_code)
            .join(Area, Area.id == application_areas.c.area_id)
            .where(application_areas.c.application_id.in_(ids)).order_by(Area.name)
        ):
            grants[app_id].areas.append((name, gss))
        for app_id, number, name in db.session.execute(
            select(application_objectives.c.application_id, Objective.number, Objective.name)
            .join(Objective, Objective.id == application_objectives.c.objective_id)
            .where(application_objectives.c.application_id.in_(ids)).order_by(Objective.number)
        ):
            grants[app_id].objectives.append((number, name))
        yield from grants.values()


def public_description(grant: GrantRow) -> str:
    """The 360Giving description: the project, why it was funded, its conditions and, if so, that it was not taken up."""
    parts = [grant.summary or grant.title or grant.reference]
    if grant.public_summary:
        parts.append(f"Why it was funded: {grant.public_summary}")
    if grant.public_benefit:
        parts.append(f"Public benefit: {grant.public_benefit}.")
    conditions = conditions_text(grant.special_conditions, grant.terms_version)
    if conditions:
        parts.append(f"Conditions: {conditions}")
    if grant.status not in AWARDED:
        parts.append(f"Status: {PUBLIC_STATUS_LABELS[grant.status]}.")
    return "\n\n".join(parts)


def conditions_text(special_conditions: str | None, terms_version: int | None) -> str:
    """A grant's conditions in words: its standard terms version, then any special conditions."""
    parts = []
    if terms_version:
        parts.append(f"the OPCC's standard terms of grant, version {terms_version}")
    if special_conditions:
        parts.append(f"special conditions: {special_conditions}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def award_date(grant) -> date:
    """The UK date of the award decision (an Application or a GrantRow)."""
    moment = grant.decided_at or grant.updated_at or grant.created_at
    return moment.astimezone(clock.LONDON).date()


def json_date(day: date) -> str:
    """A date as a full date-time at UK midnight.

    The schema offers 'date-time' oneOf a YYYY-MM-DD pattern; a validator
    without a date-time format checker accepts a bare date under both and so
    rejects it, while a full date-time is valid under exactly one everywhere.
    """
    return datetime(day.year, day.month, day.day, tzinfo=clock.LONDON).isoformat()


# --- 360Giving ----------------------------------------------------------------

@dataclass(frozen=True)
class _Publisher:
    """What every grant repeats, worked out once per export rather than once per grant."""

    funder: dict
    data_source: str
    register_url: str
    prefix: str

    @classmethod
    def current(cls) -> _Publisher:
        return cls(
            funder={"id": current_app.config["FUNDER_ORG_ID"], "name": current_app.config["FUNDER_NAME"]},
            data_source=link("opendata.threesixty_json"),
            register_url=link("opendata.register"),
            prefix=prefix(),
        )


def grant_360(grant: GrantRow, *, publisher: _Publisher | None = None) -> dict:
    """One awarded grant as a 360Giving grant object (no personal data)."""
    publisher = publisher or _Publisher.current()
    organisation = grant.organisation
    recipient = {"id": organisation_identifier(organisation), "name": organisation.legal_name}
    if organisation.charity_number:
        recipient["charityNumber"] = organisation.charity_number.strip()
    if organisation.company_number:
        recipient["companyNumber"] = organisation.company_number.strip()
    recipient["organisationType"] = ORG_TYPE_LABELS[OrgType(organisation.org_type)]
    if organisation.town:
        recipient["addressLocality"] = organisation.town
    data = {
        "id": f"{publisher.prefix}-{grant.reference}",
        "title": grant.title or grant.reference,
        "description": public_description(grant),
        "currency": "GBP",
        "amountAppliedFor": pounds_number(grant.amount_requested_pence),
        "amountAwarded": pounds_number(grant.awarded_pence),
        # An imported grant was paid before this service recorded payments: its disbursement is unknown here.
        **({} if grant.imported else {"amountDisbursed": pounds_number(max(grant.paid - grant.returned, 0))}),
        "awardDate": json_date(award_date(grant)),
        "url": f"{publisher.register_url}?{urlencode({'q': grant.reference})}",
        "recipientOrganization": [recipient],
        "fundingOrganization": [dict(publisher.funder)],
        "grantProgramme": [{"code": f"{grant.fund_code}/{grant.round_name}", "title": grant.round_title}],
        "fromOpenCall": "Yes",
        "dateModified": grant.updated_at.isoformat(),
        "dataSource": publisher.data_source,
    }
    if grant.start_date or grant.end_date:
        planned = {}
        if grant.start_date:
            planned["startDate"] = json_date(grant.start_date)
        if grant.end_date:
            planned["endDate"] = json_date(grant.end_date)
        data["plannedDates"] = [planned]
    if grant.areas:
        data["beneficiaryLocation"] = [_location(name, gss) for name, gss in grant.areas]
    if grant.objectives:
        data["classifications"] = [
            {"vocabulary": PLAN_VOCABULARY, "code": str(number), "title": name} for number, name in grant.objectives
        ]
    return data


def _location(name: str, gss_code: str) -> dict:
    location = {"name": name, "countryCode": "GB", "geoCode": gss_code}
    kind = geo_code_type(gss_code)
    if kind:
        location["geoCodeType"] = kind
    return location


def package_metadata() -> dict:
    now = clock.now().replace(microsecond=0)
    return {
        "version": SCHEMA_VERSION,
        "title": f"Grants awarded by the {current_app.config['FUNDER_NAME']}",
        "description": "Every grant awarded from the Community Safety Fund, the Police Property Act Fund and "
                       "other OPCC funds, in the 360Giving Data Standard.",
        "identifier": f"{prefix()}-grants",
        "issued": now.isoformat(),
        "modified": now.isoformat(),
        "publisher": {"identifier": current_app.config["FUNDER_ORG_ID"], "name": current_app.config["FUNDER_NAME"]},
        "license": LICENCE_URL,
        "downloadURL": link("opendata.threesixty_json"),
        "accessURL": link("opendata.register"),
    }


def iter_360_json() -> Iterator[str]:
    """The 360Giving data package as JSON text in pieces: metadata, then one grant at a time."""
    metadata = json.dumps(package_metadata(), ensure_ascii=False, indent=1)
    yield metadata[:-2] + ',\n "grants": [\n'
    first = True
    publisher = _Publisher.current()
    for grant in _stream(awarded_grants(PUBLIC_STATES, public=True)):
        yield ("" if first else ",\n") + json.dumps(grant_360(grant, publisher=publisher), ensure_ascii=False)
        first = False
    yield "\n ]\n}\n"


CSV_COLUMNS = [
    "Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded", "Amount Disbursed",
    "Award Date", "URL", "Planned Dates:Start Date", "Planned Dates:End Date", "Recipient Org:Identifier",
    "Recipient Org:Name", "Recipient Org:Charity Number", "Recipient Org:Company Number", "Recipient Org:City",
    "Beneficiary Location:Name", "Beneficiary Location:Country Code", "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type", "Funding Org:Identifier", "Funding Org:Name",
    "Grant Programme:Code", "Grant Programme:Title", "From An Open Call?", "Last Modified", "Data Source",
    "Classifications:Vocabulary", "Classifications:Code", "Classifications:Title",
]


def _joined(items: list[dict] | None, key: str) -> str:
    return "; ".join(str(i[key]) for i in (items or []) if i.get(key))


def iter_360_rows() -> Iterator[list]:
    """One flat row per grant, under the 360Giving standard's column titles.

    A grant benefiting several areas or serving several objectives lists them
    in one cell separated by "; " (the JSON has them as separate objects).
    """
    publisher = _Publisher.current()
    for grant in _stream(awarded_grants(PUBLIC_STATES, public=True)):
        g = grant_360(grant, publisher=publisher)
        recipient, funder, programme = g["recipientOrganization"][0], g["fundingOrganization"][0], g["grantProgramme"][0]
        planned = (g.get("plannedDates") or [{}])[0]
        yield [
            g["id"], g["title"], g["description"], g["currency"], g["amountAppliedFor"], g["amountAwarded"],
            g.get("amountDisbursed", ""), g["awardDate"][:10], g["url"], planned.get("startDate", "")[:10],
            planned.get("endDate", "")[:10],
            recipient["id"], recipient["name"], recipient.get("charityNumber", ""), recipient.get("companyNumber", ""),
            recipient.get("addressLocality", ""), _joined(g.get("beneficiaryLocation"), "name"),
            _joined(g.get("beneficiaryLocation"), "countryCode"), _joined(g.get("beneficiaryLocation"), "geoCode"),
            _joined(g.get("beneficiaryLocation"), "geoCodeType"), funder["id"], funder["name"],
            programme["code"], programme["title"], g["fromOpenCall"], g["dateModified"], g["dataSource"],
            _joined(g.get("classifications"), "vocabulary").split("; ")[0] if g.get("classifications") else "",
            _joined(g.get("classifications"), "code"), _joined(g.get("classifications"), "title"),
        ]


# --- The public register -------------------------------------------------------

@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""
    fund: str = ""
    year: str = ""
    area: int | None = None
    objective: int | None = None
    month: str = ""  # "2026-07"

    def active(self) -> bool:
        return bool(self.q or self.fund or self.year or self.area or self.objective or self.month)


def _award_moment():
    return func.coalesce(Application.decided_at, Application.updated_at)


def _register_filter(stmt: Select, filters: RegisterFilters) -> Select:
    stmt = stmt.join(Round, Round.id == Application.round_id).join(Fund, Fund.id == Round.fund_id).join(
        Organisation, Organisation.id == Application.organisation_id
    ).where(Application.status.in_(PUBLIC_STATES), Application.awarded_pence.is_not(None), published())
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Organisation.legal_name).like(like), func.lower(Application.title).like(like),
                              func.lower(Application.reference).like(like)))
    if filters.fund:
        stmt = stmt.where(Fund.code == filters.fund)
    if filters.year:
        stmt = stmt.where(Round.financial_year == filters.year)
    if filters.area:
        stmt = stmt.where(Application.id.in_(
            select(application_areas.c.application_id).where(application_areas.c.area_id == filters.area)))
    if filters.objective:
        stmt = stmt.where(Application.id.in_(
            select(application_objectives.c.application_id).where(
                application_objectives.c.objective_id == filters.objective)))
    if filters.month:
        year, month = (int(part) for part in filters.month.split("-"))
        start = datetime(year, month, 1, tzinfo=timezone.utc)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.utc)
        stmt = stmt.where(_award_moment() >= start, _award_moment() < end)
    return stmt


def _standing_pence():
    """An award's amount while its offer stands; a declined or lapsed offer adds nothing to the totals."""
    return case((Application.status.in_(AWARDED), Application.awarded_pence), else_=0)


@dataclass
class RegisterPage:
    entries: list  # publication.PublicGrant
    total: int
    total_pence: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def register_page(filters: RegisterFilters, *, page: int = 1, per_page: int = 25) -> RegisterPage:
    """One page of published grants, newest award first, each as the public reads it (publication.PublicGrant)."""
    from .publication import public_grants

    total, total_pence = db.session.execute(
        _register_filter(select(func.count(Application.id), func.coalesce(func.sum(_standing_pence()), 0)),
                         filters)
    ).one()
    page = max(1, min(page, max(1, -(-int(total) // per_page))))
    stmt = _register_filter(select(Application), filters).options(
        selectinload(Application.areas), selectinload(Application.objectives)
    ).order_by(_award_moment().desc(), Application.id.desc()).offset((page - 1) * per_page).limit(per_page)
    applications = list(db.session.scalars(stmt))
    return RegisterPage(
        entries=public_grants(applications),
        total=int(total), total_pence=int(total_pence), page=page, per_page=per_page,
    )


@dataclass(frozen=True)
class MonthRow:
    month: str  # "2026-07"
    grants: int
    total_pence: int

    @property
    def label(self) -> str:
        return month_label(self.month)


def register_months(filters: RegisterFilters) -> list[MonthRow]:
    """Grants awarded per calendar month, newest first, for the publication schedule.

    A month is the calendar month (UTC) of the award decision's timestamp, the
    same boundary the register's month filter uses; grouped in SQL.
    """
    moment = _award_moment()
    year_part, month_part = extract("year", moment), extract("month", moment)
    stmt = _register_filter(
        select(year_part, month_part, func.count(Application.id), func.sum(_standing_pence())), filters
    ).group_by(year_part, month_part)
    months = {
        f"{int(year):04d}-{int(month):02d}": (int(count), int(total or 0))
        for year, month, count, total in db.session.execute(stmt)
    }
    return [MonthRow(k, c, t) for k, (c, t) in sorted(months.items(), reverse=True)]


def filter_choices() -> dict:
    """The options for the register's filters."""
    return {
        "funds": list(db.session.execute(select(Fund.code, Fund.name).order_by(Fund.name))),
        "years": list(db.session.scalars(select(Round.financial_year).distinct().order_by(Round.financial_year.desc()))),
        "areas": list(db.session.scalars(select(Area).order_by(Area.name))),
        "objectives": list(db.session.scalars(select(Objective).order_by(Objective.number))),
    }


# --- The staff grants register (finance and audit) -----------------------------

REGISTER_COLUMNS = [
    "Reference", "Fund", "Round", "Financial year", "Organisation", "Project", "Status", "Award date",
    "Amount requested (£)", "Amount awarded (£)", "Paid (£)", "Returned (£)", "Net paid (£)",
    "Outstanding to pay (£)", "Local authority areas", "Plan objectives",
]
EVER_AWARDED = sorted({*AWARDED, Status.OFFER_LAPSED.value})


def grants_register_rows() -> Iterator[list]:
    """Every award (including lapsed offers), one row each, streamed in batches.

    paid = payments made; returned = returns received; net paid = paid - returned;
    outstanding to pay = awarded - paid while the offer stands (approved,
    funded, completed), else 0 (a lapsed offer will never be paid). This equals
    the grant's share of round_money's committed less its net paid.
    """
    from ..money import pence_to_decimal_pounds as pounds
    from .workflow import STAFF_LABELS

    for grant in _stream(awarded_grants(EVER_AWARDED)):
        # Imported grants were paid before this service: nothing is outstanding to pay here.
        outstanding = max(grant.awarded_pence - grant.paid, 0) if grant.status in AWARDED and not grant.imported else 0
        yield [
            grant.reference, grant.fund_code, grant.round_name, grant.financial_year, grant.organisation.legal_name,
            grant.title, STAFF_LABELS[Status(grant.status)], award_date(grant),
            pounds(grant.amount_requested_pence), pounds(grant.awarded_pence), pounds(grant.paid),
            pounds(grant.returned), pounds(grant.paid - grant.returned), pounds(outstanding),
            "; ".join(name for name, _gss in grant.areas),
            "; ".join(f"{number}. {name}" for number, name in grant.objectives),
        ]
