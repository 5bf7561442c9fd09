"""Who may decide and correct, and within which limit: every refusal at its boundary, across two rounds."""
from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import ConflictDeclaration, Role
from grants.services import accounts, decisions

from .factories import make_application
from .factories_decisions import accept, approve, assign_assessor, make_assessed

NO_AUTHORITY = ("You have no decision-making authority. Only the Chief Executive (awards up to {limit}) or the "
                "Police and Crime Commissioner can decide")
CONFLICT = "You declared a conflict of interest on this application, so you cannot decide it"
ASSESSED = "You assessed this application, so you cannot decide it"
NOT_DM = "Only a decision maker can decide an application"


@pytest.fixture
def rounds(demo):
    """The two demo rounds with different delegated limits (CSF £5,000; PPAF £1,000)."""
    demo.ppaf_round.delegated_limit_pence = 100_000
    db.session.flush()
    return demo.csf_round, demo.ppaf_round


@pytest.fixture
def no_authority(demo):
    """A decision maker whose authority was never recorded."""
    return accounts.create_user(email="deputy@example.org", full_name="Dee Puty", password="x",
                                roles=[Role.DECISION_MAKER], decision_authority=None, confirmed=True,
                                check_password=False)


def declare(application, user):
    db.session.add(ConflictDeclaration(application_id=application.id, user_id=user.id, capacity="decision_maker",
                                       has_conflict=True, nature="Trustee"))
    db.session.flush()


# --- authority_text and limit_refusal ------------------------------------------------------------


def test_authority_is_named_in_the_records_words_with_each_rounds_limit(demo, rounds, no_authority):
    """Does the record name the PCC, or the Chief Executive with the round's own delegated limit, or nobody?"""
    csf, ppaf = rounds
    assert decisions.authority_text(demo.pcc, csf) == "Police and Crime Commissioner"
    assert decisions.authority_text(demo.ceo, csf) == "Chief Executive, under delegation (awards up to £5,000)"
    assert decisions.authority_text(demo.ceo, ppaf) == "Chief Executive, under delegation (awards up to £1,000)"
    assert decisions.authority_text(no_authority, csf) is None
    assert decisions.authority_text(demo.officer, csf) is None


@pytest.mark.parametrize("round_key, limit", [("csf", 500_000), ("ppaf", 100_000)])
def test_delegated_limit_is_exact_to_the_penny_in_each_round(demo, rounds, round_key, limit):
    """May the Chief Executive approve exactly the round's limit but not a penny more, and the PCC any amount?"""
    round_ = rounds[0] if round_key == "csf" else rounds[1]
    words = "£5,000" if limit == 500_000 else "£1,000"
    assert decisions.limit_refusal(demo.ceo, round_, limit) is None
    assert decisions.limit_refusal(demo.ceo, round_, 1) is None
    assert decisions.limit_refusal(demo.ceo, round_, None) is None
    assert decisions.limit_refusal(demo.ceo, round_, limit + 1) == (
        f"Only the Police and Crime Commissioner can approve awards above {words}")
    for amount in (None, 1, limit, limit + 1, 100_000_000):
        assert decisions.limit_refusal(demo.pcc, round_, amount) is None


def test_no_authority_is_refused_whatever_the_amount(demo, rounds, no_authority):
    """Is a decision maker with no authority, or a non-decision maker, refused even for no or a tiny amount?"""
    csf, ppaf = rounds
    for user in (no_authority, demo.officer, demo.finance):
        for amount in (None, 0, 1, 500_001):
            assert decisions.limit_refusal(user, csf, amount) == NO_AUTHORITY.format(limit="£5,000")
    assert decisions.limit_refusal(no_authority, ppaf, None) == NO_AUTHORITY.format(limit="£1,000")


# --- decision_refusal --------------------------------------------------------------------------------


def test_only_assessed_or_deferred_applications_can_be_decided(demo, rounds):
    """Is deciding refused, naming the status, in every state but assessed and deferred?"""
    for state in ("draft", "submitted", "more_info_requested", "ineligible", "in_assessment", "approved",
                  "declined", "offer_lapsed", "funded", "completed", "withdrawn"):
        application = make_application(demo, status=state)
        refusal = decisions.decision_refusal(application, demo.pcc)
        assert refusal and refusal.endswith("so it cannot be decided now"), state
    application = make_application(demo, status="in_assessment")
    assert decisions.decision_refusal(application, demo.pcc) == (
        "This application is 'in assessment', so it cannot be decided now")
    for state in ("assessed", "deferred"):
        application = make_application(demo, status=state)
        assert decisions.decision_refusal(application, demo.pcc) is None
        assert decisions.decision_refusal(application, demo.ceo) is None


