"""Screening, more information, the version diff and round configuration, against the services."""
import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, MoreInfoRequest, OutboxEmail, Screening
from grants.services import rubric, screening
from grants.services.errors import Immutable, InvalidTransition, NotPermitted, ValidationFailed

from .factories import make_application
from .factories_assessment import make_assignment


def answers(application, fails: dict | None = None):
    fails = fails or {}
    return [screening.CheckAnswer(check_id=c.id, passed=i not in fails, note=fails.get(i, ""))
            for i, c in enumerate(application.round.eligibility_checks)]


# --- Screening -------------------------------------------------------------------------------


def test_all_checks_pass_moves_to_in_assessment(demo):
    """Does passing every check record the screening and move the application to in assessment?"""
    application = make_application(demo, status="submitted")
    result = screening.screen(application, answers=answers(application), actor=demo.officer)
    db.session.commit()
    assert application.status == "in_assessment"
    assert result.outcome == "passed" and len(result.answers) == len(application.round.eligibility_checks)
    assert result.answers[0].check_text == application.round.eligibility_checks[0].text
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq))]
    assert actions == ["screening.recorded", "application.pass_screening"]


def test_a_failed_check_makes_it_ineligible_and_tells_the_applicant_why(demo):
    """Does a failed check close the application as ineligible, emailing the failed checks' notes?"""
    application = make_application(demo, status="submitted")
    result = screening.screen(application, answers=answers(application, {0: "The group is based in Durham"}),
                              actor=demo.officer)
    db.session.commit()
    assert application.status == "ineligible" and result.outcome == "failed"
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "applicant@example.org"))
    assert "not eligible" in email.subject
    assert "Based in, or delivering to, the Cleveland force area: The group is based in Durham" in email.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.mark_ineligible"))
    assert "Durham" in event.reason and event.actor_id == demo.officer.id


def test_failed_check_needs_a_note_and_every_check_an_answer(demo):
    """Is a fail without a note, or an unanswered check, refused without changing anything?"""
    application = make_application(demo, status="submitted")
    checks = application.round.eligibility_checks
    given = answers(application, {1: " "})
    given[2].passed = None
    with pytest.raises(ValidationFailed) as caught:
        screening.screen(application, answers=given, actor=demo.officer)
    assert set(caught.value.errors) == {f"note_{checks[1].id}", f"result_{checks[2].id}"}
    assert application.status == "submitted"
    assert db.session.scalar(select(Screening)) is None


def test_screening_only_by_an_officer_and_only_when_submitted(demo):
    """Is screening refused for a non-officer and for an application not waiting for screening?"""
    application = make_application(demo, status="submitted")
    with pytest.raises(NotPermitted):
        screening.screen(application, answers=answers(application), actor=demo.assessor)
    for status in ("draft", "more_info_requested", "in_assessment", "assessed", "ineligible"):
        other = make_application(demo, status=status)
        with pytest.raises(InvalidTransition):
            screening.screen(other, answers=answers(other), actor=demo.officer)
        assert other.status == status


# --- More information ---------------------------------------------------------------------------


