"""Correcting a decision and declining an offer, in a real browser, checked by axe-core."""
from grants.extensions import db

from ..factories_decisions import approve, make_assessed
from .conftest import assert_accessible, sign_in


def test_pcc_corrects_an_award_and_applicant_declines_it(browser_page, _browser, live_server, demo):
    """Can the PCC correct an award (errors shown accessibly), and the applicant then decline the revised offer?"""
    application = make_assessed(demo, amount_pence=400_000)
    record = approve(demo, application)
    db.session.commit()

    page = browser_page
    sign_in(page, "pcc@example.org")
    page.goto(f"/decisions/records/{record.id}")
    page.get_by_role("link", name="Correct this decision").click()
    page.get_by_label("Amount to award").fill("5000")
    page.get_by_role("button", name="Record the correction").click()
    assert page.title().startswith("Error:")
    assert "The award cannot be more than the £4,000 requested" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Amount to award").fill("3500")
    page.get_by_label("Reasons for the correction").fill("The alarm supplier's quote was lower")
    page.get_by_label("I have no interest to declare").check()
    page.get_by_role("button", name="Record the correction").click()
    assert "supersedes" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    context = _browser.new_context(base_url=live_server)
    applicant = context.new_page()
    sign_in(applicant, "applicant@example.org")
    applicant.goto(f"/decisions/offers/{application.id}")
    assert "£3,500" in applicant.locator("main").inner_text()
    assert "replaced by a later letter" in applicant.locator("main").inner_text()
    applicant.get_by_role("link", name="Decline the offer").click()
    assert_accessible(applicant)
    applicant.get_by_label("Your full name").fill("Jo Bloggs")
    applicant.get_by_label("Your position in the organisation").fill("Chair")
    applicant.get_by_role("button", name="Decline the offer").click()
    assert "You have declined the offer" in applicant.locator(".govuk-notification-banner").inner_text()
    assert_accessible(applicant)
    context.close()
