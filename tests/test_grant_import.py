"""Historic grants import: a dry run lists every problem by line, any problem writes nothing,
re-importing adds nothing, and imported grants count everywhere awards are counted."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Application, ImportedGrant, Organisation, Round
from grants.services import grant_import, opendata, summaries
from grants.services.periods import Period

from .factories_outcomes import make_measure
from .test_opendata import assert_valid_package, needs_schema

HEADER = ("import_id,organisation_name,charity_number,company_number,fund_code,financial_year,award_date,amount,"
          "project_title,area,objective,outputs,people_reached,public\n")
GOOD = HEADER + (
    "CSF-2017-001,Hartlepool Allotment Holders Association,,,CSF,2017-18,2017-09-14,2400,"
    "Padlocks and alarms,Hartlepool,4,crime prevention devices fitted: 420,150,yes\n"
    "CSF-2017-002,Middlesbrough Football Club Foundation,1133051,,CSF,2017-18,14/10/2017,\"3,900\","
    "Friday night football,Middlesbrough; Redcar and Cleveland,3; 5,young people engaged: 310,310,yes\n"
    "PPAF-2017-001,Quiet Trust,,,PPAF,2017-18,2018-02-01,850,Welfare packs,Stockton-on-Tees,2,,,no\n"
)


@pytest.fixture
def measures(demo):
    make_measure("crime prevention devices fitted")
    make_measure("young people engaged")
    db.session.commit()


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_dry_run_lists_every_problem_with_its_line_and_a_fix_and_writes_nothing(demo, measures):
    """Does the check name each bad row's line, column and fix, and leave the database untouched?"""
    bad = HEADER + (
        "A1,Group A,,,CSF,2017-18,2017-09-14,2400,Project,Hartlepool,4,,,yes\n"
        "A2,Group B,12,,XYZ,2017-18,2016-09-14,24x0,Project,Narnia,9,unicorns: 3,lots,maybe\n"
        "A1,Group C,,,CSF,2017-18,2017-09-14,100,Project,,,,,yes\n"
        ",,,,,,,,,,,,,\n"
        ",Group D,,,CSF,2017-18,2017-09-14,100,,,,,,yes\n"
    )
    organisations = _count(Organisation)
    plan = grant_import.check_file(bad)
    found = {(p.line, p.column) for p in plan.problems}
    assert {(3, "charity_number"), (3, "fund_code"), (3, "amount"), (3, "area"), (3, "objective"),
            (3, "outputs"), (3, "people_reached"), (3, "public")} <= found
    assert (4, "import_id") in found  # A1 twice
    assert {(6, "import_id"), (6, "project_title")} <= found
    assert not any(p.line == 2 or p.line == 5 for p in plan.problems)
    amount = next(p for p in plan.problems if p.column == "amount")
    assert str(amount) == ("Line 3, amount: '24x0' is not an amount of money. "
                           "Write the amount awarded in pounds, like 3600 or 3,600.00")
    assert _count(Organisation) == organisations and _count(Application) == 0


def test_an_award_date_outside_its_financial_year_is_refused(demo, measures):
    """Is an award date in another financial year, or in the future, a problem with the fix named?"""
    plan = grant_import.check_file(HEADER + "B1,Group,,,CSF,2017-18,2018-04-02,100,P,,,,,yes\n"
                                            "B2,Group,,,CSF,2099-00,2099-05-01,100,P,,,,,yes\n")
    messages = [str(p) for p in plan.problems]
    assert "Line 2, award_date: 02 April 2018 is not in the financial year 2017-18. Correct the date, or give " \
           "its financial year 2018-19" in messages
    assert any(m.startswith("Line 3, award_date: is not in the past") for m in messages)


def test_any_invalid_row_means_nothing_is_imported(demo, measures):
    """With one bad row among good ones, is the import refused and nothing written?"""
    with pytest.raises(grant_import.ImportRefused) as refused:
        grant_import.import_file(GOOD + "X9,Group,,,CSF,2017-18,2017-09-14,abc,P,,,,,yes\n", actor=demo.admin)
    assert [p.line for p in refused.value.plan.problems] == [5]
    db.session.rollback()
    assert _count(Application) == 0 and _count(ImportedGrant) == 0


def test_a_missing_column_is_reported_on_the_header_line(demo):
    """Does a header without a required column say which, on line 1?"""
    plan = grant_import.check_file("import_id,organisation_name\nA,B\n")
    assert plan.problems[0].line == 1 and "fund_code" in plan.problems[0].message


