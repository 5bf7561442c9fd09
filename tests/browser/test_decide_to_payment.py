"""Approve → award letter → accept → pay, in a real browser with CSRF on."""
import io

from pypdf import PdfReader

from grants import clock
from grants.extensions import db
from grants.models import Payment

from ..factories_decisions import make_assessed
from .conftest import assert_accessible, sign_in


def _new_page(_browser, live_server):
    context = _browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_approve_letter_accept_and_pay(browser_page, _browser, live_server, demo):
    """Can a decision maker approve, the applicant read the letter and accept, and finance pay the first instalment?"""
    application = make_assessed(demo, amount_pence=400_000, title="Allotment padlocks and alarms")
    db.session.commit()

    # The Chief Executive approves within their delegated limit.
    page = browser_page
    sign_in(page, "ceo@example.org")
    page.goto("/decisions/")
    assert_accessible(page)
    page.get_by_role("link", name=f"{application.reference}: Allotment padlocks and alarms").click()
    assert "Remaining budget in this round: £150,000" in page.locator("#budget").inner_text()
    assert_accessible(page)
    page.get_by_label("I have no interest to declare").check()
    page.get_by_label("Approve in full").check()
    page.get_by_label("Reasons for the decision").fill("Clear evidence of repeated break-ins; good value")
    page.get_by_label("Public summary (approvals only)").fill("Alarms for allotment sheds hit by repeated break-ins")
    page.get_by_label("Special conditions (approvals only, optional)").fill("Fit the alarms before the first payment")
    page.get_by_role("button", name="Record the decision").click()
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Decision record CSF/")
    number = heading.removeprefix("Decision record ")
    assert_accessible(page)

    # The applicant reads the award letter and accepts the offer.
    context, applicant = _new_page(_browser, live_server)
    sign_in(applicant, "applicant@example.org")
    applicant.goto(f"/decisions/offers/{application.id}")
    assert_accessible(applicant)
    with applicant.expect_download() as download_info:
        applicant.get_by_role("link", name="Award letter").click()
    letter = download_info.value
    text = " ".join(PdfReader(io.BytesIO(open(letter.path(), "rb").read())).pages[0].extract_text().split())
    assert number in text and "£4,000.00" in text
    applicant.get_by_role("link", name="Accept the offer").click()
    assert_accessible(applicant)
    applicant.get_by_label("Your full name").fill("Jo Bloggs")
    applicant.get_by_label("Your position in the organisation").fill("Treasurer")
    applicant.get_by_label("Name on the account").fill("Hartlepool Allotment Holders Assoc")
    applicant.get_by_label("Sort code").fill("30-94-30")
    applicant.get_by_label("Account number").fill("7391 4682")
    applicant.get_by_label("A bank statement or paying-in slip").set_input_files(files=[{
        "name": "statement.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
    applicant.get_by_label("I confirm that I am authorised").check()
    applicant.get_by_role("button", name="Accept the offer").click()
    assert applicant.locator("h1").inner_text() == "Offer accepted"
    assert_accessible(applicant)
    context.close()

    # Finance rings the number in the organisation's records, then pays the first half, released on acceptance.
    context, finance = _new_page(_browser, live_server)
    sign_in(finance, "finance@example.org")
    finance.goto("/finance/bank-details")
    assert_accessible(finance)
    finance.get_by_role("link", name="Check the bank details of Hartlepool Allotment Holders Association").click()
    assert "73914682" in finance.locator(".govuk-summary-list").inner_text()
    assert "01429 000111" in finance.locator(".govuk-summary-list").inner_text()
    assert_accessible(finance)
    finance.get_by_label("Who did you speak to?").fill("Janet Armstrong, chair")
    today = clock.today()
    finance.get_by_label("Day").fill(str(today.day))
    finance.get_by_label("Month").fill(str(today.month))
    finance.get_by_label("Year").fill(str(today.year))
    finance.get_by_label("I rang the number in the organisation's records").check()
    finance.get_by_role("button", name="Record the call-back").click()
    assert "are verified" in finance.locator(".govuk-notification-banner").inner_text()
    finance.goto("/decisions/payments")
    assert_accessible(finance)
    finance.get_by_role("link", name=f"Record payment for {application.reference} instalment 1").click()
    today = clock.today()
    finance.get_by_label("Day").fill(str(today.day))
    finance.get_by_label("Month").fill(str(today.month))
    finance.get_by_label("Year").fill(str(today.year))
    finance.get_by_label("Payment reference").fill("BACS-2026-0042")
    assert_accessible(finance)
    finance.get_by_role("button", name="Record the payment").click()
    assert "Payment of £2,000.00" in finance.locator(".govuk-notification-banner").inner_text()
    context.close()
    db.session.expire_all()
    assert db.session.scalar(db.select(Payment)).amount_pence == 200_000
