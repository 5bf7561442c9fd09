"""Round questions: answer types, conditions, freezing, removal, and the round's eligibility rules."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from grants import clock
from grants.extensions import db
from grants.models import Application, OutboxEmail, QuestionKind
from grants.services import applications, eligibility, monitoring, round_questions, screening
from grants.services import rounds as round_service
from grants.services.errors import Immutable, NotPermitted, ValidationFailed
from grants.services.round_questions import QuestionInput

from .factories_applicant import make_draft, submit_draft
from .factories_questions import build_questions


def _one(demo, values: QuestionInput):
    section, (question,) = build_questions(demo.csf_round, demo.officer, title="More about you", questions=[values])
    draft = make_draft(demo)
    return draft, section, question


def _save(draft, section, values, user, completed=True):
    applications.save_section(draft, section=section.slug, values=values, completed=completed, actor=user)


@pytest.mark.parametrize("kind, extra, typed, stored, shown", [
    (QuestionKind.SHORT_TEXT, {}, "  Our hall  ", "Our hall", "Our hall"),
    (QuestionKind.LONG_TEXT, {"word_limit": 5}, "one two three four five", "one two three four five",
     "one two three four five"),
    (QuestionKind.YES_NO, {}, "no", False, "No"),
    (QuestionKind.ONE_CHOICE, {"options": ["Owned", "Rented"]}, "Rented", "Rented", "Rented"),
    (QuestionKind.SEVERAL_CHOICES, {"options": ["Day", "Evening", "Weekend"]}, ["Weekend", "Day"],
     ["Day", "Weekend"], "Day; Weekend"),
    (QuestionKind.WHOLE_NUMBER, {}, "1,250", 1250, "1,250"),
    (QuestionKind.MONEY, {}, "£1,250.50", 125_050, "£1,250.50"),
    (QuestionKind.DATE, {}, date(2027, 4, 1), "2027-04-01", "1 April 2027"),
])
def test_each_answer_type_is_stored_and_shown_as_read(demo, kind, extra, typed, stored, shown):
    """Is each type of answer kept in its own form (text, true/false, choices, whole number, pence, ISO date)
    and shown in the version as a person reads it?"""
    draft, section, question = _one(demo, QuestionInput(kind=kind, title="The question", **extra))
    _save(draft, section, {question.field_name: typed}, demo.applicant)
    assert draft.question_answers == {str(question.id): stored}
    assert applications.snapshot(draft)[section.slug] == {"answers": [{"question": "The question", "answer": shown}]}
    assert applications.section_state(draft, section.slug) == applications.COMPLETED


@pytest.mark.parametrize("kind, extra, typed, message", [
    (QuestionKind.SHORT_TEXT, {}, "x" * 301, "The question: your answer must be 300 characters or fewer"),
    (QuestionKind.LONG_TEXT, {"word_limit": 3}, "one two three four five",
     "The question: your answer must be 3 words or fewer; it has 5, so remove 2"),
    (QuestionKind.YES_NO, {}, "maybe", "The question: select yes or no"),
    (QuestionKind.ONE_CHOICE, {"options": ["Owned", "Rented"]}, "Borrowed",
     "The question: select an option from the list"),
    (QuestionKind.SEVERAL_CHOICES, {"options": ["Day", "Evening"]}, ["Night"],
     "The question: select options from the list"),
    (QuestionKind.WHOLE_NUMBER, {}, "12 people", "The question: enter a whole number using digits only, like 25"),
    (QuestionKind.MONEY, {}, "12.345", "The question: "),
])
def test_bad_answers_are_refused_with_how_to_fix_them(demo, kind, extra, typed, message):
    """Is an answer that breaks its type's rule refused, keeping nothing, with a message that says what to do?"""
    draft, section, question = _one(demo, QuestionInput(kind=kind, title="The question", **extra))
    with pytest.raises(ValidationFailed) as caught:
        _save(draft, section, {question.field_name: typed}, demo.applicant)
    assert caught.value.errors[question.field_name].startswith(message)
    assert draft.question_answers == {}