def test_more_info_request_records_question_and_sections(demo):
    """Does asking for more information store the question and sections, transition and email the applicant?"""
    application = make_application(demo, status="submitted")
    request = screening.request_more_info(application, question="Please send a quote for the alarms.",
                                          sections=["budget", "attachments"], actor=demo.officer)
    db.session.commit()
    assert application.status == "more_info_requested"
    stored = db.session.scalar(select(MoreInfoRequest))
    assert stored.id == request.id and stored.sections == ["budget", "attachments"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.request_more_info"))
    assert event.reason == "Please send a quote for the alarms."
    email = db.session.scalar(select(OutboxEmail))
    assert "Please send a quote for the alarms." in email.body_text and "- Budget\n" in email.body_text


def test_more_info_needs_question_and_known_sections(demo):
    """Is a request without a question, or with no or unknown sections, refused?"""
    application = make_application(demo, status="submitted")
    with pytest.raises(ValidationFailed) as caught:
        screening.request_more_info(application, question="", sections=[], actor=demo.officer)
    assert set(caught.value.errors) == {"question", "sections"}
    with pytest.raises(ValidationFailed):
        screening.request_more_info(application, question="Why?", sections=["secrets"], actor=demo.officer)
    assert application.status == "submitted"


def test_more_info_refused_outside_submitted(demo):
    """Can more information be asked only of a submitted application?"""
    application = make_application(demo, status="in_assessment")
    with pytest.raises(InvalidTransition):
        screening.request_more_info(application, question="Why?", sections=["need"], actor=demo.officer)


def test_sections_are_the_agreed_slugs():
    """Are the sections the officer can reopen exactly the application's section slugs, in order?"""
    assert screening.SECTIONS == ["organisation", "project", "need", "activities", "where_and_who", "objectives",
                                  "outputs", "budget", "safeguarding", "attachments"]


# --- What changed ------------------------------------------------------------------------------------


def test_diff_finds_changed_added_and_removed_values_in_nested_data():
    """Does the diff follow nested dicts and lists and say what changed, was added or removed?"""
    old = {"project": {"title": "Allotment security", "summary": "Padlocks for sheds"},
           "outputs": [{"measure": "padlocks", "target": 400}],
           "budget": {"lines": [{"item": "Padlocks", "cost": 1000}, {"item": "Alarms", "cost": 2000}]}}
    new = {"project": {"title": "Allotment security", "summary": "Padlocks and alarms for sheds"},
           "outputs": [{"measure": "padlocks", "target": 420}, {"measure": "alarms", "target": 50}],
           "budget": {"lines": [{"item": "Padlocks", "cost": 1000}]}}
    changes = screening.diff(old, new)
    described = [(c.section, c.path, c.kind, c.old, c.new) for c in changes]
    assert ("project", "Summary", "changed", "Padlocks for sheds", "Padlocks and alarms for sheds") in described
    assert ("outputs", "Item 1 › Target", "changed", "400", "420") in described
    assert ("outputs", "Item 2 › Measure", "added", None, "alarms") in described
    assert ("budget", "Lines › Item 2 › Item", "removed", "Alarms", None) in described
    assert not any(c.path == "Title" for c in changes)
    summary = next(c for c in changes if c.path == "Summary")
    assert ("added", "and alarms") in summary.pieces


def test_diff_of_identical_versions_is_empty():
    """Do two identical versions show no changes?"""
    data = {"need": {"need": "Thefts", "evidence": ["log"]}}
    assert screening.diff(data, dict(data)) == []


# --- Round configuration -----------------------------------------------------------------------------


def criteria_input(*weights, descriptors=None):
    return [rubric.CriterionInput(name=f"Criterion {i}", weight_percent=w,
                                  descriptors=descriptors or [f"Point {p}" for p in range(6)])
            for i, w in enumerate(weights)]


def test_rubric_weights_must_sum_to_100(demo):
    """Are weights adding up to anything but 100 refused with the actual total?"""
    with pytest.raises(ValidationFailed) as caught:
        rubric.save_rubric(demo.csf_round, criteria=criteria_input(50, 40), pass_mark_percent=50,
                           actor=demo.officer)
    assert caught.value.errors["criteria"] == "The weights must add up to 100%. They add up to 90%"
    rubric.save_rubric(demo.csf_round, criteria=criteria_input(60, 40), pass_mark_percent=55, actor=demo.officer)
    assert [c.weight_percent for c in demo.csf_round.criteria] == [60, 40]
    assert demo.csf_round.pass_mark_percent == 55


def test_rubric_needs_six_descriptors_and_a_pass_mark(demo):
    """Is a criterion missing a descriptor, or a pass mark over 100, refused?"""
    with pytest.raises(ValidationFailed) as caught:
        rubric.save_rubric(demo.csf_round, criteria=criteria_input(100, descriptors=["a", "b", "c", "d", "e", ""]),
                           pass_mark_percent=101, actor=demo.officer)
    assert caught.value.errors == {"criteria-0-descriptor_5": "Describe what a score of 5 means for criterion 1",
                                   "pass_mark_percent": "Enter a pass mark between 0 and 100"}


def test_rubric_locked_once_any_score_exists(demo):
    """Once anyone has scored in the round, is changing the rubric refused?"""
    application = make_application(demo, status="in_assessment")
    assert not rubric.rubric_locked(demo.csf_round)
    make_assignment(application, demo.assessor, values=[3, None, None, None, None][:1])
    assert rubric.rubric_locked(demo.csf_round)
    with pytest.raises(Immutable, match="already been scored"):
        rubric.save_rubric(demo.csf_round, criteria=criteria_input(100), pass_mark_percent=50, actor=demo.officer)
    assert not rubric.rubric_locked(demo.ppaf_round)


def test_checklist_add_edit_move_remove(demo):
    """Can checks be added, reworded, reordered and removed, with past answers keeping their wording?"""
    round_ = demo.ppaf_round
    added = rubric.add_check(round_, text="Project is for charitable purposes", actor=demo.officer)
    assert round_.eligibility_checks[-1].id == added.id
    rubric.move_check(added, direction="up", actor=demo.officer)
    db.session.refresh(round_)
    assert round_.eligibility_checks[-2].id == added.id
    rubric.edit_check(added, text="Project is for charitable purposes only", actor=demo.officer)
    application = make_application(demo, status="submitted", round_=round_)
    screening.screen(application, answers=answers(application), actor=demo.officer)
    rubric.remove_check(added, actor=demo.officer)
    db.session.commit()
    assert added.id not in [c.id for c in round_.eligibility_checks]
    assert [c.position for c in round_.eligibility_checks] == list(range(1, len(round_.eligibility_checks) + 1))
    kept = db.session.scalar(select(Screening)).answers
    assert "Project is for charitable purposes only" in [a.check_text for a in kept]
    with pytest.raises(ValidationFailed):
        rubric.add_check(round_, text="  ", actor=demo.officer)


def test_assessor_numbers_validated(demo):
    """Are assessor numbers below 1, or fewer above the limit than within it, refused?"""
    with pytest.raises(ValidationFailed):
        rubric.save_assessor_numbers(demo.csf_round, above_limit=0, within_limit=1, actor=demo.officer)
    with pytest.raises(ValidationFailed, match="at least as many"):
        rubric.save_assessor_numbers(demo.csf_round, above_limit=1, within_limit=2, actor=demo.officer)
    rubric.save_assessor_numbers(demo.csf_round, above_limit=3, within_limit=2, actor=demo.officer)
    assert (demo.csf_round.min_assessors_above_limit, demo.csf_round.min_assessors_within_limit) == (3, 2)
