"""Demo outcomes: standard measures, the demo's outputs counted under them, and two imported historic years.

With the history loaded, the fund summary gives the headlines an annual report
quotes: "£X to N projects" for 2017-18 and 2018-19, a crime prevention devices
total (padlocks and alarms), and organisations with grants in several years.
Safe to run again: measures are found by name, demo outputs are only mapped
while unmapped, and the import skips rows already imported (same import_id).
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from .extensions import db
from .models import Objective, OutputMeasure, PlannedOutput, User
from .services import grant_import

# (name, unit, plan objective number it usually serves)
MEASURES = [
    ("crime prevention devices fitted", "devices", 4),
    ("workshops delivered", "workshops", 5),
    ("young people engaged", "people", 3),
    ("volunteer hours", "hours", 5),
    ("welfare packs given", "packs", 2),
    ("awareness events held", "events", 4),
]

# The demo applications' own wording -> the standard measure it counts as.
DEMO_WORDING = {
    "crime prevention devices fitted": ["padlocks and alarms fitted", "shed alarms fitted", "trail cameras installed",
                                        "door chains fitted"],
    "workshops delivered": ["school workshops", "scam awareness workshops"],
    "young people engaged": ["young people attending", "young people", "children attending"],
    "welfare packs given": ["welfare packs given", "packs given"],
    "awareness events held": ["awareness events"],
}

HISTORIC_CSV = """import_id,organisation_name,charity_number,company_number,fund_code,financial_year,award_date,amount,project_title,area,objective,outputs,people_reached,public
DEMO-CSF-2017-01,Hartlepool Allotment Holders Association,,,CSF,2017-18,2017-07-12,3600,Padlocks and alarms for six allotment sites,Hartlepool,4,crime prevention devices fitted: 240; volunteer hours: 120,310,yes
DEMO-CSF-2017-02,Middlesbrough Football Club Foundation,1133051,,CSF,2017-18,2017-08-03,4800,Friday night football,Middlesbrough,3,young people engaged: 420; volunteer hours: 300,420,yes
DEMO-CSF-2017-03,Show Racism the Red Card,1122252,,CSF,2017-18,2017-09-21,4950,Anti-racism workshops in schools,Stockton-on-Tees; Redcar and Cleveland,5,workshops delivered: 60,1450,yes
DEMO-CSF-2017-04,Home Instead Senior Care Cleveland Limited,,08123456,CSF,2017-18,2017-10-05,2750,Scam awareness for older people,Redcar and Cleveland,2,workshops delivered: 24; awareness events held: 6,380,yes
DEMO-CSF-2017-05,Soroptimist International Stockton-on-Tees,1165432,,CSF,2017-18,2017-11-16,3600,Emergency welfare packs for victims of trafficking,Stockton-on-Tees,2,welfare packs given: 150,150,yes
DEMO-CSF-2017-06,Grangetown Residents Group,,,CSF,2017-18,2018-01-18,1900,Door chains and window locks for older residents,Redcar and Cleveland,4,crime prevention devices fitted: 180,180,yes
DEMO-CSF-2017-07,Thornaby Neighbourhood Watch,,,CSF,2017-18,2018-02-22,1250,Property marking kits,Stockton-on-Tees,4,,,no
DEMO-CSF-2018-01,Hartlepool Allotment Holders Association,,,CSF,2018-19,2018-06-14,2900,Trail cameras and signs,Hartlepool,4,crime prevention devices fitted: 30,150,yes
DEMO-CSF-2018-02,Show Racism the Red Card,1122252,,CSF,2018-19,2018-09-13,4950,Anti-racism workshops in schools,Middlesbrough; Hartlepool,5,workshops delivered: 55,1201,yes
DEMO-PPAF-2018-01,Middlesbrough Football Club Foundation,1133051,,PPAF,2018-19,2018-11-08,850,Kit for a girls' team,Middlesbrough,3,young people engaged: 24,24,yes
"""


def seed_outcomes() -> None:
    """The standard measures, and the demo applications' outputs counted under them."""
    objectives = {o.number: o.id for o in db.session.scalars(select(Objective))}
    measures = {}
    for name, unit, objective in MEASURES:
        measure = db.session.scalar(select(OutputMeasure).where(OutputMeasure.name == name))
        if measure is None:
            measure = OutputMeasure(name=name, unit=unit, objective_id=objectives.get(objective))
            db.session.add(measure)
            db.session.flush()
        measures[name] = measure
    for name, wordings in DEMO_WORDING.items():
        db.session.execute(
            update(PlannedOutput)
            .where(PlannedOutput.measure_id.is_(None), func.lower(PlannedOutput.measure).in_(wordings))
            .values(measure_id=measures[name].id)
        )


def seed_history(*, admin: User) -> grant_import.ImportPlan:
    """The demo's historic years (2017-18, 2018-19), imported as an administrator would (recorded as `admin`).

    A separate step from seed-demo (`flask seed-demo-history`, run by `make run`), because it adds
    rounds for past years to the demo's current ones.
    """
    seed_outcomes()
    return grant_import.import_file(HISTORIC_CSV, actor=admin, source_name="demo-historic-grants.csv")