def test_importing_the_same_file_twice_adds_nothing_the_second_time(demo, measures):
    """Is the import idempotent by import_id, matching organisations rather than duplicating them?"""
    first = grant_import.import_file(GOOD, actor=demo.admin, source_name="2017.csv")
    db.session.commit()
    assert first.written == 3
    organisations = _count(Organisation)
    second = grant_import.import_file(GOOD, actor=demo.admin, source_name="2017.csv")
    db.session.commit()
    assert second.written == 0 and [i for _, i in second.already_imported] == [
        "CSF-2017-001", "CSF-2017-002", "PPAF-2017-001"]
    assert _count(ImportedGrant) == 3 and _count(Organisation) == organisations
    # The football foundation was matched by its charity number to the existing organisation.
    foundation = demo.orgs["Middlesbrough Football Club Foundation"]
    assert db.session.scalar(select(func.count(Application.id)).where(
        Application.organisation_id == foundation.id)) == 1


def test_a_dry_run_writes_nothing(demo, measures):
    """Does dry_run check and report without adding a single row?"""
    plan = grant_import.import_file(GOOD, actor=demo.admin, dry_run=True)
    assert len(plan.rows) == 3 and plan.total_pence == 715_000
    db.session.rollback()
    assert _count(Application) == 0


def test_imported_grants_count_in_summaries_with_their_outputs(demo, measures):
    """Do imported awards count in the fund summary of their year, outputs included, in never-open rounds?"""
    grant_import.import_file(GOOD, actor=demo.admin)
    db.session.commit()
    s = summaries.fund_summary(fund=demo.csf, year="2017-18")
    assert s.headline == "£6,300 to 2 projects"
    assert {r.measure: r.delivered for r in s.outputs} == {"crime prevention devices fitted": 420,
                                                           "young people engaged": 310}
    assert s.people_delivered == 460
    assert s.budget_pence == 630_000 and s.remaining_pence == 0
    assert summaries.fund_summary(period=Period.all_years()).awarded_count == 3
    imported_rounds = db.session.scalars(select(Round).where(Round.name.like("Imported awards%"))).all()
    assert len(imported_rounds) == 2 and not any(r.is_open for r in imported_rounds)
    assert "2017-18" in summaries.financial_years()


def test_only_public_imported_grants_reach_the_register_and_open_data(demo, measures, page):
    """Are imported grants marked public on /grants and in 360Giving, and the others kept off both?"""
    grant_import.import_file(GOOD, actor=demo.admin)
    db.session.commit()
    register = page.get("/grants?q=Padlocks").get_data(as_text=True)
    assert "Padlocks and alarms" in register
    assert "Welfare packs" not in page.get("/grants?q=Welfare").get_data(as_text=True)
    data = json.loads(page.get("/open-data/360giving.json").get_data(as_text=True))
    titles = {g["title"] for g in data["grants"]}
    assert titles == {"Padlocks and alarms", "Friday night football"}
    assert all("amountDisbursed" not in g for g in data["grants"])  # paid before this service
    staff_rows = list(opendata.grants_register_rows())
    assert len(staff_rows) == 3  # the staff register holds every award, public or not
    assert all(row[13] == 0 for row in staff_rows)  # nothing outstanding to pay on an imported grant


@needs_schema
def test_360giving_with_imported_public_grants_validates(demo, measures, page):
    """Does the 360Giving package still validate against the official schema with imported grants in it?"""
    grant_import.import_file(GOOD, actor=demo.admin)
    db.session.commit()
    assert_valid_package(json.loads(page.get("/open-data/360giving.json").get_data(as_text=True)))


def test_cli_dry_run_then_import(app, runner, demo, measures, tmp_path):
    """Does `import-grants --dry-run` report and write nothing, then the real run import, and a bad file exit 1?"""
    path = tmp_path / "grants.csv"
    path.write_text(GOOD)
    dry = runner.invoke(args=["import-grants", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "3 grant(s) worth £7,150 would be imported" in dry.output
    assert _count(ImportedGrant) == 0
    done = runner.invoke(args=["import-grants", str(path)])
    assert done.exit_code == 0 and "Imported 3 grant(s)" in done.output
    path.write_text(GOOD.replace("2400", "24x0"))
    bad = runner.invoke(args=["import-grants", str(path), "--dry-run"])
    assert bad.exit_code == 1 and "Line 2, amount" in bad.output


def test_the_sample_file_in_the_readme_imports(demo, measures):
    """Does the sample CSV (tests/data, the README and the upload page) import as it stands?"""
    from pathlib import Path

    sample = (Path(__file__).parent / "data" / "historic_grants_sample.csv").read_text()
    assert sample == grant_import.SAMPLE_CSV
    assert grant_import.import_file(sample, actor=demo.admin).written == 2
