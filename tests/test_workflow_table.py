"""The lifecycle, written out independently of the code: every (state, transition, actor) is checked.

The table below is copied by hand from DESIGN.md's lifecycle and the behaviour
users rely on; it deliberately does not read workflow.TRANSITIONS, so changing
a source state, a target, who may act or which notice is sent makes a test fail.
"""
from __future__ import annotations

import importlib

import pytest

from grants.extensions import db
from grants.models import Assignment, ConflictDeclaration, Role
from grants.services import accounts, audit, outbox, workflow
from grants.services.errors import InvalidTransition, NotPermitted

from .factories import make_application

ALL_STATES = ("draft", "submitted", "more_info_requested", "ineligible", "in_assessment", "assessed", "approved",
              "declined", "deferred", "offer_lapsed", "funded", "completed", "withdrawn")
BEFORE_DECISION = ("draft", "submitted", "more_info_requested", "in_assessment", "assessed", "deferred")

# Who is asked. Every actor below is tried on every transition from every state.
ACTORS = ("member", "other_org", "officer", "assessor", "ceo", "pcc", "ceo_conflicted", "pcc_conflicted",
          "dm_who_assessed", "finance", "auditor", "admin", "system")

MEMBER = {"member"}
OFFICER = {"officer"}
# Decision makers of either authority who neither declared a conflict nor assessed the application.
UNCONFLICTED_DM = {"ceo", "pcc"}
OFFICER_OR_ANY_DM = {"officer", "ceo", "pcc", "ceo_conflicted", "pcc_conflicted", "dm_who_assessed"}
SYSTEM = {"system"}

# name: (source states, target state, who may make it, email template sent to the organisation or None)
LIFECYCLE = {
    "submit": ({"draft"}, "submitted", MEMBER, "application_submitted"),
    "request_more_info": ({"submitted"}, "more_info_requested", OFFICER, "more_info_requested"),
    "resubmit": ({"more_info_requested"}, "submitted", MEMBER, "application_resubmitted"),
    "mark_ineligible": ({"submitted"}, "ineligible", OFFICER, "application_ineligible"),
    "pass_screening": ({"submitted"}, "in_assessment", OFFICER, None),
    "complete_assessment": ({"in_assessment"}, "assessed", SYSTEM, None),
    "approve": ({"assessed"}, "approved", UNCONFLICTED_DM, "offer_made"),
    "decline": ({"assessed"}, "declined", UNCONFLICTED_DM, "application_declined"),
    "defer": ({"assessed"}, "deferred", UNCONFLICTED_DM, None),
    "reconsider": ({"deferred"}, "assessed", OFFICER_OR_ANY_DM, None),
    "accept_offer": ({"approved"}, "funded", MEMBER, "offer_accepted"),
    "decline_offer": ({"approved"}, "offer_lapsed", MEMBER, "offer_declined"),
    "lapse_offer": ({"approved"}, "offer_lapsed", SYSTEM, "offer_lapsed"),
    "complete": ({"funded"}, "completed", OFFICER, "grant_completed"),
    "withdraw": (set(BEFORE_DECISION), "withdrawn", MEMBER, "application_withdrawn"),
}

# The words each action is described by (the refusal and the staff pages use them).
DESCRIPTIONS = {
    "submit": "Submit the application",
    "request_more_info": "Ask the applicant for more information",
    "resubmit": "Send the requested information",
    "mark_ineligible": "Close as ineligible",
    "pass_screening": "Pass eligibility screening",
    "complete_assessment": "All assessments are in",
    "approve": "Approve and make an offer",
    "decline": "Decline",
    "defer": "Defer the decision",
    "reconsider": "Bring a deferred application back for decision",
    "accept_offer": "Accept the offer",
    "decline_offer": "Decline the offer",
    "lapse_offer": "Offer not accepted in time",
    "complete": "Close the grant as completed",
    "withdraw": "Withdraw the application",
}

