"""The demo's outcomes: seed-style headlines in the summary, safe to load twice."""
from __future__ import annotations

from sqlalchemy import func, select

from grants.demo_outcomes import seed_history
from grants.extensions import db
from grants.models import ImportedGrant, OutputMeasure
from grants.services import summaries
from grants.services.periods import Period

from .test_demo_seed import _seed


def test_demo_outcomes_give_annual_report_headlines_and_load_twice(demo):
    """Does the demo give a '£X to N projects' year, a devices total, a multi-year organisation, idempotently?"""
    _seed(demo)
    for _ in range(2):
        seed_history(admin=demo.admin)
        db.session.commit()
    assert db.session.scalar(select(func.count(ImportedGrant.id))) == 10
    assert db.session.scalar(select(func.count(OutputMeasure.id))) == 6
    historic = summaries.fund_summary(fund=demo.csf, year="2017-18")
    assert historic.headline == "£22,850 to 7 projects"
    devices = {r.measure: r.delivered for r in summaries.fund_summary(period=Period.all_years()).outputs}
    assert devices["crime prevention devices fitted"] >= 450  # 240 + 180 + 30 imported, plus the demo's own
    allotments = summaries.organisation_history(demo.orgs["Hartlepool Allotment Holders Association"])
    assert {"2017-18", "2018-19"} <= {y.year for y in allotments.years} and len(allotments.years) >= 3


def test_seed_demo_history_command_after_seed_demo(app, runner):
    """Does `seed-demo-history` import the historic years once, and refuse before seed-demo?"""
    assert runner.invoke(args=["seed-demo-history"]).exit_code == 2
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = runner.invoke(args=["seed-demo-history"])
    assert first.exit_code == 0 and "10 grant(s) imported" in first.output
    again = runner.invoke(args=["seed-demo-history"])
    assert "0 grant(s) imported, 10 already there" in again.output
    assert "2017-18" in summaries.financial_years()
