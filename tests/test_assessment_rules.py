"""Assessment rules against the services: arithmetic, scoring, conflicts, completion, moderation, panel."""
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from grants import access
from grants.extensions import db
from grants.models import AuditEvent, ConflictDeclaration, OutboxEmail, Role
from grants.services import assessment, audit
from grants.services.errors import InvalidTransition, NotPermitted, ValidationFailed

from .factories import make_application
from .factories_assessment import make_assessed, make_assignment


def rubric(*weights, na=()):
    return [SimpleNamespace(id=i, name=f"C{i}", weight_percent=w, allow_not_applicable=i in na)
            for i, w in enumerate(weights)]


# --- Arithmetic ----------------------------------------------------------------------------


def test_single_assessor_top_marks_is_100_percent():
    """Does 5 on every criterion give exactly 100%?"""
    criteria = rubric(25, 20, 20, 20, 15)
    result = assessment.compute_from(criteria, {1: {c.id: 5 for c in criteria}})
    assert result.score_percent == Decimal("100.00")
    assert not result.needs_moderation


def test_weights_change_the_score():
    """Is the score weighted: 5 on a 25% criterion and 0 elsewhere gives 25%?"""
    criteria = rubric(25, 20, 20, 20, 15)
    values = {0: 5, 1: 0, 2: 0, 3: 0, 4: 0}
    assert assessment.compute_from(criteria, {1: values}).score_percent == Decimal("25.00")


def test_score_is_weighted_mean_of_criterion_means_across_assessors():
    """Is the application's score sum(weight x criterion mean)/sum(weight)/5x100, not a mean of percentages?"""
    criteria = rubric(50, 50)
    result = assessment.compute_from(criteria, {1: {0: 4, 1: 2}, 2: {0: 3, 1: None}})
    # C0 mean 3.5, C1 mean 2 (assessor 2 said n/a): (50*3.5 + 50*2)/100/5*100 = 55
    assert result.score_percent == Decimal("55.00")
    # Each assessor's own percentage: assessor 1 = 60%, assessor 2 = 3/5 = 60% (C1 excluded, not 0)
    assert result.per_assessor == {1: Decimal("60.00"), 2: Decimal("60.00")}


def test_not_applicable_is_left_out_never_counted_as_zero():
    """Does n/a remove the criterion's weight instead of scoring it 0?"""
    criteria = rubric(80, 20, na={1})
    with_na = assessment.compute_from(criteria, {1: {0: 4, 1: None}})
    assert with_na.score_percent == Decimal("80.00")
    as_zero = assessment.compute_from(criteria, {1: {0: 4, 1: 0}})
    assert as_zero.score_percent == Decimal("64.00")


def test_every_criterion_not_applicable_gives_no_score():
    """With nothing applicable, is there no score rather than 0%?"""
    criteria = rubric(100, na={0})
    assert assessment.compute_from(criteria, {1: {0: None}}).score_percent is None


def test_rounding_is_half_up_to_two_places():
    """Is 10/3 of 5 shown as 66.67%, and an exact half (0.125) rounded up to 0.13, not to even?"""
    from fractions import Fraction

    criteria = rubric(100)
    # mean of 3, 3, 4 = 10/3 -> 66.666..% -> 66.67
    assert assessment.compute_from(criteria, {1: {0: 3}, 2: {0: 3}, 3: {0: 4}}).score_percent == Decimal("66.67")
    assert assessment.weighted_percent([(1, Fraction(1, 160))]) == Decimal("0.13")
    assert assessment.weighted_percent([(1, Fraction(3, 160))]) == Decimal("0.38")


@pytest.mark.parametrize("a, b, flagged", [(3, 5, True), (3, 4, False), (0, 5, True), (5, 3, True), (2, 2, False)])
def test_moderation_flag_at_exactly_two_points(a, b, flagged):
    """Is an application flagged when assessors differ by 2 or more on a criterion, and not at 1?"""
    criteria = rubric(50, 50)
    result = assessment.compute_from(criteria, {1: {0: a, 1: 3}, 2: {0: b, 1: 3}})
    assert result.needs_moderation is flagged
    assert result.criteria[0].spread == abs(a - b)


def test_not_applicable_does_not_count_towards_disagreement():
    """Does one assessor's n/a beside another's 0 leave the criterion unflagged?"""
    criteria = rubric(50, 50, na={1})
    result = assessment.compute_from(criteria, {1: {0: 3, 1: None}, 2: {0: 3, 1: 0}})
    assert not result.needs_moderation


# --- Assigning and conflicts --------------------------------------------------------------------


