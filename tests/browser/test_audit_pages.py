"""The auditor's, administrator's and two-factor pages in a real browser, checked by axe-core."""
import re
import time

import pyotp
from playwright.sync_api import expect

from grants.extensions import db
from grants.services import audit

from ..factories import make_application
from ..factories_audit import make_assessment, make_decision_record, make_letter
from .conftest import assert_accessible, sign_in


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_auditor_pages_are_accessible_and_read_only(browser_page, demo):
    """Can an auditor search, expand an event, open a history and verify the chain, on accessible pages?"""
    application = make_application(demo, status="submitted")
    audit.record("application.submitted", actor=demo.applicant, entity=application, application=application,
                 before={"status": "draft"}, after={"status": "submitted"}, reason="Ready to go")
    make_assessment(demo, application, conflict=True, nature="Trustee")
    record = make_decision_record(demo, application)
    make_letter(demo, application, record)
    db.session.commit()
    page = browser_page
    csp = _csp_errors(page)
    sign_in(page, "auditor@example.org")
    expect(page.locator("h1")).to_have_text("Audit trail")
    page.get_by_label("Action").fill("application.")
    page.get_by_role("button", name="Search").click()
    page.get_by_text(re.compile(r"Details of event \d+")).first.click()
    expect(page.locator("details").first).to_contain_text("Ready to go")
    assert_accessible(page)
    page.get_by_role("link", name="Application history for event").first.click()
    expect(page.locator("h1")).to_have_text(f"History of {application.reference}")
    assert_accessible(page)
    for link, heading in [("Conflicts of interest", "Conflicts of interest register"),
                          ("Decision records", "Decision records"), ("Verify the chain", "Verify the audit trail"),
                          ("Application histories", "Application histories")]:
        page.goto("/audit/")
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading)
        assert_accessible(page)
    page.goto("/audit/verify")
    expect(page.locator("main")).to_contain_text("The audit trail is intact")
    assert csp == []


def test_two_factor_enrolment_and_sign_in(browser_page, demo):
    """Can someone scan (or type) the secret, switch on two-factor, and then sign in with a code?"""
    page = browser_page
    csp = _csp_errors(page)
    sign_in(page, "applicant@example.org")
    page.get_by_role("link", name="Account security").click()
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.locator(".app-qr-code svg")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Switch on two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Two-factor authentication is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out").wait_for()
    sign_in(page, "applicant@example.org")
    page.wait_for_url(re.compile(r".*/account/two-factor/verify.*"))
    assert_accessible(page)
    page.get_by_label("Enter the code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    # The enrolment code is used up; the app's next code is accepted (one step of clock drift allowed).
    page.get_by_label("Enter the code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/account/two-factor/verify" not in url)
    assert csp == []


def test_admin_deactivates_an_account(browser_page, demo):
    """Can an admin find a user and deactivate them with a reason, on accessible pages?"""
    page = browser_page
    sign_in(page, "admin@example.org")
    expect(page.locator("h1")).to_have_text("Users")
    assert_accessible(page)
    page.get_by_label("Name or email address").fill("finance")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Lesley Parker").click()
    assert_accessible(page)
    page.get_by_role("link", name="Change roles or decision authority").click()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Deactivate account").click()
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Left the organisation")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("deactivated")
