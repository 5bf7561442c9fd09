"""Assessment in a real browser: an assessor declares, scores and submits; axe checks every assessment page."""
from grants.extensions import db

from ..factories import make_application
from ..factories_assessment import make_assessed, make_assignment, make_version
from .conftest import assert_accessible, sign_in


def test_assessor_declares_scores_and_submits(browser_page, demo):
    """Can an assessor declare no conflict, save a draft, fix a refused submission and submit, all accessibly?"""
    application = make_application(demo, status="in_assessment", title="Scam awareness for older people")
    make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    db.session.commit()
    page = browser_page
    sign_in(page, "assessor@example.org")
    page.goto("/assessment/")
    assert page.locator("h1").inner_text() == "Your assessments"
    assert_accessible(page)
    page.get_by_role("link", name=f"Declare interests for {application.reference}").click()
    assert page.locator("h1").inner_text() == "Declare your interests"
    assert "Sheds broken into" not in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm declaration").click()
    assert page.locator(".govuk-error-summary").inner_text().count("Select whether you have a conflict") == 1
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Confirm declaration").click()

    assert page.locator("h1").inner_text() == "Scam awareness for older people"
    assert_accessible(page)
    criteria = list(application.round.criteria)
    first = page.get_by_role("group", name=f"{criteria[0].name} ({criteria[0].weight_percent}% of the score)")
    first.get_by_label("4 – Good: clear and convincing").check()
    page.get_by_role("button", name="Save draft").click()
    assert "Your draft scores have been saved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(f"#score_{criteria[0].id}-5").is_checked()

    for c, value in zip(criteria[1:], ["3", "1", "4", "5"]):
        group = page.get_by_role("group", name=f"{c.name} ({c.weight_percent}% of the score)")
        group.locator(f"input[value='{value}']").check()
    page.get_by_role("button", name="Submit assessment").click()
    summary = page.locator(".govuk-error-summary")
    assert "Explain your score of 1 for Deliverability and governance" in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    page.locator(f"#comment_{criteria[2].id}").fill("No named person is responsible for the money")
    page.get_by_role("button", name="Submit assessment").click()
    assert "has been submitted" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("heading", name="Your submitted scores").is_visible()
    assert_accessible(page)
    db.session.expire_all()
    db.session.refresh(application)
    assert application.status == "assessed"


def test_officer_assessment_pages_have_no_wcag_violations(browser_page, demo):
    """Do the officer's screening, more-information, changes, assessors, moderation, panel, register and round pages pass axe?"""
    submitted = make_application(demo, status="submitted", title="Youth diversion football")
    make_version(submitted, 1, {"project": {"summary": "Football on Friday nights"}})
    make_version(submitted, 2, {"project": {"summary": "Football on Friday and Saturday nights"}})
    in_assessment = make_application(demo, status="in_assessment", amount_pence=600_000, title="Welfare packs")
    make_assignment(in_assessment, demo.assessor2, officer=demo.officer, status="conflicted")
    flagged = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]], title="Padlocks")
    db.session.commit()
    page = browser_page
    sign_in(page, "officer@example.org")
    paths = [
        ("/staff/rounds", "Rounds"),
        (f"/staff/rounds/{demo.csf_round.id}", "Community Safety Fund 2026-27"),
        (f"/staff/rounds/{demo.csf_round.id}/checklist", "Eligibility checklist"),
        (f"/staff/rounds/{demo.csf_round.id}/checklist/new", "Add an eligibility check"),
        (f"/staff/rounds/{demo.ppaf_round.id}/rubric", "Scoring rubric"),
        (f"/assessment/applications/{submitted.id}/screening", "Screen for eligibility"),
        (f"/assessment/applications/{submitted.id}/more-information", "Ask the applicant for more information"),
        (f"/assessment/applications/{submitted.id}/changes", "What the applicant changed"),
        (f"/assessment/applications/{in_assessment.id}/assessors", "Assessors"),
        (f"/assessment/applications/{flagged.id}", "Assessment of Padlocks"),
        (f"/assessment/applications/{flagged.id}/moderation", "Moderate the scores"),
        ("/assessment/panels", "Panel"),
        (f"/assessment/panels/{demo.csf_round.id}", "Community Safety Fund 2026-27"),
        (f"/assessment/rounds/{demo.csf_round.id}/conflicts", "Register of interests"),
    ]
    for path, heading in paths:
        page.goto(path)
        assert page.locator("h1").inner_text() == heading, path
        assert_accessible(page)
    # Error states too: a screening with nothing answered, a rubric that does not add up.
    page.goto(f"/assessment/applications/{submitted.id}/screening")
    page.get_by_role("button", name="Record screening").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.goto(f"/staff/rounds/{demo.ppaf_round.id}/rubric")
    page.locator("#criteria-0-weight_percent").fill("99")
    page.get_by_role("button", name="Save rubric").click()
    assert "They add up to 174%" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
