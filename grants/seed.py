"""Demo data for `flask --app wsgi seed-demo`: the OPCC for Cleveland, its funds and people.

Idempotent: every row is looked up by a natural key first, so running it twice
changes nothing. Demo accounts exist only because this command made them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import clock
from .extensions import db
from .models import (Application, Criterion, EligibilityCheck, Fund, Objective, Organisation, OrgMembership, Role, Round,
                     User)
from .services import accounts
from .services.setup import DEFAULT_RUBRIC, DESCRIPTORS, load_reference_data

DEMO_PASSWORD = "demo-password"

ELIGIBILITY_CHECKS = [
    "Based in, or delivering to, the Cleveland force area",
    "A constituted not-for-profit group",
    "Has a bank account in the group's name",
    "Has a safeguarding policy if it works with children or vulnerable adults",
    "The project has not already started",
    "No overdue monitoring report from an earlier grant",
    "The amount requested is within the round's limits",
]

ACCOUNTS = [
    ("applicant@example.org", "Janet Armstrong", "Secretary", [Role.APPLICANT], None),
    ("applicant2@example.org", "Priya Shah", "Project lead", [Role.APPLICANT], None),
    ("officer@example.org", "Gemma Wright", "Grants and Commissioning Officer", [Role.OFFICER], None),
    ("assessor@example.org", "Michael Hughes", "Community Safety Partnership Manager", [Role.ASSESSOR], None),
    ("assessor2@example.org", "Aisha Khan", "Independent panel member", [Role.ASSESSOR], None),
    ("ceo@example.org", "Simon Dennis", "Chief Executive", [Role.DECISION_MAKER], "delegated"),
    ("pcc@example.org", "Steve Turner", "Police and Crime Commissioner", [Role.DECISION_MAKER], "full"),
    ("finance@example.org", "Lesley Parker", "Chief Finance Officer", [Role.FINANCE], None),
    ("auditor@example.org", "Robert Neale", "Internal Auditor", [Role.AUDITOR], None),
    ("admin@example.org", "Sam Okafor", "System administrator", [Role.ADMIN], None),
    # Members of the other demo organisations (they hold the sample applications).
    ("kicks@example.org", "Daniel Reed", "Programme manager", [Role.APPLICANT], None),
    ("srtrc@example.org", "Laura Bell", "Education worker", [Role.APPLICANT], None),
    ("scams@example.org", "Helen Moss", "Community engagement lead", [Role.APPLICANT], None),
]

ORGANISATIONS = [
    dict(legal_name="Hartlepool Allotment Holders Association", org_type="constituted_group",
         address_line_1="Burn Valley Gardens Allotments", town="Hartlepool", postcode="TS26 9HR",
         contact_name="Janet Armstrong", contact_email="applicant@example.org", contact_phone="01429 000111",
         members=["applicant@example.org"]),
    dict(legal_name="Soroptimist International Stockton-on-Tees", org_type="registered_charity",
         charity_number="1165432", address_line_1="12 Church Road", town="Stockton-on-Tees",
         postcode="TS18 1TW", contact_name="Priya Shah", contact_email="applicant2@example.org",
         contact_phone="01642 000222",
         members=["applicant2@example.org"]),
    dict(legal_name="Middlesbrough Football Club Foundation", org_type="registered_charity",
         charity_number="1133051", address_line_1="Riverside Stadium", town="Middlesbrough",
         postcode="TS3 6RS", contact_name="Daniel Reed", contact_email="kicks@example.org",
         contact_phone="01642 000333",
         members=["kicks@example.org"]),
    dict(legal_name="Show Racism the Red Card", org_type="cio", charity_number="1122252",
         address_line_1="PO Box 141", town="Whitley Bay", postcode="NE26 3YH",
         contact_name="Laura Bell", contact_email="srtrc@example.org", contact_phone="0191 000 4444",
         members=["srtrc@example.org"]),
    dict(legal_name="Home Instead Senior Care Cleveland Limited", org_type="company_limited_by_guarantee",
         company_number="08123456", address_line_1="Teesdale Business Park", town="Stockton-on-Tees",
         postcode="TS17 6BU", contact_name="Helen Moss", contact_email="scams@example.org",
         contact_phone="01642 000555",
         members=["scams@example.org"]),
]


def _get_or_create(model, defaults: dict | None = None, **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def seed_reference() -> None:
    """The same reference data a production install gets from `setup`."""
    load_reference_data()


def seed_funds() -> tuple[Fund, Fund]:
    load_reference_data()
    funds = {f.code: f for f in db.session.scalars(select(Fund).where(Fund.code.in_(["CSF", "PPAF"])))}
    return funds["CSF"], funds["PPAF"]


def _configure_round(round_: Round) -> None:
    if not round_.criteria:
        for position, (name, weight, guidance) in enumerate(DEFAULT_RUBRIC, start=1):
            round_.criteria.append(Criterion(position=position, name=name, weight_percent=weight,
                                             guidance=guidance, descriptors=list(DESCRIPTORS),
                                             allow_not_applicable=False))
    if not round_.eligibility_checks:
        for position, text in enumerate(ELIGIBILITY_CHECKS, start=1):
            round_.eligibility_checks.append(EligibilityCheck(position=position, text=text))
    if not round_.objectives:
        round_.objectives = list(db.session.scalars(select(Objective).order_by(Objective.number)))


def current_round_dates(today: date | None = None) -> tuple[str, date, date]:
    """The demo's open rounds, relative to today: (financial year, opens, closes).

    The rounds are the current financial year's: they open on 1 April and close
    on 31 March, or, when that is under 90 days away, on 30 June after it, so a
    demo loaded on any day has rounds open for a good while yet.
    """
    today = today or clock.today()
    year = clock.financial_year(today)
    opens, closes = clock.financial_year_bounds(year)
    if (closes - today).days < 90:
        closes = date(closes.year, 6, 30)
    return year, opens, closes


def seed_rounds(csf: Fund, ppaf: Fund) -> tuple[Round, Round]:
    """This financial year's open rounds (found again by name when the seed runs twice)."""
    year, opens, closes = current_round_dates()
    # Awards above £2,500 are paid in halves, the second after an interim report, so those grants report
    # halfway: a £4,000 award's letter lists an interim and a final report.
    schedule = dict(full_payment_threshold_pence=250_000, final_report_months_after_end=3,
                    interim_report_rule="above", interim_report_threshold_pence=250_000)
    csf_round = _get_or_create(
        Round,
        dict(
            financial_year=year, opens_on=opens, closes_on=closes,
            budget_pence=15_000_000, min_award_pence=25_000, max_award_pence=1_000_000,
            delegated_limit_pence=500_000, **schedule,
            guidance="Projects must start after a decision is made and finish within 12 months.",
        ),
        fund_id=csf.id, name=year,
    )
    ppaf_round = _get_or_create(
        Round,
        dict(
            financial_year=year, opens_on=opens, closes_on=closes,
            budget_pence=4_000_000, min_award_pence=10_000, max_award_pence=250_000,
            delegated_limit_pence=500_000, **schedule,
            guidance="For charitable purposes only. Small equipment and activity costs are welcome.",
        ),
        fund_id=ppaf.id, name=year,
    )
    for round_ in (csf_round, ppaf_round):
        _configure_round(round_)
    return csf_round, ppaf_round


