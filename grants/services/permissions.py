"""Who may read what: the one matrix of roles against kinds of information, and the checks that apply it.

Reaching a page is decided by the route's @access rule (grants/access.py);
what the page may then show is decided here. Services that return sensitive
content ask `may_read` (or `may_read_application` for one application) and
return the content withheld when the answer is no, so no template can show
what the viewer should not read.

The rule is per role held: someone who is both administrator and grants
officer reads what an officer reads. Applicants read only their own
organisation's applications; assessors only applications they are assigned to
and have declared no conflict on (those two conditions are the per-application
predicates in grants/access.py, re-exported below).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from ..access import (  # noqa: F401  (the per-application rules, reachable from the services layer)
    assessed,
    assessor_may_read,
    can_view_application,
    has_declared_conflict,
    is_member_of,
)
from ..models import Application, AuditEvent, Role, User


class Info(str, enum.Enum):
    """Kinds of information, from the most public to the most guarded."""

    PUBLISHED = "published grants: register and open data, with each approval's public summary and conditions"
    AWARD = "award: amount, schedule, conditions, award letter, decision record's authority"
    PAYMENTS = "payee organisation, payments and returns"
    BANK_DETAILS = ("bank details in full: account name, sort code and account number "
                    "(everyone else who reads payments sees only the last 4 digits)")
    APPLICATION_CONTENT = "application content: answers, documents, submitted versions"
    MORE_INFO = "more-information requests to applicants"
    SCORES = "assessment scores, assessor comments and conflict declarations"
    STAFF_NOTES = ("staff notes: screening and moderation notes "
                   "(a failed check's note is also the reason sent to the applicant), notes on applications")
    MESSAGES = "messages between an organisation and staff"
    DECISION_REASONS = "reasons for decisions (internal, every outcome), decline letters"
    REPORT_FIGURES = "monitoring report figures: outputs, spend against budget, evidence files"
    REPORT_CONTENT = "monitoring report content: narratives, case studies, questions and answers, equality monitoring"
    ACCOUNT_EVENTS = "account events: sign-ins, roles, authority, two-factor, deactivation, password resets"
    AUDIT_CONTENT = "audit event content: every event's reason and before/after values"
    EMAIL_CONTENT = "emails about applications (the development outbox)"


A, O, S, D, F, U, M = (Role.APPLICANT, Role.OFFICER, Role.ASSESSOR, Role.DECISION_MAKER, Role.FINANCE,
                       Role.AUDITOR, Role.ADMIN)

# Which roles may read each kind of information. Applicants: their own organisation's only; assessors:
# only where assigned and unconflicted (may_read_application applies both). The public reads PUBLISHED.
READ: dict[Info, frozenset[Role]] = {
    Info.PUBLISHED: frozenset({A, O, S, D, F, U, M}),
    Info.AWARD: frozenset({A, O, D, F, U}),
    Info.PAYMENTS: frozenset({A, O, D, F, U}),
    Info.BANK_DETAILS: frozenset({A, F}),
    Info.APPLICATION_CONTENT: frozenset({A, O, S, D, U}),
    Info.MORE_INFO: frozenset({A, O, S, D, U}),
    Info.SCORES: frozenset({O, S, D, U}),
    Info.STAFF_NOTES: frozenset({O, D, U}),
    Info.MESSAGES: frozenset({A, O, D, U}),
    Info.DECISION_REASONS: frozenset({A, O, D, U}),
    Info.REPORT_FIGURES: frozenset({A, O, D, F, U}),
    Info.REPORT_CONTENT: frozenset({A, O, D, U}),
    Info.ACCOUNT_EVENTS: frozenset({U, M}),
    Info.AUDIT_CONTENT: frozenset({U}),
    Info.EMAIL_CONTENT: frozenset({O}),
}

PUBLIC_READS = frozenset({Info.PUBLISHED})

# What the conditional cells mean, for the README's "Who can see what".
CONDITIONS: dict[Role, str] = {
    Role.APPLICANT: "own organisation's only",
    Role.ASSESSOR: "when assigned and not conflicted",
}
# Where one kind of information narrows a role's condition further.
CONDITION_FOR: dict[tuple[Info, Role], str] = {
    (Info.BANK_DETAILS, Role.APPLICANT): "own organisation's authorised signatories only",
}


def may_read(user: User | None, info: Info) -> bool:
    """Does any role the user holds read this kind of information (before per-application conditions)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return info in PUBLIC_READS
    return user.has_role(*READ[info])


