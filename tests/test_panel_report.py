"""The Police and Crime Panel report: figures between two dates, and where the next report starts."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from grants import clock
from grants.extensions import db
from grants.services import notices, panel_report
from grants.services.periods import Period

from .factories_notices import decided_meeting
from .factories_reporting import make_award, make_payment, make_return
from .helpers import text_of
from .test_decision_documents import pdf_text


@pytest.fixture(autouse=True)
def _in_2026(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 15, 10, 0, tzinfo=timezone.utc))


def test_figures_count_only_what_happened_between_the_dates(demo):
    """Are payments, returns, decisions and notices inside the dates counted, and those outside left out?"""
    meeting = decided_meeting(demo)  # decided on 15 September 2026 (the clock above)
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary="Two grants agreed.")
    grant = make_award(demo, status="funded", awarded_pence=300_000)
    make_payment(demo, grant, 100_000, paid_on=date(2026, 9, 1))
    make_payment(demo, grant, 50_000, paid_on=date(2026, 3, 1))  # before the period
    make_return(demo, grant, 20_000)  # received 1 September 2027: after the period
    report = panel_report.panel_report(Period.between(date(2026, 8, 1), date(2026, 9, 30)))
    assert (report.payments_count, report.payments_pence) == (1, 100_000)
    assert (report.returns_count, report.returns_pence) == (0, 0)
    assert report.notices == [notice] and len(report.records) == 3
    assert report.summary.approved == 2 and report.summary.declined == 1  # the fund summary's own figures
    later = panel_report.panel_report(Period.between(date(2026, 10, 1), date(2026, 10, 31)))
    assert later.notices == [] and later.records == [] and later.payments_count == 0


def test_the_default_period_starts_after_the_last_report_generated(as_officer, demo):
    """With no report yet, does the page cover this financial year to date; after a PDF, the day after it?"""
    page = text_of(as_officer.get_page("/reports/panel"))
    assert "1 April 2026 to 15 September 2026" in page
    response = as_officer.get("/reports/panel.pdf?from=2026-04-01&to=2026-08-31")
    assert response.mimetype == "application/pdf" and "Police and Crime Panel" in pdf_text(response.data)
    assert "1 September 2026 to 15 September 2026" in text_of(as_officer.get_page("/reports/panel"))


def test_bad_dates_are_explained(as_officer, demo):
    """Is a last day before the first day shown as an error saying how to fix it?"""
    soup = as_officer.get_page("/reports/panel?from=2026-09-01&to=2026-08-01")
    assert "The last day must be the same as or after the first day" in text_of(soup.select_one(".govuk-error-summary"))


def test_the_panel_report_is_for_staff_who_report_to_the_panel(as_finance, as_applicant, demo):
    """Are finance and applicants kept off the panel report?"""
    assert as_finance.get("/reports/panel").status_code == 403
    assert as_applicant.get("/reports/panel").status_code == 403
