"""Payment rules at their boundaries, with several grants, organisations and rounds so each filter shows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from grants import clock
from grants.extensions import db
from grants.models import Payment, PaymentInstalment
from grants.services import audit, payments
from grants.services.errors import InvalidTransition, ValidationFailed

from .factories import make_application
from .factories_decisions import accept, approve, make_assessed, make_funded


def instalments(application) -> list[PaymentInstalment]:
    return list(db.session.scalars(db.select(PaymentInstalment).where(
        PaymentInstalment.application_id == application.id).order_by(PaymentInstalment.sequence)))


def pay(demo, instalment, amount, *, on="today", reference="BACS-001"):
    return payments.record_payment(instalment, actor=demo.finance, amount_pence=amount,
                                   paid_on=clock.today() if on == "today" else on, reference=reference)


@pytest.fixture
def grants_(demo):
    """Three funded grants (two organisations, two rounds), one approved offer, and one declined application."""
    ours = make_funded(demo, amount_pence=200_000)  # one instalment, paid on acceptance
    theirs = make_assessed(demo, amount_pence=400_000, user=demo.applicant2)  # paid in two halves
    approve(demo, theirs)
    accept(demo, theirs, user=demo.applicant2)
    other_round = make_funded(demo, amount_pence=100_000, round_=demo.ppaf_round)
    offered = make_assessed(demo, amount_pence=50_000)
    approve(demo, offered)
    declined = make_assessed(demo, amount_pence=60_000)
    declined.status = "declined"
    db.session.flush()
    return ours, theirs, other_round, offered, declined


@pytest.mark.parametrize("amount, message", [
    (None, "Enter the amount paid"), (0, "Enter the amount paid"), (-1, "Enter the amount paid"),
])
def test_missing_zero_or_negative_amount_is_refused(demo, grants_, amount, message):
    """Is a missing, £0 or negative amount refused beside the amount field, with nothing paid?"""
    ours = grants_[0]
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, instalments(ours)[0], amount)
    assert caught.value.errors == {"amount": message}
    assert payments.paid_on_grant(ours) == 0


def test_one_penny_is_the_smallest_payment(demo, grants_):
    """Is a payment of exactly 1p accepted?"""
    ours = grants_[0]
    payment = pay(demo, instalments(ours)[0], 1)
    assert (payment.amount_pence, payment.application_id) == (1, ours.id)
    assert payments.paid_on_grant(ours) == 1


def test_missing_date_and_reference_are_refused(demo, grants_):
    """Are a missing date, a missing reference and a blank one refused, each beside its field?"""
    first = instalments(grants_[0])[0]
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first, 100, on=None, reference=None)
    assert caught.value.errors == {"paid_on": "Enter the date the payment was made",
                                   "reference": "Enter the payment reference"}
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first, 100, reference="   ")
    assert caught.value.errors == {"reference": "Enter the payment reference"}


def test_payment_date_today_is_allowed_and_tomorrow_refused(demo, grants_):
    """May a payment be dated today but not tomorrow?"""
    first = instalments(grants_[0])[0]
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first, 100, on=clock.today() + timedelta(days=1))
    assert caught.value.errors == {"paid_on": "The payment date cannot be in the future"}
    assert pay(demo, first, 100, on=clock.today()).paid_on == clock.today()
    assert pay(demo, first, 100, on=clock.today() - timedelta(days=30), reference="BACS-2").amount_pence == 100


def test_reference_of_exactly_100_characters_is_kept_trimmed_and_101_refused(demo, grants_):
    """Is a reference of 100 characters (after trimming) kept trimmed, and 101 refused?"""
    first = instalments(grants_[0])[0]
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first, 100, reference="R" * 101)
    assert caught.value.errors == {"reference": "The payment reference must be 100 characters or fewer"}
    assert pay(demo, first, 100, reference=f"  {'R' * 100}  ").reference == "R" * 100


def test_payment_is_recorded_against_its_grant_instalment_and_finance_officer(demo, grants_, monkeypatch):
    """Does a payment store grant, instalment, amount, date, reference and who recorded it, and audit it?"""
    theirs = grants_[1]
    first = instalments(theirs)[0]
    events = []
    monkeypatch.setattr(audit, "record", lambda action, **kw: events.append(
        (action, kw.get("actor"), kw.get("entity"), kw.get("application"), kw.get("after"))))
    payment = pay(demo, first, 12_345, reference=" BACS-77 ")
    stored = db.session.get(Payment, payment.id)
    assert (stored.application_id, stored.instalment_id, stored.amount_pence, stored.paid_on, stored.reference,
            stored.recorded_by_id) == (theirs.id, first.id, 12_345, clock.today(), "BACS-77", demo.finance.id)
    assert events == [("payment.recorded", demo.finance, stored, theirs,
                       {"amount_pence": 12_345, "paid_on": clock.today(), "reference": "BACS-77", "instalment": 1})]


def test_offer_not_yet_accepted_and_declined_application_cannot_be_paid(demo, grants_):
    """Are payments refused on an approved (not accepted) offer, whatever the instalment says?"""
    offered = grants_[3]
    first = instalments(offered)[0]
    first.released_at = clock.now()
    with pytest.raises(InvalidTransition) as caught:
        pay(demo, first, 1)
    assert caught.value.message == "No payment can be made before the applicant has accepted the offer"
    assert payments.paid_on_grant(offered) == 0


def test_completed_grant_can_still_be_paid(demo, grants_):
    """May finance pay a released instalment of a grant that has been completed?"""
    theirs = grants_[1]
    theirs.status = "completed"
    assert pay(demo, instalments(theirs)[0], 200_000).amount_pence == 200_000


def test_unreleased_instalment_is_refused_even_on_a_funded_grant(demo, grants_):
    """Is an instalment that waits for a report refused until it is released?"""
    second = instalments(grants_[1])[1]
    with pytest.raises(InvalidTransition) as caught:
        pay(demo, second, 1)
    assert caught.value.message == ("This instalment has not been released for payment yet: it waits for the "
                                    "report it depends on to be signed off")
    second.released_at = clock.now()
    assert pay(demo, second, 1).amount_pence == 1


def test_instalment_limit_counts_only_that_instalment(demo, grants_):
    """With money paid on another grant, may an instalment be paid exactly to its amount and not a penny more?"""
    ours, theirs, other_round = grants_[:3]
    pay(demo, instalments(theirs)[0], 150_000)
    pay(demo, instalments(other_round)[0], 100_000)
    first = instalments(ours)[0]
    pay(demo, first, 150_000)
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first, 50_001, reference="BACS-2")
    assert caught.value.errors == {"amount": "The payment cannot be more than the £500.00 outstanding on this "
                                             "instalment"}
    pay(demo, first, 50_000, reference="BACS-2")
    assert payments.paid_on_grant(ours) == 200_000


def test_award_ceiling_counts_only_this_grants_payments(demo, grants_):
    """Is 'never above the award' measured on this grant alone: exactly the award left is allowed, 1p more not?"""
    ours, theirs, other_round = grants_[:3]
    for instalment in instalments(theirs):
        instalment.released_at = clock.now()
    pay(demo, instalments(ours)[0], 200_000)  # another grant, fully paid
    pay(demo, instalments(other_round)[0], 100_000)
    pay(demo, instalments(theirs)[0], 200_000)
    theirs.awarded_pence = 300_000  # a later reduction: the award, not the schedule, is the ceiling
    second = instalments(theirs)[1]
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, second, 100_001, reference="BACS-9")
    assert caught.value.errors == {"amount": "Payments cannot exceed the award: only £1,000.00 is left to pay"}
    pay(demo, second, 100_000, reference="BACS-9")
    assert [payments.paid_on_grant(g) for g in (ours, theirs, other_round)] == [200_000, 300_000, 100_000]


def test_grant_with_no_award_recorded_cannot_be_paid_and_shows_nothing_owed(demo, grants_):
    """With no award recorded, is every payment above the (zero) award refused, and nothing shown as owed?"""
    ours = grants_[0]
    ours.awarded_pence = None
    with pytest.raises(ValidationFailed, match="only £0.00 is left"):
        pay(demo, instalments(ours)[0], 1)
    summary = payments.grant_payments(ours)
    assert (summary.award, summary.paid, summary.outstanding) == (0, 0, 0)


def test_payment_rechecks_the_grant_as_stored_not_a_stale_copy(demo, grants_):
    """If the grant's status changed in the database since it was loaded, is the stored status the one checked?"""
    ours = grants_[0]
    db.session.execute(text("UPDATE applications SET status = 'offer_lapsed' WHERE id = :id"), {"id": ours.id})
    assert ours.status == "funded"  # the loaded copy does not know yet
    with pytest.raises(InvalidTransition, match="before the applicant has accepted"):
        pay(demo, instalments(ours)[0], 1)