def reads_all_content(user: User | None) -> bool:
    """Does the user read every application's content by role alone (officers, decision makers, auditors)?"""
    staff = READ[Info.APPLICATION_CONTENT] - {Role.APPLICANT, Role.ASSESSOR}
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role(*staff)


def may_read_application(user: User | None, application: Application, info: Info) -> bool:
    """May the user read this kind of information about this application?

    Staff roles read by role alone; an applicant only their own organisation's;
    an assessor only when assigned and unconflicted.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return info in PUBLIC_READS
    allowed = READ[info]
    staff_roles = allowed - {Role.APPLICANT, Role.ASSESSOR}
    if staff_roles and user.has_role(*staff_roles):
        return True
    if Role.APPLICANT in allowed and user.has_role(Role.APPLICANT) and is_member_of(user, application.organisation_id):
        return True
    if Role.ASSESSOR in allowed and user.has_role(Role.ASSESSOR) and assessor_may_read(user, application):
        return True
    return False


def may_read_bank_details(user: User | None, organisation_id: int) -> bool:
    """Full bank details: finance, and the organisation's own authorised signatories; everyone else sees them masked."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(*(READ[Info.BANK_DETAILS] - {Role.APPLICANT})):
        return True
    return user.has_role(Role.APPLICANT) and any(
        m.organisation_id == organisation_id and m.is_signatory for m in user.memberships)


def matrix() -> list[tuple[Info, list[str]]]:
    """The matrix as rows of (kind, who reads it in words), for the README and the tests."""
    rows = []
    for info in Info:
        who = []
        for role in Role:
            if role in READ[info]:
                condition = CONDITION_FOR.get((info, role)) or (
                    CONDITIONS.get(role) if info not in (Info.PUBLISHED, Info.ACCOUNT_EVENTS) else None)
                who.append(f"{role.label.lower()} ({condition})" if condition else role.label.lower())
        if info in PUBLIC_READS:
            who.append("the public")
        rows.append((info, who))
    return rows


# --- Audit events ---------------------------------------------------------------------------

# Events about a person's account, rather than about applications or grants.
ACCOUNT_ACTION_PREFIXES = ("auth.", "admin.", "user.")


def is_account_event(event: AuditEvent) -> bool:
    return event.action.startswith(ACCOUNT_ACTION_PREFIXES)


@dataclass(frozen=True)
class EventView:
    """An audit event as the viewer may see it: kind and time always; the rest only if they may read it."""

    occurred_at: datetime
    action: str
    withheld: bool
    actor_label: str | None = None
    reason: str | None = None
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def _changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    before, after = event.before or {}, event.after or {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))]


def event_view(event: AuditEvent, viewer: User | None) -> EventView:
    """Auditors read every event; account readers read account events; anyone else only kind and time."""
    full = may_read(viewer, Info.AUDIT_CONTENT) or (is_account_event(event) and may_read(viewer, Info.ACCOUNT_EVENTS))
    if not full:
        return EventView(occurred_at=event.occurred_at, action=event.action, withheld=True)
    return EventView(occurred_at=event.occurred_at, action=event.action, withheld=False,
                     actor_label=event.actor_label, reason=event.reason, changes=_changes(event))


def visible_events(events: Iterable[AuditEvent], viewer: User | None) -> list[EventView]:
    """Filter audit events for a viewer (see event_view). Every service that shows events to non-auditors uses this."""
    return [event_view(event, viewer) for event in events]