def test_money_answers_use_the_money_rules(demo):
    """Does a money answer with too many pence get the money parser's own explanation?"""
    draft, section, question = _one(demo, QuestionInput(kind=QuestionKind.MONEY, title="Rent"))
    with pytest.raises(ValidationFailed) as caught:
        _save(draft, section, {question.field_name: "12.345"}, demo.applicant)
    assert "pence" in caught.value.errors[question.field_name].lower()


def test_required_questions_stop_completion_and_optional_ones_do_not(demo):
    """Is an unanswered required question named when marking complete and at submission; an optional one not?"""
    section, (required, optional) = build_questions(demo.csf_round, demo.officer, questions=[
        QuestionInput(kind=QuestionKind.SHORT_TEXT, title="Who owns the building?"),
        QuestionInput(kind=QuestionKind.SHORT_TEXT, title="Anything else?", required=False)])
    draft = make_draft(demo)
    with pytest.raises(applications.SectionIncomplete) as caught:
        _save(draft, section, {}, demo.applicant)
    assert caught.value.errors == {required.field_name: "Answer ‘Who owns the building?’"}
    assert ("questions_%d" % section.id, "Answer ‘Who owns the building?’") in applications.submission_problems(draft)
    _save(draft, section, {required.field_name: "The council"}, demo.applicant)
    assert applications.submission_problems(draft) == []


def test_a_hidden_conditional_question_is_neither_required_nor_stored(demo):
    """With the condition off, is the conditional question not required and any answer to it dropped; with it
    on, is it required?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    draft = make_draft(demo)
    _save(draft, section, {rents.field_name: "no", rent.field_name: "£900"}, demo.applicant)
    assert draft.question_answers == {str(rents.id): False}
    assert applications.snapshot(draft)[section.slug]["answers"] == [
        {"question": "Do you rent your premises?", "answer": "No"}]
    with pytest.raises(applications.SectionIncomplete) as caught:
        _save(draft, section, {rents.field_name: "yes"}, demo.applicant)
    assert caught.value.errors == {rent.field_name: "Answer ‘What is the yearly rent?’"}
    _save(draft, section, {rents.field_name: "yes", rent.field_name: "900"}, demo.applicant)
    assert draft.question_answers == {str(rents.id): True, str(rent.id): 90_000}


def test_a_bad_answer_to_a_hidden_question_does_not_block_saving(demo):
    """Is nonsense typed into a question its condition hides ignored rather than refused?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    draft = make_draft(demo)
    _save(draft, section, {rents.field_name: "no", rent.field_name: "lots"}, demo.applicant)
    assert draft.question_answers == {str(rents.id): False}


def test_answers_are_frozen_in_the_version_and_diffed_word_by_word(demo):
    """Are answers part of the submitted version, editable only when staff reopen that section, and shown in
    the word-level diff?"""
    section, (question,) = build_questions(demo.csf_round, demo.officer, questions=[
        QuestionInput(kind=QuestionKind.LONG_TEXT, title="How will you run it?", word_limit=50)])
    draft = make_draft(demo)
    _save(draft, section, {question.field_name: "Volunteers open the hall on Fridays"}, demo.applicant)
    submit_draft(draft, demo.applicant)
    assert draft.versions[0].data[section.slug]["answers"][0]["answer"] == "Volunteers open the hall on Fridays"
    with pytest.raises(Immutable):
        _save(draft, section, {question.field_name: "Changed"}, demo.applicant)
    screening.request_more_info(draft, question="Which evenings?", sections=["budget"], actor=demo.officer)
    assert section.slug not in applications.editable_sections(draft)
    applications.resubmit(draft, actor=demo.applicant)
    screening.request_more_info(draft, question="Which evenings?", sections=[section.slug], actor=demo.officer)
    assert applications.editable_sections(draft) == [section.slug]
    _save(draft, section, {question.field_name: "Volunteers open the hall on Friday evenings"}, demo.applicant)
    applications.resubmit(draft, actor=demo.applicant)
    changes = screening.diff(draft.versions[-2].data, draft.versions[-1].data)
    assert [(c.section, c.kind) for c in changes] == [(section.slug, "changed")]
    assert ("added", "Friday evenings") in changes[0].pieces
    assert screening.section_label(section.slug, draft) == "Your premises"


