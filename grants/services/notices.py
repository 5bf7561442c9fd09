"""Decision notices: one signed, numbered, immutable notice of a funding meeting's decisions.

The notice is what a PCC publishes: a summary, the awards agreed (organisation,
project, amount, objective, area), the applications declined (organisation and
project only, never a person's name), the round's budget before and after
(services/budget.round_money), the fund's legal power, who attended and what
they declared, and the signature. It is numbered OPCC-wide per financial year
(`DECISION_NOTICE_NUMBER`, default "{fy}-{n:04d}" -> "2026/27-0008") from the
gap-free counter, hashed like decision records (the hash is stored and written
into its creation audit event; integrity.RECORDED_DOCUMENTS checks it), and
never changed: a correction is a new notice that supersedes it.

It is signed by the PCC, or by the Chief Executive where every award is within
the round's delegated limit, and only once every application on the agenda has
a decision, none still needs moderation, and none was decided by someone who
declared a conflict on it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import (
    Application,
    ConflictDeclaration,
    DecisionAuthority,
    DecisionNotice,
    DecisionRecord,
    FundingMeeting,
    User,
)
from ..money import format_pence
from . import audit, budget, locking, numbering, publication, workflow
from .assessment import moderation_state
from .decisions import APPROVALS, DECLINE, DEFER, PCC_TITLE
from .errors import NotPermitted, ValidationFailed
from .workflow import COMMITTED_STATES

DEFAULT_PATTERN = "{fy}-{n:04d}"


def notice_number(financial_year: str, sequence: int) -> str:
    """The notice's number from the configured pattern: {fy} is "2026/27", {n} the year's sequence."""
    pattern = current_app.config.get("DECISION_NOTICE_NUMBER") or DEFAULT_PATTERN
    return pattern.format(fy=financial_year.replace("-", "/"), n=sequence)


def latest_record(application: Application) -> DecisionRecord | None:
    return db.session.scalar(select(DecisionRecord).where(DecisionRecord.application_id == application.id)
                             .order_by(DecisionRecord.id.desc()).limit(1))


def _conflicted(application: Application, user_id: int) -> bool:
    return db.session.scalar(select(ConflictDeclaration.id).where(
        ConflictDeclaration.application_id == application.id, ConflictDeclaration.user_id == user_id,
        ConflictDeclaration.has_conflict.is_(True)).limit(1)) is not None


def signing_problems(meeting: FundingMeeting) -> list[str]:
    """Why the meeting's notice cannot be signed yet, one line per application (empty: it can be)."""
    if not meeting.items:
        return ["The meeting has no applications on its agenda"]
    problems = []
    for application in meeting.applications:
        record = latest_record(application)
        if moderation_state(application) == "needed":
            problems.append(f"{application.reference}: assessors' scores differ and still need moderation")
        elif record is None:
            problems.append(f"{application.reference}: has no decision yet")
        elif _conflicted(application, record.decided_by_id):
            problems.append(f"{application.reference}: decided by {record.decided_by_name}, who declared a "
                            "conflict of interest on it; another decision maker must decide it again")
    return problems


def signer_refusal(meeting: FundingMeeting, user: User) -> str | None:
    """Who may sign: the PCC; the Chief Executive only where every award is within the delegated limit."""
    if user.decision_authority == DecisionAuthority.FULL.value:
        return None
    if user.decision_authority != DecisionAuthority.DELEGATED.value:
        return f"Only the {PCC_TITLE} or the Chief Executive can sign a decision notice"
    limit = meeting.round.delegated_limit_pence
    over = [a.reference for a in meeting.applications
            if (record := latest_record(a)) and record.outcome in APPROVALS and (record.amount_awarded_pence or 0) > limit]
    if over:
        return (f"Only the {PCC_TITLE} can sign this notice: {', '.join(over)} "
                f"{'is' if len(over) == 1 else 'are'} above the delegated limit of {format_pence(limit)}")
    return None


def _names(items) -> str:
    return "; ".join(item.name for item in items)


def notice_content(meeting: FundingMeeting) -> dict:
    """What the notice says, as JSON-able data (frozen into the notice when signed)."""
    round_ = meeting.round
    awards, declined, deferred = [], [], []
    awarded_total = 0
    for application in meeting.applications:
        record = latest_record(application)
        if record is None:
            continue
        if record.outcome in APPROVALS:
            awards.append({
                "reference": application.reference, "organisation": record.organisation_name,
                "project": application.title, "amount_pence": record.amount_awarded_pence,
                "objectives": [f"{o.number}. {o.name}" for o in application.objectives],
                "areas": [a.name for a in application.areas], "decision_record": record.number,
                "public_summary": record.public_summary,
            })
            if workflow.status_of(application) in COMMITTED_STATES:
                awarded_total += record.amount_awarded_pence or 0
        elif record.outcome == DECLINE:
            declined.append({"organisation": record.organisation_name, "project": application.title,
                             "decision_record": record.number})
        elif record.outcome == DEFER:
            deferred.append({"organisation": record.organisation_name, "project": application.title,
                             "decision_record": record.number})
    money = budget.round_money(round_)
    return {
        "fund": round_.fund.name, "round": round_.title, "held_on": meeting.held_on.isoformat(),
        "legal_power": round_.fund.legal_power or "", "public_benefit": round_.fund.public_benefit or "",
        "attendees": list(meeting.attendees or []), "declarations": list(meeting.declarations or []),
        "awards": awards, "declined": declined, "deferred": deferred,
        "total_awarded_pence": sum(a["amount_pence"] or 0 for a in awards),
        "budget": {"budget_pence": money.budget, "remaining_before_pence": money.remaining + awarded_total,
                   "remaining_after_pence": money.remaining},
    }


