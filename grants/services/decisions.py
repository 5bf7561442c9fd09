"""Award decisions: who may decide, what it costs the budget, and the permanent record.

A decision (approve in full, approve a reduced amount, decline, defer) always
carries reasons and produces a numbered, immutable DecisionRecord
(`CSF/2026-27/014`, numbered per fund and financial year of the decision date).

Concurrency: every decision takes its locks in one order — the round's row
(budget), then the application's row, then the record counter — so two
decision makers acting at the same instant queue rather than overspend the
budget, double-decide an application or duplicate a number, and never deadlock.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from .. import access, clock
from ..extensions import db
from ..models import (
    Application,
    ConflictDeclaration,
    DecisionAuthority,
    DecisionRecord,
    Letter,
    PaymentInstalment,
    Role,
    Round,
    TermsVersion,
    User,
)
from ..money import format_pence
from . import audit, budget, locking, numbering, outbox, permissions, publication, reporting_schedule, settings, workflow
from .errors import BudgetExceeded, DomainError, InvalidTransition, LimitExceeded, NotPermitted, ValidationFailed
from .reporting_schedule import AFTER_FINAL, AFTER_INTERIM, ON_ACCEPTANCE
from .workflow import Status

APPROVE_FULL = "approve_full"
APPROVE_REDUCED = "approve_reduced"
DECLINE = "decline"
DEFER = "defer"
OUTCOMES = {
    APPROVE_FULL: "Approve in full",
    APPROVE_REDUCED: "Approve a reduced amount",
    DECLINE: "Decline",
    DEFER: "Defer",
}
APPROVALS = frozenset({APPROVE_FULL, APPROVE_REDUCED})
_TRANSITION_FOR = {APPROVE_FULL: "approve", APPROVE_REDUCED: "approve", DECLINE: "decline", DEFER: "defer"}

TRIGGERS = {
    ON_ACCEPTANCE: "When the offer is accepted",
    AFTER_INTERIM: "After the interim report is signed off",
    AFTER_FINAL: "After the final report is signed off",
}

NO_INTEREST = "I have no interest to declare"
DECIDABLE = frozenset({Status.ASSESSED, Status.DEFERRED})
PCC_TITLE = "Police and Crime Commissioner"


# --- Authority ----------------------------------------------------------------------


def authority_text(user: User, round_: Round) -> str | None:
    """The authority a person decides under, in the words the record shows."""
    if user.decision_authority == DecisionAuthority.FULL.value:
        return PCC_TITLE
    if user.decision_authority == DecisionAuthority.DELEGATED.value:
        return f"Chief Executive, under delegation (awards up to {format_pence(round_.delegated_limit_pence)})"
    return None


def limit_refusal(user: User, round_: Round, amount_pence: int | None) -> str | None:
    """Why `user` may not approve `amount_pence` in `round_`, or None.

    The Chief Executive (delegated authority) may approve up to the round's
    delegated limit; the PCC (full authority) any amount. The refusal names
    who can make the decision.
    """
    if user.decision_authority not in (DecisionAuthority.DELEGATED.value, DecisionAuthority.FULL.value):
        return (f"You have no decision-making authority. Only the Chief Executive (awards up to "
                f"{format_pence(round_.delegated_limit_pence)}) or the {PCC_TITLE} can decide")
    if (amount_pence is not None and user.decision_authority == DecisionAuthority.DELEGATED.value
            and amount_pence > round_.delegated_limit_pence):
        return f"Only the {PCC_TITLE} can approve awards above {format_pence(round_.delegated_limit_pence)}"
    return None


@dataclass(frozen=True)
class QueueMark:
    """What the decisions queue says about one application for the signed-in decision maker, before it is opened."""

    above_limit: str | None  # why the amount asked is beyond the viewer's authority (limit_refusal), or None
    deciders: list[User]  # who can decide the amount asked: authority enough, not assessed, no conflict


def decision_makers() -> list[User]:
    from ..models import UserRole

    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.DECISION_MAKER.value,
                                          User.is_active_account.is_(True)).order_by(User.full_name)))


def queue_mark(application: Application, viewer: User, makers: list[User] | None = None) -> QueueMark:
    """Is the amount asked above the viewer's limit, and who could decide it (limit_refusal and the conflict rules)?"""
    amount = application.amount_requested_pence
    makers = decision_makers() if makers is None else makers
    return QueueMark(
        above_limit=limit_refusal(viewer, application.round, amount),
        deciders=[u for u in makers if limit_refusal(u, application.round, amount) is None
                  and access.unconflicted_decision_maker(u, application) is None])


