"""Grant offers: the applicant accepts or declines; unaccepted offers lapse.

An offer is open from approval until `offer_expires_on` (inclusive). The
application row is locked before any response, so an acceptance and the
nightly lapse can never both succeed.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Application, Letter, OfferResponse, PaymentInstalment, User
from ..templating import format_date
from . import audit, locking, workflow
from .errors import InvalidTransition, NotPermitted, ValidationFailed
from .workflow import Status


def offer_is_open(application: Application) -> bool:
    return (application.status == Status.APPROVED.value and application.offer_expires_on is not None
            and clock.today() <= application.offer_expires_on)


def _check_open(application: Application) -> None:
    if application.status != Status.APPROVED.value:
        raise InvalidTransition("There is no open offer on this application")
    if application.offer_expires_on is None or clock.today() > application.offer_expires_on:
        raise InvalidTransition(f"This offer could only be accepted until {format_date(application.offer_expires_on)}"
                                " and has now lapsed")


def _signatory(name: str | None, position: str | None) -> tuple[str, str]:
    errors = {}
    if not name or not name.strip():
        errors["signatory_name"] = "Enter your full name"
    elif len(name.strip()) > 200:
        errors["signatory_name"] = "Full name must be 200 characters or fewer"
    if not position or not position.strip():
        errors["signatory_position"] = "Enter your position in the organisation"
    elif len(position.strip()) > 200:
        errors["signatory_position"] = "Position must be 200 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    return name.strip(), position.strip()


def accept_offer(application: Application, *, actor: User, signatory_name: str, signatory_position: str,
                 terms_confirmed: bool, ip_address: str | None, bank: dict | None = None,
                 statement=None) -> OfferResponse:
    """The authorised signatory accepts the offer on the organisation's behalf.

    Rules: only an authorised signatory of the organisation; bank details (with a
    statement) are required unless the organisation already has some in force
    (bank_details.enter_bank_details checks them); only while the offer is open
    (until offer_expires_on); name, position and confirmation of the terms are
    required; time and IP address are recorded. The grant becomes funded, its
    reporting schedule is created and the on-acceptance instalments are
    released for payment.
    """
    errors = {}
    try:
        signatory_name, signatory_position = _signatory(signatory_name, signatory_position)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not terms_confirmed:
        errors["confirm_terms"] = "Confirm that your organisation accepts the terms of the offer"
    if errors:
        raise ValidationFailed(errors)
    application = locking.lock(application)
    _check_open(application)
    refusal = workflow.refusal(application, "accept_offer", actor)
    if refusal:
        raise NotPermitted(refusal)
    from . import bank_details

    # Details already in force are kept unless the signatory gives new ones.
    given = any((bank or {}).values()) or bool(getattr(statement, "filename", None))
    if given or bank_details.current_for(application.organisation_id) is None:
        bank_details.enter_bank_details(application.organisation, actor=actor, values=bank or {},
                                        statement=statement, application=application)
    # The terms accepted are those of the award letter the applicant was sent (the latest, after a correction).
    terms_version_id = db.session.scalar(
        select(Letter.terms_version_id).where(Letter.application_id == application.id, Letter.kind == "award")
        .order_by(Letter.id.desc()).limit(1))
    response = OfferResponse(application_id=application.id, accepted=True, signatory_name=signatory_name,
                             signatory_position=signatory_position, terms_confirmed=True, user_id=actor.id,
                             ip_address=(ip_address or "")[:45] or None, terms_version_id=terms_version_id)
    db.session.add(response)
    now = clock.now()
    application.accepted_at = now
    workflow.transition(application, "accept_offer", actor=actor,
                        reason=f"Accepted by {signatory_name}, {signatory_position}",
                        details={"signatory_name": signatory_name, "signatory_position": signatory_position,
                                 "ip_address": response.ip_address})
    db.session.flush()
    from . import monitoring

    monitoring.create_reporting_schedule(application, actor=actor)
    released = []
    for instalment in db.session.scalars(select(PaymentInstalment).where(
            PaymentInstalment.application_id == application.id, PaymentInstalment.trigger == "on_acceptance",
            PaymentInstalment.released_at.is_(None))):
        instalment.released_at = now
        released.append(instalment.sequence)
    audit.record("offer.accepted", actor=actor, entity=response, application=application,
                 after={"signatory_name": signatory_name, "signatory_position": signatory_position,
                        "ip_address": response.ip_address, "released_instalments": released,
                        "terms_version_id": terms_version_id})
    return response


def decline_offer(application: Application, *, actor: User, signatory_name: str, signatory_position: str,
                  reason: str | None, ip_address: str | None) -> OfferResponse:
    """The organisation turns the offer down; the award stops counting against the budget."""
    signatory_name, signatory_position = _signatory(signatory_name, signatory_position)
    application = locking.lock(application)
    _check_open(application)
    response = OfferResponse(application_id=application.id, accepted=False, signatory_name=signatory_name,
                             signatory_position=signatory_position, terms_confirmed=False, user_id=actor.id,
                             ip_address=(ip_address or "")[:45] or None)
    db.session.add(response)
    workflow.transition(application, "decline_offer", actor=actor,
                        reason=(reason or "").strip() or f"Declined by {signatory_name}, {signatory_position}",
                        details={"signatory_name": signatory_name, "signatory_position": signatory_position,
                                 "ip_address": response.ip_address})
    db.session.flush()
    audit.record("offer.declined", actor=actor, entity=response, application=application,
                 after={"signatory_name": signatory_name, "signatory_position": signatory_position,
                        "ip_address": response.ip_address}, reason=(reason or "").strip() or None)
    return response


def lapse_offers() -> int:
    """Lapse every offer not accepted by its deadline (offer_expires_on before today); returns how many.

    Safe to run any number of times a day: an offer lapses once, and its
    award is released from the budget because offer_lapsed is not a
    committed state.
    """
    due = db.session.scalars(select(Application.id).where(
        Application.status == Status.APPROVED.value, Application.offer_expires_on < clock.today()
    ).order_by(Application.id)).all()
    count = 0
    for application_id in due:
        application = locking.lock(db.session.get(Application, application_id))
        if application.status != Status.APPROVED.value or application.offer_expires_on >= clock.today():
            continue
        workflow.transition(application, "lapse_offer", actor=None,
                            reason=f"Not accepted by {format_date(application.offer_expires_on)}")
        count += 1
    return count


def responses_for(application: Application) -> list[OfferResponse]:
    return list(db.session.scalars(select(OfferResponse).where(OfferResponse.application_id == application.id)
                                   .order_by(OfferResponse.id)))