def test_deciding_needs_an_unconflicted_decision_maker_with_authority(demo, rounds, no_authority):
    """On one application, are the conflicted, the assessor, the non-decision maker and the one without
    authority each refused with their own reason, while clean decision makers on another are not?"""
    csf, ppaf = rounds
    application = make_assessed(demo, round_=ppaf)
    other = make_assessed(demo, user=demo.applicant2)
    declare(application, demo.ceo)
    assign_assessor(demo, application, demo.pcc)
    assert decisions.decision_refusal(application, demo.ceo) == CONFLICT
    assert decisions.decision_refusal(application, demo.pcc) == ASSESSED
    assert decisions.decision_refusal(application, demo.officer) == NOT_DM
    assert decisions.decision_refusal(application, no_authority) == NO_AUTHORITY.format(limit="£1,000")
    assert decisions.decision_refusal(other, demo.ceo) is None
    assert decisions.decision_refusal(other, demo.pcc) is None


# --- correction_refusal ------------------------------------------------------------------------------


@pytest.fixture
def offers(demo, rounds):
    """Open approvals (full and reduced) in two rounds and organisations, and a decline and a deferral."""
    csf, ppaf = rounds
    full = approve(demo, make_assessed(demo, amount_pence=400_000))
    reduced = approve(demo, make_assessed(demo, amount_pence=90_000, round_=ppaf, user=demo.applicant2),
                      amount_pence=80_000)
    declined = decisions.decide(make_assessed(demo), actor=demo.pcc, outcome=decisions.DECLINE,
                                reasons="Weak evidence", no_interest_confirmed=True)
    deferred = decisions.decide(make_assessed(demo), actor=demo.pcc, outcome=decisions.DEFER,
                                reasons="Need a quote", no_interest_confirmed=True)
    return full, reduced, declined, deferred


def test_open_approvals_can_be_corrected_by_clean_decision_makers(demo, offers):
    """May the PCC and the Chief Executive correct an open approval, full or reduced?"""
    full, reduced = offers[:2]
    for record in (full, reduced):
        assert decisions.correction_refusal(record, demo.pcc) is None
        assert decisions.correction_refusal(record, demo.ceo) is None


def test_only_approvals_can_be_corrected(demo, offers):
    """Are a decline and a deferral refused as corrections, even for the PCC?"""
    for record in offers[2:]:
        assert decisions.correction_refusal(record, demo.pcc) == (
            "Only an approval can be corrected here; other decisions are remade from the decision page")


def test_superseded_record_cannot_be_corrected_but_its_successor_can(demo, offers):
    """Once corrected, is the old record refused and the new one (and other grants' records) still correctable?"""
    full, reduced = offers[:2]
    new = decisions.correct_decision(full, actor=demo.pcc, reasons="Quote was lower", amount_pence=350_000,
                                     no_interest_confirmed=True)
    assert decisions.correction_refusal(full, demo.pcc) == (
        "This record has already been superseded; correct the latest record")
    assert decisions.correction_refusal(new, demo.pcc) is None
    assert decisions.correction_refusal(reduced, demo.pcc) is None
    assert decisions.superseded_by(full).id == new.id
    assert decisions.superseded_by(new) is None and decisions.superseded_by(reduced) is None


@pytest.mark.parametrize("state", ["funded", "offer_lapsed", "completed", "withdrawn"])
def test_correction_closes_once_the_offer_is_no_longer_open(demo, offers, state):
    """Is an approval refused as a correction once the offer is accepted, lapsed or otherwise closed?"""
    full, reduced = offers[:2]
    full.application.status = state
    assert decisions.correction_refusal(full, demo.pcc) == (
        "The offer has already been accepted, declined or has lapsed, so the award can no longer be corrected")
    assert decisions.correction_refusal(reduced, demo.pcc) is None