def decision_refusal(application: Application, user: User) -> str | None:
    """Why `user` cannot decide `application` at all right now, or None."""
    if workflow.status_of(application) not in DECIDABLE:
        return (f"This application is '{workflow.STAFF_LABELS[workflow.status_of(application)].lower()}', "
                "so it cannot be decided now")
    return access.unconflicted_decision_maker(user, application) or limit_refusal(user, application.round, None)


# --- Money helpers ----------------------------------------------------------------------


def propose_schedule(round_: Round, amount_pence: int) -> list[dict]:
    """The round's payment split for this award (the rule is services.reporting_schedule's)."""
    return reporting_schedule.propose_instalments(round_, amount_pence)


def check_schedule(schedule: list[dict], amount_pence: int) -> list[dict]:
    """A schedule is 1+ positive instalments with known triggers summing exactly to the award."""
    if not schedule:
        raise ValidationFailed({"schedule": "Enter at least one payment instalment"})
    clean = []
    for row in schedule:
        amount, trigger = row.get("amount_pence"), row.get("trigger")
        if not isinstance(amount, int) or amount <= 0:
            raise ValidationFailed({"schedule": "Each instalment must be more than £0"})
        if trigger not in TRIGGERS:
            raise ValidationFailed({"schedule": "Choose when each instalment is paid"})
        clean.append({"amount_pence": amount, "trigger": trigger})
    total = sum(r["amount_pence"] for r in clean)
    if total != amount_pence:
        raise ValidationFailed({"schedule": f"The instalments add up to {format_pence(total, always_pence=True)} "
                                            f"but the award is {format_pence(amount_pence, always_pence=True)}; "
                                            "they must add up exactly"})
    return clean


# --- Evidence embedded in the record -------------------------------------------------------


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _scores_for_record(application: Application) -> tuple[dict, list]:
    """Assessment scores and declared conflicts, frozen into the record as JSON."""
    from .assessment import conflicts_for, score_summary

    return _jsonable(score_summary(application)), _jsonable(conflicts_for(application))


# --- The record ---------------------------------------------------------------------------

_HASHED_FIELDS = (
    "number", "fund_id", "financial_year", "sequence", "application_id", "outcome", "amount_requested_pence",
    "amount_awarded_pence", "reasons", "feedback", "special_conditions", "payment_schedule", "decided_by_id",
    "decided_by_name", "authority", "declaration_of_interest", "organisation_name", "scores", "conflicts",
    "decided_at", "supersedes_id",
)


def record_content(record: DecisionRecord) -> dict:
    content = {name: getattr(record, name) for name in _HASHED_FIELDS}
    # Records made before public summaries existed keep the hash they were made with.
    if getattr(record, "public_summary", None) is not None:
        content["public_summary"] = record.public_summary
    content["decided_at"] = record.decided_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return content


