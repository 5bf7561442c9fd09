"""Setting up a round, and the administrators' reference lists, in a real browser checked by axe-core."""
from datetime import timedelta

from grants import clock

from .conftest import assert_accessible, sign_in


def test_officer_sets_up_a_round_with_errors_then_fixed_and_no_wcag_violations(browser_page, demo):
    """Can an officer set up a round from its page, fixing the refusal the page explains, with no axe violations?"""
    sign_in(browser_page, "officer@example.org")
    browser_page.goto("/staff/funds")
    assert_accessible(browser_page)
    browser_page.goto("/staff/rounds/new")
    assert_accessible(browser_page)
    page = browser_page
    opens = clock.today() + timedelta(days=14)
    page.get_by_label("Fund").select_option(label="Police Property Act Fund (PPAF)")
    page.get_by_label("Name", exact=True).fill("Spring grants")
    page.get_by_label("Financial year").fill(clock.financial_year(opens))
    for legend, day in (("Opening date", opens), ("Closing date", opens)):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    for label, value in (("Budget", "4000"), ("Smallest award", "100"), ("Largest award", "2500"),
                         ("Delegated limit", "2500"), ("Full-payment threshold", "2500")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Set up round").click()
    assert "The closing date must be after the opening date" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    group = page.get_by_role("group", name="Closing date")
    group.get_by_label("Day").fill(str((opens + timedelta(days=60)).day))
    group.get_by_label("Month").fill(str((opens + timedelta(days=60)).month))
    group.get_by_label("Year").fill(str((opens + timedelta(days=60)).year))
    page.get_by_role("button", name="Set up round").click()
    assert page.locator("h1").inner_text() == "Police Property Act Fund Spring grants"
    assert_accessible(page)
    page.get_by_role("link", name="Copy this round").click()
    assert_accessible(page)


def test_admin_reference_pages_have_no_wcag_violations(browser_page, demo):
    """Do the plan objectives and areas pages, and their forms, pass axe's WCAG 2.2 A/AA rules?"""
    sign_in(browser_page, "admin@example.org")
    for url in ("/admin/objectives", "/admin/objectives/plans/new", "/admin/areas", "/admin/areas/new"):
        browser_page.goto(url)
        assert_accessible(browser_page)
    browser_page.goto("/admin/areas/new")
    browser_page.get_by_label("Name").fill("County Durham")
    browser_page.get_by_label("GSS code").fill("E060047")
    browser_page.get_by_role("button", name="Save area").click()
    assert "capital letter followed by 8 digits" in browser_page.locator(".govuk-error-summary").inner_text()
    assert_accessible(browser_page)
