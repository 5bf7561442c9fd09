"""The state machine: every allowed and forbidden transition, and who may make it."""
import pytest

from grants.extensions import db
from grants.models import OutboxEmail
from grants.services import audit, workflow
from grants.services.errors import InvalidTransition, NotPermitted
from grants.services.workflow import TRANSITIONS, Status

from .factories import make_application


def actor_for(demo, name):
    who = TRANSITIONS[name].who.__name__
    return {
        "applicant_member": demo.applicant,
        "applicant_signatory": demo.applicant,
        "grants_officer": demo.officer,
        "unconflicted_decision_maker": demo.pcc,
        "officer_or_decision_maker": demo.officer,
        "system_only": None,
    }[who]


ALL_PAIRS = [(name, status) for name in TRANSITIONS for status in Status]


@pytest.mark.parametrize("name, status", ALL_PAIRS, ids=[f"{n}-from-{s.value}" for n, s in ALL_PAIRS])
def test_transition_allowed_exactly_from_its_source_states(demo, name, status):
    """Is each transition possible from its source states, and refused with a message from all others?"""
    application = make_application(demo, status=status.value)
    actor = actor_for(demo, name)
    if status in TRANSITIONS[name].sources:
        assert workflow.transition(application, name, actor=actor) == TRANSITIONS[name].target
        assert application.status == TRANSITIONS[name].target.value
    else:
        with pytest.raises(InvalidTransition) as caught:
            workflow.transition(application, name, actor=actor)
        assert "cannot" in caught.value.message
        assert application.status == status.value


def test_other_organisation_cannot_submit_or_withdraw(demo):
    application = make_application(demo)
    for name in ("submit", "withdraw"):
        with pytest.raises(NotPermitted, match="member of the applying organisation"):
            workflow.transition(application, name, actor=demo.applicant2)


def test_applicant_cannot_screen_or_decide(demo):
    application = make_application(demo, status="submitted")
    with pytest.raises(NotPermitted):
        workflow.transition(application, "pass_screening", actor=demo.applicant)
    application.status = "assessed"
    with pytest.raises(NotPermitted):
        workflow.transition(application, "approve", actor=demo.officer)


def test_people_cannot_make_system_transitions(demo):
    application = make_application(demo, status="approved")
    with pytest.raises(NotPermitted, match="automatically"):
        workflow.transition(application, "lapse_offer", actor=demo.officer)


def test_transition_records_who_what_why_and_emails_the_organisation(demo):
    application = make_application(demo, status="submitted")
    workflow.transition(application, "mark_ineligible", actor=demo.officer, reason="Outside Cleveland")
    assert audit.pending_actions() == ["application.mark_ineligible"]
    db.session.commit()
    from grants.models import AuditEvent

    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "application.mark_ineligible"))
    assert event.actor_id == demo.officer.id and event.reason == "Outside Cleveland"
    assert event.before == {"status": "submitted"} and event.after == {"status": "ineligible"}
    emails = db.session.scalars(db.select(OutboxEmail)).all()
    assert {e.to_address for e in emails} == {"applicant@example.org"}
    assert "Outside Cleveland" in emails[0].body_text