def test_assign_needs_in_assessment_and_an_assessor(demo):
    """Can an officer assign only assessors, only while the application is in assessment?"""
    application = make_application(demo, status="submitted")
    with pytest.raises(InvalidTransition):
        assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    application.status = "in_assessment"
    with pytest.raises(ValidationFailed, match="assessor"):
        assessment.assign(application, assessor=demo.ceo, actor=demo.officer)
    with pytest.raises(NotPermitted):
        assessment.assign(application, assessor=demo.assessor, actor=demo.assessor2)
    assignment = assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    assert assignment.status == "awaiting_declaration"
    assert "assessment.assigned" in audit.pending_actions()
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == demo.assessor.email))
    assert application.reference in email.subject


def test_assessor_cannot_be_assigned_twice(demo):
    """Is assigning the same assessor again refused with a message?"""
    application = make_application(demo, status="in_assessment")
    assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    with pytest.raises(ValidationFailed, match="already assigned"):
        assessment.assign(application, assessor=demo.assessor, actor=demo.officer)


def test_declared_conflict_removes_assessor_and_tells_officers(demo):
    """Does a conflict remove the assessor, keep the declaration, hide the application and email officers?"""
    application = make_application(demo, status="in_assessment")
    assignment = assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    assert not access.assessor_may_read(demo.assessor, application)
    with pytest.raises(ValidationFailed, match="nature"):
        assessment.declare(assignment, has_conflict=True, nature=" ", actor=demo.assessor)
    assessment.declare(assignment, has_conflict=True, nature="My sister is its treasurer", actor=demo.assessor)
    db.session.commit()
    assert assignment.status == "conflicted"
    assert not access.assessor_may_read(demo.assessor, application)
    declaration = db.session.scalar(select(ConflictDeclaration))
    assert (declaration.has_conflict, declaration.nature, declaration.capacity) == (
        True, "My sister is its treasurer", "assessor")
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == demo.officer.email))
    assert "reassign" in email.subject and "My sister is its treasurer" in email.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.conflict_declared"))
    assert event.actor_id == demo.assessor.id


def test_conflicted_assessor_cannot_be_reassigned(demo):
    """Once an assessor declares a conflict, is assigning them again refused?"""
    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, officer=demo.officer, status="conflicted")
    with pytest.raises(ValidationFailed, match="conflict"):
        assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    assert demo.assessor not in assessment.eligible_assessors(application)


def test_no_conflict_opens_the_application(demo):
    """Does declaring no conflict let the assessor read the application, and only once?"""
    application = make_application(demo, status="in_assessment")
    assignment = assessment.assign(application, assessor=demo.assessor, actor=demo.officer)
    with pytest.raises(NotPermitted):
        assessment.declare(assignment, has_conflict=False, nature=None, actor=demo.assessor2)
    with pytest.raises(ValidationFailed):
        assessment.declare(assignment, has_conflict=None, nature=None, actor=demo.assessor)
    assessment.declare(assignment, has_conflict=False, nature=None, actor=demo.assessor)
    assert assignment.status == "in_progress"
    assert access.assessor_may_read(demo.assessor, application)
    with pytest.raises(InvalidTransition, match="already"):
        assessment.declare(assignment, has_conflict=True, nature="Changed my mind", actor=demo.assessor)


# --- Scoring -------------------------------------------------------------------------------------------


def _entries(application, values, comment="Clear evidence"):
    return {c.id: (v, comment) for c, v in zip(application.round.criteria, values)}


def test_score_outside_scale_is_refused(demo):
    """Is a score of 6 (or -1, or 2.5) refused with a clear message, even in a draft?"""
    application = make_application(demo, status="in_assessment")
    assignment = make_assignment(application, demo.assessor, officer=demo.officer)
    for bad in ("6", "-1", "2.5", "lots"):
        with pytest.raises(ValidationFailed) as caught:
            assessment.save_scores(assignment, entries=_entries(application, [bad, "3", "3", "3", "3"]),
                                   submit=False, actor=demo.assessor)
        assert "0 to 5" in caught.value.message


def test_low_score_needs_a_comment_on_submit(demo):
    """Is a 0 or 1 without a comment refused on submit?"""
    application = make_application(demo, status="in_assessment")
    assignment = make_assignment(application, demo.assessor, officer=demo.officer)
    for low in ("0", "1"):
        entries = _entries(application, [low, "3", "3", "3", "3"])
        first = application.round.criteria[0]
        entries[first.id] = (low, "")
        with pytest.raises(ValidationFailed) as caught:
            assessment.save_scores(assignment, entries=entries, submit=True, actor=demo.assessor)
        assert caught.value.errors == {f"comment_{first.id}": f"Explain your score of {low} for {first.name}"}


