"""Bank details: entered by a signatory, confirmed by a second, verified by finance by call-back.

Mandate fraud (a fake "our bank details have changed") is how grant money is most
often stolen, so: details are stored only encrypted and shown masked to everyone
but finance; a second signatory (where the group has one) confirms them by an
emailed link; finance rings the organisation on the number in its records (never
one given with the details) before any payment; and any change freezes the
grant's unpaid instalments until finance verifies again, and tells every
signatory. Sort code and account number are checked for format only (6 and 8
digits); no well-kept UK modulus-check library is available to us.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import bank_keys, clock
from ..extensions import db
from ..models import Application, BankDetails, Organisation, Role, User
from . import attachments, audit, locking, organisations, outbox
from .errors import InvalidTransition, NotPermitted, ValidationFailed

STATEMENT_KIND = "accounts"


def normalise_digits(text: str | None) -> str:
    """'12-34 56' -> '123456': spaces and dashes are how people copy these numbers."""
    return re.sub(r"[\s\-]", "", text or "")


def clean_values(values: dict) -> dict:
    """Check account name, sort code (6 digits) and account number (8 digits); raise listing every problem."""
    errors = {}
    name = (values.get("account_name") or "").strip()
    sort_code = normalise_digits(values.get("sort_code"))
    number = normalise_digits(values.get("account_number"))
    if not name:
        errors["account_name"] = "Enter the name on the account"
    elif len(name) > 140:
        errors["account_name"] = "The name on the account must be 140 characters or fewer"
    if not sort_code:
        errors["sort_code"] = "Enter the sort code"
    elif not re.fullmatch(r"\d{6}", sort_code):
        errors["sort_code"] = "Enter a valid sort code like 309430"
    if not number:
        errors["account_number"] = "Enter the account number"
    elif not re.fullmatch(r"\d{8}", number):
        errors["account_number"] = "Enter a valid account number like 00733445 (8 digits)"
    if errors:
        raise ValidationFailed(errors)
    return {"account_name": name, "sort_code": sort_code, "account_number": number}


def _cipher():
    return bank_keys.app_cipher(current_app)


def _encrypt(text: str) -> bytes:
    return _cipher().encrypt(text.encode("utf-8"))


def reveal(details: BankDetails, viewer: User | None = None) -> dict:
    """The full details, decrypted, if `viewer` may read them (permissions.Info.BANK_DETAILS); else masked.

    viewer=None is the payment-run file, which finance alone can make and download.
    """
    from .permissions import may_read_bank_details

    if viewer is not None and not may_read_bank_details(viewer, details.organisation_id):
        return {"account_name": "Not shown to you", "sort_code": "Not shown to you",
                "account_number": details.masked_account}
    cipher = _cipher()
    return {"account_name": cipher.decrypt(details.account_name_enc).decode("utf-8"),
            "sort_code": cipher.decrypt(details.sort_code_enc).decode("utf-8"),
            "account_number": cipher.decrypt(details.account_number_enc).decode("utf-8")}


def masked(details: BankDetails | None) -> dict | None:
    """What everyone but finance and the group's signatories may see (and what the audit trail keeps)."""
    if details is None:
        return None
    return {"account": details.masked_account, "bank_details_id": details.id}


def current_for(organisation_id: int) -> BankDetails | None:
    """The organisation's bank details in force (the latest not superseded), if any."""
    return db.session.scalar(select(BankDetails).where(BankDetails.organisation_id == organisation_id,
                                                        BankDetails.superseded_at.is_(None))
                             .order_by(BankDetails.id.desc()).limit(1))


def history_for(organisation_id: int) -> list[BankDetails]:
    return list(db.session.scalars(select(BankDetails).where(BankDetails.organisation_id == organisation_id)
                                   .order_by(BankDetails.id.desc())))


def awaiting_confirmation(details: BankDetails) -> bool:
    return details.confirm_token_hash is not None and details.confirmed_at is None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def enter_bank_details(organisation: Organisation, *, actor: User, values: dict, statement,
                       application: Application | None = None) -> BankDetails:
    """A signatory gives the account grants are paid into, with a bank statement or paying-in slip.

    Rules: only an authorised signatory; format checks as `clean_values`; the
    statement is checked like every upload. A second active signatory, if the
    group has one, is emailed a link to confirm. Replacing earlier details
    supersedes them, freezes unpaid instalments until finance verifies the new
    ones, and emails every signatory.
    """
    if not organisations.is_signatory(actor, organisation.id):
        raise NotPermitted("Only an authorised signatory of the organisation can give its bank details")
    data = clean_values(values)
    locking.lock(organisation)
    upload = attachments.store_upload(statement, organisation=organisation, kind=STATEMENT_KIND, actor=actor,
                                      application=application, field="statement")
    previous = current_for(organisation.id)
    now = clock.now()
    if previous is not None:
        previous.superseded_at = now
    details = BankDetails(organisation_id=organisation.id, application_id=application.id if application else None,
                          account_name_enc=_encrypt(data["account_name"]), sort_code_enc=_encrypt(data["sort_code"]),
                          account_number_enc=_encrypt(data["account_number"]),
                          account_ending=data["account_number"][-4:], statement_id=upload.id, entered_by_id=actor.id)
    others = [m for m in organisations.signatories(organisation) if m.user_id != actor.id]
    token = None
    if others:
        token = secrets.token_urlsafe(32)
        details.confirm_token_hash = _token_hash(token)
    db.session.add(details)
    db.session.flush()
    for membership in others:
        outbox.send_template(membership.user.email, "bank_details_confirm", organisation=organisation,
                             entered_by=actor, token=token)
    if previous is not None:
        for membership in organisations.signatories(organisation):
            outbox.send_template(membership.user.email, "bank_details_changed", organisation=organisation,
                                 entered_by=actor, changed_at=now)
    audit.record("bank_details.changed" if previous is not None else "bank_details.entered", actor=actor,
                 entity=details, application=application, before=masked(previous),
                 after={**masked(details), "statement_sha256": upload.sha256,
                        "confirmation_sent_to": [m.user_id for m in others]})
    return details