def content_hash(record: DecisionRecord) -> str:
    """SHA-256 of the record's fields as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(record_content(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_is_intact(record: DecisionRecord) -> bool:
    return content_hash(record) == record.content_hash


def superseded_by(record: DecisionRecord) -> DecisionRecord | None:
    return db.session.scalar(select(DecisionRecord).where(DecisionRecord.supersedes_id == record.id))


def records_for(application: Application) -> list[DecisionRecord]:
    return list(db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.application_id == application.id).order_by(DecisionRecord.id)
    ))


@dataclass(frozen=True)
class RecordView:
    """A decision record as the viewer may read it; None marks a part withheld from them.

    Everyone who reaches a record reads the award (amount, schedule,
    conditions, who decided under what authority) and the public summary. The
    reasons of every decision are internal: with the feedback, only for those
    who read decision reasons; scores and conflict declarations only for those
    who read assessments.
    `whole` is True when nothing is withheld (only then may the PDF be had).
    """

    record: DecisionRecord
    reasons: str | None
    feedback: str | None
    scores: dict | None
    conflicts: list | None

    @property
    def whole(self) -> bool:
        return None not in (self.reasons, self.scores, self.conflicts)


def _reads_reasons(record: DecisionRecord, viewer: User | None) -> bool:
    return permissions.may_read_application(viewer, record.application, permissions.Info.DECISION_REASONS)


def record_view(record: DecisionRecord, viewer: User | None) -> RecordView:
    """The record with what the viewer may not read withheld (see RecordView)."""
    reasons_ok = _reads_reasons(record, viewer)
    assessment_ok = permissions.may_read_application(viewer, record.application, permissions.Info.SCORES)
    return RecordView(record=record, reasons=record.reasons if reasons_ok else None,
                      feedback=record.feedback if reasons_ok else None,
                      scores=(record.scores or {}) if assessment_ok else None,
                      conflicts=(record.conflicts or []) if assessment_ok else None)


def _write_record(application: Application, *, actor: User, outcome: str, awarded: int | None, reasons: str,
                  public_summary: str | None, feedback: str | None, conditions: str | None, schedule: list[dict], authority: str,
                  declaration: str, decided_at: datetime, supersedes: DecisionRecord | None) -> DecisionRecord:
    fund = application.round.fund
    year = clock.financial_year(decided_at.astimezone(clock.LONDON).date())
    sequence = numbering.next_number(f"decision:{fund.code}:{year}")
    scores, conflicts = _scores_for_record(application)
    record = DecisionRecord(
        number=f"{fund.code}/{year}/{sequence:03d}", fund_id=fund.id, financial_year=year, sequence=sequence,
        application_id=application.id, outcome=outcome,
        amount_requested_pence=application.amount_requested_pence, amount_awarded_pence=awarded,
        reasons=reasons, public_summary=public_summary, feedback=feedback, special_conditions=conditions, payment_schedule=schedule,
        decided_by_id=actor.id, decided_by_name=actor.full_name, authority=authority,
        declaration_of_interest=declaration, organisation_name=application.organisation.legal_name,
        scores=scores, conflicts=conflicts, decided_at=decided_at,
        supersedes_id=supersedes.id if supersedes else None,
    )
    record.content_hash = content_hash(record)
    db.session.add(record)
    db.session.flush()
    audit.record("decision_record.created", actor=actor, entity=record, application=application,
                 after={"number": record.number, "outcome": outcome, "awarded_pence": awarded,
                        "content_hash": record.content_hash, "supersedes": supersedes.number if supersedes else None},
                 reason=reasons)
    return record


def _lock(application: Application) -> Application:
    """Lock the round row (budget), then the application row, in that order, and reload the application."""
    budget.round_money(application.round_id, lock=True)
    return locking.lock(application)


def _public_text_errors(public_summary: str | None, special_conditions: str | None) -> dict[str, str]:
    """An approval's public summary is required; it and the special conditions are published, so hold no personal data."""
    errors = {}
    if not public_summary or not public_summary.strip():
        errors["public_summary"] = ("Enter a public summary: what the grant pays for and how it serves the fund's "
                                    "purpose, in words fit to publish")
    for field, label, text in (("public_summary", "public summary", public_summary),
                               ("special_conditions", "special conditions", special_conditions)):
        try:
            publication.check_public_text(text, field=field, label=label)
        except ValidationFailed as exc:
            errors.setdefault(field, exc.errors[field])
    return errors


def _required(text: str | None, field: str, message: str) -> str:
    if not text or not text.strip():
        raise ValidationFailed({field: message})
    return text.strip()


# --- Services ------------------------------------------------------------------------------


def declare_conflict(application: Application, *, actor: User, nature: str) -> ConflictDeclaration:
    """A decision maker declares an interest: it is kept forever and stops them deciding this application."""
    nature = _required(nature, "conflict_nature", "Describe the interest you are declaring")
    declaration = ConflictDeclaration(application_id=application.id, user_id=actor.id, capacity="decision_maker",
                                      has_conflict=True, nature=nature)
    db.session.add(declaration)
    db.session.flush()
    audit.record("conflict.declared", actor=actor, entity=declaration, application=application,
                 after={"capacity": "decision_maker", "nature": nature})
    return declaration


