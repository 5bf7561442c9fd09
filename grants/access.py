"""Who may do what: the one place for role rules and per-application permissions.

Every view declares its access rule with @access(...). A before_request hook
enforces it centrally and refuses any endpoint that declared nothing, and a
test walks app.url_map to prove every route has a rule. Per-application checks
(is this my organisation's? am I assigned and unconflicted?) are the functions
below; services and views both call them, and a failed check is a 404 so that
ids cannot be probed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Application, Assignment, ConflictDeclaration, Role, User

PUBLIC = "public"
SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class AccessRule:
    kind: str  # "public" | "signed_in" | "roles"
    roles: frozenset[Role] = frozenset()
    read_only: bool = False  # refuse anything but GET/HEAD (the auditor's area)

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(sorted(r.value for r in self.roles))
        return self.kind


def access(*rule: str | Role, read_only: bool = False) -> Callable:
    """Declare who may reach a view: access(PUBLIC), access(SIGNED_IN) or access(Role.OFFICER, ...)."""
    if len(rule) == 1 and rule[0] in (PUBLIC, SIGNED_IN):
        declared = AccessRule(kind=str(rule[0]), read_only=read_only)
    else:
        if not rule or not all(isinstance(r, Role) for r in rule):
            raise TypeError("access() takes PUBLIC, SIGNED_IN, or one or more Roles")
        declared = AccessRule(kind="roles", roles=frozenset(rule), read_only=read_only)

    def decorate(view: Callable) -> Callable:
        view.access_rule = declared  # type: ignore[attr-defined]
        return view

    return decorate


def rule_for_endpoint(endpoint: str | None) -> AccessRule | None:
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return AccessRule(kind=PUBLIC)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access_rule() -> None:
    """before_request: apply the endpoint's declared rule (fail closed)."""
    if request.endpoint is None:  # 404 / 405 from routing
        return None
    declared = rule_for_endpoint(request.endpoint)
    if declared is None:
        current_app.logger.error("endpoint %s has no access rule", request.endpoint)
        abort(403)
    if declared.read_only and request.method not in ("GET", "HEAD"):
        abort(405)
    if declared.kind == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if declared.kind == "roles" and not current_user.has_role(*declared.roles):
        abort(403)
    return None


# --- Per-application permissions ------------------------------------------------

STAFF_READERS = frozenset({Role.OFFICER, Role.DECISION_MAKER, Role.FINANCE, Role.AUDITOR})


def is_member_of(user: User, organisation_id: int) -> bool:
    return any(m.organisation_id == organisation_id for m in user.memberships)


def assignment_for(user: User, application: Application) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.application_id == application.id, Assignment.assessor_id == user.id
        )
    )


def has_declared_conflict(user: User, application: Application) -> bool:
    return (
        db.session.scalar(
            select(ConflictDeclaration.id).where(
                ConflictDeclaration.application_id == application.id,
                ConflictDeclaration.user_id == user.id,
                ConflictDeclaration.has_conflict.is_(True),
            ).limit(1)
        )
        is not None
    )


def assessed(user: User, application: Application) -> bool:
    """True when the user was an assessor on the application (in any state)."""
    return assignment_for(user, application) is not None


def assessor_may_read(user: User, application: Application) -> bool:
    """Assigned, declared no conflict: only then may an assessor see the content."""
    assignment = assignment_for(user, application)
    return (
        assignment is not None
        and assignment.status in ("in_progress", "submitted")
        and not has_declared_conflict(user, application)
    )


def can_view_application(user: User, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    if is_member_of(user, application.organisation_id):
        return True
    if user.has_role(*STAFF_READERS):
        return True
    if user.has_role(Role.ASSESSOR) and assessor_may_read(user, application):
        return True
    return False


def application_or_404(application_id: int, user: User) -> Application:
    """Load an application the user may see; anything else is 'not found'."""
    application = db.session.get(Application, application_id)
    if application is None or not can_view_application(user, application):
        abort(404)
    return application


def own_application_or_404(application_id: int, user: User) -> Application:
    """An application of the user's own organisation (applicant pages)."""
    application = db.session.get(Application, application_id)
    if application is None or not is_member_of(user, application.organisation_id):
        abort(404)
    return application


def own_report_or_404(report_id: int, user: User):
    """A monitoring report of a grant held by the user's own organisation (applicant pages)."""
    from .models import Report

    report = db.session.get(Report, report_id)
    if report is None or not is_member_of(user, report.application.organisation_id):
        abort(404)
    return report


def report_or_404(report_id: int, user: User):
    """A monitoring report whose application the user may see."""
    from .models import Report

    report = db.session.get(Report, report_id)
    if report is None or not can_view_application(user, report.application):
        abort(404)
    return report


# --- Who may make each transition (used by services.workflow) ----------------------
# Each returns None when allowed, or the reason it is not.


def applicant_member(user: User | None, application: Application) -> str | None:
    if user is None or not is_member_of(user, application.organisation_id):
        return "Only a member of the applying organisation can do this"
    return None


def applicant_signatory(user: User | None, application: Application) -> str | None:
    """Declaring and accepting bind the organisation: only its authorised signatories may."""
    membership = None if user is None else next(
        (m for m in user.memberships if m.organisation_id == application.organisation_id), None)
    if membership is None:
        return "Only a member of the applying organisation can do this"
    if not membership.is_signatory:
        return ("Only an authorised signatory of the organisation can do this. Ask one of your signatories, "
                "or ask a signatory to make you one on the organisation page")
    return None


def grants_officer(user: User | None, application: Application) -> str | None:
    if user is None or not user.has_role(Role.OFFICER):
        return "Only a grants officer can do this"
    return None


def unconflicted_decision_maker(user: User | None, application: Application) -> str | None:
    if user is None or not user.has_role(Role.DECISION_MAKER):
        return "Only a decision maker can decide an application"
    if assessed(user, application):
        return "You assessed this application, so you cannot decide it"
    if has_declared_conflict(user, application):
        return "You declared a conflict of interest on this application, so you cannot decide it"
    return None


def officer_or_decision_maker(user: User | None, application: Application) -> str | None:
    if user is None or not user.has_role(Role.OFFICER, Role.DECISION_MAKER):
        return "Only a grants officer or decision maker can do this"
    return None


def system_only(user: User | None, application: Application) -> str | None:
    return None if user is None else "This happens automatically"
