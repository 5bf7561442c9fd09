"""Publishing grants: what the public may read about a decision, and when it becomes public.

Every approval carries a public summary, written by the decision maker beside
the internal reasons and checked here for personal data (an email address, a
phone number, a UK postcode). A grant reaches the public register and the
360Giving files only when a grants officer publishes it, after previewing
exactly what will be shown. Once published it stays published: a correction
shows the current award, a declined or lapsed offer shows as such.
Imported historic grants marked public are published by their import.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select

from .. import clock
from ..extensions import db
from ..models import Application, DecisionRecord, GrantPublication, ImportedGrant, Letter, Role, TermsVersion, User
from . import audit, locking
from .errors import NotPermitted, ValidationFailed
from .workflow import COMMITTED_STATES, Status

APPROVAL_OUTCOMES = ("approve_full", "approve_reduced")
# What the register and open data list: offers that stand, and published offers later declined or lapsed.
PUBLIC_STATES = sorted({*(s.value for s in COMMITTED_STATES), Status.OFFER_LAPSED.value})
PUBLIC_STATUS_LABELS = {
    Status.APPROVED.value: "Offer made, waiting for acceptance",
    Status.FUNDED.value: "Offer accepted, project running",
    Status.COMPLETED.value: "Completed",
    Status.OFFER_LAPSED.value: "Offer declined or lapsed: nothing was paid",
}

# --- Personal data in text meant for the public ------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A UK number: +44 (optionally "(0)") or a leading 0, then 9 or 10 more digits, spaces, hyphens or brackets between.
_PHONE = re.compile(r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s\-)]{0,2}){9,10}(?!\d)")
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKPSTUW0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
                       re.IGNORECASE)
_KINDS = (("an email address", _EMAIL), ("a phone number", _PHONE), ("a postcode", _POSTCODE))


def personal_data_in(text: str | None) -> list[str]:
    """What in `text` looks like personal data, e.g. ['the email address "jo@example.org"'], in the order found."""
    found = []
    for kind, pattern in _KINDS:
        for match in pattern.finditer(text or ""):
            found.append(f"{kind} \u201c{match.group().strip()}\u201d")
    return found


def check_public_text(text: str | None, *, field: str, label: str) -> None:
    """Refuse public text holding an email address, phone number or postcode, saying what to remove."""
    found = personal_data_in(text)
    if found:
        raise ValidationFailed({field: f"Remove {', '.join(found)} from the {label}: it is published, and must not "
                                       "hold anyone's contact details or address"})


# --- What the public reads about a grant ------------------------------------------------------


@dataclass(frozen=True)
class PublicGrant:
    """One grant exactly as the register and the officers' preview show it (nothing internal)."""

    application: Application
    public_summary: str | None
    special_conditions: str | None
    terms_version: int | None
    corrected: bool

    @property
    def status_label(self) -> str:
        return PUBLIC_STATUS_LABELS.get(self.application.status, "")

    @property
    def public_benefit(self) -> str:
        return self.application.round.fund.public_benefit or ""

    @property
    def stands(self) -> bool:
        return self.application.status != Status.OFFER_LAPSED.value


class PublicParts(NamedTuple):
    public_summary: str | None
    conditions: str | None
    corrected: bool


def latest_public_parts(application_ids: list[int]) -> dict[int, PublicParts]:
    """The public parts of each application's latest approving record (a correction supersedes), as plain values."""
    if not application_ids:
        return {}
    latest = (select(func.max(DecisionRecord.id)).where(DecisionRecord.application_id.in_(application_ids),
                                                         DecisionRecord.outcome.in_(APPROVAL_OUTCOMES))
              .group_by(DecisionRecord.application_id))
    rows = db.session.execute(
        select(DecisionRecord.application_id, DecisionRecord.public_summary, DecisionRecord.special_conditions,
               DecisionRecord.supersedes_id).where(DecisionRecord.id.in_(latest)))
    return {app_id: PublicParts(summary, conditions, supersedes is not None)
            for app_id, summary, conditions, supersedes in rows}


def award_terms(application_ids: list[int]) -> dict[int, int]:
    """The terms version number of each application's latest award letter."""
    if not application_ids:
        return {}
    latest = (select(func.max(Letter.id)).where(Letter.application_id.in_(application_ids), Letter.kind == "award")
              .group_by(Letter.application_id))
    return dict(db.session.execute(select(Letter.application_id, TermsVersion.number)
                                   .join(TermsVersion, TermsVersion.id == Letter.terms_version_id)
                                   .where(Letter.id.in_(latest))).all())