def decide(application: Application, *, actor: User, outcome: str, reasons: str, amount_pence: int | None = None,
           feedback: str | None = None, special_conditions: str | None = None,
           schedule: list[dict] | None = None, no_interest_confirmed: bool = False,
           public_summary: str | None = None) -> DecisionRecord:
    """Approve (in full or reduced), decline or defer an assessed or deferred application.

    Rules: reasons (internal) are required; an approval also needs a public
    summary, which like its special conditions is published and so may hold
    no email address, phone number or postcode; the decision maker confirms they have no
    interest to declare; they must not have assessed it or declared a conflict;
    approvals must be within their authority (Chief Executive up to the
    round's delegated limit, PCC any amount); a reduced award is below the
    amount requested and not below the round's minimum; the award must fit the
    round's remaining budget (checked under the round's row lock); the payment
    schedule (proposed from the round's rules if not given) sums exactly to the
    award. Every outcome writes a numbered, immutable decision record; an
    approval also creates the payment instalments and the award letter, a
    decline the decline letter.
    """
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose a decision"
    if not no_interest_confirmed:
        errors["declaration"] = "Confirm you have no interest to declare, or declare your interest"
    if not reasons or not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    if outcome in APPROVALS:
        errors.update(_public_text_errors(public_summary, special_conditions))
    round_ = application.round
    requested = application.amount_requested_pence
    awarded = None
    if outcome == APPROVE_FULL:
        awarded = requested
    elif outcome == APPROVE_REDUCED:
        if amount_pence is None:
            errors["amount"] = "Enter the amount to award"
        elif amount_pence >= requested:
            errors["amount"] = (f"A reduced award must be less than the {format_pence(requested)} requested; "
                                "to award it all, choose 'Approve in full'")
        elif amount_pence < round_.min_award_pence:
            errors["amount"] = f"The award must be at least the round's minimum of {format_pence(round_.min_award_pence)}"
        else:
            awarded = amount_pence
    if errors:
        raise ValidationFailed(errors)
    if awarded is not None:
        schedule = check_schedule(schedule if schedule else propose_schedule(round_, awarded), awarded)
    else:
        schedule = []

    refusal = decision_refusal(application, actor)
    if refusal:
        raise NotPermitted(refusal)
    if awarded is not None:
        over = limit_refusal(actor, round_, awarded)
        if over:
            raise LimitExceeded(over, field="amount")

    application = _lock(application)
    if workflow.status_of(application) == Status.WITHDRAWN:
        raise InvalidTransition("The applicant has just withdrawn this application, so it can no longer be decided")
    if workflow.status_of(application) not in DECIDABLE:
        raise InvalidTransition("Someone else has just decided this application; reload the page to see the decision")
    if awarded is not None:
        money = budget.round_money(round_)
        if not money.fits(awarded):
            raise BudgetExceeded(
                f"Approving {format_pence(awarded)} would take the round over its budget: only "
                f"{format_pence(money.remaining, always_pence=True)} remains", field="amount")

    now = clock.now().replace(microsecond=0)
    if workflow.status_of(application) == Status.DEFERRED:
        workflow.transition(application, "reconsider", actor=actor, reason="Brought back for decision")
    if awarded is not None:
        application.awarded_pence = awarded
        application.decided_at = now
        application.offer_expires_on = clock.today() + timedelta(days=round_.offer_acceptance_days)
    elif outcome == DECLINE:
        application.decided_at = now
    record = _write_record(application, actor=actor, outcome=outcome, awarded=awarded, reasons=reasons.strip(),
                           public_summary=public_summary.strip() if awarded is not None else None,
                           feedback=(feedback or "").strip() or None,
                           conditions=(special_conditions or "").strip() or None if awarded is not None else None,
                           schedule=schedule, authority=authority_text(actor, round_), declaration=NO_INTEREST,
                           decided_at=now, supersedes=None)
    letter = None
    if awarded is not None:
        _replace_instalments(application, schedule)
        letter = issue_letter(record, kind="award", actor=actor)
    elif outcome == DECLINE:
        letter = issue_letter(record, kind="decline", actor=actor)
    workflow.transition(
        application, _TRANSITION_FOR[outcome], actor=actor, reason=reasons.strip(),
        details={"decision_record": record.number, "awarded_pence": awarded},
        email_context={"record": record, "letter": letter, "feedback": record.feedback},
    )
    return record


