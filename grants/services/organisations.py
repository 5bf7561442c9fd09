"""Organisations: creating and editing a group's profile, and inviting colleagues.

One account belongs to one organisation. Charity and company numbers are
checked by their format for the organisation's type, postcodes by the UK
pattern, so staff can rely on what the register and open data will show.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Invitation, MemberRole, Organisation, OrgMembership, OrgType, Role, User
from . import audit, outbox
from .errors import DomainError, NotPermitted, ValidationFailed

INVITATION_LIFETIME = timedelta(days=7)

# England and Wales: 6 or 7 digits, optionally a -NN subsidiary suffix;
# Scotland: SC + 6 digits; Northern Ireland: NIC + 6 digits.
CHARITY_NUMBER = re.compile(r"^(\d{6,7}(-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# 8 characters: all digits (England and Wales) or a 2-letter prefix (SC, NI, OC...) and 6 digits.
COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
# The UK postcode shape: outward code, then inward code (digit + 2 letters).
POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}\d[A-Z\d]?\d[ABD-HJLNP-UW-Z]{2})$")

CHARITY_TYPES = {OrgType.REGISTERED_CHARITY.value, OrgType.CIO.value}
COMPANY_TYPES = {OrgType.CIC.value, OrgType.COMPANY_LIMITED_BY_GUARANTEE.value}

FIELDS = ("legal_name", "org_type", "charity_number", "company_number", "address_line_1", "address_line_2",
          "town", "postcode", "contact_name", "contact_email", "contact_phone", "website")


def normalise_postcode(text: str | None) -> str | None:
    """'ts1 2ab' -> 'TS1 2AB'; None if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "")).upper()
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_charity_number(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def normalise_company_number(text: str | None) -> str:
    compact = re.sub(r"\s+", "", text or "").upper()
    # Companies House numbers lose their leading zeros when typed from memory.
    if compact.isdigit() and 6 <= len(compact) < 8:
        compact = compact.zfill(8)
    return compact


def clean_values(values: dict) -> dict:
    """Check and normalise an organisation's details; raise ValidationFailed listing every problem.

    Registered charities and CIOs need a charity number; CICs and companies
    limited by guarantee need a company number. A number given for any other
    type must still have the right format.
    """
    errors: dict[str, str] = {}
    data = {k: (values.get(k) or "").strip() if isinstance(values.get(k), str) or values.get(k) is None
            else values.get(k) for k in FIELDS}
    required = {
        "legal_name": "Enter the organisation's legal name",
        "address_line_1": "Enter the first line of the address",
        "town": "Enter the town or city",
        "postcode": "Enter the postcode",
        "contact_name": "Enter the name of the main contact",
        "contact_email": "Enter the main contact's email address",
    }
    for field, message in required.items():
        if not data[field]:
            errors[field] = message
    try:
        org_type = OrgType(data["org_type"]).value
    except ValueError:
        errors["org_type"] = "Select the type of organisation"
        org_type = None

    charity = normalise_charity_number(data["charity_number"])
    if charity and not CHARITY_NUMBER.match(charity):
        errors["charity_number"] = ("Enter a charity number in the correct format, like 1165432, 1165432-1, "
                                    "SC012345 or NIC100002")
    elif not charity and org_type in CHARITY_TYPES:
        errors["charity_number"] = "Enter the charity number"
    company = normalise_company_number(data["company_number"])
    if company and not COMPANY_NUMBER.match(company):
        errors["company_number"] = "Enter a company number in the correct format, like 08123456 or SC123456"
    elif not company and org_type in COMPANY_TYPES:
        errors["company_number"] = "Enter the company number"

    if data["postcode"]:
        postcode = normalise_postcode(data["postcode"])
        if postcode is None:
            errors["postcode"] = "Enter a real postcode, like TS1 2AB"
        data["postcode"] = postcode
    if data["contact_email"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", data["contact_email"]):
        errors["contact_email"] = "Enter an email address in the correct format, like name@example.org"
    if data["website"] and not re.match(r"^https?://[^\s/]+\.[^\s]+$", data["website"]):
        errors["website"] = "Enter a website address starting with https://, like https://example.org"
    if errors:
        raise ValidationFailed(errors)
    data["org_type"] = org_type
    data["charity_number"] = charity or None
    data["company_number"] = company or None
    data["contact_email"] = data["contact_email"].lower()
    for optional in ("address_line_2", "contact_phone", "website"):
        data[optional] = data[optional] or None
    return data


def _profile(organisation: Organisation) -> dict:
    return {k: getattr(organisation, k) for k in FIELDS}


def create_organisation(*, actor: User, values: dict) -> Organisation:
    """An applicant without an organisation creates one and becomes its first member, an authorised signatory."""
    if not actor.has_role(Role.APPLICANT):
        raise NotPermitted("Only applicant accounts can create an organisation")
    if actor.memberships:
        raise DomainError("Your account already belongs to an organisation")
    data = clean_values(values)
    organisation = Organisation(**data)
    db.session.add(organisation)
    db.session.flush()
    db.session.add(OrgMembership(user=actor, organisation=organisation, role=MemberRole.SIGNATORY))
    db.session.flush()
    audit.record("organisation.created", actor=actor, entity=organisation, after=_profile(organisation))
    return organisation


def update_organisation(organisation: Organisation, *, actor: User, values: dict) -> Organisation:
    """A member edits the profile; only a signatory changes the phone number. Submitted applications keep the details
    they were sent with."""
    if not any(m.organisation_id == organisation.id for m in actor.memberships):
        raise NotPermitted("Only a member of the organisation can change its details")
    data = clean_values(values)
    before = _profile(organisation)
    # Finance verifies bank details by calling this number back, so a fraudster who joined as a plain member
    # must not be able to point it at themselves.
    if data["contact_phone"] != before["contact_phone"] and not is_signatory(actor, organisation.id):
        raise ValidationFailed({"contact_phone": "Only an authorised signatory can change the phone number: "
                                                 "finance call it to check bank details before paying"})
    for key, value in data.items():
        setattr(organisation, key, value)
    after = _profile(organisation)
    changed = [k for k in FIELDS if before[k] != after[k]]
    if changed:
        audit.record("organisation.updated", actor=actor, entity=organisation,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return organisation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_colleague(organisation: Organisation, *, actor: User, email: str) -> Invitation:
    """A member invites a colleague by email; the link works once, for 7 days. Only its hash is kept."""
    from .accounts import find_user, normalise_email

    if not any(m.organisation_id == organisation.id for m in actor.memberships):
        raise NotPermitted("Only a member of the organisation can invite colleagues")
    email = normalise_email(email)
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise ValidationFailed({"email": "Enter an email address in the correct format, like name@example.org"})
    existing = find_user(email)
    if existing is not None and existing.memberships:
        if existing.memberships[0].organisation_id == organisation.id:
            raise ValidationFailed({"email": "This person is already a member of your organisation"})
        raise ValidationFailed({"email": "This person's account already belongs to another organisation"})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation.id, email=email, token_hash=_token_hash(token),
                            invited_by_id=actor.id, expires_at=clock.now() + INVITATION_LIFETIME)
    db.session.add(invitation)
    db.session.flush()
    outbox.send_template(email, "invitation", organisation=organisation, inviter=actor, token=token,
                         expires_at=invitation.expires_at)
    audit.record("invitation.sent", actor=actor, entity=invitation,
                 after={"organisation_id": organisation.id, "email": email})
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be used."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token or "")))
    if invitation is None:
        raise DomainError("This invitation link is not valid")
    if invitation.accepted_at is not None:
        raise DomainError("This invitation has already been used")
    if invitation.expires_at <= clock.now():
        raise DomainError("This invitation has expired. Ask your colleague to invite you again")
    return invitation


def accept_invitation(token: str, *, actor: User) -> Invitation:
    """A signed-in applicant, invited at their own email address, joins the organisation."""
    invitation = invitation_for_token(token)
    if not actor.has_role(Role.APPLICANT):
        raise NotPermitted("Only applicant accounts can join an organisation")
    if actor.email.lower() != invitation.email.lower():
        raise NotPermitted(f"This invitation was sent to a different email address. Sign in as "
                           f"{invitation.email} to accept it")
    if actor.memberships:
        raise DomainError("Your account already belongs to an organisation")
    invitation.accepted_at = clock.now()
    invitation.accepted_by_id = actor.id
    db.session.add(OrgMembership(user=actor, organisation_id=invitation.organisation_id))
    db.session.flush()
    db.session.refresh(actor, ["memberships"])
    audit.record("invitation.accepted", actor=actor, entity=invitation,
                 after={"organisation_id": invitation.organisation_id, "user_id": actor.id})
    return invitation


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None),
                                 Invitation.expires_at > clock.now()).order_by(Invitation.id)
    ))