# The reason each kind of actor is given when the state is right but they are the wrong person.
WHO_REFUSAL = {
    id(MEMBER): "Only a member of the applying organisation can do this",
    id(OFFICER): "Only a grants officer can do this",
    id(OFFICER_OR_ANY_DM): "Only a grants officer or decision maker can do this",
    id(SYSTEM): "This happens automatically",
}


def _extra_decision_maker(email: str, authority: str):
    return accounts.create_user(email=email, full_name=email.split("@")[0].title(), password="x",
                                roles=[Role.DECISION_MAKER], decision_authority=authority, confirmed=True,
                                check_password=False)


@pytest.fixture
def people(demo):
    """Every kind of actor, by the key used in the table."""
    return {
        "member": demo.applicant, "other_org": demo.applicant2, "officer": demo.officer, "assessor": demo.assessor,
        "ceo": demo.ceo, "pcc": demo.pcc,
        "ceo_conflicted": _extra_decision_maker("deputy@example.org", "delegated"),
        "pcc_conflicted": _extra_decision_maker("pcc-conflicted@example.org", "full"),
        "dm_who_assessed": _extra_decision_maker("dm-assessor@example.org", "full"),
        "finance": demo.finance, "auditor": demo.auditor, "admin": demo.admin, "system": None,
    }


def application_in(demo, people, state: str):
    """An application in `state` on which two decision makers declared conflicts and one was an assessor."""
    application = make_application(demo, status=state)
    for key in ("ceo_conflicted", "pcc_conflicted"):
        db.session.add(ConflictDeclaration(application_id=application.id, user_id=people[key].id,
                                           capacity="decision_maker", has_conflict=True, nature="Trustee"))
    db.session.add(Assignment(application_id=application.id, assessor_id=people["dm_who_assessed"].id,
                              assigned_by_id=demo.officer.id, status="submitted"))
    db.session.flush()
    return application


@pytest.fixture
def sent(monkeypatch):
    """The (action, actor, entity, application, before, after, reason) of each audit event, and each
    organisation email (application id, template, details), in order."""
    events, notices = [], []
    real_record = audit.record

    def record(action, **kwargs):
        events.append((action, kwargs.get("actor"), kwargs.get("entity"), kwargs.get("application"),
                       kwargs.get("before"), kwargs.get("after"), kwargs.get("reason")))
        return real_record(action, **kwargs)

    monkeypatch.setattr(audit, "record", record)
    monkeypatch.setattr(outbox, "notify_organisation",
                        lambda application, template, **context: notices.append((application.id, template, context)))
    return events, notices


def test_the_table_names_every_transition_and_every_state():
    """Does the hand-written table cover exactly the transitions and states the code knows?"""
    assert set(LIFECYCLE) == set(workflow.TRANSITIONS)
    assert set(ALL_STATES) == {s.value for s in workflow.Status}


def test_the_table_built_at_import_says_what_the_lifecycle_says(demo, people):
    """Rebuilt as it is when the module is first imported, does the transition table hold exactly the
    lifecycle's sources, targets, descriptions, notices and people who may act?"""
    application = application_in(demo, people, "draft")
    saved = dict(workflow.__dict__)
    try:
        importlib.reload(workflow)
        built = {name: (t.name, {s.value for s in t.sources}, t.target.value, t.description, t.notice,
                        {key for key in ACTORS if t.who(people[key], application) is None})
                 for name, t in workflow.TRANSITIONS.items()}
    finally:
        workflow.__dict__.clear()
        workflow.__dict__.update(saved)
    assert built == {name: (name, sources, target, DESCRIPTIONS[name], notice, allowed)
                     for name, (sources, target, allowed, notice) in LIFECYCLE.items()}