_HASHED = ("number", "financial_year", "sequence", "meeting_id", "fund_id", "summary", "content", "signed_by_id",
           "signed_by_name", "authority", "for_publication", "not_for_publication_reason", "supersedes_id")


def content_hash(notice: DecisionNotice) -> str:
    """SHA-256 of the notice's fields as canonical JSON (sorted keys, no spaces)."""
    content = {name: getattr(notice, name) for name in _HASHED}
    content["signed_at"] = notice.signed_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_intact(notice: DecisionNotice) -> bool:
    return content_hash(notice) == notice.content_hash


def current_notice(meeting: FundingMeeting) -> DecisionNotice | None:
    """The meeting's notice in force: the latest, which supersedes any before it."""
    return db.session.scalar(select(DecisionNotice).where(DecisionNotice.meeting_id == meeting.id)
                             .order_by(DecisionNotice.id.desc()).limit(1))


def superseded_by(notice: DecisionNotice) -> DecisionNotice | None:
    return db.session.scalar(select(DecisionNotice).where(DecisionNotice.supersedes_id == notice.id))


def sign_notice(meeting: FundingMeeting, *, actor: User, summary: str, for_publication: bool = True,
                not_for_publication_reason: str | None = None) -> DecisionNotice:
    """Sign the meeting's decision notice (or, if one exists, a correcting notice that supersedes it).

    Refused while any application on the agenda needs moderation, has no
    decision, or was decided by someone who declared a conflict on it (the
    refusal names each); by anyone but the PCC, or the Chief Executive where
    every award is within delegation; and without a summary. A notice withheld
    from publication needs the reason (e.g. safeguarding), which auditors see.
    The meeting's row is locked while the number is taken, so two people
    signing at once cannot both sign the same meeting's first notice.
    """
    errors = {}
    if not summary or not summary.strip():
        errors["summary"] = "Enter a summary of the meeting's decisions for the notice"
    reason = (not_for_publication_reason or "").strip() or None
    if not for_publication and not reason:
        errors["not_for_publication_reason"] = ("Enter why this notice is not for publication (for example, "
                                                "safeguarding); auditors see the reason")
    if "summary" not in errors:
        try:
            publication.check_public_text(summary, field="summary", label="summary")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    refusal = signer_refusal(meeting, actor)
    if refusal:
        raise NotPermitted(refusal)
    meeting = locking.lock(meeting)
    problems = signing_problems(meeting)
    if problems:
        raise NotPermitted("The notice cannot be signed yet: " + "; ".join(problems))
    previous = current_notice(meeting)
    now = clock.now().replace(microsecond=0)
    year = clock.financial_year(now.astimezone(clock.LONDON).date())
    sequence = numbering.next_number(f"notice:{year}")
    notice = DecisionNotice(
        number=notice_number(year, sequence), financial_year=year, sequence=sequence, meeting_id=meeting.id,
        fund_id=meeting.round.fund_id, summary=summary.strip(), content=notice_content(meeting),
        signed_by_id=actor.id, signed_by_name=actor.full_name,
        authority=PCC_TITLE if actor.decision_authority == DecisionAuthority.FULL.value else
        f"Chief Executive, under delegation (awards up to {format_pence(meeting.round.delegated_limit_pence)})",
        signed_at=now, for_publication=for_publication, not_for_publication_reason=None if for_publication else reason,
        supersedes_id=previous.id if previous else None,
    )
    notice.content_hash = content_hash(notice)
    db.session.add(notice)
    db.session.flush()
    audit.record("decision_notice.signed", actor=actor, entity=notice, fund_id=notice.fund_id,
                 after={"number": notice.number, "content_hash": notice.content_hash,
                        "supersedes": previous.number if previous else None, "for_publication": for_publication,
                        "not_for_publication_reason": notice.not_for_publication_reason},
                 reason=notice.summary)
    return notice


def notices_for_record(record: DecisionRecord) -> list[DecisionNotice]:
    """The notices covering a decision record (its application was on their meeting), oldest first."""
    from ..models import MeetingItem

    return list(db.session.scalars(
        select(DecisionNotice).join(MeetingItem, MeetingItem.meeting_id == DecisionNotice.meeting_id)
        .where(MeetingItem.application_id == record.application_id, DecisionNotice.signed_at >= record.decided_at)
        .order_by(DecisionNotice.id)))


@dataclass(frozen=True)
class PublishedFilters:
    fund: str = ""
    year: str = ""


def published_notices(filters: PublishedFilters) -> list[DecisionNotice]:
    """Signed notices for publication, newest first, by fund code and financial year."""
    from ..models import Fund

    stmt = select(DecisionNotice).where(DecisionNotice.for_publication.is_(True))
    if filters.fund:
        stmt = stmt.join(Fund, Fund.id == DecisionNotice.fund_id).where(Fund.code == filters.fund)
    if filters.year:
        stmt = stmt.where(DecisionNotice.financial_year == filters.year)
    return list(db.session.scalars(stmt.order_by(DecisionNotice.signed_at.desc(), DecisionNotice.id.desc())))


def published_notice(number_or_id: int) -> DecisionNotice | None:
    notice = db.session.get(DecisionNotice, number_or_id)
    return notice if notice is not None and notice.for_publication else None


