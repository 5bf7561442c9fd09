"""The other applicant pages (and the staff list) checked by axe-core in real Chromium."""
import re

from playwright.sync_api import expect

from grants.extensions import db

from ..factories_applicant import make_draft, submit_draft
from .conftest import assert_accessible, sign_in


def test_applicant_pages_have_no_wcag_violations(browser_page, demo):
    """Do the dashboard, organisation pages, row and upload pages, read-only view and withdraw page pass axe?"""
    draft = make_draft(demo)
    sent = make_draft(demo)
    submit_draft(sent, demo.applicant)
    db.session.commit()
    page = browser_page
    sign_in(page, "applicant@example.org")
    page.wait_for_url("**/apply/")  # the sign-in must land before the next navigation
    base = f"/apply/applications/{draft.id}"
    for path in ["/apply/", "/apply/organisation", "/apply/organisation/edit", "/apply/organisation/invite",
                 f"/apply/rounds/{demo.csf_round.id}", f"{base}/sections/project", f"{base}/sections/where_and_who",
                 f"{base}/sections/outputs?add=1", f"{base}/sections/budget", f"{base}/sections/safeguarding",
                 f"{base}/sections/attachments", f"/apply/applications/{sent.id}",
                 f"/apply/applications/{sent.id}/withdraw"]:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    page.goto(f"{base}/sections/outputs?add=1")
    page.fill("#measure_1", "leaflets delivered")
    page.fill("#target_1", "500")
    page.press("#target_1", "Enter")  # must save, never press the first row's "Remove"
    page.wait_for_url(f"**/apply/applications/{draft.id}")
    db.session.remove()
    assert [o.measure for o in db.session.get(type(draft), draft.id).planned_outputs] == [
        "padlocks and alarms fitted", "leaflets delivered"]
    page.goto(f"{base}/sections/budget")
    page.fill("#cost_0", "lots")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile("^Error:"))
    page.wait_for_load_state("load")
    assert_accessible(page)


def test_staff_application_pages_have_no_wcag_violations(browser_page, demo):
    """Do the staff list and read-only application page pass axe?"""
    sent = make_draft(demo)
    submit_draft(sent, demo.applicant)
    db.session.commit()
    sign_in(browser_page, "officer@example.org")
    browser_page.wait_for_url("**/staff/applications")
    for path in ["/staff/applications", f"/staff/applications/{sent.id}"]:
        browser_page.goto(path)
        assert_accessible(browser_page)
