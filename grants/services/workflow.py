"""What may happen to an application, and who may do it.

This is the only place that changes Application.status. Each transition names
the states it starts from, where it ends, who may make it, the audit action it
writes, and the email it sends.

    draft ──submit──▶ submitted ──screen──▶ ineligible
                          │        └──ask──▶ more_info_requested ──resubmit──▶ submitted
                          └──pass──▶ in_assessment ──all scores in──▶ assessed
    assessed ──decide──▶ approved | declined | deferred (──reconsider──▶ assessed)
    approved ──accept──▶ funded ──final report signed off──▶ completed
    approved ──28 days / applicant declines──▶ offer_lapsed
    any state before a decision ──applicant withdraws──▶ withdrawn
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

from .. import access
from ..models import Application, User
from . import audit, locking, outbox
from .errors import InvalidTransition, NotPermitted


class Status(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    MORE_INFO_REQUESTED = "more_info_requested"
    INELIGIBLE = "ineligible"
    IN_ASSESSMENT = "in_assessment"
    ASSESSED = "assessed"
    APPROVED = "approved"
    DECLINED = "declined"
    DEFERRED = "deferred"
    OFFER_LAPSED = "offer_lapsed"
    FUNDED = "funded"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


# What the applicant sees: plain words, never internal stages they cannot act on.
APPLICANT_LABELS = {
    Status.DRAFT: "Draft – not submitted",
    Status.SUBMITTED: "Submitted – being checked",
    Status.MORE_INFO_REQUESTED: "More information needed from you",
    Status.INELIGIBLE: "Not eligible",
    Status.IN_ASSESSMENT: "Being assessed",
    Status.ASSESSED: "Awaiting a decision",
    Status.DEFERRED: "Awaiting a decision",
    Status.APPROVED: "Offer made – please accept",
    Status.DECLINED: "Not funded",
    Status.OFFER_LAPSED: "Offer not taken up",
    Status.FUNDED: "Funded",
    Status.COMPLETED: "Completed",
    Status.WITHDRAWN: "Withdrawn",
}

STAFF_LABELS = {
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Submitted",
    Status.MORE_INFO_REQUESTED: "More information requested",
    Status.INELIGIBLE: "Ineligible",
    Status.IN_ASSESSMENT: "In assessment",
    Status.ASSESSED: "Assessed",
    Status.DEFERRED: "Deferred",
    Status.APPROVED: "Approved – offer made",
    Status.DECLINED: "Declined",
    Status.OFFER_LAPSED: "Offer lapsed",
    Status.FUNDED: "Funded",
    Status.COMPLETED: "Completed",
    Status.WITHDRAWN: "Withdrawn",
}

# States whose award counts against the round's budget.
COMMITTED_STATES = frozenset({Status.APPROVED, Status.FUNDED, Status.COMPLETED})
BEFORE_DECISION = frozenset(
    {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.MORE_INFO_REQUESTED,
        Status.IN_ASSESSMENT,
        Status.ASSESSED,
        Status.DEFERRED,
    }
)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status
    who: Callable[[User | None, Application], str | None]
    description: str
    # Email template under templates/emails/ sent to the organisation, if any.
    notice: str | None = None


def _t(name, sources, target, who, description, notice=None) -> Transition:
    if isinstance(sources, Status):
        sources = {sources}
    return Transition(name, frozenset(sources), target, who, description, notice)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", Status.DRAFT, Status.SUBMITTED, access.applicant_signatory,
           "Submit the application", "application_submitted"),
        _t("request_more_info", Status.SUBMITTED, Status.MORE_INFO_REQUESTED, access.grants_officer,
           "Ask the applicant for more information", "more_info_requested"),
        _t("resubmit", Status.MORE_INFO_REQUESTED, Status.SUBMITTED, access.applicant_member,
           "Send the requested information", "application_resubmitted"),
        _t("mark_ineligible", Status.SUBMITTED, Status.INELIGIBLE, access.grants_officer,
           "Close as ineligible", "application_ineligible"),
        _t("pass_screening", Status.SUBMITTED, Status.IN_ASSESSMENT, access.grants_officer,
           "Pass eligibility screening"),
        _t("complete_assessment", Status.IN_ASSESSMENT, Status.ASSESSED, access.system_only,
           "All assessments are in"),
        _t("approve", Status.ASSESSED, Status.APPROVED, access.unconflicted_decision_maker,
           "Approve and make an offer", "offer_made"),
        _t("decline", Status.ASSESSED, Status.DECLINED, access.unconflicted_decision_maker,
           "Decline", "application_declined"),
        _t("defer", Status.ASSESSED, Status.DEFERRED, access.unconflicted_decision_maker,
           "Defer the decision"),
        _t("reconsider", Status.DEFERRED, Status.ASSESSED, access.officer_or_decision_maker,
           "Bring a deferred application back for decision"),
        _t("accept_offer", Status.APPROVED, Status.FUNDED, access.applicant_signatory,
           "Accept the offer", "offer_accepted"),
        _t("decline_offer", Status.APPROVED, Status.OFFER_LAPSED, access.applicant_signatory,
           "Decline the offer", "offer_declined"),
        _t("lapse_offer", Status.APPROVED, Status.OFFER_LAPSED, access.system_only,
           "Offer not accepted in time", "offer_lapsed"),
        _t("complete", Status.FUNDED, Status.COMPLETED, access.grants_officer,
           "Close the grant as completed", "grant_completed"),
        _t("withdraw", BEFORE_DECISION, Status.WITHDRAWN, access.applicant_member,
           "Withdraw the application", "application_withdrawn"),
    ]
}


def status_of(application: Application) -> Status:
    return Status(application.status)


def refusal(application: Application, name: str, actor: User | None) -> str | None:
    """Why `actor` cannot make transition `name` now, or None if they can."""
    transition = TRANSITIONS[name]
    if status_of(application) not in transition.sources:
        return (
            f"You cannot {transition.description.lower()} while the application is "
            f"'{STAFF_LABELS[status_of(application)].lower()}'"
        )
    return transition.who(actor, application)


def can(application: Application, name: str, actor: User | None) -> bool:
    return refusal(application, name, actor) is None


def transition(
    application: Application,
    name: str,
    *,
    actor: User | None,
    reason: str | None = None,
    details: dict | None = None,
    email_context: dict | None = None,
) -> Status:
    """Move the application along `name`, or raise with a clear reason.

    Records who/when/why in the audit trail and queues the transition's email.
    `actor` is None only for transitions the system makes by itself.

    The application's row is locked and its status re-read before the check, so of
    two people acting at once exactly one wins and the other is told the state it is
    now in (never a lost update). A caller that also needs the round's lock takes it
    first (services/locking.py gives the order).
    """
    transition_ = TRANSITIONS.get(name)
    if transition_ is None:
        raise InvalidTransition(f"Unknown action '{name}'")
    locking.lock(application)
    current = status_of(application)
    if current not in transition_.sources:
        raise InvalidTransition(refusal(application, name, actor) or "Not allowed now")
    who_refuses = transition_.who(actor, application)
    if who_refuses:
        raise NotPermitted(who_refuses)
    application.status = transition_.target.value
    audit.record(
        f"application.{name}",
        actor=actor,
        entity=application,
        application=application,
        before={"status": current.value},
        after={"status": transition_.target.value, **(details or {})},
        reason=reason,
    )
    if transition_.notice:
        outbox.notify_organisation(
            application,
            transition_.notice,
            reason=reason,
            **(email_context or {}),
        )
    return transition_.target


def start_as_imported_award(application: Application, *, actor: User, details: dict) -> None:
    """A grant awarded before this service (services.grant_import) starts as completed.

    It never passed through the transitions above, so no notice is sent; the
    import is recorded with its details (import id, source file and line).
    """
    application.status = Status.COMPLETED.value
    audit.record("grant.imported", actor=actor, entity=application, application=application, after=details)