def details_for_token(token: str) -> BankDetails:
    details = db.session.scalar(select(BankDetails).where(BankDetails.confirm_token_hash == _token_hash(token or "")))
    if details is None or details.superseded_at is not None:
        raise InvalidTransition("This confirmation link is not valid, or the details it names have been replaced")
    if details.confirmed_at is not None:
        raise InvalidTransition("These bank details have already been confirmed")
    return details


def confirm_bank_details(token: str, *, actor: User) -> BankDetails:
    """A second signatory (not the one who entered them) confirms the details from the emailed link."""
    details = locking.lock(details_for_token(token))
    if details.confirmed_at is not None:
        raise InvalidTransition("These bank details have already been confirmed")
    if not organisations.is_signatory(actor, details.organisation_id):
        raise NotPermitted("Only an authorised signatory of the organisation can confirm its bank details")
    if actor.id == details.entered_by_id:
        raise NotPermitted("A different signatory must confirm the bank details you entered")
    details.confirmed_by_id = actor.id
    details.confirmed_at = clock.now()
    audit.record("bank_details.confirmed", actor=actor, entity=details, after=masked(details))
    return details


def verify_bank_details(details: BankDetails, *, actor: User, spoke_to: str | None, called_on: date | None,
                        confirmed: bool) -> BankDetails:
    """Finance records the call-back that checked the details with the organisation.

    Rules: finance only; the number rung is the one in the organisation's
    records (recorded with the check), never one given with the details; the
    details must be the ones in force and confirmed by the second signatory
    where one was asked; who was spoken to and the date (not in the future)
    are required.
    """
    if not actor.has_role(Role.FINANCE):
        raise NotPermitted("Only finance can verify bank details")
    errors = {}
    spoke_to = (spoke_to or "").strip()
    if not spoke_to:
        errors["spoke_to"] = "Enter the name and position of the person you spoke to"
    elif len(spoke_to) > 200:
        errors["spoke_to"] = "The name must be 200 characters or fewer"
    if called_on is None:
        errors["called_on"] = "Enter the date of the call"
    elif called_on > clock.today():
        errors["called_on"] = "The date of the call cannot be in the future"
    if not confirmed:
        errors["confirm"] = "Confirm that the person you called read back the same account details"
    if errors:
        raise ValidationFailed(errors)
    details = locking.lock(details)
    phone = (details.organisation.contact_phone or "").strip()
    if not phone:
        raise InvalidTransition("The organisation's records have no phone number to call back: ask the grants "
                                "officer to check and record it on the organisation first")
    if details.superseded_at is not None:
        raise InvalidTransition("These bank details have been replaced; verify the new ones")
    if details.verified_at is not None:
        raise InvalidTransition("These bank details are already verified")
    if awaiting_confirmation(details):
        raise InvalidTransition("The organisation's second signatory has not yet confirmed these bank details")
    details.verified_by_id = actor.id
    details.verified_at = clock.now()
    details.callback_phone = phone[:40]
    details.callback_spoke_to = spoke_to
    details.callback_on = called_on
    audit.record("bank_details.verified", actor=actor, entity=details,
                 after={**masked(details), "callback_phone": details.callback_phone, "spoke_to": spoke_to,
                        "called_on": called_on})
    return details


def payment_refusal(application: Application) -> str | None:
    """Why no payment can go to this grant's organisation now, or None: the details must be in force and verified."""
    details = current_for(application.organisation_id)
    if details is None:
        return "The organisation has not given its bank details: no payment can be made"
    if not details.is_verified:
        return ("The organisation's bank details have not been verified by a call-back (or have changed since): "
                "payments are frozen until finance verifies them")
    return None


def awaiting_verification() -> list[BankDetails]:
    """Details in force that finance has not yet verified (finance's to-do list)."""
    return list(db.session.scalars(select(BankDetails).where(BankDetails.superseded_at.is_(None),
                                                              BankDetails.verified_at.is_(None))
                                   .order_by(BankDetails.id)))


def rotate_key() -> int:
    """Re-encrypt every stored detail with the first key of BANK_DETAILS_KEY; returns how many rows."""
    cipher = _cipher()
    count = 0
    for details in db.session.scalars(select(BankDetails).order_by(BankDetails.id)):
        details.account_name_enc = cipher.rotate(details.account_name_enc)
        details.sort_code_enc = cipher.rotate(details.sort_code_enc)
        details.account_number_enc = cipher.rotate(details.account_number_enc)
        count += 1
    db.session.flush()
    audit.record("bank_details.key_rotated", after={"rows": count})
    return count
