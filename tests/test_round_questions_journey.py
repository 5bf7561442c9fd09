"""Round questions through the pages: officers build and preview them, applicants answer, staff read the answers."""
from __future__ import annotations

from sqlalchemy import select

from grants.extensions import db
from grants.models import Application, OutboxEmail, QuestionKind, QuestionSection
from grants.services import rounds as round_service
from grants.services.round_questions import QuestionInput

from .factories_applicant import make_draft, submit_draft
from .factories_questions import build_questions
from .helpers import error_messages, text_of
from .test_rounds_journey import Filler

HOSTILE = '<script>alert("q")</script>'


def _future_round(demo):
    round_ = round_service.copy_round(demo.csf_round, name="Next year", actor=demo.officer)
    db.session.commit()
    return round_


def test_officer_builds_a_section_with_a_conditional_question_and_previews_it(as_officer, demo):
    """Can an officer add a section, a yes/no question and a money question shown only on Yes, and see them in the
    preview exactly as applicants will, with the condition explained?"""
    round_ = _future_round(demo)
    base = f"/staff/rounds/{round_.id}/questions"
    page = as_officer.post_page(base, {"action": "add_section", "title": "Your premises"})
    assert "The section ‘Your premises’ has been added" in text_of(page)
    section = db.session.scalar(select(QuestionSection).where(QuestionSection.round_id == round_.id))
    form = Filler(as_officer.get_page(f"{base}/sections/{section.id}/new"))
    form.fill("Question", "Do you rent your premises?").data.update(kind="yes_no", required="yes")
    as_officer.post_page(form_url := f"{base}/sections/{section.id}/new", form.data)
    form = Filler(as_officer.get_page(form_url))
    form.fill("Question", "What is the yearly rent?").fill("Hint (optional)", "Include service charges")
    form.select_option("When to show it", "Only if ‘Do you rent your premises?’ is answered ‘Yes’")
    form.data.update(kind="money", required="yes")
    page = as_officer.post_page(form_url, form.data)
    assert "The question has been saved" in text_of(page)
    assert "Shown only if ‘Do you rent your premises?’ is answered ‘Yes’" in text_of(page)
    preview = as_officer.get_page(f"{base}/preview")
    text = text_of(preview)
    assert "Your premises" in text and "Do you rent your premises?" in text
    assert "Include service charges. Answer this only if you answered ‘Yes’ to ‘Do you rent your premises?’" in text
    assert preview.select_one(".govuk-input__prefix").get_text() == "£"


def test_question_form_says_how_to_fix_each_problem(as_officer, demo):
    """Does a question without a title, options or word limit come back with a message for each?"""
    round_ = _future_round(demo)
    base = f"/staff/rounds/{round_.id}/questions"
    as_officer.post_page(base, {"action": "add_section", "title": "More about you"})
    section = round_.question_sections[0]
    page = as_officer.post_page(f"{base}/sections/{section.id}/new", {"kind": "one_choice", "options": "Only one"})
    assert error_messages(page) == ["Enter the question, like ‘Do you own your premises?’",
                                    "Enter at least 2 options, one on each line"]
    page = as_officer.post_page(f"{base}/sections/{section.id}/new", {"kind": "long_text", "title": "Your plan"})
    assert error_messages(page) == ["Enter a word limit from 1 to 2,000, like 250"]


def test_an_open_rounds_questions_are_frozen_on_the_page(as_officer, demo):
    """Does an open round's question page say the questions are frozen and offer no way to add or change them?"""
    build_questions(demo.csf_round, demo.officer)
    db.session.commit()
    soup = as_officer.get_page(f"/staff/rounds/{demo.csf_round.id}/questions")
    assert "The round has opened, so its questions can no longer change" in text_of(soup)
    assert not soup.find("a", string=lambda s: s and s.startswith("Add a question"))
    assert not soup.find("a", string=lambda s: s and s.startswith("Change"))
    page = as_officer.post_page(f"/staff/rounds/{demo.csf_round.id}/questions",
                                {"action": "add_section", "title": "Late"})
    assert "The round has opened, so its questions can no longer change" in " ".join(error_messages(page))


