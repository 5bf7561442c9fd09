"""Decisions: authority, conflicts, budget edges, numbering, records, corrections and immutability."""
from datetime import date, datetime, timezone

import pytest

from grants import clock
from grants.extensions import db
from grants.models import ConflictDeclaration, DecisionRecord, Letter, OutboxEmail, PaymentInstalment, Round
from grants.services import budget, decisions, reporting_schedule
from grants.services.errors import (
    BudgetExceeded,
    Immutable,
    LimitExceeded,
    NotPermitted,
    ValidationFailed,
)

from .factories_decisions import approve, assign_assessor, make_assessed


def fix_today(monkeypatch, day: date):
    moment = datetime(day.year, day.month, day.day, 11, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: moment)


# --- Authority ------------------------------------------------------------------------------


def test_chief_executive_may_approve_exactly_the_delegated_limit(demo):
    """Can the Chief Executive approve an award of exactly the delegated limit (£5,000)?"""
    application = make_assessed(demo, amount_pence=500_000)
    record = approve(demo, application, actor=demo.ceo)
    assert record.amount_awarded_pence == 500_000
    assert record.authority == "Chief Executive, under delegation (awards up to £5,000)"


def test_chief_executive_refused_one_penny_over_the_limit_with_who_can(demo):
    """Is a delegated approval one penny over the limit refused, naming the PCC?"""
    application = make_assessed(demo, amount_pence=500_001)
    with pytest.raises(LimitExceeded) as caught:
        approve(demo, application, actor=demo.ceo)
    assert caught.value.message == "Only the Police and Crime Commissioner can approve awards above £5,000"
    assert application.status == "assessed"


def test_chief_executive_may_approve_a_reduced_amount_within_the_limit(demo):
    """May the Chief Executive approve a large request reduced to within their limit?"""
    application = make_assessed(demo, amount_pence=800_000)
    record = approve(demo, application, actor=demo.ceo, amount_pence=450_000)
    assert (record.outcome, application.awarded_pence) == ("approve_reduced", 450_000)


def test_pcc_may_approve_any_amount(demo):
    """Can the PCC approve above the delegated limit, recorded under their own authority?"""
    application = make_assessed(demo, amount_pence=1_000_000)
    record = approve(demo, application, actor=demo.pcc)
    assert record.authority == "Police and Crime Commissioner"
    assert application.status == "approved"


def test_user_without_decision_authority_cannot_decide(demo):
    """Is a decision maker with no recorded authority refused?"""
    demo.ceo.decision_authority = None
    application = make_assessed(demo, amount_pence=100_000)
    with pytest.raises(NotPermitted) as caught:
        approve(demo, application, actor=demo.ceo)
    assert "no decision-making authority" in caught.value.message


def test_officer_cannot_decide(demo):
    """Is someone who is not a decision maker refused?"""
    application = make_assessed(demo)
    with pytest.raises(NotPermitted):
        approve(demo, application, actor=demo.officer)


# --- Segregation of duties ---------------------------------------------------------------------


def test_assessor_of_the_application_cannot_decide_it(demo):
    """Is a decision maker who assessed the application refused?"""
    application = make_assessed(demo)
    assign_assessor(demo, application, demo.pcc)
    with pytest.raises(NotPermitted) as caught:
        approve(demo, application, actor=demo.pcc)
    assert "assessed this application" in caught.value.message


def test_declared_conflict_blocks_the_decision_maker(demo):
    """Does declaring an interest on the decision form record it and then stop that person deciding?"""
    application = make_assessed(demo)
    decisions.declare_conflict(application, actor=demo.ceo, nature="My spouse chairs this group")
    declaration = db.session.scalar(db.select(ConflictDeclaration).where(ConflictDeclaration.user_id == demo.ceo.id))
    assert (declaration.capacity, declaration.has_conflict) == ("decision_maker", True)
    with pytest.raises(NotPermitted) as caught:
        approve(demo, application, actor=demo.ceo)
    assert "conflict of interest" in caught.value.message
    assert decisions.decide(application, actor=demo.pcc, outcome="decline", reasons="Weak evidence",
                            no_interest_confirmed=True).outcome == "decline"


