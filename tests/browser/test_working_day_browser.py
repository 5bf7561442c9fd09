"""The working day in a real browser: search from the header, the organisation record, notes and messages,
checked by axe-core."""
from playwright.sync_api import expect

from grants.extensions import db

from ..factories import make_application
from .conftest import assert_accessible, sign_in


def test_officer_finds_an_organisation_opens_its_record_and_writes_to_it(browser_page, demo):
    """Can an officer search from the header, open the organisation record, keep a note and send a message,
    on accessible pages?"""
    application = make_application(demo, status="submitted", title="Allotment padlocks")
    db.session.commit()
    page = browser_page
    sign_in(page, "officer@example.org")
    page.get_by_label("Find an application or organisation").fill("allotment holders")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("h1")).to_have_text("Search")
    assert_accessible(page)
    page.locator("#organisations + ul a").first.click()
    expect(page.locator("h1")).to_have_text(application.organisation.legal_name)
    assert_accessible(page)
    page.get_by_role("link", name="Messages with the organisation").click()
    page.get_by_label("Write to the organisation").fill("Please send your latest accounts.")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#messages")).to_contain_text("Please send your latest accounts.")
    assert_accessible(page)
    page.goto(page.url.split("/staff/")[0] + f"/staff/applications/{application.id}")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the note")
    assert_accessible(page)