def public_grants(applications: list[Application]) -> list[PublicGrant]:
    """The public view of each application, in the order given (three queries whatever the number)."""
    ids = [a.id for a in applications]
    parts, terms = latest_public_parts(ids), award_terms(ids)
    none = PublicParts(None, None, False)
    return [PublicGrant(application=a, public_summary=parts.get(a.id, none).public_summary,
                        special_conditions=parts.get(a.id, none).conditions, terms_version=terms.get(a.id),
                        corrected=parts.get(a.id, none).corrected) for a in applications]


# --- Which grants are published -----------------------------------------------------------------


def published_condition():
    """SQL condition: the application is published (by an officer, or imported and marked public)."""
    return or_(
        Application.id.in_(select(GrantPublication.application_id)),
        Application.id.in_(select(ImportedGrant.application_id).where(ImportedGrant.public.is_(True))),
    )


def is_published(application: Application) -> bool:
    return db.session.scalar(select(Application.id).where(Application.id == application.id,
                                                          published_condition())) is not None


def _month_of(moment: datetime | None) -> str:
    return moment.astimezone(clock.LONDON).strftime("%Y-%m") if moment else ""


@dataclass(frozen=True)
class Candidate:
    """An approved grant waiting to be published, with what the public would see and why it cannot be yet."""

    grant: PublicGrant
    month: str  # "2026-07", the UK month of the decision

    @property
    def refusal(self) -> str | None:
        if not self.grant.public_summary:
            return ("No public summary was recorded with this decision. A decision maker records one by "
                    "correcting the award; until then it cannot be published")
        return None


def awaiting_publication() -> list[Candidate]:
    """Approved grants (offer made, accepted or completed) not yet published, oldest decision first."""
    applications = list(db.session.scalars(
        select(Application).where(Application.status.in_([s.value for s in COMMITTED_STATES]),
                                  Application.awarded_pence.is_not(None), ~published_condition())
        .order_by(Application.decided_at, Application.id)))
    return [Candidate(grant, _month_of(grant.application.decided_at)) for grant in public_grants(applications)]


def month_label(month: str) -> str:
    """"2026-07" -> "July 2026"."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1).strftime("%B %Y")


def months_awaiting(candidates: list[Candidate]) -> list[tuple[str, str, int]]:
    """(month, its label, number of grants) for the months that have grants waiting, oldest first."""
    counts: dict[str, int] = {}
    for candidate in candidates:
        counts[candidate.month] = counts.get(candidate.month, 0) + 1
    return [(month, month_label(month), count) for month, count in sorted(counts.items())]


def publish(application_ids: list[int], *, actor: User) -> list[GrantPublication]:
    """Publish grants to the register and open data (grants officers only).

    Each must be an approval whose offer stands, not already published, with a
    public summary. If any cannot be published, none is, and the refusal names
    each one and why. Each publication is audited. The applications' rows are
    locked first, so a grant published twice at once is published once.
    """
    if not actor.has_role(Role.OFFICER):
        raise NotPermitted("Only a grants officer can publish grants")
    application_ids = list(dict.fromkeys(application_ids))  # a grant ticked twice is published once
    if not application_ids:
        raise ValidationFailed({"grants": "Choose at least one grant to publish"})
    # Two officers publishing the same grant at once: the second waits, then finds it published.
    for application_id in sorted(application_ids):
        locking.lock_id(Application, application_id)
    candidates = {c.grant.application.id: c for c in awaiting_publication()}
    problems = []
    for application_id in application_ids:
        candidate = candidates.get(application_id)
        if candidate is None:
            application = db.session.get(Application, application_id)
            name = application.reference if application else f"Grant {application_id}"
            problems.append(f"{name} is not an approved grant waiting to be published (it may have just been "
                            "published by someone else)")
        elif candidate.refusal:
            problems.append(f"{candidate.grant.application.reference}: {candidate.refusal}")
    if problems:
        raise ValidationFailed({"grants": "; ".join(problems)})
    now = clock.now().replace(microsecond=0)
    made = []
    for application_id in application_ids:
        grant = candidates[application_id].grant
        publication = GrantPublication(application_id=application_id, published_at=now, published_by_id=actor.id)
        db.session.add(publication)
        db.session.flush()
        audit.record("grant.published", actor=actor, entity=publication, application=grant.application,
                     after={"reference": grant.application.reference, "awarded_pence": grant.application.awarded_pence,
                            "public_summary": grant.public_summary, "special_conditions": grant.special_conditions,
                            "terms_version": grant.terms_version})
        made.append(publication)
    return made