def test_submission_with_missing_criteria_is_refused_but_draft_is_kept(demo):
    """Can a part-scored draft be saved, while submitting it is refused naming the missing criterion?"""
    application = make_application(demo, status="in_assessment")
    assignment = make_assignment(application, demo.assessor, officer=demo.officer)
    partial = _entries(application, ["4", "4", "", "", ""])
    assessment.save_scores(assignment, entries=partial, submit=False, actor=demo.assessor)
    assert sorted(s.value for s in assignment.scores if s.value is not None) == [4, 4]
    assert assignment.status == "in_progress"
    with pytest.raises(ValidationFailed) as caught:
        assessment.save_scores(assignment, entries=partial, submit=True, actor=demo.assessor)
    assert "Give a score for Deliverability and governance" in caught.value.errors.values()
    assert assignment.status == "in_progress"


def test_not_applicable_only_where_the_criterion_allows(demo):
    """Is n/a refused on a criterion that does not allow it, and accepted where it does?"""
    application = make_application(demo, status="in_assessment")
    assignment = make_assignment(application, demo.assessor, officer=demo.officer)
    with pytest.raises(ValidationFailed, match="not allowed"):
        assessment.save_scores(assignment, entries=_entries(application, ["na", "3", "3", "3", "3"]),
                               submit=True, actor=demo.assessor)
    application.round.criteria[0].allow_not_applicable = True
    assessment.save_scores(assignment, entries=_entries(application, ["na", "3", "3", "3", "3"]),
                           submit=True, actor=demo.assessor)
    assert application.status == "assessed"
    assert application.score_percent == Decimal("60.00")


def test_submitted_scores_cannot_change(demo):
    """After submitting, is another save refused?"""
    application = make_application(demo, status="in_assessment", amount_pence=600_000)
    assignment = make_assignment(application, demo.assessor, officer=demo.officer)
    make_assignment(application, demo.assessor2, officer=demo.officer)
    assessment.save_scores(assignment, entries=_entries(application, ["3"] * 5), submit=True, actor=demo.assessor)
    with pytest.raises(InvalidTransition, match="already submitted"):
        assessment.save_scores(assignment, entries=_entries(application, ["5"] * 5), submit=False,
                               actor=demo.assessor)


def test_cannot_score_before_declaring(demo):
    """Is scoring refused while the declaration is outstanding, and for someone else's assignment?"""
    application = make_application(demo, status="in_assessment")
    assignment = make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    with pytest.raises(InvalidTransition, match="Declare"):
        assessment.save_scores(assignment, entries={}, submit=False, actor=demo.assessor)
    with pytest.raises(NotPermitted):
        assessment.save_scores(assignment, entries={}, submit=False, actor=demo.assessor2)


# --- Completion ---------------------------------------------------------------------------------------


def test_above_limit_needs_two_assessors_before_it_is_assessed(demo):
    """Does an application above the delegated limit stay in assessment with only one submission?"""
    application = make_application(demo, status="in_assessment", amount_pence=600_000)
    assert assessment.required_assessors(application) == 2
    first = make_assignment(application, demo.assessor, officer=demo.officer)
    assessment.save_scores(first, entries=_entries(application, ["4"] * 5), submit=True, actor=demo.assessor)
    assert application.status == "in_assessment"
    second = make_assignment(application, demo.assessor2, officer=demo.officer)
    assessment.save_scores(second, entries=_entries(application, ["2", "4", "4", "4", "4"]), submit=True,
                           actor=demo.assessor2)
    assert application.status == "assessed"
    # C0 mean 3, others 4: (25*3 + 75*4)/100/5*100 = 75
    assert application.score_percent == Decimal("75.00")
    assert application.needs_moderation is True
    events = [e["action"] for e in db.session.info["grants_audit_pending"]]
    assert "application.complete_assessment" in events


def test_within_limit_one_assessor_is_enough_and_configurable(demo):
    """Is one assessor enough below the limit, unless the round asks for more?"""
    application = make_application(demo, status="in_assessment", amount_pence=200_000)
    assert assessment.required_assessors(application) == 1
    demo.csf_round.min_assessors_within_limit = 2
    assert assessment.required_assessors(application) == 2