def test_declaration_and_reasons_are_required(demo):
    """Are reasons and the no-interest declaration both required?"""
    application = make_assessed(demo)
    with pytest.raises(ValidationFailed) as caught:
        decisions.decide(application, actor=demo.pcc, outcome="approve_full", reasons="  ",
                         public_summary="Door alarms for older residents")
    assert set(caught.value.errors) == {"declaration", "reasons"}


# --- Amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, message", [
    (300_000, "must be less than"),
    (300_001, "must be less than"),
    (24_999, "round's minimum of £250"),
])
def test_reduced_award_must_be_below_request_and_at_least_the_minimum(demo, amount, message):
    """Is a reduced award refused at or above the request, or below the round minimum?"""
    application = make_assessed(demo, amount_pence=300_000)
    with pytest.raises(ValidationFailed) as caught:
        approve(demo, application, amount_pence=amount)
    assert message in caught.value.errors["amount"]


def test_reduced_award_of_exactly_the_minimum_is_allowed(demo):
    """Is a reduced award of exactly the round minimum accepted?"""
    application = make_assessed(demo, amount_pence=300_000)
    assert approve(demo, application, amount_pence=25_000).amount_awarded_pence == 25_000


# --- Budget -----------------------------------------------------------------------------------


def small_budget(demo, pence: int) -> Round:
    demo.csf_round.budget_pence = pence
    db.session.flush()
    return demo.csf_round


def test_approval_of_exactly_the_remaining_budget_is_allowed(demo):
    """Can an approval use up the budget to the last penny?"""
    small_budget(demo, 700_000)
    approve(demo, make_assessed(demo, amount_pence=400_000))
    approve(demo, make_assessed(demo, amount_pence=300_000))
    money = budget.round_money(demo.csf_round)
    assert (money.committed, money.remaining) == (700_000, 0)


def test_approval_one_penny_over_the_remaining_budget_is_refused(demo):
    """Is an approval one penny more than the remaining budget refused, leaving nothing changed?"""
    small_budget(demo, 700_000)
    approve(demo, make_assessed(demo, amount_pence=400_000))
    application = make_assessed(demo, amount_pence=300_001)
    with pytest.raises(BudgetExceeded) as caught:
        approve(demo, application)
    assert "only £3,000.00 remains" in caught.value.message
    assert application.awarded_pence is None
    assert budget.round_money(demo.csf_round).committed == 400_000


def test_declined_offer_releases_its_commitment(demo):
    """Does a declined offer stop counting against the budget, so the money can be awarded again?"""
    from grants.services import offers

    small_budget(demo, 300_000)
    first = make_assessed(demo, amount_pence=300_000)
    approve(demo, first)
    offers.decline_offer(first, actor=demo.applicant, signatory_name="Jo", signatory_position="Chair",
                         reason="Project cancelled", ip_address="127.0.0.1")
    assert budget.round_money(demo.csf_round).committed == 0
    approve(demo, make_assessed(demo, amount_pence=300_000))
    assert budget.round_money(demo.csf_round).remaining == 0


# --- Records and numbering -----------------------------------------------------------------------


def test_every_decision_gets_the_next_number_for_its_fund_and_year(demo, monkeypatch):
    """Are approve, decline and defer numbered CSF/2026-27/001.. without gaps, and PPAF separately?"""
    fix_today(monkeypatch, date(2026, 11, 20))
    a, b, c = (make_assessed(demo) for _ in range(3))
    p = make_assessed(demo, round_=demo.ppaf_round, amount_pence=50_000)
    numbers = [
        approve(demo, a).number,
        decisions.decide(b, actor=demo.pcc, outcome="decline", reasons="Low score", no_interest_confirmed=True).number,
        decisions.decide(c, actor=demo.pcc, outcome="defer", reasons="Await police view",
                         no_interest_confirmed=True).number,
        approve(demo, p).number,
    ]
    assert numbers == ["CSF/2026-27/001", "CSF/2026-27/002", "CSF/2026-27/003", "PPAF/2026-27/001"]