def _replace_instalments(application: Application, schedule: list[dict]) -> list[PaymentInstalment]:
    existing = db.session.scalars(select(PaymentInstalment).where(PaymentInstalment.application_id == application.id))
    for instalment in existing:
        db.session.delete(instalment)
    db.session.flush()
    instalments = [PaymentInstalment(application_id=application.id, sequence=i, amount_pence=row["amount_pence"],
                                     trigger=row["trigger"]) for i, row in enumerate(schedule, start=1)]
    db.session.add_all(instalments)
    db.session.flush()
    return instalments


def instalments_for(application: Application) -> list[PaymentInstalment]:
    return list(db.session.scalars(
        select(PaymentInstalment).where(PaymentInstalment.application_id == application.id)
        .order_by(PaymentInstalment.sequence)
    ))


def correction_refusal(record: DecisionRecord, user: User) -> str | None:
    """Why `user` cannot correct `record` now, or None."""
    if record.outcome not in APPROVALS:
        return "Only an approval can be corrected here; other decisions are remade from the decision page"
    if superseded_by(record) is not None:
        return "This record has already been superseded; correct the latest record"
    if record.application.status != Status.APPROVED.value:
        return "The offer has already been accepted, declined or has lapsed, so the award can no longer be corrected"
    return access.unconflicted_decision_maker(user, record.application) or limit_refusal(user, record.application.round,
                                                                                         None)


def correct_decision(record: DecisionRecord, *, actor: User, reasons: str, amount_pence: int,
                     special_conditions: str | None = None, schedule: list[dict] | None = None,
                     no_interest_confirmed: bool = False, public_summary: str | None = None) -> DecisionRecord:
    """Correct an approval before the offer is accepted: a new record that supersedes the old one.

    Only the awarded amount, special conditions and payment schedule of an
    approval can be corrected, and only while the offer is open (not yet
    accepted, declined or lapsed). The old record is never changed. The new
    amount follows the same rules as an approval (a public summary, kept from the old record unless
    a new one is given; authority, at most the amount
    requested, at least the round minimum, fits the budget under the round
    lock, counting this grant's current award as released). A new award letter
    is issued and the applicant told; the acceptance deadline is unchanged.
    """
    errors = {}
    if not no_interest_confirmed:
        errors["declaration"] = "Confirm you have no interest to declare"
    if not reasons or not reasons.strip():
        errors["reasons"] = "Enter the reasons for the correction"
    public_summary = public_summary if public_summary and public_summary.strip() else record.public_summary
    errors.update(_public_text_errors(public_summary, special_conditions))
    application = record.application
    round_ = application.round
    requested = application.amount_requested_pence
    if amount_pence is None:
        errors["amount"] = "Enter the amount to award"
    elif amount_pence > requested:
        errors["amount"] = f"The award cannot be more than the {format_pence(requested)} requested"
    elif amount_pence < round_.min_award_pence:
        errors["amount"] = f"The award must be at least the round's minimum of {format_pence(round_.min_award_pence)}"
    if errors:
        raise ValidationFailed(errors)
    schedule = check_schedule(schedule if schedule else propose_schedule(round_, amount_pence), amount_pence)
    refusal = correction_refusal(record, actor)
    if refusal:
        raise NotPermitted(refusal)
    over = limit_refusal(actor, round_, amount_pence)
    if over:
        raise LimitExceeded(over, field="amount")

    application = _lock(application)
    if application.status != Status.APPROVED.value or superseded_by(record) is not None:
        raise InvalidTransition("This offer changed while you were correcting it; reload the page")
    money = budget.round_money(round_)
    if not money.fits(amount_pence - (application.awarded_pence or 0)):
        raise BudgetExceeded(
            f"Awarding {format_pence(amount_pence)} would take the round over its budget: only "
            f"{format_pence(money.remaining + (application.awarded_pence or 0), always_pence=True)} is available "
            "for this grant", field="amount")
    before = application.awarded_pence
    application.awarded_pence = amount_pence
    now = clock.now().replace(microsecond=0)
    outcome = APPROVE_FULL if amount_pence == requested else APPROVE_REDUCED
    new = _write_record(application, actor=actor, outcome=outcome, awarded=amount_pence, reasons=reasons.strip(),
                        public_summary=public_summary.strip(), feedback=record.feedback, conditions=(special_conditions or "").strip() or None,
                        schedule=schedule, authority=authority_text(actor, round_), declaration=NO_INTEREST,
                        decided_at=now, supersedes=record)
    _replace_instalments(application, schedule)
    letter = issue_letter(new, kind="award", actor=actor)
    audit.record("application.award_corrected", actor=actor, entity=application, application=application,
                 before={"awarded_pence": before, "decision_record": record.number},
                 after={"awarded_pence": amount_pence, "decision_record": new.number}, reason=reasons.strip())
    outbox.notify_organisation(application, "offer_revised", record=new, letter=letter, reason=reasons.strip())
    return new


