"""Outcomes through the browser's eyes: measures admin, applicants choosing measures, officers mapping,
the summary's period chooser and outcome sections, and the historic grants upload."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, ImportedGrant, OutputMeasure

from .factories import make_application
from .factories_outcomes import make_measure, make_report
from .factories_reporting import make_award
from .helpers import text_of


def _text(response) -> str:
    from bs4 import BeautifulSoup

    return text_of(BeautifulSoup(response.data, "html.parser"))


def test_admin_adds_changes_and_retires_a_measure(as_admin, demo):
    """Can an admin add a measure, change it, retire it and bring it back, each audited, never deleting it?"""
    response = as_admin.post("/admin/measures/new", data={"name": "  Young people   ENGAGED ", "unit": "people",
                                                         "objective_id": ""})
    assert response.status_code == 302
    measure = db.session.scalar(select(OutputMeasure))
    assert (measure.name, measure.unit) == ("young people engaged", "people")
    refused = as_admin.post("/admin/measures/new", data={"name": "young people engaged", "unit": ""})
    assert "There is already a measure called young people engaged" in _text(refused)
    as_admin.post(f"/admin/measures/{measure.id}/retire", data={"retired": "yes"})
    db.session.refresh(measure)
    assert measure.is_retired
    page = as_admin.get_page("/admin/measures")
    assert "Retired" in text_of(page) and "Bring back" in text_of(page)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"measure.created", "measure.retired"} <= actions


def test_applicant_chooses_a_standard_measure_or_other(as_applicant, demo):
    """Does the outputs section offer the standard measures and Other, keeping which one was chosen?"""
    devices = make_measure("crime prevention devices fitted", unit="devices")
    make_measure("old measure", retired=True)
    db.session.commit()
    application = make_application(demo, complete=False)
    db.session.commit()
    url = f"/apply/applications/{application.id}/sections/outputs"
    page = as_applicant.get_page(url)
    options = [o.get_text(strip=True) for o in page.select("#standard_0 option")]
    assert "Crime prevention devices fitted (devices)" in options and "Old measure" not in options
    assert options[-1].startswith("Other")
    as_applicant.post(url, data={"standard_0": str(devices.id), "measure_0": "", "target_0": "420",
                                 "standard_1": "other", "measure_1": "Scam awareness workshops", "target_1": "12"})
    db.session.expire_all()
    rows = [(o.measure, o.target, o.measure_id) for o in application.planned_outputs]
    assert rows == [("crime prevention devices fitted", 420, devices.id), ("Scam awareness workshops", 12, None)]
    refused = as_applicant.post(url, data={"standard_0": "other", "measure_0": "", "target_0": "5"})
    assert "Enter what output 1 measures" in _text(refused)


def test_officer_maps_an_other_output_to_a_standard_measure(as_officer, demo):
    """Can an officer count an applicant's own-words output under a standard measure, from the application page?"""
    devices = make_measure("crime prevention devices fitted")
    application = make_application(demo, status="submitted")
    db.session.commit()
    page = as_officer.get_page(f"/staff/applications/{application.id}")
    assert "Count outputs under standard measures" in text_of(page)
    output = application.planned_outputs[0]
    as_officer.get_page(f"/staff/applications/{application.id}/outputs")
    response = as_officer.post(f"/staff/applications/{application.id}/outputs",
                               data={f"measure_{output.id}": str(devices.id)})
    assert response.status_code == 302
    db.session.refresh(output)
    assert output.measure_id == devices.id and output.measure == "padlocks and alarms fitted"