def test_removing_an_answered_question_asks_and_emails_the_applicant(as_officer, demo):
    """Does removing an answered question show how many drafts answered it, and email them once confirmed?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    draft = make_draft(demo)
    from grants.services import applications

    applications.save_section(draft, section=section.slug, values={rents.field_name: "yes", rent.field_name: "900"},
                              completed=True, actor=demo.applicant)
    db.session.commit()
    url = f"/staff/rounds/{demo.csf_round.id}/questions/{rent.id}/remove"
    assert "1 draft application has answered this question" in text_of(as_officer.get_page(url))
    page = as_officer.post_page(url, {"confirmed": "yes"})
    assert "‘What is the yearly rent?’ has been removed. 1 applicant organisation has been told." in text_of(page)
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.application_id == draft.id)
                              .order_by(OutboxEmail.id.desc()))
    assert "no longer asks ‘What is the yearly rent?’" in email.body_text


def test_applicant_answers_round_questions_and_staff_read_them(as_applicant, as_officer, demo):
    """Does the applicant see the round's section in the task list, get an error summary for a bad amount, see the
    answers on check-answers, and do staff see them on the application page after submission?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    draft = make_draft(demo)
    db.session.commit()
    task_list = as_applicant.get_page(f"/apply/applications/{draft.id}")
    link = task_list.find("a", string="Your premises")
    assert link is not None and "Not started" in text_of(task_list)
    page = as_applicant.post_page(link["href"], {rents.field_name: "yes", rent.field_name: "£9,00.001",
                                                 "completed": "yes"})
    assert error_messages(page)[0].startswith("What is the yearly rent?:")
    assert page.find("input", attrs={"name": rent.field_name})["value"] == "£9,00.001"
    page = as_applicant.post_page(link["href"], {rents.field_name: "yes", rent.field_name: "", "completed": "yes"})
    assert error_messages(page) == ["Answer ‘What is the yearly rent?’"]
    as_applicant.post_page(link["href"], {rents.field_name: "yes", rent.field_name: "£12,000", "completed": "yes"})
    check = text_of(as_applicant.get_page(f"/apply/applications/{draft.id}/check"))
    assert "Your premises" in check and "What is the yearly rent? £12,000" in check
    submit_draft(draft, demo.applicant)
    db.session.commit()
    staff = text_of(as_officer.get_page(f"/staff/applications/{draft.id}"))
    assert "Do you rent your premises? Yes" in staff and "What is the yearly rent? £12,000" in staff