def test_numbering_restarts_in_a_new_financial_year(demo, monkeypatch):
    """Does the number follow the financial year of the decision date (1 April starts a new sequence)?"""
    fix_today(monkeypatch, date(2027, 3, 31))
    assert approve(demo, make_assessed(demo)).number == "CSF/2026-27/001"
    fix_today(monkeypatch, date(2027, 4, 1))
    assert approve(demo, make_assessed(demo)).number == "CSF/2027-28/001"


def test_refused_decision_takes_no_number(demo):
    """Does a refused approval leave no gap in the numbering?"""
    small_budget(demo, 100_000)
    with pytest.raises(BudgetExceeded):
        approve(demo, make_assessed(demo, amount_pence=200_000))
    record = decisions.decide(make_assessed(demo), actor=demo.pcc, outcome="decline", reasons="No",
                              no_interest_confirmed=True)
    assert record.sequence == 1


def test_record_holds_the_evidence_and_a_verifiable_hash(demo):
    """Does the record hold amounts, authority, declaration, conflicts, and a hash that detects tampering?"""
    application = make_assessed(demo, amount_pence=300_000)
    assign_assessor(demo, application, demo.assessor)
    record = approve(demo, application, conditions="Provide a safeguarding policy before the first payment")
    assert record.organisation_name == application.organisation.legal_name
    assert record.amount_requested_pence == record.amount_awarded_pence == 300_000
    assert record.declaration_of_interest == "I have no interest to declare"
    assert record.decided_by_name == demo.pcc.full_name
    assert any(c["capacity"] == "assessor" for c in record.conflicts)
    assert record.payment_schedule == [{"amount_pence": 150_000, "trigger": "on_acceptance"},
                                       {"amount_pence": 150_000, "trigger": "after_interim_report"}]
    assert decisions.record_is_intact(record)
    record.reasons = "Something else"  # in memory only: the hash no longer matches
    assert not decisions.record_is_intact(record)
    db.session.rollback()


def test_decision_records_letters_and_payments_cannot_be_changed_or_deleted(demo):
    """Are updates and deletes of decision records and letters refused?"""
    record = approve(demo, make_assessed(demo))
    db.session.commit()
    record.reasons = "Rewritten"
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    letter = db.session.scalar(db.select(Letter))
    db.session.delete(letter)
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(db.select(DecisionRecord)).reasons == "Strong, well-evidenced bid"


# --- Approval effects ---------------------------------------------------------------------------


def test_approval_sets_award_deadline_instalments_letter_and_email(demo, monkeypatch):
    """Does approval set the award and 28-day deadline, create instalments and the letter, and email the applicant?"""
    fix_today(monkeypatch, date(2026, 11, 20))
    application = make_assessed(demo, amount_pence=200_000)
    approve(demo, application)
    assert application.awarded_pence == 200_000
    assert application.offer_expires_on == date(2026, 12, 18)
    instalments = db.session.scalars(db.select(PaymentInstalment)).all()
    assert [(i.amount_pence, i.trigger) for i in instalments] == [(200_000, "on_acceptance")]
    assert db.session.scalar(db.select(Letter)).kind == "award"
    email = db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.subject.like("Grant offer%")))
    assert "£2,000" in email.body_text and f"/decisions/offers/{application.id}" in email.body_text


def test_schedule_proposal_splits_with_the_odd_penny_first(demo):
    """Does a £2,500.01 award split into £1,250.01 on acceptance and £1,250 after the interim report?"""
    assert decisions.propose_schedule(demo.csf_round, 250_001) == [
        {"amount_pence": 125_001, "trigger": "on_acceptance"},
        {"amount_pence": 125_000, "trigger": "after_interim_report"}]
    assert decisions.propose_schedule(demo.csf_round, 250_000) == [
        {"amount_pence": 250_000, "trigger": "on_acceptance"}]


def test_adjusted_schedule_must_sum_exactly_to_the_award(demo):
    """Is an adjusted schedule that is a penny short refused, and an exact one kept?"""
    application = make_assessed(demo, amount_pence=400_000)
    with pytest.raises(ValidationFailed) as caught:
        approve(demo, application, schedule=[{"amount_pence": 100_000, "trigger": "on_acceptance"},
                                             {"amount_pence": 299_999, "trigger": "after_final_report"}])
    assert "must add up exactly" in caught.value.errors["schedule"]
    record = approve(demo, application, schedule=[{"amount_pence": 100_000, "trigger": "on_acceptance"},
                                                  {"amount_pence": 300_000, "trigger": "after_final_report"}])
    assert [r["trigger"] for r in record.payment_schedule] == ["on_acceptance", "after_final_report"]