def test_questions_freeze_when_the_round_opens_and_a_copy_can_change_them(demo):
    """Once the round opens, are questions frozen; does a copy carry them (conditions included) and may it change
    them?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    with pytest.raises(Immutable):
        round_questions.add_question(section, values=QuestionInput(kind=QuestionKind.SHORT_TEXT, title="More"),
                                     actor=demo.officer)
    with pytest.raises(Immutable):
        round_questions.update_question(rents, values=QuestionInput(kind=QuestionKind.YES_NO, title="Renamed"),
                                        actor=demo.officer)
    with pytest.raises(Immutable):
        round_questions.add_section(demo.csf_round, title="Another", actor=demo.officer)
    copy = round_service.copy_round(demo.csf_round, name=round_service.suggested_copy_name(demo.csf_round),
                                    actor=demo.officer)
    (copied,) = copy.question_sections
    copied_rents, copied_rent = copied.questions
    assert [q.title for q in copied.questions] == ["Do you rent your premises?", "What is the yearly rent?"]
    assert copied_rent.condition_question is copied_rents and copied_rents.id != rents.id
    round_questions.update_question(copied_rents, values=QuestionInput(kind=QuestionKind.YES_NO,
                                                                       title="Do you lease your premises?"),
                                    actor=demo.officer)
    assert copied_rents.title == "Do you lease your premises?" and rents.title == "Do you rent your premises?"


def test_type_cannot_change_once_a_draft_has_answered(demo):
    """Is changing the type of an answered question refused, saying what to do instead?"""
    draft, section, question = _one(demo, QuestionInput(kind=QuestionKind.SHORT_TEXT, title="Hall name"))
    _save(draft, section, {question.field_name: "St Mary's"}, demo.applicant)
    with pytest.raises(ValidationFailed) as caught:
        round_questions.update_question(question, values=QuestionInput(kind=QuestionKind.WHOLE_NUMBER,
                                                                       title="Hall name"), actor=demo.officer)
    assert "cannot change" in caught.value.errors["kind"]


def test_removing_an_answered_question_asks_first_then_tells_the_applicants(demo):
    """Does removing a question drafts have answered need confirmation, then delete the answers and email the
    organisations?"""
    draft, section, question = _one(demo, QuestionInput(kind=QuestionKind.SHORT_TEXT, title="Hall name"))
    _save(draft, section, {question.field_name: "St Mary's"}, demo.applicant)
    with pytest.raises(round_questions.NeedsConfirmation) as caught:
        round_questions.remove_question(question, actor=demo.officer)
    assert caught.value.affected == 1 and draft.question_answers
    assert round_questions.remove_question(question, actor=demo.officer, confirmed=True) == 1
    assert draft.question_answers == {} and section.questions == []
    emails = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.application_id == draft.id)).all()
    assert any("no longer asks ‘Hall name’" in e.body_text for e in emails)
    assert demo.applicant.email in {e.to_address for e in emails}


def test_a_question_others_depend_on_cannot_be_removed(demo):
    """Is removing the question a condition depends on refused, naming the dependent question?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    with pytest.raises(Exception) as caught:
        round_questions.remove_question(rents, actor=demo.officer)
    assert "What is the yearly rent?" in caught.value.message


def test_conditions_must_point_at_an_earlier_choice_question_and_one_of_its_answers(demo):
    """Are conditions on a text question, or with an answer the question cannot have, refused?"""
    section, (rents, rent) = build_questions(demo.csf_round, demo.officer)
    demo.csf_round.opens_on = clock.today() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        round_questions.add_question(section, values=QuestionInput(
            kind=QuestionKind.SHORT_TEXT, title="Landlord", condition_question_id=rents.id, condition_value="Maybe"),
            actor=demo.officer)
    assert caught.value.errors == {"condition_value": "Choose the answer that shows this question: Yes, No"}
    with pytest.raises(ValidationFailed) as caught:
        round_questions.add_question(section, values=QuestionInput(
            kind=QuestionKind.SHORT_TEXT, title="Landlord", condition_question_id=rent.id, condition_value="1"),
            actor=demo.officer)
    assert "yes/no or choice" in caught.value.errors["condition_question_id"]
    with pytest.raises(ValidationFailed) as caught:
        round_questions.add_question(section, values=QuestionInput(kind=QuestionKind.LONG_TEXT, title="Plan"),
                                     actor=demo.officer)
    assert caught.value.errors == {"word_limit": "Enter a word limit from 1 to 2,000, like 250"}


