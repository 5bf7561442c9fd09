"""Offers (accept, decline, lapse) and payments against the schedule."""
from datetime import date, datetime, timedelta, timezone

import pytest

from grants import clock
from grants.extensions import db
from grants.models import OfferResponse, Payment, PaymentInstalment
from grants.services import budget, offers, payments
from grants.services.errors import Immutable, InvalidTransition, NotPermitted, ValidationFailed

from .factories_decisions import accept, approve, make_assessed, make_funded


def move_to(monkeypatch, day: date):
    moment = datetime(day.year, day.month, day.day, 11, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: moment)


# --- Acceptance ------------------------------------------------------------------------------


def test_acceptance_records_signatory_ip_and_releases_first_instalment(demo):
    """Does acceptance record who, position, terms and IP, make the grant funded and release on-acceptance money?"""
    application = make_assessed(demo, amount_pence=400_000)
    approve(demo, application)
    accept(demo, application)
    response = db.session.scalar(db.select(OfferResponse))
    assert (response.signatory_name, response.signatory_position, response.terms_confirmed, response.ip_address) == (
        "Jo Bloggs", "Treasurer", True, "203.0.113.7")
    assert application.status == "funded" and application.accepted_at is not None
    released = {i.trigger: i.released_at is not None for i in db.session.scalars(db.select(PaymentInstalment))}
    assert released == {"on_acceptance": True, "after_interim_report": False}


def test_acceptance_needs_name_position_and_terms(demo):
    """Are name, position and confirmation of the terms all required?"""
    application = make_assessed(demo)
    approve(demo, application)
    with pytest.raises(ValidationFailed) as caught:
        offers.accept_offer(application, actor=demo.applicant, signatory_name=" ", signatory_position="",
                            terms_confirmed=False, ip_address=None)
    assert set(caught.value.errors) == {"signatory_name", "signatory_position", "confirm_terms"}


def test_only_the_applying_organisation_can_accept(demo):
    """Is another organisation's member refused?"""
    application = make_assessed(demo)
    approve(demo, application)
    with pytest.raises(NotPermitted):
        accept(demo, application, user=demo.applicant2)


def test_acceptance_on_the_last_day_works_and_the_day_after_is_refused(demo, monkeypatch):
    """Can the offer be accepted on day 28 but not on day 29?"""
    move_to(monkeypatch, date(2026, 11, 2))
    on_time, late = make_assessed(demo), make_assessed(demo)
    approve(demo, on_time)
    approve(demo, late)
    move_to(monkeypatch, date(2026, 11, 30))
    accept(demo, on_time)
    move_to(monkeypatch, date(2026, 12, 1))
    with pytest.raises(InvalidTransition) as caught:
        accept(demo, late)
    assert "has now lapsed" in caught.value.message


# --- Lapse --------------------------------------------------------------------------------------


def test_lapse_releases_budget_and_is_idempotent(demo, monkeypatch):
    """Does lapse-offers lapse only expired offers, release their money, and do nothing the second time?"""
    move_to(monkeypatch, date(2026, 11, 2))
    expired, accepted = make_assessed(demo, amount_pence=200_000), make_assessed(demo, amount_pence=100_000)
    approve(demo, expired)
    approve(demo, accepted)
    accept(demo, accepted)
    move_to(monkeypatch, date(2026, 11, 30))
    assert offers.lapse_offers() == 0  # still within the 28 days
    move_to(monkeypatch, date(2026, 12, 1))
    assert offers.lapse_offers() == 1
    assert offers.lapse_offers() == 0
    assert (expired.status, accepted.status) == ("offer_lapsed", "funded")
    assert budget.round_money(demo.csf_round).committed == 100_000


def test_lapse_offers_command_prints_the_count(demo, runner, monkeypatch):
    """Does `flask lapse-offers` commit the lapses and say how many?"""
    move_to(monkeypatch, date(2026, 11, 2))
    approve(demo, make_assessed(demo))
    db.session.commit()
    move_to(monkeypatch, date(2027, 1, 1))
    result = runner.invoke(args=["lapse-offers"])
    assert result.output.strip() == "Lapsed 1 offer."
    assert runner.invoke(args=["lapse-offers"]).output.strip() == "Lapsed 0 offers."


# --- Payments --------------------------------------------------------------------------------------


def first_instalment(application) -> PaymentInstalment:
    return db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.application_id == application.id)
                             .order_by(PaymentInstalment.sequence))


def pay(demo, instalment, amount, *, on=None, reference="BACS-001"):
    return payments.record_payment(instalment, actor=demo.finance, amount_pence=amount,
                                   paid_on=on or clock.today(), reference=reference)


def test_payment_before_acceptance_is_refused(demo):
    """Is a payment on an offer not yet accepted refused with a clear message?"""
    application = make_assessed(demo, amount_pence=200_000)
    approve(demo, application)
    with pytest.raises(InvalidTransition) as caught:
        pay(demo, first_instalment(application), 200_000)
    assert caught.value.message == "No payment can be made before the applicant has accepted the offer"


def test_payment_of_exactly_the_instalment_and_not_a_penny_more(demo):
    """Can finance pay the instalment exactly, but never a penny more than is outstanding?"""
    application = make_funded(demo, amount_pence=400_000)
    instalment = first_instalment(application)
    pay(demo, instalment, 199_999)
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, instalment, 2, reference="BACS-002")
    assert "£0.01 outstanding" in caught.value.errors["amount"]
    pay(demo, instalment, 1, reference="BACS-002")
    summary = payments.grant_payments(application)
    assert (summary.award, summary.paid, summary.outstanding) == (400_000, 200_000, 200_000)


def test_unreleased_instalment_cannot_be_paid(demo):
    """Is the after-interim-report instalment refused until monitoring releases it?"""
    application = make_funded(demo, amount_pence=400_000)
    second = db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.sequence == 2))
    with pytest.raises(InvalidTransition) as caught:
        pay(demo, second, 100_000)
    assert "not been released" in caught.value.message
    assert application.status == "funded"


def test_total_payments_never_exceed_the_award(demo):
    """Even with instalments released, is a payment taking the total above the award refused?"""
    application = make_funded(demo, amount_pence=400_000)
    for instalment in db.session.scalars(db.select(PaymentInstalment)):
        instalment.released_at = clock.now()
    pay(demo, first_instalment(application), 200_000)
    application.awarded_pence = 300_000  # e.g. a later reduction: the award, not the schedule, is the ceiling
    second = db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.sequence == 2))
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, second, 100_001, reference="BACS-9")
    assert "cannot exceed the award" in caught.value.errors["amount"]


def test_payment_needs_reference_and_a_date_not_in_the_future(demo):
    """Are a missing reference and a future payment date refused?"""
    application = make_funded(demo, amount_pence=100_000)
    with pytest.raises(ValidationFailed) as caught:
        pay(demo, first_instalment(application), 100_000, on=clock.today() + timedelta(days=1), reference=" ")
    assert set(caught.value.errors) == {"paid_on", "reference"}


def test_payments_cannot_be_changed_or_deleted(demo):
    """Is a recorded payment immutable?"""
    application = make_funded(demo, amount_pence=100_000)
    payment = pay(demo, first_instalment(application), 100_000)
    db.session.commit()
    payment.amount_pence = 1
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Payment, payment.id))
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    assert budget.round_money(demo.csf_round).paid == 100_000