def test_conflicted_assessor_does_not_count_towards_completion(demo):
    """With one conflicted and one submitted, does an above-limit application wait for a replacement?"""
    application = make_application(demo, status="in_assessment", amount_pence=600_000)
    make_assignment(application, demo.assessor, officer=demo.officer, status="submitted", values=[3] * 5)
    pending = make_assignment(application, demo.assessor2, officer=demo.officer, status="awaiting_declaration")
    assessment.declare(pending, has_conflict=True, nature="Former employee", actor=demo.assessor2)
    assert application.status == "in_assessment"


def test_conflict_by_the_last_outstanding_assessor_completes_when_enough_remain(demo):
    """If the remaining assessors have all submitted and are enough, does a late conflict complete it?"""
    application = make_application(demo, status="in_assessment", amount_pence=200_000)
    make_assignment(application, demo.assessor, officer=demo.officer, status="submitted", values=[4] * 5)
    pending = make_assignment(application, demo.assessor2, officer=demo.officer, status="awaiting_declaration")
    assessment.declare(pending, has_conflict=True, nature="Member of the group", actor=demo.assessor2)
    assert application.status == "assessed" and application.score_percent == Decimal("80.00")


def test_only_the_system_completes_an_assessment(demo):
    """Is a person (even an officer) refused when trying to mark an application assessed by hand?"""
    from grants.services import workflow

    application = make_application(demo, status="in_assessment")
    with pytest.raises(NotPermitted, match="automatically"):
        workflow.transition(application, "complete_assessment", actor=demo.officer)
    assert application.status == "in_assessment"


# --- Moderation ---------------------------------------------------------------------------------------


def test_moderation_records_note_and_score_and_keeps_originals(demo):
    """Does moderation need a note, store the agreed score for ranking, and leave the calculated score?"""
    application = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]])
    assert application.needs_moderation
    calculated = application.score_percent
    with pytest.raises(ValidationFailed, match="note"):
        assessment.moderate(application, note="", moderated_score=None, actor=demo.officer)
    with pytest.raises(NotPermitted):
        assessment.moderate(application, note="Agreed", moderated_score=None, actor=demo.assessor)
    assessment.moderate(application, note="Panel agreed need is well evidenced", moderated_score=Decimal("66.50"),
                        actor=demo.officer)
    assert application.moderated_score_percent == Decimal("66.50")
    assert application.score_percent == calculated
    assert application.score_for_ranking == Decimal("66.50")
    assert assessment.moderation_state(application) == "moderated"
    summary = assessment.score_summary(application)
    assert summary["moderated_score_percent"] == "66.50"
    assert [a["scores"][0]["value"] for a in summary["assessors"]] == [1, 4]


def test_moderation_without_agreed_score_keeps_calculated_ranking(demo):
    """Does a note alone mark it moderated but keep the calculated score for ranking?"""
    application = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]])
    assessment.moderate(application, note="Discussed; the calculated score stands", moderated_score=None,
                        actor=demo.officer)
    assert application.moderated_score_percent is None
    assert assessment.moderation_state(application) == "moderated"


def test_moderation_refused_when_not_flagged_or_wrong_state(demo):
    """Is moderation refused for an unflagged application and one still in assessment?"""
    agreed = make_assessed(demo, values_by_assessor=[[3] * 5, [4] * 5])
    with pytest.raises(InvalidTransition, match="agreed"):
        assessment.moderate(agreed, note="x", moderated_score=None, actor=demo.officer)
    early = make_application(demo, status="in_assessment")
    with pytest.raises(InvalidTransition):
        assessment.moderate(early, note="x", moderated_score=None, actor=demo.officer)


@pytest.mark.parametrize("raw, expected", [("", None), ("72", Decimal("72.00")), ("72.5%", Decimal("72.50")),
                                           ("100", Decimal("100.00")), ("0", Decimal("0.00"))])
def test_moderated_score_parsing(raw, expected):
    """Is a moderated score read as a 2dp percentage from 0 to 100?"""
    assert assessment.parse_percent(raw) == expected


@pytest.mark.parametrize("raw", ["101", "-1", "abc", "50.555", "NaN"])
def test_moderated_score_outside_range_refused(raw):
    """Is a moderated score outside 0-100 or beyond 2dp refused with a message?"""
    with pytest.raises(ValidationFailed, match="0 to 100"):
        assessment.parse_percent(raw)


# --- Summaries ----------------------------------------------------------------------------------