def test_grant_payments_shows_only_this_grants_instalments_and_payments(demo, grants_):
    """Does one grant's summary list only its own instalments and payments, with paid and outstanding per line?"""
    ours, theirs, other_round = grants_[:3]
    pay(demo, instalments(ours)[0], 20_000)
    pay(demo, instalments(other_round)[0], 7_000)
    day_before = clock.today() - timedelta(days=1)
    later = pay(demo, instalments(theirs)[0], 30_000, reference="BACS-B")
    earlier = pay(demo, instalments(theirs)[0], 10_000, on=day_before, reference="BACS-A")
    summary = payments.grant_payments(theirs)
    assert (summary.application, summary.award, summary.paid, summary.outstanding) == (theirs, 400_000, 40_000,
                                                                                         360_000)
    assert [p.id for p in summary.payments] == [earlier.id, later.id]
    assert [(line.instalment.sequence, line.paid, line.outstanding, line.payable) for line in summary.lines] == [
        (1, 40_000, 160_000, True), (2, 0, 200_000, False)]


def test_instalment_line_is_payable_only_when_released_outstanding_and_accepted(demo, grants_):
    """Is a line payable only if released, with money outstanding, on a funded or completed grant?"""
    ours, offered = grants_[0], grants_[3]
    line = payments.grant_payments(ours).lines[0]
    assert line.payable
    pay(demo, line.instalment, 200_000)
    assert not payments.grant_payments(ours).lines[0].payable  # nothing outstanding
    assert payments.grant_payments(ours).lines[0].outstanding == 0
    offered_line = payments.grant_payments(offered).lines[0]
    offered_line.instalment.released_at = clock.now()
    assert not payments.grant_payments(offered).lines[0].payable  # offer not accepted
    offered.status = "completed"
    assert payments.grant_payments(offered).lines[0].payable
    offered_line.instalment.released_at = None
    assert not payments.grant_payments(offered).lines[0].payable  # not released


