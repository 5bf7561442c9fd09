"""Monitoring in a real browser: report, review, payment release, clawback; axe on every page."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from grants import clock
from grants.extensions import db
from grants.services import budget, monitoring

from ..factories_monitoring import make_funded_grant, make_payment, report_of
from .conftest import assert_accessible, sign_in


@pytest.fixture
def new_page(_browser, live_server):
    """A fresh browser context per person, so several people can take part in one test."""
    contexts = []

    def make():
        context = _browser.new_context(base_url=live_server)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def at(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc))


def fill_report(page, *, delivered: str, spent: str) -> None:
    page.get_by_label("Padlocks and alarms fitted").fill(delivered)
    page.get_by_label("Padlocks and alarms", exact=True).fill(spent)
    page.get_by_label("How many people did the project reach?").fill("110")
    page.get_by_label("What went well?").fill("No thefts from the sites since the alarms went in")
    page.get_by_label("What did not go well, and what would you change?").fill("The supplier was late")
    page.get_by_label("Case study").fill("An allotment society has had no break-ins since March.")


def test_interim_to_completion_in_the_browser_with_no_wcag_violations(browser_page, new_page, demo, monkeypatch):
    """Can applicant, officer and finance take a grant from interim report to clawback, every page accessible?"""
    grant = make_funded_grant(demo, awarded_pence=800_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    db.session.commit()
    interim, final = report_of(grant, "interim"), report_of(grant, "final")
    at(monkeypatch, date(2027, 4, 10))  # interim 9 days late
    applicant = browser_page
    sign_in(applicant, "applicant@example.org")

    applicant.goto("/monitoring/my-reports")
    assert "Overdue" in applicant.locator("table").inner_text()
    assert_accessible(applicant)
    applicant.get_by_role("link", name=f"Interim report for {grant.reference}").click()
    assert applicant.locator("h1").inner_text() == "Interim report"
    assert_accessible(applicant)

    # An error, then a complete report.
    applicant.get_by_label("Padlocks and alarms fitted").fill("-3")
    applicant.get_by_role("button", name="Save and continue").click()
    assert applicant.title().startswith("Error:")
    assert_accessible(applicant)
    fill_report(applicant, delivered="200", spent="3900")
    applicant.get_by_role("button", name="Save and continue").click()
    assert applicant.locator("h1").inner_text() == "Evidence for your interim report"
    applicant.get_by_label("Upload a file").set_input_files(
        files=[{"name": "padlocks.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}])
    applicant.get_by_role("button", name="Upload file").click()
    assert "padlocks.png has been added" in applicant.locator("main").inner_text()
    assert_accessible(applicant)
    applicant.get_by_role("button", name="Continue to check your report").click()
    assert applicant.locator("h1").inner_text() == "Check your interim report before sending it"
    assert "You have £100 of the grant unspent" in applicant.locator("main").inner_text()
    assert_accessible(applicant)
    applicant.get_by_role("button", name="Send report").click()
    assert "Interim report sent" in applicant.locator("h1").inner_text()
    assert_accessible(applicant)

    officer = new_page()
    sign_in(officer, "officer@example.org")
    officer.goto("/monitoring/reviews")
    assert_accessible(officer)
    officer.get_by_role("link", name=f"Interim report for {grant.reference}").click()
    assert_accessible(officer)
    officer.get_by_role("button", name="Sign off interim report").click()
    assert "Finance has been told" in officer.locator("main").inner_text()
    assert_accessible(officer)

    second = monitoring.instalments_of(grant)[1]
    db.session.refresh(second)
    assert second.released_at is not None
    make_payment(demo, second)
    db.session.commit()

    at(monkeypatch, date(2027, 9, 1))
    applicant.goto(f"/monitoring/grants/{grant.id}")
    assert_accessible(applicant)
    applicant.goto(f"/monitoring/reports/{final.id}")
    fill_report(applicant, delivered="430", spent="7750")
    applicant.get_by_role("button", name="Save and continue").click()
    applicant.get_by_role("button", name="Continue to check your report").click()
    assert "we will ask you to pay back £250" in applicant.locator("main").inner_text()
    applicant.get_by_role("button", name="Send report").click()

    officer.goto(f"/monitoring/staff/reports/{final.id}")
    officer.get_by_role("button", name="Sign off final report").click()
    assert "A return of £250 has been raised" in officer.locator("main").inner_text()
    officer.goto("/monitoring/overdue")
    assert_accessible(officer)

    finance = new_page()
    sign_in(finance, "finance@example.org")
    finance.goto("/monitoring/returns")
    assert_accessible(finance)
    finance.get_by_role("link", name=f"Record received for {grant.reference}").click()
    assert_accessible(finance)
    finance.get_by_label("Payment reference").fill("RTN-0001")
    finance.get_by_role("button", name="Record received").click()
    assert "£250 received" in finance.locator("main").inner_text()
    db.session.expire_all()
    assert grant.status == "completed"
    assert budget.round_money(demo.csf_round).returned == 25_000


def test_variation_pages_have_no_wcag_violations(browser_page, new_page, demo):
    """Are the applicant's change request, the officer's grant page and the on-behalf form accessible?"""
    grant = make_funded_grant(demo, awarded_pence=800_000, two_lines=True)
    db.session.commit()
    sign_in(browser_page, "applicant@example.org")
    browser_page.goto(f"/monitoring/grants/{grant.id}/variations/new")
    assert_accessible(browser_page)
    browser_page.get_by_label("Extend the end date").check()
    browser_page.get_by_label("Day").fill("31")
    browser_page.get_by_label("Month").fill("8")
    browser_page.get_by_label("Year").fill("2027")
    browser_page.get_by_label("Why is the change needed?").fill("Supplier delay")
    browser_page.get_by_role("button", name="Send request").click()
    assert "Your request has been sent" in browser_page.locator("main").inner_text()

    officer = new_page()
    sign_in(officer, "officer@example.org")
    officer.goto(f"/monitoring/staff/grants/{grant.id}")
    assert_accessible(officer)
    officer.get_by_label("Approve the change").check()
    officer.get_by_role("button", name="Save decision").click()
    assert "The change has been approved" in officer.locator("main").inner_text()
    officer.goto(f"/monitoring/staff/grants/{grant.id}/variations/new")
    assert_accessible(officer)
    officer.goto(f"/monitoring/staff/grants/{grant.id}/returns/new")
    assert_accessible(officer)
