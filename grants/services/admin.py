"""User administration: roles, decision authority, deactivation and anonymisation.

Every change is audited with what it was before and after. Nothing here
deletes a user: people's history (decisions, scores, payments, audit events)
must stay attributable, so accounts are deactivated or anonymised instead.
"""
from __future__ import annotations

import secrets

from sqlalchemy import delete, desc, func, or_, select

from .. import clock
from ..extensions import db
from ..models import (
    Application,
    AuditEvent,
    DecisionAuthority,
    Invitation,
    OfferResponse,
    Organisation,
    RecoveryCode,
    Role,
    User,
    UserRole,
)
from . import accounts, audit, permissions
from .errors import DomainError, NotPermitted, ValidationFailed

ANONYMISED_NAME = "Anonymised user"


def search_users(*, query: str = "", role: str | None = None, include_inactive: bool = True,
                 limit: int = 200) -> list[User]:
    """Users whose name or email contains `query`, optionally with one role."""
    stmt = select(User).order_by(func.lower(User.full_name), User.id)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), func.lower(User.email).like(like)))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if not include_inactive:
        stmt = stmt.where(User.is_active_account.is_(True))
    return list(db.session.scalars(stmt.limit(limit)))


def account_activity(*, user: User, viewer: User, limit: int = 25) -> list[permissions.EventView]:
    """The latest events by or about an account, as the viewer may read them.

    Account events (sign-ins, roles, authority, two-factor, deactivation,
    password resets) show what changed; anything else shows only its kind and
    time, unless the viewer may read audit content (permissions.event_view).
    """
    events = db.session.scalars(
        select(AuditEvent).where(or_(
            AuditEvent.actor_id == user.id,
            (AuditEvent.entity_type == "User") & (AuditEvent.entity_id == str(user.id)),
        )).order_by(desc(AuditEvent.seq)).limit(limit)
    )
    return permissions.visible_events(events, viewer)


def _admins_left_without(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).join(UserRole).where(
            UserRole.role == Role.ADMIN.value, User.is_active_account.is_(True), User.id != user.id
        )
    ) or 0


def set_roles(*, user: User, roles: set[Role], actor: User, reason: str = "") -> None:
    """Give a user exactly `roles`.

    Applicant is not mixed with staff roles (an applicant must never score or
    decide their own group's bid), at least one role is needed, and the last
    active administrator cannot remove their own administrator role.
    """
    roles = set(roles)
    if not roles:
        raise ValidationFailed({"roles": "Select at least one role"})
    if Role.APPLICANT in roles and len(roles) > 1:
        raise ValidationFailed({"roles": "An applicant account cannot also have staff roles. "
                                         "Staff who apply for a grant need a separate applicant account"})
    if user.has_role(Role.APPLICANT) and roles != {Role.APPLICANT}:
        raise ValidationFailed({"roles": "This is an applicant account. Create a separate staff account instead"})
    if user.has_role(Role.ADMIN) and Role.ADMIN not in roles and _admins_left_without(user) == 0:
        raise NotPermitted("This is the only active administrator, so the administrator role cannot be removed")
    before = sorted(r.value for r in user.role_set)
    after = sorted(r.value for r in roles)
    if before == after:
        return
    keep = {r.role for r in user.roles} & set(after)
    user.roles = [r for r in user.roles if r.role in keep] + [
        UserRole(role=value) for value in after if value not in keep
    ]
    if Role.DECISION_MAKER not in roles and user.decision_authority is not None:
        audit.record("admin.decision_authority_changed", actor=actor, entity=user,
                     before={"decision_authority": user.decision_authority}, after={"decision_authority": None},
                     reason="Decision maker role removed")
        user.decision_authority = None
    audit.record("admin.roles_changed", actor=actor, entity=user,
                 before={"roles": before}, after={"roles": after}, reason=reason.strip() or None)


def set_decision_authority(*, user: User, authority: str | None, actor: User, reason: str = "") -> None:
    """Delegated (up to the round's limit) or full authority; only decision makers hold one."""
    if authority in ("", None):
        authority = None
    elif authority not in {a.value for a in DecisionAuthority}:
        raise ValidationFailed({"authority": "Select the decision authority"})
    if authority is not None and not user.has_role(Role.DECISION_MAKER):
        raise ValidationFailed({"authority": "Only a decision maker can hold decision authority"})
    if user.decision_authority == authority:
        return
    audit.record("admin.decision_authority_changed", actor=actor, entity=user,
                 before={"decision_authority": user.decision_authority},
                 after={"decision_authority": authority}, reason=reason.strip() or None)
    user.decision_authority = authority


