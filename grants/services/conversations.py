"""Staff notes on applications, and the message thread between an organisation and staff.

Notes are staff-only (permissions.Info.STAFF_NOTES: officers, decision makers and
auditors read them; officers and decision makers write them): no applicant page,
email, export or open data carries them. Messages (Info.MESSAGES) are read by the
organisation's own members and by officers, decision makers and auditors; members,
officers and decision makers write them. Each message is emailed to the other side
through the outbox as a link only, so the text stays behind the sign-in.
"""
from __future__ import annotations

from sqlalchemy import select

from ..models import Application, Attachment, AttachmentKind, Message, Organisation, Role, StaffNote, User
from ..extensions import db
from . import attachments, audit, outbox, permissions
from .errors import NotPermitted, ValidationFailed

WRITERS = frozenset({Role.OFFICER, Role.DECISION_MAKER})
MAX_LENGTH = 5000


def _clean(body: str | None, field: str, what: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({field: f"Enter the {what}"})
    if len(text) > MAX_LENGTH:
        raise ValidationFailed({field: f"The {what} must be {MAX_LENGTH:,} characters or fewer"})
    return text


def add_note(application: Application, *, actor: User, body: str | None) -> StaffNote:
    """Officers and decision makers keep notes on an application; the note is recorded in the audit trail."""
    if not actor.has_role(*WRITERS):
        raise NotPermitted("Only grants officers and decision makers add notes")
    note = StaffNote(application=application, author=actor, body=_clean(body, "body", "note"))
    db.session.add(note)
    db.session.flush()
    audit.record("note.added", actor=actor, entity=note, application=application, after={"note": note.body})
    return note


def notes_for(application: Application, viewer: User | None) -> list[StaffNote]:
    """The application's notes, oldest first; none for a viewer who may not read staff notes."""
    if not permissions.may_read_application(viewer, application, permissions.Info.STAFF_NOTES):
        return []
    return list(db.session.scalars(select(StaffNote).where(StaffNote.application_id == application.id)
                                   .order_by(StaffNote.created_at, StaffNote.id)))


def may_read_messages(viewer: User | None, organisation: Organisation) -> bool:
    """Members of the organisation, and staff whose role reads messages."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    staff = permissions.READ[permissions.Info.MESSAGES] - {Role.APPLICANT}
    if viewer.has_role(*staff):
        return True
    return viewer.has_role(Role.APPLICANT) and permissions.is_member_of(viewer, organisation.id)


def messages_for(organisation: Organisation, viewer: User | None) -> list[Message]:
    """The organisation's thread, oldest first; none for a viewer who may not read it."""
    if not may_read_messages(viewer, organisation):
        return []
    return list(db.session.scalars(select(Message).where(Message.organisation_id == organisation.id)
                                   .order_by(Message.created_at, Message.id)))


def message_file(organisation: Organisation, message_id: int, viewer: User | None) -> Attachment | None:
    """The file sent with one of the organisation's messages, for a viewer who may read the thread; else None."""
    message = db.session.get(Message, message_id)
    if message is None or message.organisation_id != organisation.id or not may_read_messages(viewer, organisation):
        return None
    return message.attachment


def send_message(organisation: Organisation, *, actor: User, body: str | None, upload=None) -> Message:
    """A member writes to staff, or an officer or decision maker writes to the organisation.

    A file may go with it, under the same checks as every upload (services.attachments).
    The other side is emailed a link (members: every active member and the main
    contact; staff: every grants officer); the message text is not in the email.
    """
    member = actor.has_role(Role.APPLICANT) and permissions.is_member_of(actor, organisation.id)
    if not member and not actor.has_role(*WRITERS):
        raise NotPermitted("Only the organisation's members, grants officers and decision makers send messages")
    message = Message(organisation=organisation, author=actor, from_staff=not member,
                      body=_clean(body, "body", "message"))
    if upload is not None and getattr(upload, "filename", ""):
        message.attachment = attachments.store_upload(upload, organisation=organisation, kind=AttachmentKind.OTHER,
                                                      actor=actor)
    db.session.add(message)
    db.session.flush()
    audit.record("message.sent", actor=actor, entity=message, after={"organisation_id": organisation.id,
                                                                     "from_staff": message.from_staff,
                                                                     "message": message.body})
    if message.from_staff:
        for address in outbox.organisation_addresses(organisation):
            outbox.send_template(address, "message_to_organisation", organisation=organisation)
    else:
        outbox.notify_role(Role.OFFICER, "message_to_staff", organisation=organisation)
    return message
