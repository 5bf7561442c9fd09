"""Outcomes pages in a real browser, checked by axe-core: period chooser, measures, import, history, mapping."""
from grants.extensions import db

from ..factories import make_application
from ..factories_outcomes import make_measure, make_report
from ..factories_reporting import make_award
from .conftest import assert_accessible, sign_in


def test_summary_with_dates_and_outcomes_has_no_wcag_violations(browser_page, demo):
    """Does choosing dates on the summary work without JavaScript tricks, and the outcome tables pass axe?"""
    devices = make_measure("crime prevention devices fitted")
    grant = make_award(demo, status="completed")
    make_report(grant, "final", {devices: 420}, people=150, equality={"age": {"under_18": 3}})
    db.session.commit()
    sign_in(browser_page, "officer@example.org")
    browser_page.goto("/reports/summary?year=2026-27")
    browser_page.get_by_text("Or choose any dates").click()
    for field, (day, month, year) in {"start": ("1", "4", "2026"), "end": ("31", "3", "2027")}.items():
        browser_page.fill(f"#{field}-day", day)
        browser_page.fill(f"#{field}-month", month)
        browser_page.fill(f"#{field}-year", year)
    browser_page.get_by_role("button", name="Show figures").click()
    assert "1 April 2026 to 31 March 2027" in browser_page.locator(".govuk-caption-l").inner_text()
    assert "fewer than 5" in browser_page.locator("#equality").inner_text()
    assert_accessible(browser_page)
    browser_page.fill("#end-year", "2025")
    browser_page.get_by_role("button", name="Show figures").click()
    assert "after the first day" in browser_page.locator(".govuk-error-summary").inner_text()
    assert_accessible(browser_page)


def test_admin_outcome_pages_have_no_wcag_violations(browser_page, demo):
    """Do the measures list, the measure form (with an error) and the import page pass axe?"""
    make_measure("young people engaged", unit="people")
    db.session.commit()
    sign_in(browser_page, "admin@example.org")
    browser_page.goto("/admin/measures")
    assert_accessible(browser_page)
    browser_page.get_by_role("link", name="Add a measure").click()
    browser_page.get_by_role("button", name="Save measure").click()
    assert "Enter the measure's name" in browser_page.locator(".govuk-error-summary").inner_text()
    assert_accessible(browser_page)
    browser_page.goto("/admin/import-grants")
    assert_accessible(browser_page)


def test_history_and_mapping_pages_have_no_wcag_violations(browser_page, demo):
    """Do the organisation history and the officer's output mapping pages pass axe?"""
    make_measure("crime prevention devices fitted")
    application = make_application(demo, status="submitted")
    db.session.commit()
    sign_in(browser_page, "officer@example.org")
    browser_page.goto(f"/staff/applications/{application.id}/outputs")
    assert_accessible(browser_page)
    browser_page.goto(f"/staff/organisations/{application.organisation_id}/history")
    assert_accessible(browser_page)
