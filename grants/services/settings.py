"""The OPCC's own details and its standard terms of grant, as administrators set them.

Letters, documents and every public page's footer read these from the database;
until an administrator saves them the defaults below apply. The terms are
versioned: each save is a new numbered version (the old ones are kept), an
award letter records the version it carries, and the applicant's acceptance
records the version they accepted. A sent letter stores the details it was
printed with, so no later change alters it or how it regenerates.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import OrganisationSettings, Role, TermsVersion, User
from . import audit
from .errors import NotPermitted, ValidationFailed

DEFAULT_DETAILS = {
    "name": "Office of the Police and Crime Commissioner for Cleveland",
    "address": "Cleveland Community Safety Hub\n1 Cliffland Way, Hemlington\nMiddlesbrough TS8 9GL",
    "contact_email": "pcc@cleveland.pnn.police.uk",
    "contact_phone": "01642 301653",
    "signatory_name": "",
    "signatory_title": "",
}

DEFAULT_TERMS = "\n".join([
    "The grant must be used only for the project and purposes described in your application and this letter. "
    "Any change to the project, its budget or its timing needs our written agreement first.",
    "You must keep proper financial records and receipts for all spending of the grant for six years, and let us "
    "or our auditors see them on request.",
    "Any part of the grant not spent on the project, or spent on anything else, must be repaid to the Office of "
    "the Police and Crime Commissioner.",
    "You must have, and follow, suitable safeguarding arrangements for any work with children or adults at risk, "
    "and tell us at once about any serious safeguarding concern connected with the project.",
    "You must tell us straight away if anything happens that could stop the project going ahead as planned.",
    "You must acknowledge the support of the Police and Crime Commissioner for Cleveland in publicity about the "
    "project. We may publish the name of your organisation, the project and the amount awarded.",
    "The grant must not be used for political or religious campaigning, or for activities that benefit "
    "individuals rather than the community.",
    "We may withhold payments or ask for the grant to be repaid if these terms are not met, if the reports "
    "described in this letter are not sent, or if information you gave us proves to be wrong.",
])

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
_LIMITS = {"name": 200, "contact_email": 254, "contact_phone": 40, "signatory_name": 200, "signatory_title": 200}
MAX_TERMS_CHARS = 20_000


@dataclass(frozen=True)
class Details:
    name: str
    address: str
    contact_email: str
    contact_phone: str
    signatory_name: str
    signatory_title: str

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    def as_dict(self) -> dict:
        return asdict(self)


def _row() -> OrganisationSettings | None:
    return db.session.scalar(select(OrganisationSettings).order_by(OrganisationSettings.id).limit(1))


def details() -> Details:
    """The OPCC's details as saved, or the defaults until an administrator saves them."""
    row = _row()
    if row is None:
        return Details(**DEFAULT_DETAILS)
    return Details(**{name: getattr(row, name) for name in DEFAULT_DETAILS})


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted("Only an administrator can change the organisation's settings")