# --- Letters --------------------------------------------------------------------------------


def issue_letter(record: DecisionRecord, *, kind: str, actor: User | None) -> Letter:
    """Render and store a letter exactly as sent, with its SHA-256; stored letters are never regenerated over."""
    from ..documents import letters

    letterhead = settings.details().as_dict()
    terms = settings.terms_for_letter() if kind == "award" else None
    reports = letters.award_reports(record) if kind == "award" else None
    content = letters.render_letter(record, kind=kind, letterhead=letterhead, terms=terms.text if terms else None,
                                    reports=reports)
    letter = Letter(application_id=record.application_id, decision_record_id=record.id, kind=kind,
                    filename=f"{kind}-letter-{record.number.replace('/', '-')}.pdf", content=content,
                    sha256=hashlib.sha256(content).hexdigest(), created_by_id=actor.id if actor else None,
                    terms_version_id=terms.id if terms else None, letterhead=letterhead, reports=reports)
    db.session.add(letter)
    db.session.flush()
    audit.record("letter.issued", actor=actor, entity=letter, application=record.application,
                 after={"kind": kind, "sha256": letter.sha256, "decision_record": record.number,
                        "terms_version": terms.number if terms else None})
    return letter


def letters_for(application: Application) -> list[Letter]:
    return list(db.session.scalars(
        select(Letter).where(Letter.application_id == application.id).order_by(Letter.id)
    ))


def letter_readable(letter: Letter, viewer: User | None) -> bool:
    """An award letter goes with the award; a decline letter carries the reasons, so only their readers."""
    info = permissions.Info.AWARD if letter.kind == "award" else permissions.Info.DECISION_REASONS
    return permissions.may_read_application(viewer, letter.application, info)


def letters_of_record(record: DecisionRecord, viewer: User | None) -> list[Letter]:
    """The record's letters the viewer may read, oldest first."""
    letters = db.session.scalars(select(Letter).where(Letter.decision_record_id == record.id).order_by(Letter.id))
    return [letter for letter in letters if letter_readable(letter, viewer)]


@dataclass(frozen=True)
class LetterCheck:
    stored: str
    recomputed: str
    regenerated: str

    @property
    def intact(self) -> bool:
        return self.stored == self.recomputed

    @property
    def reproducible(self) -> bool:
        return self.regenerated == self.stored


def verify_letter(letter: Letter) -> LetterCheck:
    """Recompute the stored bytes' SHA-256, and regenerate the letter to show it still reproduces exactly."""
    from ..documents import letters

    record = db.session.get(DecisionRecord, letter.decision_record_id)
    # With the details and terms it was sent with (letters from before those were settings: the originals).
    terms = db.session.get(TermsVersion, letter.terms_version_id) if letter.terms_version_id else None
    content = letters.render_letter(
        record, kind=letter.kind, letterhead=letter.letterhead or letters.LEGACY_LETTERHEAD,
        terms=terms.text if terms else settings.DEFAULT_TERMS, reports=letter.reports) if record else b""
    regenerated = hashlib.sha256(content).hexdigest() if record else ""
    return LetterCheck(stored=letter.sha256, recomputed=hashlib.sha256(letter.content).hexdigest(),
                       regenerated=regenerated)


__all__ = ["DomainError", "decide", "correct_decision", "declare_conflict", "propose_schedule",
           "authority_text", "limit_refusal"]