def test_score_summary_and_conflicts_are_json_able(demo):
    """Can a decision record embed score_summary and conflicts_for as JSON?"""
    import json

    application = make_assessed(demo, values_by_assessor=[[4, 4, 4, 4, 4], [2, 4, 4, 4, 4]])
    summary = json.loads(json.dumps(assessment.score_summary(application)))
    assert summary["score_percent"] == "75.00"
    assert summary["moderation"] == "needed"
    assert summary["criteria"][0] == {"name": "Need and evidence", "weight_percent": 25, "mean": "3.00",
                                      "spread": 2, "flagged": True}
    assert [a["percent"] for a in summary["assessors"]] == ["80.00", "70.00"]
    conflicts = json.loads(json.dumps(assessment.conflicts_for(application)))
    assert {c["name"] for c in conflicts} == {demo.assessor.full_name, demo.assessor2.full_name}
    assert all(c["has_conflict"] is False and c["capacity"] == "assessor" for c in conflicts)


# --- Panel ------------------------------------------------------------------------------------------


def test_panel_ranks_by_score_with_running_total_and_budget_line(demo):
    """Are assessed applications ranked by score, with the line where the remaining budget runs out?"""
    demo.csf_round.budget_pence = 700_000
    low = make_assessed(demo, values_by_assessor=[[2] * 5], amount_pence=300_000, title="Low")
    high = make_assessed(demo, values_by_assessor=[[5] * 5], amount_pence=400_000, title="High")
    mid = make_assessed(demo, values_by_assessor=[[4] * 5], amount_pence=200_000, title="Mid")
    make_application(demo, status="in_assessment", title="Not yet")
    panel = assessment.panel(demo.csf_round)
    assert [r.application.title for r in panel.rows] == ["High", "Mid", "Low"]
    assert [r.running_total for r in panel.rows] == [400_000, 600_000, 900_000]
    assert panel.remaining == 700_000 and panel.line_before == 2
    assert [r.within_budget for r in panel.rows] == [True, True, False]
    assert [r.below_pass_mark for r in panel.rows] == [False, False, True]


def test_panel_uses_moderated_score_and_remaining_budget(demo):
    """Does a moderated score move an application up, and an existing award reduce the remaining budget?"""
    demo.csf_round.budget_pence = 1_000_000
    a = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]], title="Moderated")
    b = make_assessed(demo, values_by_assessor=[[4] * 5], title="Steady")
    assessment.moderate(a, note="Agreed", moderated_score=Decimal("90"), actor=demo.officer)
    make_application(demo, status="approved", awarded_pence=800_000, title="Already funded")
    panel = assessment.panel(demo.csf_round)
    assert [r.application.title for r in panel.rows] == ["Moderated", "Steady"]
    assert panel.remaining == 200_000 and panel.line_before == 0


def test_panel_filters_by_objective_and_area(demo):
    """Do the objective and area filters keep only matching applications?"""
    from grants.models import Area, Objective

    areas = list(db.session.scalars(select(Area).order_by(Area.id)))
    objectives = list(db.session.scalars(select(Objective).order_by(Objective.number)))
    first = make_assessed(demo, values_by_assessor=[[4] * 5], title="First area")
    second = make_assessed(demo, values_by_assessor=[[3] * 5], title="Second area")
    second.areas = [areas[1]]
    second.objectives = [objectives[2]]
    db.session.flush()
    assert [r.application.title for r in assessment.panel(demo.csf_round, area_id=areas[1].id).rows] == [
        "Second area"]
    assert [r.application.title for r in assessment.panel(demo.csf_round, objective_id=objectives[0].id).rows] == [
        "First area"]


def test_officer_role_check_uses_roles(demo):
    """Is the assessor list only people holding the assessor role?"""
    assert {u.email for u in assessment.assessors()} == {"assessor@example.org", "assessor2@example.org"}
    assert all(u.has_role(Role.ASSESSOR) for u in assessment.assessors())


# --- Demo data ------------------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["more_info_requested", "ineligible", "in_assessment", "assessed"])
def test_demo_helper_reaches_each_stage_through_the_services(demo, to):
    """Can the demo seed take a submitted application to each assessment stage through the real services?"""
    from grants.assessment import demo as assessment_demo

    application = make_application(demo, status="submitted", amount_pence=600_000)
    assessment_demo.advance(application, to=to, officer=demo.officer, assessors=[demo.assessor, demo.assessor2],
                            scores=[[4, 4, 3, 4, 4], [2, 4, 4, 4, 4]])
    db.session.commit()
    assert application.status == to
    if to == "assessed":
        # (25*3 + 20*4 + 20*3.5 + 20*4 + 15*4) / 100 / 5 * 100 = 73
        assert application.score_percent == Decimal("73.00") and application.needs_moderation
