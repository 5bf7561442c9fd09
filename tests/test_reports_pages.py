"""The staff fund summary page and its downloads, read back and checked."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent

from .factories_reporting import make_award, make_final_report, make_payment, make_return
from .helpers import text_of


@pytest.fixture
def awards(demo):
    a1 = make_award(demo, status="completed", awarded_pence=250_000, areas=("Hartlepool",), objectives=(1,))
    a2 = make_award(demo, status="funded", awarded_pence=150_000, areas=("Stockton-on-Tees",), objectives=(4,),
                    title="=HYPERLINK(\"http://evil\")")
    make_award(demo, status="offer_lapsed", awarded_pence=60_000)
    make_award(demo, status="declined", amount_pence=90_000)
    make_payment(demo, a1, 250_000)
    make_return(demo, a1, 30_000)
    make_payment(demo, a2, 75_000)
    make_final_report(demo, a1, {"Padlocks and alarms fitted": 420})
    db.session.commit()
    return a1, a2


def test_summary_page_shows_the_figures_charts_and_tables(as_officer, awards):
    """Does an officer see the headline, counts, money, split charts with tables, outputs and definitions?"""
    soup = as_officer.get_page("/reports/summary?fund=CSF&year=2026-27")
    text = text_of(soup)
    assert soup.h1.get_text(strip=True) == "Fund summary"
    assert "£4,000 to 2 projects" in text
    rows = {r.dt.get_text(strip=True): r.dd.get_text(" ", strip=True) for r in soup.select(".govuk-summary-list__row")}
    assert rows["Applications received"] == "4"
    assert rows["Approved"] == "3" and rows["Declined"] == "1"
    assert rows["Success rate"] == "75%"
    assert rows["Amount awarded"] == "£4,000 (2 grants)"
    assert rows["Median award"] == "£2,000"
    assert rows["Paid"] == "£2,950"  # £3,250 paid less £300 returned
    assert rows["Committed"] == "£3,700"
    charts = soup.select("figure.app-chart svg[role=img]")
    assert len(charts) == 3
    for chart in charts:
        assert chart.title and "table below" in chart.title.get_text()
        figure = chart.find_parent("figure")
        table = figure.find_next_sibling("table")
        assert table["class"] == ["govuk-table"]
        assert table.caption["id"] == figure["aria-describedby"]
    objective_table = soup.select("table")[0]
    assert "1. Investing in our Police" in text_of(objective_table) and "£2,500" in text_of(objective_table)
    assert "Padlocks and alarms fitted 420 1" in text
    assert "How these figures are counted" in text


def test_summary_defaults_to_all_funds_this_year_and_lists_funds(as_finance, awards, monkeypatch):
    """Without a fund chosen, does finance see every fund with a per-fund table?"""
    from datetime import date

    from grants import clock

    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 22))
    soup = as_finance.get_page("/reports/summary")
    assert "All funds, 2026-27" in soup.select_one(".govuk-caption-l").get_text()
    assert "Police Property Act Fund" in text_of(soup.find("h2", string="By fund").find_next("table"))


@pytest.mark.parametrize("client_name", ["as_auditor", "as_ceo", "as_officer", "as_finance"])
def test_staff_readers_may_see_the_summary(request, client_name, awards):
    """Can officers, decision makers, finance and auditors all open the summary?"""
    client = request.getfixturevalue(client_name)
    assert "£4,000 to 2 projects" in text_of(client.get_page("/reports/summary?year=all"))


def test_applicants_and_assessors_may_not(as_applicant, as_assessor, awards):
    """Are applicants and assessors refused the summary and the register?"""
    assert as_applicant.get("/reports/summary").status_code == 403
    assert as_assessor.get("/reports/grants-register.csv").status_code == 403


def test_the_public_is_sent_to_sign_in(page, awards):
    """Is someone not signed in sent to sign in rather than shown staff figures?"""
    response = page.get("/reports/summary.xlsx")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_auditor_is_read_only(as_auditor, awards):
    """Does a POST to a report by an auditor get refused?"""
    assert as_auditor.post("/reports/summary").status_code == 405


def test_unknown_fund_or_year_is_not_found(as_officer, awards):
    """Is an unknown fund code or year a 404 rather than an empty report?"""
    assert as_officer.get("/reports/summary?fund=NOPE").status_code == 404
    assert as_officer.get("/reports/summary?year=1999-00").status_code == 404


def test_summary_pdf_reads_back_with_figures_and_charts(as_officer, awards):
    """Does the PDF contain the headline, split tables and outputs, with chart drawings?"""
    response = as_officer.get("/reports/summary.pdf?fund=CSF&year=2026-27")
    assert response.mimetype == "application/pdf"
    assert "fund-summary-csf-2026-27.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Fund summary: Community Safety Fund, 2026-27", "£4,000 to 2 projects", "75%",
                     "Investing in our Police", "Stockton-on-Tees", "padlocks and alarms fitted", "420",
                     "How these figures are counted"):
        assert expected in " ".join(text.split()), expected
    assert "£2,500" in text  # a bar label drawn by the chart


def test_summary_xlsx_has_one_sheet_per_table(as_officer, awards):
    """Does the workbook have a sheet per table with the figures as numbers?"""
    response = as_officer.get("/reports/summary.xlsx?fund=CSF&year=2026-27")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Summary", "By objective", "By area", "By organisation type", "Outputs delivered"]
    figures = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert figures["Amount awarded (£)"] == 4000
    assert figures["Applications received"] == 4
    areas = {row[0]: row[3] for row in workbook["By area"].iter_rows(min_row=2, values_only=True)}
    assert areas["Stockton-on-Tees"] == 1500
    outputs = list(workbook["Outputs delivered"].iter_rows(min_row=2, values_only=True))
    assert outputs == [("padlocks and alarms fitted", 420, 1)]


def test_summary_csv_has_every_table(as_officer, awards):
    """Does the CSV carry every table under its title?"""
    response = as_officer.get("/reports/summary.csv?fund=CSF&year=2026-27")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles == ["Summary", "By objective", "By area", "By organisation type", "Outputs delivered"]
    assert ["Amount awarded (£)", "4000.00"] in rows


def test_grants_register_exports_paid_and_outstanding(as_finance, awards):
    """Does the register list every award with paid, returned, net paid and outstanding, safe from formulas?"""
    response = as_finance.get("/reports/grants-register.csv")
    assert response.is_streamed or response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3  # completed, funded, lapsed offer; never the declined one
    by_status = {r["Status"]: r for r in rows}
    completed = by_status["Completed"]
    assert (completed["Amount awarded (£)"], completed["Paid (£)"], completed["Returned (£)"],
            completed["Net paid (£)"], completed["Outstanding to pay (£)"]) == (
        "2500.00", "2500.00", "300.00", "2200.00", "0.00")
    funded = by_status["Funded"]
    assert funded["Outstanding to pay (£)"] == "750.00"
    assert funded["Project"].startswith("'=")  # formula injection neutralised
    assert by_status["Offer lapsed"]["Outstanding to pay (£)"] == "0.00"

    workbook = load_workbook(io.BytesIO(as_finance.get("/reports/grants-register.xlsx").data))
    sheet = workbook["Grants register"]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert sorted(v["Outstanding to pay (£)"] for v in values) == [0, 0, 750]


def test_downloads_are_recorded_in_the_audit_trail(as_auditor, awards, demo):
    """Is each staff export recorded with who, what and which format?"""
    as_auditor.get("/reports/summary.pdf?fund=CSF&year=2026-27")
    as_auditor.get("/reports/grants-register.csv").get_data()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported")
                                .order_by(AuditEvent.id)).all()
    assert [(e.entity_id, e.after["format"], e.actor_id) for e in events] == [
        ("fund-summary", "pdf", demo.auditor.id), ("grants-register", "csv", demo.auditor.id)]


def test_auditors_find_summaries_in_their_menu(as_auditor, awards):
    """Is 'Summaries' in the auditor's menu?"""
    soup = as_auditor.get_page("/reports/summary")
    assert any(a.get_text(strip=True) == "Summaries" for a in soup.select(".govuk-service-navigation__link"))