def test_summary_page_chooses_any_period_and_shows_outcomes(as_officer, demo):
    """Does the summary take a quarter or dates, show delivered and reported-so-far apart, and suppress small counts?"""
    devices = make_measure("crime prevention devices fitted")
    done = make_award(demo, status="completed", decided_at=datetime(2026, 5, 1, 10, tzinfo=timezone.utc))
    make_report(done, "final", {devices: 420}, people=150, equality={"age": {"under_18": 3, "65_and_over": 40}},
                signed_off_at=datetime(2026, 6, 1, 10, tzinfo=timezone.utc))
    live = make_award(demo, status="funded", decided_at=datetime(2026, 8, 1, 10, tzinfo=timezone.utc))
    make_report(live, "interim", {devices: 35}, people=20, signed_off_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
    db.session.commit()
    page = as_officer.get_page("/reports/summary?year=2026-27")
    delivered, reported = text_of(page.select_one("#outputs-delivered")), text_of(page.select_one("#outputs-reported"))
    assert "Crime prevention devices fitted 420 1" in delivered
    assert "Crime prevention devices fitted 35 1" in reported
    equality = text_of(page.select_one("#equality"))
    assert "Under 18 fewer than 5" in equality and "65 and over 40" in equality
    q1 = as_officer.get_page("/reports/summary?year=2026-27&quarter=1")
    assert "Q1 2026-27 (April to June 2026)" in text_of(q1) and "£3,000 to 1 project" in text_of(q1)
    dates = as_officer.get_page("/reports/summary?start-day=1&start-month=7&start-year=2026"
                                "&end-day=31&end-month=8&end-year=2026")
    assert "1 July 2026 to 31 August 2026" in text_of(dates)
    assert "£3,000 to 1 project" in text_of(dates)
    wrong = as_officer.get_page("/reports/summary?start-day=1&start-month=9&start-year=2026"
                                "&end-day=1&end-month=8&end-year=2026")
    assert "The last day must be the same as or after the first day" in text_of(wrong.select_one(".govuk-error-summary"))
    assert as_officer.get("/reports/summary.csv?from=2026-09-01&to=2026-08-01").status_code == 400
    outcomes = as_officer.get("/reports/outcomes.csv?from=2026-04-01&to=2026-06-30")
    rows = list(csv.reader(io.StringIO(outcomes.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Age", "Under 18", "fewer than 5", "0"] in rows
    pdf = as_officer.get("/reports/summary.pdf?year=2026-27&quarter=1")
    assert "fund-summary-all-funds-2026-27-q1.pdf" in pdf.headers["Content-Disposition"]
    from pypdf import PdfReader

    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Under 18 fewer than 5" in pdf_text and "People reached" in pdf_text
    xlsx = as_officer.get("/reports/outcomes.xlsx?year=2026-27")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data))["Equality monitoring"]
    assert ("Age", "Under 18", "fewer than 5", 0) in list(sheet.iter_rows(min_row=2, values_only=True))


SAMPLE = (
    "import_id,organisation_name,charity_number,fund_code,financial_year,award_date,amount,project_title,area,"
    "objective,outputs,people_reached,public\n"
    "H-1,Old Allotments Group,,CSF,2017-18,2017-09-14,2400,Padlocks,Hartlepool,4,"
    "crime prevention devices fitted: 420,150,yes\n"
    "H-2,Quiet Trust,1102939,PPAF,2017-18,2017-10-02,850,Welfare packs,Middlesbrough,2,,,no\n"
)


def test_admin_uploads_checks_then_imports_historic_grants(as_admin, demo):
    """Does the upload page preview the file without writing, then import it once, however often it is sent?"""
    make_measure("crime prevention devices fitted")
    db.session.commit()
    preview = as_admin.post("/admin/import-grants", data={
        "action": "check", "file": (io.BytesIO(SAMPLE.encode()), "past.csv")}, content_type="multipart/form-data")
    text = _text(preview)
    assert "Preview: 2 grants worth £3,250 to import" in text
    assert db.session.scalar(select(db.func.count(ImportedGrant.id))) == 0
    for _ in range(2):
        done = as_admin.post("/admin/import-grants", data={"action": "import", "content": SAMPLE,
                                                           "source_name": "past.csv"})
        assert done.status_code == 302
    assert db.session.scalar(select(db.func.count(ImportedGrant.id))) == 2
    bad = as_admin.post("/admin/import-grants", data={
        "action": "check", "file": (io.BytesIO(SAMPLE.replace("2400", "24x0").encode()), "bad.csv")},
        content_type="multipart/form-data")
    assert "How to fix it" in _text(bad) and "Write the amount awarded in pounds" in _text(bad)


def test_organisation_history_page_from_the_application_page(as_officer, demo):
    """Does the application page link to its organisation's history, with per-year totals and outputs?"""
    devices = make_measure("crime prevention devices fitted")
    grant = make_award(demo, status="completed", awarded_pence=240_000)
    make_report(grant, "final", {devices: 420}, people=150)
    db.session.commit()
    page = as_officer.get_page(f"/staff/applications/{grant.id}")
    link = page.find("a", string="grants and outcomes across years")["href"]
    history = as_officer.get_page(link)
    text = text_of(history)
    assert "£2,400 in 1 grant in 2026-27" in text
    assert "2026-27 1 £2,400 150 0" in text_of(history.select_one("#years"))
    assert "Crime prevention devices fitted 420 1" in text
    assert as_officer.get("/staff/organisations/999999/history").status_code == 404