def seed_accounts() -> dict[str, User]:
    users = {}
    for email, name, title, roles, authority in ACCOUNTS:
        user = accounts.find_user(email)
        if user is None:
            user = accounts.create_user(
                email=email, full_name=name, password=DEMO_PASSWORD, roles=roles, job_title=title,
                decision_authority=authority, confirmed=True, check_password=False,
            )
        users[email] = user
    return users


def seed_organisations(users: dict[str, User]) -> dict[str, Organisation]:
    orgs = {}
    for spec in ORGANISATIONS:
        spec = dict(spec)
        members = spec.pop("members")
        org = _get_or_create(Organisation, spec, legal_name=spec.pop("legal_name"))
        for email in members:
            user = users[email]
            if not user.memberships:
                # The first member of each group is its authorised signatory.
                first = not org.memberships
                db.session.add(OrgMembership(user=user, organisation=org,
                                             role="signatory" if first else "member",
                                             position=(user.job_title or "Secretary") if first else None))
                db.session.flush()
        orgs[org.legal_name] = org
    db.session.flush()
    return orgs


PPAF_ORG_TYPES = ("registered_charity", "cio")


def seed_demo() -> dict:
    """Everything a new user needs to try every role. Safe to run again."""
    seed_reference()
    csf, ppaf = seed_funds()
    csf_round, ppaf_round = seed_rounds(csf, ppaf)
    if ppaf_round.id not in set(db.session.scalars(select(Application.round_id).distinct())):
        # As the real fund: money from unclaimed property goes to charitable purposes, through charities.
        ppaf_round.allowed_org_types = list(PPAF_ORG_TYPES)
    users = seed_accounts()
    orgs = seed_organisations(users)
    from .demo_applications import seed_applications

    seed_applications(users=users, orgs=orgs, csf_round=csf_round, ppaf_round=ppaf_round)
    from .demo_outcomes import seed_outcomes

    seed_outcomes()
    return {"users": users, "orgs": orgs, "rounds": (csf_round, ppaf_round)}