def test_hostile_text_in_questions_and_answers_is_shown_as_text(as_applicant, as_officer, demo):
    """Is markup in a question's title, hint, options and an answer escaped on the builder, preview, applicant and
    staff pages?"""
    section, (question,) = build_questions(demo.csf_round, demo.officer, title=HOSTILE, questions=[
        QuestionInput(kind=QuestionKind.ONE_CHOICE, title=HOSTILE, hint=HOSTILE, options=[HOSTILE, "Other"])])
    draft = make_draft(demo)
    db.session.commit()
    url = f"/apply/applications/{draft.id}/sections/{section.slug}"
    as_applicant.post_page(url, {question.field_name: HOSTILE, "completed": "yes"})
    submit_draft(draft, demo.applicant)
    db.session.commit()
    for client, page_url in ((as_officer, f"/staff/rounds/{demo.csf_round.id}/questions"),
                             (as_officer, f"/staff/rounds/{demo.csf_round.id}/questions/preview"),
                             (as_applicant, f"/apply/applications/{draft.id}"),
                             (as_officer, f"/staff/applications/{draft.id}")):
        response = client.get(page_url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert HOSTILE not in body and "&lt;script&gt;" in body, page_url


def test_round_form_sets_the_eligibility_rules(as_officer, demo):
    """Can an officer set a live-application limit, the overdue-report rule and the minimal financial assistance
    declaration on the round's settings page?"""
    round_ = _future_round(demo)
    form = Filler(as_officer.get_page(f"/staff/rounds/{round_.id}/settings"))
    form.fill("Most live applications from one organisation (optional)", "2")
    form.tick("Refuse organisations with an overdue monitoring report")
    form.tick("Ask for a minimal financial assistance declaration")
    page = as_officer.post_page(f"/staff/rounds/{round_.id}/settings", form.data)
    assert "The round's settings have been saved" in text_of(page)
    db.session.refresh(round_)
    assert (round_.max_live_applications, round_.refuse_overdue_reports,
            round_.minimal_assistance_declaration) == (2, True, True)


def test_start_page_says_why_an_organisation_may_not_apply(as_applicant, demo):
    """When the round's limit is reached, does pressing Start say why, and start nothing?"""
    demo.csf_round.max_live_applications = 1
    make_draft(demo, complete=False)
    db.session.commit()
    page = as_applicant.post_page(f"/apply/rounds/{demo.csf_round.id}", {})
    assert "accepts at most 1 live application from each organisation" in text_of(page)
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1


def test_applicant_uploads_a_file_answer_on_the_question_page(as_applicant, demo):
    """Does a file question's page accept an upload (multipart form) and show the file on check-answers?"""
    import io

    from .factories_applicant import PDF

    section, (question,) = build_questions(demo.csf_round, demo.officer, questions=[
        QuestionInput(kind=QuestionKind.FILE, title="Your lease")])
    draft = make_draft(demo)
    db.session.commit()
    url = f"/apply/applications/{draft.id}/sections/{section.slug}"
    assert as_applicant.get_page(url).find("form", enctype="multipart/form-data") is not None
    as_applicant.post_page(url, {question.field_name: (io.BytesIO(PDF), "lease.pdf"), "completed": "yes"},
                           content_type="multipart/form-data")
    assert "Your lease lease.pdf" in text_of(as_applicant.get_page(f"/apply/applications/{draft.id}/check"))


def _answered(demo, status: str):
    from .factories import make_application

    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    application = make_application(demo, status=status,
                                   question_answers={str(rents.id): True, str(rent.id): 1_200_000})
    db.session.commit()
    return application


def test_screening_and_scoring_pages_show_the_answers(as_officer, as_assessor, demo):
    """Do the screening officer and the assessor both read the round's questions and the answers?"""
    from .factories_assessment import make_assignment

    application = _answered(demo, "submitted")
    screen = text_of(as_officer.get_page(f"/assessment/applications/{application.id}/screening"))
    assert "Your premises" in screen and "What is the yearly rent? £12,000" in screen
    application.status = "in_assessment"
    make_assignment(application, demo.assessor, officer=demo.officer)
    db.session.commit()
    score = text_of(as_assessor.get_page(f"/assessment/applications/{application.id}/score"))
    assert "Do you rent your premises? Yes" in score and "What is the yearly rent? £12,000" in score


def test_panel_csv_and_decision_pack_carry_the_answers(as_officer, as_auditor, demo):
    """Does the panel CSV have a column per question with each answer, and the decision pack a file of them?"""
    import io
    import json
    import zipfile

    from .test_assessment_journeys import _panel_setup

    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    high, low = _panel_setup(demo)
    high.question_answers = {str(rents.id): True, str(rent.id): 1_200_000}
    low.question_answers = {str(rents.id): False}
    db.session.commit()
    lines = as_officer.get(f"/assessment/panels/{demo.csf_round.id}/panel.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Your premises: Do you rent your premises?,Your premises: What is the yearly rent?")
    assert lines[1].endswith(',Yes,"£12,000"') and lines[2].endswith(",No,")
    response = as_auditor.get(f"/audit/applications/{high.id}/decision-pack.zip")
    pack = zipfile.ZipFile(io.BytesIO(response.data))
    assert json.loads(pack.read("round-questions.json")) == [{"section": "Your premises", "answers": [
        {"question": "Do you rent your premises?", "answer": "Yes"},
        {"question": "What is the yearly rent?", "answer": "£12,000"}]}]


def test_formula_like_questions_and_answers_cannot_run_in_the_panel_csv(as_officer, demo):
    """Does a question title or answer starting with '=' reach the panel CSV as text, never as a formula?"""
    from .test_assessment_journeys import _panel_setup

    section, (question,) = build_questions(demo.csf_round, demo.officer, title="=cmd", questions=[
        QuestionInput(kind=QuestionKind.SHORT_TEXT, title='=HYPERLINK("http://x")')])
    high, low = _panel_setup(demo)
    high.question_answers = {str(question.id): "=1+1"}
    db.session.commit()
    lines = as_officer.get(f"/assessment/panels/{demo.csf_round.id}/panel.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(''',"'=cmd: =HYPERLINK(""http://x"")"''')
    assert lines[1].endswith(",'=1+1")


def test_officer_renames_a_section_and_an_empty_title_is_refused(as_officer, demo):
    """Can an officer rename a round's section from the questions page, with a message when the title is empty?"""
    round_ = _future_round(demo)
    base = f"/staff/rounds/{round_.id}/questions"
    as_officer.post_page(base, {"action": "add_section", "title": "Premises"})
    section = round_.question_sections[0]
    link = as_officer.get_page(base).select_one(f'a[href="{base}/sections/{section.id}"]')
    assert link.get_text(" ", strip=True) == "Rename the section Premises"
    page = as_officer.post_page(link["href"], {"title": " "})
    assert error_messages(page) == ["Enter a title for the section, like ‘Your premises’"]
    page = as_officer.post_page(link["href"], {"title": "Your premises"})
    assert "The section is now called ‘Your premises’" in text_of(page)
    assert page.find("h2", string="Your premises") is not None


def test_staff_list_export_carries_each_rounds_answers_but_not_for_finance(as_officer, as_finance, demo):
    """Does the staff application list's CSV add a column per round question with the answers, and leave
    them out for finance, who do not read application content?"""
    from .factories import make_application

    application = _answered(demo, "submitted")
    other = make_application(demo, status="submitted", round_=demo.ppaf_round, title="Other round")
    db.session.commit()
    lines = as_officer.get("/staff/applications/export.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Submitted,Your premises: Do you rent your premises?,"
                             "Your premises: What is the yearly rent?")
    by_reference = {line.split(",")[0]: line for line in lines[1:]}
    assert by_reference[application.reference].endswith(',Yes,"£12,000"')
    assert by_reference[other.reference].endswith(",,")
    finance = as_finance.get("/staff/applications/export.csv").data.decode("utf-8-sig")
    assert application.reference in finance and "Do you rent your premises?" not in finance
