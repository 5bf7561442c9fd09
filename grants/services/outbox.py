"""Email: every message is stored in the outbox first, then sent by SMTP if configured.

Templates live in templates/emails/NAME.txt; the first line is "Subject: ...".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import func, or_, select

from .. import clock
from ..extensions import db
from ..models import Application, OutboxEmail, Role, User
from . import permissions


def queue_email(to: str, subject: str, body: str, *, application: Application | None = None) -> OutboxEmail:
    email = OutboxEmail(
        to_address=to,
        subject=subject[:300],
        body_text=body,
        application_id=application.id if application is not None else None,
    )
    db.session.add(email)
    return email


def render(template: str, **context) -> tuple[str, str]:
    text = render_template(f"emails/{template}.txt", base_url=current_app.config["PUBLIC_BASE_URL"], **context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email template {template} must start with 'Subject:'")
    return first[len("Subject:"):].strip(), body.lstrip("\n")


def send_template(to: str, template: str, *, application: Application | None = None, **context) -> OutboxEmail:
    subject, body = render(template, application=application, **context)
    return queue_email(to, subject, body, application=application)


def organisation_recipients(application: Application) -> list[str]:
    """The organisation's main contact and every member account, without repeats."""
    return organisation_addresses(application.organisation)


def organisation_addresses(organisation) -> list[str]:
    """organisation_recipients, for an organisation rather than one of its applications."""
    addresses = [organisation.contact_email]
    for membership in organisation.memberships:
        if membership.user.is_active:
            addresses.append(membership.user.email)
    seen: set[str] = set()
    return [a for a in addresses if a and not (a.lower() in seen or seen.add(a.lower()))]


def notify_organisation(application: Application, template: str, **context) -> None:
    for address in organisation_recipients(application):
        send_template(address, template, application=application, **context)


def notify_role(role: Role, template: str, **context) -> None:
    from ..models import UserRole

    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == role.value, User.is_active_account.is_(True))
    ).all()
    for user in users:
        send_template(user.email, template, recipient=user, **context)


@dataclass(frozen=True)
class EmailView:
    """A stored email as the viewer may read it: an email about an application only to those who read those."""

    to_address: str
    created_at: datetime
    sent_at: datetime | None
    withheld: bool
    subject: str | None = None
    body_text: str | None = None


def emails_for(viewer: User, *, page: int = 1, per_page: int = 50) -> tuple[list[EmailView], int]:
    """One page of the outbox, newest first, and how many emails there are in all.

    Account emails (confirm your address, set or reset your password,
    invitations) are shown whole. An email about an application is shown
    whole only to a viewer who may read emails about applications (a grants
    officer); an administrator sees only to whom and when it went.
    """
    reads_applications = permissions.may_read(viewer, permissions.Info.EMAIL_CONTENT)
    total = db.session.scalar(select(func.count(OutboxEmail.id))) or 0
    rows = db.session.scalars(
        select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(per_page).offset((max(1, page) - 1) * per_page))
    views = []
    for email in rows:
        shown = email.application_id is None or reads_applications
        views.append(EmailView(to_address=email.to_address, created_at=email.created_at, sent_at=email.sent_at,
                               withheld=not shown, subject=email.subject if shown else None,
                               body_text=email.body_text if shown else None))
    return views, total


RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def claim_next() -> OutboxEmail | None:
    """Lock the oldest email due to be sent, skipping any another server holds; None if there is none.

    FOR UPDATE SKIP LOCKED: two senders never hold the same email, and neither
    waits for the other. The lock lasts until the caller commits the outcome
    (ops.jobs.send_outbox commits after each email). A failed email waits
    RETRY_AFTER before its next attempt, and is given up after MAX_ATTEMPTS.
    """
    retry_before = clock.now() - RETRY_AFTER
    return db.session.scalar(
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS,
               or_(OutboxEmail.last_attempt_at.is_(None), OutboxEmail.last_attempt_at < retry_before))
        .order_by(OutboxEmail.id).limit(1).with_for_update(skip_locked=True)
    )


def as_message(email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body_text)
    return message


def record_attempt(email: OutboxEmail, *, error: str | None) -> None:
    """Record one SMTP attempt's outcome: sent now, or the error to show and retry after."""
    email.attempts += 1
    email.last_attempt_at = clock.now()
    if error is None:
        email.sent_at = email.last_attempt_at
        email.last_error = None
    else:
        email.last_error = error[:1000]
    db.session.flush()