def test_correction_after_real_acceptance_is_refused(demo, offers):
    """After the applicant accepts through the service, is the correction refused?"""
    full = offers[0]
    accept(demo, full.application)
    assert "can no longer be corrected" in decisions.correction_refusal(full, demo.pcc)


def test_correcting_needs_an_unconflicted_decision_maker_with_authority(demo, offers, no_authority):
    """Are the conflicted, the assessor, the non-decision maker and the one without authority refused
    on one grant, without affecting the other grant?"""
    full, reduced = offers[:2]
    declare(full.application, demo.ceo)
    assign_assessor(demo, full.application, demo.pcc)
    assert decisions.correction_refusal(full, demo.ceo) == CONFLICT
    assert decisions.correction_refusal(full, demo.pcc) == ASSESSED
    assert decisions.correction_refusal(full, demo.officer) == NOT_DM
    assert decisions.correction_refusal(full, no_authority) == NO_AUTHORITY.format(limit="£5,000")
    assert decisions.correction_refusal(reduced, no_authority) == NO_AUTHORITY.format(limit="£1,000")
    assert decisions.correction_refusal(reduced, demo.ceo) is None
    assert decisions.correction_refusal(reduced, demo.pcc) is None


# --- The payment schedule a decision proposes and accepts ----------------------------------------------


@pytest.mark.parametrize("amount, expected", [
    (250_000, [(250_000, "on_acceptance")]),
    (1, [(1, "on_acceptance")]),
    (250_001, [(125_001, "on_acceptance"), (125_000, "after_interim_report")]),
    (250_002, [(125_001, "on_acceptance"), (125_001, "after_interim_report")]),
])
def test_schedule_is_in_full_up_to_the_threshold_and_halved_above_it(demo, amount, expected):
    """Is an award of exactly the threshold paid at once, and a penny more split with the odd penny first?"""
    schedule = decisions.propose_schedule(demo.csf_round, amount)
    assert [(r["amount_pence"], r["trigger"]) for r in schedule] == expected


@pytest.mark.parametrize("schedule, message", [
    ([], "Enter at least one payment instalment"),
    ([{"amount_pence": 0, "trigger": "on_acceptance"}, {"amount_pence": 1000, "trigger": "on_acceptance"}],
     "Each instalment must be more than £0"),
    ([{"amount_pence": -1, "trigger": "on_acceptance"}, {"amount_pence": 1001, "trigger": "on_acceptance"}],
     "Each instalment must be more than £0"),
    ([{"amount_pence": "1000", "trigger": "on_acceptance"}], "Each instalment must be more than £0"),
    ([{"amount_pence": None, "trigger": "on_acceptance"}], "Each instalment must be more than £0"),
    ([{"amount_pence": 1000, "trigger": "whenever"}], "Choose when each instalment is paid"),
    ([{"amount_pence": 1000}], "Choose when each instalment is paid"),
    ([{"amount_pence": 999, "trigger": "on_acceptance"}],
     "The instalments add up to £9.99 but the award is £10.00; they must add up exactly"),
    ([{"amount_pence": 1001, "trigger": "on_acceptance"}],
     "The instalments add up to £10.01 but the award is £10.00; they must add up exactly"),
    ([{"amount_pence": 900, "trigger": "on_acceptance"}],
     "The instalments add up to £9.00 but the award is £10.00; they must add up exactly"),
])
def test_schedule_refusals(schedule, message):
    """Is each malformed schedule for a £10 award refused with the message that says how to fix it?"""
    from grants.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        decisions.check_schedule(schedule, 1000)
    assert caught.value.errors == {"schedule": message}


def test_schedule_of_positive_known_instalments_summing_exactly_is_kept_clean():
    """Is a valid schedule returned with only amount and trigger, in order, a single 1p instalment included?"""
    schedule = [{"amount_pence": 1, "trigger": "on_acceptance", "note": "x"},
                {"amount_pence": 998, "trigger": "after_interim_report"},
                {"amount_pence": 1, "trigger": "after_final_report"}]
    assert decisions.check_schedule(schedule, 1000) == [
        {"amount_pence": 1, "trigger": "on_acceptance"}, {"amount_pence": 998, "trigger": "after_interim_report"},
        {"amount_pence": 1, "trigger": "after_final_report"}]
