"""The reference data an OPCC needs before it can run its schemes (`flask --app wsgi setup`).

Rules: idempotent (every row is found by its natural key first, so running it
again changes nothing); it never overwrites what staff have since changed, only
fills a fund's legal power or public-benefit wording where it is blank; it makes
no rounds and no user accounts (rounds are set up by officers, accounts by an
administrator).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Area, Fund, Objective, PlanPeriod
from . import audit

CURRENT_PLAN = ("Police and Crime Plan 2024–2029", date(2024, 4, 1), date(2029, 3, 31))

OBJECTIVES = [
    (1, "Investing in our Police"),
    (2, "A Better Deal for Victims and Witnesses"),
    (3, "Tackling Offending and Re-offending"),
    (4, "Working Together to Make Cleveland Safer"),
    (5, "Securing the Future of Our Communities"),
]

AREAS = [
    ("Hartlepool", "E06000001"),
    ("Middlesbrough", "E06000002"),
    ("Redcar and Cleveland", "E06000003"),
    ("Stockton-on-Tees", "E06000004"),
]

FUNDS = [
    dict(
        code="CSF",
        name="Community Safety Fund",
        description=(
            "Grants of £250 to £10,000 for community projects that prevent crime and anti-social "
            "behaviour, support victims, divert young people from offending and bring communities "
            "together. Since 2012 the fund (first called the Community Safety Initiatives Fund) has "
            "invested over £655,000 in 200 local projects."
        ),
        legal_power=(
            "Section 9 of the Police Reform and Social Responsibility Act 2011 (crime and disorder reduction grants)"
        ),
        public_benefit="crime and disorder reduction",
    ),
    dict(
        code="PPAF",
        name="Police Property Act Fund",
        description=(
            "Small grants of £100 to £2,500 for charitable community projects, paid from the sale of "
            "unclaimed property under the Police (Property) Regulations 1997. In its first year it "
            "gave £39,000 to 46 community-led projects."
        ),
        legal_power="the Police (Property) Regulations 1997",
        public_benefit="charitable purposes",
    ),
]

# The default scoring rubric every new round starts with (weights add up to 100).
DEFAULT_RUBRIC = [
    ("Need and evidence", 25, "Is there a clear local problem, shown with evidence?"),
    ("Fit with the Police and Crime Plan", 20, "How well does the project serve the plan's objectives?"),
    ("Deliverability and governance", 20, "Can this group deliver it safely, on time, and account for the money?"),
    ("Value for money", 20, "Are the costs reasonable for what will be delivered?"),
    ("Outcomes and how they will be measured", 15, "Are the planned outputs clear, realistic and measurable?"),
]

DESCRIPTORS = [
    "No evidence: the application does not address this",
    "Poor: major gaps or concerns",
    "Weak: some relevant points but significant gaps",
    "Adequate: meets the requirement with minor gaps",
    "Good: clear and convincing",
    "Excellent: compelling, with strong evidence",
]


def load_reference_data() -> dict[str, int]:
    """Load the areas, the current plan and its objectives, and the funds; return how many of each were added.

    Safe to run again: what exists is left as it is (a blank legal power or
    public-benefit wording is filled in). Records one audit event when anything
    was added or filled in, none when nothing changed.
    """
    added = {"areas": 0, "plans": 0, "objectives": 0, "funds": 0, "funds_completed": 0}
    for name, code in AREAS:
        if db.session.scalar(select(Area).where((Area.gss_code == code) | (Area.name == name))) is None:
            db.session.add(Area(name=name, gss_code=code))
            added["areas"] += 1
    plan_name, starts_on, ends_on = CURRENT_PLAN
    plan = db.session.scalar(select(PlanPeriod).where(PlanPeriod.name == plan_name))
    if plan is None:
        plan = PlanPeriod(name=plan_name, starts_on=starts_on, ends_on=ends_on)
        db.session.add(plan)
        db.session.flush()
        added["plans"] += 1
    for number, name in OBJECTIVES:
        if db.session.scalar(select(Objective).where(Objective.plan_id == plan.id,
                                                     Objective.number == number)) is None:
            db.session.add(Objective(plan=plan, number=number, name=name))
            added["objectives"] += 1
    for spec in FUNDS:
        fund = db.session.scalar(select(Fund).where(Fund.code == spec["code"]))
        if fund is None:
            db.session.add(Fund(**spec))
            added["funds"] += 1
            continue
        completed = False
        for key in ("legal_power", "public_benefit"):
            if not (getattr(fund, key) or "").strip():
                setattr(fund, key, spec[key])
                completed = True
        added["funds_completed"] += completed
    db.session.flush()
    if any(added.values()):
        audit.record("setup.reference_loaded", entity_type="system", after=added)
    return added