# --- Members and authorised signatories ----------------------------------------------------------


def membership_of(user: User | None, organisation_id: int) -> OrgMembership | None:
    if user is None:
        return None
    return next((m for m in user.memberships if m.organisation_id == organisation_id), None)


def is_signatory(user: User | None, organisation_id: int) -> bool:
    membership = membership_of(user, organisation_id)
    return membership is not None and membership.is_signatory


def signatories(organisation: Organisation) -> list[OrgMembership]:
    """The organisation's authorised signatories whose accounts are active, in the order they joined."""
    return [m for m in sorted(organisation.memberships, key=lambda m: m.id) if m.is_signatory and m.user.is_active]


def members(organisation: Organisation) -> list[OrgMembership]:
    return sorted(organisation.memberships, key=lambda m: (not m.is_signatory, m.id))


def set_member_role(membership: OrgMembership, *, actor: User, role: str, position: str | None) -> OrgMembership:
    """A signatory makes a member a signatory (with their position: chair, treasurer...) or a member again.

    Rules: only an authorised signatory of the same organisation; a signatory
    needs a position; the organisation always keeps at least one signatory, so
    the last one cannot be made a member.
    """
    if not is_signatory(actor, membership.organisation_id):
        raise NotPermitted("Only an authorised signatory of the organisation can change who is a signatory")
    if role not in MemberRole.LABELS:
        raise ValidationFailed({"role": "Choose member or authorised signatory"})
    position = (position or "").strip()
    if role == MemberRole.SIGNATORY and not position:
        raise ValidationFailed({"position": "Enter their position in the organisation, like chair or treasurer"})
    if len(position) > 100:
        raise ValidationFailed({"position": "Position must be 100 characters or fewer"})
    from . import locking

    # Locked: two signatories demoting each other at once must not leave the group with none.
    locking.lock(membership.organisation)
    if (role == MemberRole.MEMBER and membership.is_signatory
            and all(m.id == membership.id for m in signatories(membership.organisation))):
        raise ValidationFailed({"role": "An organisation needs at least one authorised signatory: make someone "
                                        "else a signatory first"})
    before = {"role": membership.role, "position": membership.position}
    membership.role = role
    membership.position = position if role == MemberRole.SIGNATORY else None
    db.session.flush()
    audit.record("organisation.member_role_changed", actor=actor, entity=membership,
                 before=before, after={"role": membership.role, "position": membership.position,
                                       "user_id": membership.user_id})
    return membership
