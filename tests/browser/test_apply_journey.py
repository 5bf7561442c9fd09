"""A new group applies end to end in real Chromium: register, confirm, organisation, save and return, upload, submit."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from grants import clock
from grants.extensions import db
from grants.models import Application, OutboxEmail

from .conftest import assert_accessible as _assert_accessible
from .conftest import sign_in

EMAIL = "chair@eston-youth.example.org"
PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_accessible(page):
    # A click that submits a form returns before the next page has its styles; axe needs them.
    page.wait_for_load_state("load")
    _assert_accessible(page)


def latest_email_to(address: str) -> OutboxEmail:
    db.session.remove()  # the server thread wrote it; read afresh
    return db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == address)
                              .order_by(OutboxEmail.id.desc())).first()


def save_section(page, completed=True, lands=True):
    page.check("#completed" if completed else "#completed-2")
    page.get_by_role("button", name="Save and continue").click()
    if lands:  # back on the task list before the next step
        expect(page.locator("h1")).to_have_text("Your application")


def open_section(page, name):
    page.locator(".govuk-task-list").get_by_role("link", name=name, exact=True).click()


def upload_supporting_documents(page, tmp_path):
    """Upload a governing document, accounts and a safeguarding policy, then mark the section complete."""
    open_section(page, "Supporting documents")
    for kind, name in (("Governing document", "constitution.pdf"), ("Latest accounts or bank statement", "bank.pdf"),
                       ("Safeguarding policy", "safeguarding.pdf")):
        path = tmp_path / name
        path.write_bytes(PDF)
        page.get_by_label(kind, exact=True).check()
        page.set_input_files("#file", str(path))
        page.get_by_role("button", name="Upload file").click()
        expect(page.get_by_text(f"{name} has been uploaded")).to_be_visible()
    save_section(page)


def test_register_apply_with_save_and_return_upload_and_submit(browser_page, demo, tmp_path):
    """Can a new group register, fill in an application over two sign-ins, upload a PDF and submit it?"""
    page = browser_page
    page.goto("/account/register")
    page.fill("#full_name", "Asha Patel")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Confirm your email address")

    link = re.search(r"https?://\S+/account/confirm/\S+", latest_email_to(EMAIL).body_text).group(0)
    page.goto(link)
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()

    page.goto("/apply/organisation")
    page.fill("#legal_name", "Eston Youth Club")
    page.get_by_label("Constituted community group").check()
    page.fill("#address_line_1", "1 High Street")
    page.fill("#town", "Eston")
    page.fill("#postcode", "ts6 9aa")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("Your organisation has been set up")).to_be_visible()

    page.get_by_role("link", name="Community Safety Fund 2026-27").click()
    page.get_by_role("button", name="Start an application").click()
    expect(page.locator("h1")).to_have_text("Your application")
    assert_accessible(page)
    reference = re.search(r"CSF-\d{4}-\d{4}", page.content()).group(0)

    open_section(page, "About the project")
    start, end = clock.today() + timedelta(days=45), clock.today() + timedelta(days=200)
    page.fill("#title", "Youth diversion football")
    page.fill("#summary", "Friday night football for young people at risk of offending")
    for name, day in (("start_date", start), ("end_date", end)):
        page.fill(f"#{name}-day", str(day.day))
        page.fill(f"#{name}-month", str(day.month))
        page.fill(f"#{name}-year", str(day.year))
    save_section(page)
    expect(page.get_by_text("'About the project' has been saved")).to_be_visible()

    open_section(page, "The need for the project")
    page.fill("#need", "Anti-social behaviour on Friday nights")
    save_section(page, lands=False)  # evidence missing: the question page shows what to fix
    expect(page).to_have_title(re.compile("^Error:"))
    assert page.locator(".govuk-error-summary").inner_text().count("Give evidence of the need") == 1
    assert page.locator("#need").input_value() == "Anti-social behaviour on Friday nights"
    assert_accessible(page)
    page.fill("#evidence", "Police figures show 40 incidents a month")
    save_section(page)

    # Save and return: sign out, sign in again, carry on where we left off.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out").wait_for()  # let sign-out finish before signing in again
    sign_in(page, EMAIL, PASSWORD)
    try:
        page.wait_for_url("**/apply/")
    except Exception:
        raise AssertionError(f"sign-in did not land: {page.url} {page.locator('main').inner_text()}")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator(".govuk-task-list__status").nth(1)).to_have_text("Completed")
    expect(page.locator(".govuk-task-list__status").nth(2)).to_have_text("Completed")

    open_section(page, "Organisation details")
    save_section(page)
    open_section(page, "What you will do")
    page.fill("#activities", "Weekly coached sessions with mentoring")
    save_section(page)
    open_section(page, "Where and who will benefit")
    page.get_by_label("Redcar and Cleveland").check()
    page.fill("#beneficiaries", "Young people aged 11 to 16")
    page.fill("#beneficiary_count", "60")
    save_section(page)
    open_section(page, "Police and Crime Plan objectives")
    page.get_by_label("3. Tackling Offending and Re-offending").check()
    page.fill("#crime_reduction_reasons", "Diverts young people from anti-social behaviour")
    save_section(page)
    open_section(page, "Planned outputs")
    page.fill("#measure_0", "football sessions")
    page.fill("#target_0", "40")
    page.get_by_role("button", name="Add another output").click()
    expect(page.locator("#measure_1")).to_be_visible()
    page.fill("#measure_1", "young people attending")
    page.fill("#target_1", "60")
    save_section(page)
    open_section(page, "Budget")
    page.fill("#item_0", "Coaches")
    page.fill("#cost_0", "£2,400")
    page.get_by_role("button", name="Add another cost").click()
    expect(page.locator("#item_1")).to_be_visible()
    page.fill("#item_1", "Pitch hire")
    page.fill("#cost_1", "1250.50")
    save_section(page)
    open_section(page, "Safeguarding")
    page.get_by_label("Yes", exact=True).check()
    page.fill("#safeguarding", "All coaches are DBS checked; the club has a safeguarding lead")
    save_section(page)

    upload_supporting_documents(page, tmp_path)

    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your application")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_text("£3,650.50", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.fill("#declaration_position", "Chair")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Accept and send").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Application submitted")
    assert reference in page.locator(".govuk-panel__body").inner_text()
    assert_accessible(page)
    db.session.remove()
    application = db.session.scalar(db.select(Application).where(Application.reference == reference))
    assert application.status == "submitted" and application.amount_requested_pence == 365_050
    assert latest_email_to(EMAIL).subject == f"Application {reference} received"
