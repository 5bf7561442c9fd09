"""The fund summary and the public register in a real browser, checked by axe-core."""
from grants.extensions import db

from ..factories_reporting import make_award, make_final_report
from .conftest import assert_accessible, sign_in


def _awards(demo):
    first = make_award(demo, status="completed", awarded_pence=250_000, objectives=(1, 4), reasons="Deters theft")
    make_award(demo, status="funded", awarded_pence=90_000, areas=("Middlesbrough",), objectives=(3,),
               title="Youth diversion football")
    make_final_report(demo, first, {"Padlocks and alarms fitted": 420})
    db.session.commit()


def test_fund_summary_page_has_no_wcag_violations(browser_page, demo):
    """Does the summary page, with its SVG charts and tables, pass axe's WCAG 2.2 A/AA rules?"""
    _awards(demo)
    sign_in(browser_page, "officer@example.org")
    browser_page.goto("/reports/summary?year=all")
    assert browser_page.locator("h1").inner_text() == "Fund summary"
    assert browser_page.get_by_role("img", name="Amount awarded by local authority area").count() == 1
    assert_accessible(browser_page)
    browser_page.get_by_label("Fund").select_option("CSF")
    browser_page.get_by_role("button", name="Show figures").click()
    assert "Community Safety Fund, all years" in browser_page.locator(".govuk-caption-l").inner_text()
    assert_accessible(browser_page)


def test_public_register_and_monthly_view_have_no_wcag_violations(browser_page, demo):
    """Do the public register (searched) and the monthly view pass axe's WCAG 2.2 A/AA rules?"""
    _awards(demo)
    browser_page.goto("/grants")
    assert browser_page.locator("h1").inner_text() == "Grants awarded"
    assert_accessible(browser_page)
    browser_page.get_by_label("Search by organisation, project or reference").fill("football")
    browser_page.get_by_role("button", name="Apply filters").click()
    assert browser_page.locator(".govuk-summary-card__title").all_inner_texts() == ["Youth diversion football"]
    assert_accessible(browser_page)
    browser_page.goto("/grants/monthly")
    assert "July 2026" in browser_page.locator("table").inner_text()
    assert_accessible(browser_page)