# --- Eligibility rules ----------------------------------------------------------------------------------


def test_a_round_can_limit_live_applications_per_organisation(demo):
    """With a limit of 1, is a second application refused saying why, and allowed again once the first is
    withdrawn?"""
    demo.csf_round.max_live_applications = 1
    first = applications.start_application(demo.csf_round, actor=demo.applicant)
    with pytest.raises(NotPermitted) as caught:
        applications.start_application(demo.csf_round, actor=demo.applicant)
    assert "accepts at most 1 live application from each organisation" in caught.value.message
    assert "Withdraw one first" in caught.value.message
    applications.withdraw(first, actor=demo.applicant, reason="Applying with a better plan")
    assert applications.start_application(demo.csf_round, actor=demo.applicant).status == "draft"


def test_the_limit_is_checked_again_on_submit(demo):
    """If a round's limit is lowered while two drafts exist, is the second refused on submit, saying why?"""
    first, second = make_draft(demo), make_draft(demo)
    demo.csf_round.max_live_applications = 1
    with pytest.raises(NotPermitted) as caught:
        submit_draft(second, demo.applicant)
    assert "already has 1" in caught.value.message
    assert second.status == "draft" and first.status == "draft"


def test_an_overdue_report_blocks_only_when_the_round_says_so(demo, monkeypatch):
    """Does an overdue monitoring report refuse starting and submitting only in a round that asks for it,
    naming the report's due date?"""
    draft = make_draft(demo)
    overdue = [SimpleNamespace(due_on=date(2026, 6, 30))]
    monkeypatch.setattr(monitoring, "overdue_reports_for",
                        lambda org_id: overdue if org_id == demo.applicant.organisation.id else [])
    assert eligibility.refusal(demo.csf_round, demo.applicant.organisation) is None
    demo.csf_round.refuse_overdue_reports = True
    with pytest.raises(NotPermitted) as caught:
        applications.start_application(demo.csf_round, actor=demo.applicant)
    assert "Send the report that was due on 30 June 2026 first" in caught.value.message
    with pytest.raises(NotPermitted):
        submit_draft(draft, demo.applicant)
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1


def test_round_settings_refuse_a_limit_out_of_range(demo):
    """Is a live-application limit of 0 refused beside the field, with what to enter instead?"""
    future = round_service.copy_round(demo.ppaf_round, name="Next year", actor=demo.officer)
    settings = round_service.settings_of(future)
    settings.max_live_applications = 0
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(future, settings, reason=None, actor=demo.officer)
    assert "from 1 to 100, or leave it empty" in caught.value.errors["max_live_applications"]


def test_file_answers_use_the_checked_upload_rules(demo):
    """Is a file question answered by a checked upload (a fake PDF refused beside the question), the newer file
    replacing the older, and a missing required file named?"""
    from werkzeug.datastructures import FileStorage
    import io

    from .factories_applicant import pdf_upload

    draft, section, question = _one(demo, QuestionInput(kind=QuestionKind.FILE, title="Your lease"))
    with pytest.raises(applications.SectionIncomplete) as caught:
        _save(draft, section, {}, demo.applicant)
    assert caught.value.errors == {question.field_name: "Upload a file for ‘Your lease’"}
    fake = FileStorage(stream=io.BytesIO(b"<script>not a pdf</script>"), filename="lease.pdf")
    with pytest.raises(ValidationFailed) as caught:
        applications.answer_with_file(draft, question=question, upload=fake, actor=demo.applicant)
    assert "is not a real PDF file" in caught.value.errors[question.field_name]
    first = applications.answer_with_file(draft, question=question, upload=pdf_upload("lease.pdf"),
                                          actor=demo.applicant)
    second = applications.answer_with_file(draft, question=question, upload=pdf_upload("lease-2027.pdf"),
                                           actor=demo.applicant)
    assert first.removed_at is not None and second.removed_at is None
    _save(draft, section, {}, demo.applicant)
    assert applications.snapshot(draft)[section.slug]["answers"] == [{"question": "Your lease",
                                                                      "answer": "lease-2027.pdf"}]