def test_deferred_application_can_be_decided_later(demo):
    """Can a deferred application be approved later, with both decisions on record?"""
    application = make_assessed(demo)
    decisions.decide(application, actor=demo.pcc, outcome="defer", reasons="Await references",
                     no_interest_confirmed=True)
    assert application.status == "deferred"
    approve(demo, application)
    assert application.status == "approved"
    assert [r.outcome for r in decisions.records_for(application)] == ["defer", "approve_full"]


def test_decided_application_cannot_be_decided_again(demo):
    """Is a second decision on an approved application refused?"""
    application = make_assessed(demo)
    approve(demo, application)
    with pytest.raises(NotPermitted):
        approve(demo, application)


# --- Corrections -------------------------------------------------------------------------------


def test_correction_supersedes_and_reissues_the_letter(demo):
    """Does a correction make a new record that supersedes the old, change the award and issue a new letter?"""
    application = make_assessed(demo, amount_pence=400_000)
    original = approve(demo, application)
    corrected = decisions.correct_decision(original, actor=demo.pcc, reasons="Equipment quote was lower",
                                           amount_pence=350_000, no_interest_confirmed=True)
    assert corrected.supersedes_id == original.id and corrected.sequence == original.sequence + 1
    assert decisions.superseded_by(original).id == corrected.id
    assert application.awarded_pence == 350_000
    assert sum(i.amount_pence for i in decisions.instalments_for(application)) == 350_000
    assert original.amount_awarded_pence == 400_000
    assert len(decisions.letters_for(application)) == 2
    assert budget.round_money(demo.csf_round).committed == 350_000


def test_correction_respects_the_budget_counting_its_own_award(demo):
    """May a correction raise an award only within remaining budget plus its own current award?"""
    small_budget(demo, 500_000)
    application = make_assessed(demo, amount_pence=600_000)
    original = approve(demo, application, amount_pence=400_000)
    decisions.correct_decision(original, actor=demo.pcc, reasons="Within budget", amount_pence=500_000,
                               no_interest_confirmed=True)
    latest = decisions.records_for(application)[-1]
    with pytest.raises(BudgetExceeded):
        decisions.correct_decision(latest, actor=demo.pcc, reasons="Over", amount_pence=500_001,
                                   no_interest_confirmed=True)


def test_correction_refused_after_acceptance(demo):
    """Is a correction refused once the offer has been accepted?"""
    from .factories_decisions import accept

    application = make_assessed(demo)
    record = approve(demo, application)
    accept(demo, application)
    with pytest.raises(NotPermitted) as caught:
        decisions.correct_decision(record, actor=demo.pcc, reasons="Late change", amount_pence=200_000,
                                   no_interest_confirmed=True)
    assert "already been accepted" in caught.value.message


def test_reporting_requirements_follow_the_round_rules(demo):
    """Is the final report due 3 months after the end, with an interim at the midpoint above the round's threshold?"""
    application = make_assessed(demo, amount_pence=600_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    interim, final = ("interim", date(2027, 4, 1)), ("final", date(2027, 9, 30))

    def reports(award: int) -> list[tuple[str, date]]:
        return [(r.kind, r.due_on) for r in reporting_schedule.schedule_for(
            application.round, award_pence=award, start_date=application.start_date,
            end_date=application.end_date).reports]

    assert reports(600_000) == [interim, final]
    # £4,000 is within the delegated limit but above the demo round's interim threshold (£2,500).
    assert reports(400_000) == [interim, final]
    assert reports(250_000) == [final]
    assert reporting_schedule.add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_decision_is_refused_on_an_application_not_yet_assessed(demo):
    """Is a decision on an application still in assessment refused?"""
    application = make_assessed(demo)
    application.status = "in_assessment"
    with pytest.raises(NotPermitted) as caught:
        approve(demo, application)
    assert "cannot be decided now" in caught.value.message