def test_finance_list_holds_offered_accepted_and_completed_grants_only(demo, grants_):
    """Does finance's list show approved, funded and completed grants in reference order, and no others?"""
    ours, theirs, other_round, offered, declined = grants_
    theirs.status = "completed"
    for status in ("draft", "submitted", "assessed", "withdrawn", "offer_lapsed", "deferred", "in_assessment"):
        make_application(demo, status=status, awarded_pence=1_000)
    listed = payments.grants_for_finance()
    expected = sorted([ours, theirs, other_round, offered], key=lambda a: a.reference)
    assert [g.application for g in listed] == expected
    assert [g.award for g in listed] == [a.awarded_pence for a in expected]


def test_instalments_are_listed_by_sequence_whatever_order_they_were_stored(demo, grants_):
    """Are a grant's instalments shown in schedule order even when stored out of order?"""
    ours = grants_[0]
    db.session.add_all([PaymentInstalment(application_id=ours.id, sequence=3, amount_pence=1, trigger="after_final_report"),
                        PaymentInstalment(application_id=ours.id, sequence=2, amount_pence=1,
                                          trigger="after_interim_report")])
    db.session.flush()
    assert [line.instalment.sequence for line in payments.grant_payments(ours).lines] == [1, 2, 3]


def test_finance_list_is_in_reference_order_not_the_order_grants_were_made(demo, grants_):
    """Is finance's list sorted by reference even when a later grant has the earlier reference?"""
    ours, theirs, other_round, offered = grants_[:4]
    ours.reference = "ZZZ-LAST"
    offered.reference = "AAA-FIRST"
    db.session.flush()
    assert [g.application for g in payments.grants_for_finance()][0] == offered
    assert [g.application for g in payments.grants_for_finance()][-1] == ours