def save_details(*, actor: User, name: str, address: str, contact_email: str, contact_phone: str,
                 signatory_name: str = "", signatory_title: str = "") -> Details:
    """Save the OPCC's details (name, address, contact email and phone, letter signatory).

    Name, address, email and phone are required; the signatory's name and
    title go together (without them the decision maker signs the letter).
    The change is audited with the values before and after.
    """
    _require_admin(actor)
    given = {"name": name, "address": address, "contact_email": contact_email, "contact_phone": contact_phone,
             "signatory_name": signatory_name, "signatory_title": signatory_title}
    given = {key: "\n".join(line.strip() for line in (value or "").strip().splitlines() if line.strip())
             for key, value in given.items()}
    errors = {}
    if not given["name"]:
        errors["name"] = "Enter the organisation's name"
    if not given["address"]:
        errors["address"] = "Enter the organisation's postal address"
    elif len(given["address"]) > 500 or len(given["address"].splitlines()) > 6:
        errors["address"] = "The address must be 6 lines or fewer and 500 characters or fewer"
    if not given["contact_email"]:
        errors["contact_email"] = "Enter the contact email address"
    elif not _EMAIL.match(given["contact_email"]):
        errors["contact_email"] = "Enter an email address in the correct format, like grants@example.org"
    if not given["contact_phone"]:
        errors["contact_phone"] = "Enter the contact phone number"
    elif not _PHONE.match(given["contact_phone"]):
        errors["contact_phone"] = "Enter a phone number, like 01642 301653"
    if bool(given["signatory_name"]) != bool(given["signatory_title"]):
        field = "signatory_title" if given["signatory_name"] else "signatory_name"
        errors[field] = "Enter both the signatory's name and their title, or leave both empty"
    for key, limit in _LIMITS.items():
        if key not in errors and len(given[key]) > limit:
            errors[key] = f"This must be {limit} characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    before = details().as_dict()
    row = _row()
    if row is None:
        row = OrganisationSettings(**given)
        db.session.add(row)
    else:
        for key, value in given.items():
            setattr(row, key, value)
    row.updated_at = clock.now()
    row.updated_by_id = actor.id
    db.session.flush()
    changed = {key for key in given if given[key] != before[key]}
    if changed:
        audit.record("settings.changed", actor=actor, entity=row,
                     before={k: before[k] for k in sorted(changed)}, after={k: given[k] for k in sorted(changed)})
    return details()


# --- Terms of grant -------------------------------------------------------------------------


def terms_versions() -> list[TermsVersion]:
    """Every saved version, newest first."""
    return list(db.session.scalars(select(TermsVersion).order_by(TermsVersion.number.desc())))


def terms_version(number: int) -> TermsVersion | None:
    return db.session.scalar(select(TermsVersion).where(TermsVersion.number == number))


def current_terms_text() -> str:
    latest = db.session.scalar(select(TermsVersion).order_by(TermsVersion.number.desc()).limit(1))
    return latest.text if latest else DEFAULT_TERMS


def _new_version(text: str, actor: User | None) -> TermsVersion:
    number = (db.session.scalar(select(func.max(TermsVersion.number))) or 0) + 1
    version = TermsVersion(number=number, text=text, created_by_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    return version


def save_terms(*, actor: User, text: str) -> TermsVersion:
    """Save the standard terms as a new version (numbered 1, 2, ...); earlier versions are kept unchanged.

    One term per line. Saving text identical to the current version is
    refused, so the version number always means a change.
    """
    _require_admin(actor)
    clean = "\n".join(line.strip() for line in (text or "").strip().splitlines() if line.strip())
    if not clean:
        raise ValidationFailed({"terms": "Enter the standard terms of grant, one term per line"})
    if len(clean) > MAX_TERMS_CHARS:
        raise ValidationFailed({"terms": f"The terms must be {MAX_TERMS_CHARS:,} characters or fewer"})
    before_text = current_terms_text()
    if clean == before_text:
        raise ValidationFailed({"terms": "These terms are the same as the current version; change them to save "
                                         "a new version"})
    previous = terms_versions()
    version = _new_version(clean, actor)
    audit.record("terms.version_saved", actor=actor, entity=version,
                 before={"number": previous[0].number if previous else None, "text": before_text},
                 after={"number": version.number, "text": clean})
    return version


def terms_for_letter() -> TermsVersion:
    """The version a new award letter carries: the latest, or version 1 made from the defaults if none is saved."""
    latest = db.session.scalar(select(TermsVersion).order_by(TermsVersion.number.desc()).limit(1))
    if latest is not None:
        return latest
    version = _new_version(DEFAULT_TERMS, None)
    audit.record("terms.version_saved", entity=version, before=None,
                 after={"number": version.number, "text": DEFAULT_TERMS}, reason="The default terms, first used")
    return version


def terms_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
