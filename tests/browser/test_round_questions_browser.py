"""Round questions in a real browser: an officer builds them, an applicant answers, an assessor reads the answers."""
from datetime import timedelta

from playwright.sync_api import expect

from grants import clock
from grants.extensions import db
from grants.models import Application, Round, User
from grants.services import rounds as round_service

from ..factories_applicant import make_draft
from ..factories_assessment import make_assignment
from .conftest import assert_accessible, sign_in


def _user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def _save(page):
    page.get_by_label("Yes, I’ve completed this section").check()
    page.get_by_role("button", name="Save and continue").click()


def test_officer_builds_conditional_questions_applicant_answers_assessor_reads(browser_page, demo):
    """Can an officer build a section with a conditional question (builder and preview pass axe), an applicant
    answer it with the condition on and off and submit, and an assessor then read the answers?"""
    page = browser_page
    future = round_service.copy_round(demo.csf_round, name="Next year", actor=demo.officer)
    db.session.commit()
    round_id = future.id

    sign_in(page, "officer@example.org")
    page.goto(f"/staff/rounds/{round_id}")
    page.get_by_role("link", name="Change the round’s questions").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add section").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title for the section")
    assert_accessible(page)
    page.get_by_label("Section title").fill("Your premises")
    page.get_by_role("button", name="Add section").click()
    page.get_by_role("link", name="Add a question to Your premises").click()
    page.get_by_label("Question", exact=True).fill("Do you rent your premises?")
    page.get_by_label("Yes or no").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save question").click()
    page.get_by_role("link", name="Add a question to Your premises").click()
    page.get_by_label("Question", exact=True).fill("What is the yearly rent?")
    page.get_by_label("Amount of money").check()
    page.get_by_label("When to show it").select_option(label="Only if ‘Do you rent your premises?’ is answered ‘Yes’")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Shown only if ‘Do you rent your premises?’ is answered ‘Yes’")).to_be_visible()
    page.get_by_role("link", name="Preview the questions as applicants will see them").click()
    expect(page.get_by_label("What is the yearly rent?")).to_be_hidden()
    page.get_by_role("group", name="Do you rent your premises?").get_by_label("Yes").check()
    expect(page.get_by_label("What is the yearly rent?")).to_be_visible()
    assert_accessible(page)

    # The round opens (its questions freeze) and the applicant fills in a draft.
    db.session.remove()
    round_ = db.session.get(Round, round_id)
    round_.opens_on, round_.closes_on = clock.today(), clock.today() + timedelta(days=30)
    round_.max_award_pence = max(round_.max_award_pence, 300_000)
    draft = make_draft(demo, user=_user("applicant@example.org"), round_=round_)
    db.session.commit()
    draft_id, reference = draft.id, draft.reference

    page.context.clear_cookies()
    sign_in(page, "applicant@example.org")
    page.goto(f"/apply/applications/{draft_id}")
    page.get_by_role("link", name="Your premises").click()
    assert_accessible(page)
    expect(page.get_by_label("What is the yearly rent?")).to_be_hidden()  # shown only once Yes is chosen
    page.get_by_role("group", name="Do you rent your premises?").get_by_label("Yes").check()
    expect(page.get_by_label("What is the yearly rent?")).to_be_visible()
    page.get_by_label("What is the yearly rent?").fill("twelve thousand")
    _save(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("What is the yearly rent?:")
    assert_accessible(page)
    page.get_by_label("What is the yearly rent?").fill("12,000")
    _save(page)
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator("#section-questions_1, .govuk-summary-card").filter(has_text="Your premises")).to_contain_text(
        "£12,000")
    # Condition off: the rent is neither asked for nor kept.
    page.goto(f"/apply/applications/{draft_id}")
    page.get_by_role("link", name="Your premises").click()
    page.get_by_role("group", name="Do you rent your premises?").get_by_label("No").check()
    expect(page.get_by_label("What is the yearly rent?")).to_be_hidden()
    _save(page)
    page.get_by_role("link", name="Check your answers and submit").click()
    card = page.locator(".govuk-summary-card").filter(has_text="Your premises")
    expect(card).not_to_contain_text("What is the yearly rent?")
    # Condition on again, then submit.
    page.goto(f"/apply/applications/{draft_id}")
    page.get_by_role("link", name="Your premises").click()
    page.get_by_role("group", name="Do you rent your premises?").get_by_label("Yes").check()
    page.get_by_label("What is the yearly rent?").fill("£12,500")
    _save(page)
    page.get_by_role("link", name="Check your answers and submit").click()
    assert_accessible(page)
    page.fill("#declaration_position", "Chair")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Application submitted")

    db.session.remove()
    application = db.session.scalar(db.select(Application).where(Application.reference == reference))
    assert application.versions[0].data[f"questions_{application.round.question_sections[0].id}"] == {
        "answers": [{"question": "Do you rent your premises?", "answer": "Yes"},
                    {"question": "What is the yearly rent?", "answer": "£12,500"}]}
    application.status = "in_assessment"
    make_assignment(application, _user("assessor@example.org"), officer=_user("officer@example.org"))
    db.session.commit()

    page.context.clear_cookies()
    sign_in(page, "assessor@example.org")
    page.goto(f"/assessment/applications/{application.id}/score")
    expect(page.get_by_text("What is the yearly rent?")).to_be_visible()
    expect(page.get_by_text("£12,500", exact=True)).to_be_visible()


def test_long_answers_count_words_as_the_applicant_types(browser_page, demo):
    """Does a long-text question show how many words are left while typing, and say when there are too many?"""
    from grants.models import QuestionKind
    from grants.services.round_questions import QuestionInput

    from ..factories_questions import build_questions

    section, (question,) = build_questions(demo.csf_round, demo.officer, questions=[
        QuestionInput(kind=QuestionKind.LONG_TEXT, title="How will you run it?", word_limit=5)])
    draft = make_draft(demo)
    db.session.commit()
    page = browser_page
    sign_in(page, "applicant@example.org")
    page.goto(f"/apply/applications/{draft.id}/sections/{section.slug}")
    page.get_by_label("How will you run it?").fill("Volunteers open the hall")
    expect(page.locator(".govuk-character-count__status")).to_have_text("You have 1 word remaining")
    page.get_by_label("How will you run it?").fill("Volunteers open the hall on Fridays")
    expect(page.locator(".govuk-character-count__status")).to_have_text("You have 1 word too many")
    assert_accessible(page)
    _save(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "How will you run it?: your answer must be 5 words or fewer; it has 6, so remove 1")