def create_staff_user(*, email: str, full_name: str, roles: set[Role], actor: User, job_title: str | None = None,
                      decision_authority: str | None = None) -> User:
    """Add a staff account. It gets an unguessable password and a reset link by email to set their own."""
    roles = set(roles)
    if not roles:
        raise ValidationFailed({"roles": "Select at least one role"})
    if Role.APPLICANT in roles:
        raise ValidationFailed({"roles": "Applicants create their own accounts. Choose staff roles only"})
    if not (full_name or "").strip():
        raise ValidationFailed({"full_name": "Enter the person's full name"})
    user = accounts.create_user(email=email, full_name=full_name, password=secrets.token_urlsafe(32),
                                roles=sorted(roles, key=lambda r: r.value), job_title=(job_title or None),
                                confirmed=True, actor=actor, check_password=False)
    if decision_authority:
        set_decision_authority(user=user, authority=decision_authority, actor=actor)
    accounts.request_password_reset(user.email)
    return user


def deactivate(*, user: User, actor: User, reason: str) -> None:
    """Stop an account signing in. Every session it has ends at once."""
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "Enter why the account is being deactivated"})
    if user.id == actor.id:
        raise NotPermitted("You cannot deactivate your own account")
    if not user.is_active_account:
        raise DomainError("This account is already deactivated")
    if user.has_role(Role.ADMIN) and _admins_left_without(user) == 0:
        raise NotPermitted("This is the only active administrator, so it cannot be deactivated")
    user.is_active_account = False
    user.end_all_sessions()
    audit.record("admin.user_deactivated", actor=actor, entity=user,
                 before={"active": True}, after={"active": False}, reason=reason.strip())


def reactivate(*, user: User, actor: User, reason: str) -> None:
    """Let a deactivated account sign in again (not an anonymised one)."""
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "Enter why the account is being reactivated"})
    if user.anonymised_at is not None:
        raise NotPermitted("An anonymised account cannot be reactivated")
    if user.is_active_account:
        raise DomainError("This account is already active")
    user.is_active_account = True
    audit.record("admin.user_reactivated", actor=actor, entity=user,
                 before={"active": False}, after={"active": True}, reason=reason.strip())


def anonymise_applicant(*, user: User, actor: User, retention_confirmed: bool, reason: str) -> None:
    """Remove an applicant's personal data on request, after the retention period.

    Names and contact details go (the account, and the organisation's contact
    details when this person is its contact, and their names on declarations
    and offer acceptances). Applications, amounts, decisions, payments and the
    audit trail stay. Staff accounts are refused: officials' names on decisions
    are part of the public record. The audit event lists which fields were
    cleared, never their old values.
    """
    errors = {}
    if not retention_confirmed:
        errors["retention_confirmed"] = "Confirm the retention period has passed"
    if not (reason or "").strip():
        errors["reason"] = "Enter the request this anonymisation answers, for example its reference"
    if errors:
        raise ValidationFailed(errors)
    if user.is_staff:
        raise NotPermitted("Only applicant accounts can be anonymised. Staff accounts are deactivated instead, "
                           "because the names of officials who made decisions are part of the public record")
    if user.anonymised_at is not None:
        raise DomainError("This account is already anonymised")

    old_email, old_name = user.email, user.full_name
    cleared = ["user.email", "user.full_name", "user.job_title", "user.password", "user.two_factor"]
    user.email = f"anonymised-{user.id}@invalid"
    user.full_name = ANONYMISED_NAME
    user.job_title = None
    user.password_hash = "!anonymised"  # not a hash any password can match
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.anonymised_at = clock.now()
    user.end_all_sessions()

    org_ids = []
    for membership in user.memberships:
        org: Organisation = membership.organisation
        if org.contact_email.lower() == old_email.lower() or org.contact_name.strip().lower() == old_name.strip().lower():
            org.contact_name = "Anonymised"
            org.contact_email = f"anonymised-contact-{org.id}@invalid"
            org.contact_phone = None
            org.anonymised_at = clock.now()
            org_ids.append(org.id)
            cleared += [f"organisation {org.id} contact_name", f"organisation {org.id} contact_email",
                        f"organisation {org.id} contact_phone"]
    for application in db.session.scalars(select(Application).where(Application.created_by_id == user.id)):
        if application.declaration_name:
            application.declaration_name = "Anonymised"
            application.declaration_position = None
            cleared.append(f"application {application.reference} declaration")
    for response in db.session.scalars(select(OfferResponse).where(OfferResponse.user_id == user.id)):
        response.signatory_name = "Anonymised"
        response.signatory_position = "Anonymised"
        response.ip_address = None
        cleared.append(f"offer response {response.id} signatory")
    for invitation in db.session.scalars(select(Invitation).where(func.lower(Invitation.email) == old_email.lower())):
        invitation.email = f"anonymised-invite-{invitation.id}@invalid"
        cleared.append(f"invitation {invitation.id} email")
    audit.record("admin.user_anonymised", actor=actor, entity=user,
                 before={"anonymised": False}, after={"anonymised": True, "cleared": cleared,
                                                      "organisations": org_ids},
                 reason=reason.strip())
