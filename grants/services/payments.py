"""Payments against a grant's schedule, recorded by finance.

Payments are permanent records (never changed or deleted). A payment is
taken only against a released instalment of an accepted (funded or completed)
grant, never more than the instalment's outstanding amount, and never so that
the grant's payments exceed its award. The application row is locked while a
payment is checked and written, so two finance officers cannot overpay.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Application, Payment, PaymentInstalment, User
from ..money import format_pence
from . import audit, locking
from .errors import InvalidTransition, ValidationFailed
from .workflow import Status

PAYABLE_STATES = (Status.FUNDED.value, Status.COMPLETED.value)


def paid_on_instalment(instalment: PaymentInstalment) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Payment.amount_pence), 0))
                                 .where(Payment.instalment_id == instalment.id)))


def paid_on_grant(application: Application) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Payment.amount_pence), 0))
                                 .where(Payment.application_id == application.id)))


@dataclass(frozen=True)
class InstalmentLine:
    instalment: PaymentInstalment
    paid: int

    @property
    def outstanding(self) -> int:
        return self.instalment.amount_pence - self.paid

    @property
    def payable(self) -> bool:
        return (self.instalment.released_at is not None and self.outstanding > 0
                and self.instalment.application.status in PAYABLE_STATES)


@dataclass(frozen=True)
class GrantPayments:
    application: Application
    award: int
    paid: int
    lines: list[InstalmentLine]
    payments: list[Payment]

    @property
    def outstanding(self) -> int:
        return self.award - self.paid


def grant_payments(application: Application) -> GrantPayments:
    """Award, paid and outstanding for one grant, instalment by instalment."""
    instalments = db.session.scalars(select(PaymentInstalment).where(
        PaymentInstalment.application_id == application.id).order_by(PaymentInstalment.sequence)).all()
    payments = db.session.scalars(select(Payment).where(Payment.application_id == application.id)
                                  .order_by(Payment.paid_on, Payment.id)).all()
    lines = [InstalmentLine(i, sum(p.amount_pence for p in payments if p.instalment_id == i.id)) for i in instalments]
    return GrantPayments(application, application.awarded_pence or 0, sum(p.amount_pence for p in payments),
                         lines, list(payments))


def grants_for_finance() -> list[GrantPayments]:
    """Every offered, accepted or completed grant with its payment position (finance's list)."""
    applications = db.session.scalars(select(Application).where(
        Application.status.in_([Status.APPROVED.value, *PAYABLE_STATES])).order_by(Application.reference)).all()
    return [grant_payments(a) for a in applications]


def record_payment(instalment: PaymentInstalment, *, actor: User, amount_pence: int | None, paid_on: date | None,
                   reference: str | None) -> Payment:
    """Record money paid to the grantee against one instalment.

    Rules: the offer must have been accepted (funded or completed grant); the
    instalment must be released (on acceptance, or after the report it
    waits for is signed off); amount more than £0 and no more than the
    instalment's outstanding amount, and total payments never above the award;
    paid date not in the future; a payment reference is required, and is not
    one already recorded for the grant; the organisation's bank details in
    force must have been verified by finance's call-back.
    """
    errors = {}
    if amount_pence is None or amount_pence <= 0:
        errors["amount"] = "Enter the amount paid"
    if paid_on is None:
        errors["paid_on"] = "Enter the date the payment was made"
    elif paid_on > clock.today():
        errors["paid_on"] = "The payment date cannot be in the future"
    if not reference or not reference.strip():
        errors["reference"] = "Enter the payment reference"
    elif len(reference.strip()) > 100:
        errors["reference"] = "The payment reference must be 100 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    application = locking.lock(instalment.application)
    if application.status not in PAYABLE_STATES:
        raise InvalidTransition("No payment can be made before the applicant has accepted the offer")
    from .bank_details import payment_refusal

    frozen = payment_refusal(application)
    if frozen:
        raise InvalidTransition(frozen)
    # Checked under the lock: the same form sent twice (a double click) is one payment, not two.
    if db.session.scalar(select(Payment.id).where(Payment.application_id == application.id,
                                                  Payment.reference == reference.strip())):
        raise ValidationFailed({"reference": f"A payment with the reference {reference.strip()} is already recorded "
                                             "for this grant; check the payments list before recording it again"})
    if instalment.released_at is None:
        raise InvalidTransition("This instalment has not been released for payment yet: it waits for "
                                "the report it depends on to be signed off")
    outstanding = instalment.amount_pence - paid_on_instalment(instalment)
    if amount_pence > outstanding:
        raise ValidationFailed({"amount": f"The payment cannot be more than the {format_pence(outstanding, always_pence=True)} "
                                          "outstanding on this instalment"})
    award_left = (application.awarded_pence or 0) - paid_on_grant(application)
    if amount_pence > award_left:
        raise ValidationFailed({"amount": f"Payments cannot exceed the award: only "
                                          f"{format_pence(award_left, always_pence=True)} is left to pay"})
    payment = Payment(application_id=application.id, instalment_id=instalment.id, amount_pence=amount_pence,
                      paid_on=paid_on, reference=reference.strip(), recorded_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.recorded", actor=actor, entity=payment, application=application,
                 after={"amount_pence": amount_pence, "paid_on": paid_on, "reference": payment.reference,
                        "instalment": instalment.sequence})
    return payment