@pytest.mark.parametrize("name", sorted(LIFECYCLE))
def test_every_state_and_actor_against_the_lifecycle(demo, people, sent, name):
    """From every state, for every kind of actor: is the transition allowed exactly as the lifecycle says,
    with the right target, audit event and notice, and otherwise refused with the right error and no change?"""
    sources, target, allowed, notice = LIFECYCLE[name]
    events, notices = sent
    for state in ALL_STATES:
        application = application_in(demo, people, state)
        for key in ACTORS:
            actor = people[key]
            expect_ok = state in sources and key in allowed
            why = workflow.refusal(application, name, actor)
            assert workflow.can(application, name, actor) is expect_ok, (name, state, key)
            del events[:], notices[:]
            if expect_ok:
                assert why is None
                assert workflow.transition(application, name, actor=actor, reason="Because",
                                           details={"note": 1}) == workflow.Status(target)
                assert application.status == target, (name, state, key)
                assert events == [(f"application.{name}", actor, application, application, {"status": state},
                                   {"status": target, "note": 1}, "Because")]
                assert notices == ([(application.id, notice, {"reason": "Because"})] if notice else [])
                application.status = state
                continue
            assert why, (name, state, key)
            if state not in sources:
                assert why.startswith("You cannot "), why
                error = InvalidTransition
            else:
                error = NotPermitted
                if id(allowed) in WHO_REFUSAL:
                    assert why == WHO_REFUSAL[id(allowed)]
            with pytest.raises(error) as caught:
                workflow.transition(application, name, actor=actor, reason="Because")
            assert caught.value.message == why
            assert application.status == state, (name, state, key)
            assert events == [] and notices == []


def test_state_refusal_says_what_and_where_in_plain_words(demo):
    """Does the wrong-state refusal name the action and the current status as staff see it?"""
    application = make_application(demo, status="funded")
    assert workflow.refusal(application, "pass_screening", demo.officer) == (
        "You cannot pass eligibility screening while the application is 'funded'")
    application.status = "more_info_requested"
    assert workflow.refusal(application, "approve", demo.pcc) == (
        "You cannot approve and make an offer while the application is 'more information requested'")


@pytest.mark.parametrize("key, message", [
    ("ceo_conflicted", "You declared a conflict of interest on this application, so you cannot decide it"),
    ("pcc_conflicted", "You declared a conflict of interest on this application, so you cannot decide it"),
    ("dm_who_assessed", "You assessed this application, so you cannot decide it"),
    ("officer", "Only a decision maker can decide an application"),
    ("system", "Only a decision maker can decide an application"),
])
def test_decisions_need_an_unconflicted_decision_maker(demo, people, key, message):
    """Are approve, decline and defer each refused, with the reason, to a conflicted or non-deciding actor?"""
    application = application_in(demo, people, "assessed")
    for name in ("approve", "decline", "defer"):
        assert workflow.refusal(application, name, people[key]) == message
        with pytest.raises(NotPermitted):
            workflow.transition(application, name, actor=people[key])
    assert application.status == "assessed"


def test_unknown_transition_is_refused(demo):
    """Is a made-up action name refused rather than changing anything?"""
    application = make_application(demo, status="submitted")
    with pytest.raises(InvalidTransition, match="Unknown action 'fast_track'"):
        workflow.transition(application, "fast_track", actor=demo.officer)
    assert application.status == "submitted"


def test_transition_without_details_or_reason_records_only_the_status(demo, sent):
    """With no details or reason, is the audit event just before/after status with no reason?"""
    events, notices = sent
    application = make_application(demo, status="submitted")
    workflow.transition(application, "pass_screening", actor=demo.officer)
    assert events == [("application.pass_screening", demo.officer, application, application, {"status": "submitted"},
                       {"status": "in_assessment"}, None)]
    assert notices == []


def test_email_context_reaches_the_notice(demo, sent):
    """Are the caller's email details passed on to the organisation's notice, beside the reason?"""
    events, notices = sent
    application = make_application(demo, status="submitted")
    workflow.transition(application, "mark_ineligible", actor=demo.officer, reason="Outside Cleveland",
                        email_context={"feedback": "Apply to the county fund"})
    assert notices == [(application.id, "application_ineligible",
                        {"reason": "Outside Cleveland", "feedback": "Apply to the county fund"})]
