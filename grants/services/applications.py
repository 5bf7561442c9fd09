"""Applications: starting, filling in section by section, submitting, answering questions, withdrawing.

An application is editable by its organisation only while it is a draft, or,
when staff have asked for more information, only in the sections they named.
Everything else is frozen: each submission writes an ApplicationVersion that
never changes, and status moves only through services.workflow.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import (
    Application,
    ApplicationVersion,
    Area,
    Attachment,
    AttachmentKind,
    MoreInfoRequest,
    Round,
    User,
)
from . import attachments as attachment_service
from . import audit, eligibility, locking, permissions, rounds, sections, workflow
from .errors import DomainError, Immutable, NotPermitted, ValidationFailed
from .numbering import next_number

# The fixed sections every round asks (services/sections.py defines each one).
SECTIONS = [s.slug for s in sections.FIXED]
SECTION_TITLES = sections.titles(sections.FIXED)

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"

REQUIRED_ATTACHMENTS = sections.REQUIRED_ATTACHMENTS
APPLICANT_ATTACHMENT_KINDS = (AttachmentKind.GOVERNING_DOCUMENT, AttachmentKind.ACCOUNTS,
                              AttachmentKind.SAFEGUARDING_POLICY, AttachmentKind.QUOTE, AttachmentKind.OTHER)
MAX_ROWS = sections.MAX_ROWS


class Incomplete(DomainError):
    """The application cannot be submitted yet; `problems` is a list of (section, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems[0][1] if problems else "The application is not complete")
        self.problems = problems


class SectionIncomplete(ValidationFailed):
    """The answers were saved, but the section cannot be marked as completed yet."""


# --- Reading ----------------------------------------------------------------------


def open_requests(application: Application) -> list[MoreInfoRequest]:
    """Questions from staff that the applicant has not yet answered."""
    return list(db.session.scalars(
        select(MoreInfoRequest).where(MoreInfoRequest.application_id == application.id,
                                      MoreInfoRequest.answered_at.is_(None)).order_by(MoreInfoRequest.id)
    ))


def content_readable(application: Application, viewer: User | None) -> bool:
    """May the viewer read what the application says (its answers, documents and versions)?"""
    return permissions.may_read_application(viewer, application, permissions.Info.APPLICATION_CONTENT)


def sent_content_for(application: Application, viewer: User | None) -> dict | None:
    """The application as last sent (its latest version, not edits in progress); None if the viewer may not read it."""
    if not content_readable(application, viewer):
        return None
    latest = application.versions[-1] if application.versions else None
    return latest.data if latest else snapshot(application)


def open_requests_for(application: Application, viewer: User | None) -> list[MoreInfoRequest]:
    """open_requests(), for a viewer who may read more-information requests; otherwise none."""
    if not permissions.may_read_application(viewer, application, permissions.Info.MORE_INFO):
        return []
    return open_requests(application)


def editable_sections(application: Application) -> list[str]:
    """Which sections the organisation may change now (in task-list order).

    A draft: all of them. More information requested: only the sections the
    open requests name (all, if a request names none). Otherwise: none.
    """
    slugs = [s.slug for s in sections.for_application(application)]
    if application.status == workflow.Status.DRAFT.value:
        return slugs
    if application.status == workflow.Status.MORE_INFO_REQUESTED.value:
        named: set[str] = set()
        for request_ in open_requests(application):
            named.update(request_.sections or slugs)
        return [s for s in slugs if s in named]
    return []


def section_state(application: Application, section: str) -> str:
    return (application.section_status or {}).get(section, NOT_STARTED)


def _set_state(application: Application, section: str, state: str) -> None:
    # Assign a new dict so the change is seen however the column was loaded.
    states = dict(application.section_status or {})
    states[section] = state
    application.section_status = states


current_attachments = sections.current_attachments
budget_total = sections.budget_total


def _section_data(application: Application, section: str) -> dict:
    """One section's answers as plain JSON-able values (for versions, diffs and the audit trail)."""
    found = sections.get(application, section)
    if found is None:
        raise KeyError(section)
    return found.data(application)


def snapshot(application: Application) -> dict:
    """The whole application as plain data keyed by section slug (plus the declaration).

    Written into ApplicationVersion.data at each submission, so what was sent
    can always be shown exactly, whatever changes later (the organisation's
    profile included).
    """
    data = {s.slug: s.data(application) for s in sections.for_application(application)}
    data["declaration"] = {"name": application.declaration_name, "position": application.declaration_position}
    return data


# --- Completeness -------------------------------------------------------------------


def section_problems(application: Application, section: str) -> dict[str, str]:
    """What is missing or wrong in one section, as field -> message (empty when complete)."""
    found = sections.get(application, section)
    return found.problems(application) if found else {}


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """Everything stopping submission, as (section, message), in the order of the task list."""
    problems: list[tuple[str, str]] = []
    for section in sections.for_application(application):
        found = section.problems(application)
        problems.extend((section.slug, message) for message in found.values())
        if not found and section_state(application, section.slug) != COMPLETED:
            problems.append((section.slug, f"Mark the '{section.title}' section as completed"))
    return problems


# --- Changing a draft ---------------------------------------------------------------


def _check_editable(application: Application, section: str, actor: User) -> None:
    if not any(m.organisation_id == application.organisation_id for m in actor.memberships):
        raise NotPermitted("Only a member of the applying organisation can change this application")
    if section not in editable_sections(application):
        raise Immutable("This part of the application has been submitted and can no longer be changed")


def start_application(round_: Round, *, actor: User) -> Application:
    """An applicant with a confirmed email and an organisation starts an application to an open round
    that accepts the organisation's type.

    The reference ({FUND}-{year the round opens}-{n:04d}) is taken now, gap-free.
    """
    if actor.email_confirmed_at is None:
        raise NotPermitted("Confirm your email address before you start an application")
    organisation = actor.organisation
    if organisation is None:
        raise NotPermitted("Tell us about your organisation before you start an application")
    if not round_.is_open:
        raise DomainError(f"The {round_.title} round is not open for applications")
    refusal = rounds.org_type_refusal(round_, organisation.org_type) or eligibility.refusal(round_, organisation)
    if refusal:
        raise NotPermitted(refusal)
    code, year = round_.fund.code, round_.opens_on.year
    reference = f"{code}-{year}-{next_number(f'application:{code}:{year}'):04d}"
    application = Application(reference=reference, round=round_, organisation=organisation, created_by=actor,
                              status=workflow.Status.DRAFT.value, section_status={}, amount_requested_pence=0)
    db.session.add(application)
    db.session.flush()
    audit.record("application.started", actor=actor, entity=application, application=application,
                 after={"reference": reference, "round_id": round_.id, "organisation_id": organisation.id})
    return application


_clean_text = sections.clean_text


def save_section(application: Application, *, section: str, values: dict, completed: bool, actor: User) -> None:
    """Save one section's answers and whether the applicant says it is complete.

    Answers are always kept when they can be read; a section is marked
    completed only when nothing in it is missing (SectionIncomplete says what,
    after saving the answers as 'in progress'). Frozen sections are refused.
    """
    definition = sections.get(application, section)
    if definition is None:
        raise KeyError(section)
    _check_editable(application, section, actor)
    before = definition.data(application)
    definition.apply(application, values)
    db.session.flush()
    problems = section_problems(application, section) if completed else {}
    status = COMPLETED if completed and not problems else IN_PROGRESS
    previous_status = section_state(application, section)
    _set_state(application, section, status)
    after = definition.data(application)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    audit.record("application.section_saved", actor=actor, entity=application, application=application,
                 before={"section": section, "status": previous_status, **{k: before[k] for k in changed}},
                 after={"section": section, "status": status, "changed": changed,
                        **{k: after[k] for k in changed}})
    if problems:
        raise SectionIncomplete(problems)


def add_attachment(application: Application, *, upload, kind: str, actor: User) -> Attachment:
    """Upload a supporting document to an editable application (checked by content and size)."""
    _check_editable(application, "attachments", actor)
    if kind not in APPLICANT_ATTACHMENT_KINDS:
        raise ValidationFailed({"kind": "Select what kind of document this is"})
    attachment = attachment_service.store_upload(upload, organisation=application.organisation, kind=kind,
                                                 actor=actor, application=application)
    if section_state(application, "attachments") == NOT_STARTED:
        _set_state(application, "attachments", IN_PROGRESS)
    return attachment


def answer_with_file(application: Application, *, question, upload, actor: User) -> Attachment:
    """Answer a round's file question with an upload (checked like every document); it replaces any earlier one."""
    section = sections.get(application, question.section.slug)
    if section is None or question not in getattr(section, "questions", ()):
        raise NotPermitted("That question is not part of this application")
    _check_editable(application, section.slug, actor)
    attachment = attachment_service.store_upload(upload, organisation=application.organisation,
                                                 kind=AttachmentKind.OTHER, actor=actor, application=application,
                                                 field=question.field_name)
    answers = dict(application.question_answers or {})
    earlier = answers.get(str(question.id))
    if isinstance(earlier, dict):
        previous = attachment_of(application, earlier.get("id", 0))
        if previous is not None:
            attachment_service.remove_attachment(previous, actor=actor)
    answers[str(question.id)] = {"id": attachment.id, "filename": attachment.original_filename}
    application.question_answers = answers
    audit.record("application.question_file_answered", actor=actor, entity=application, application=application,
                 before={"question_id": question.id, "answer": earlier},
                 after={"question_id": question.id, "answer": answers[str(question.id)]})
    if section_state(application, section.slug) == NOT_STARTED:
        _set_state(application, section.slug, IN_PROGRESS)
    return attachment


def remove_attachment(application: Application, attachment: Attachment, *, actor: User) -> None:
    """Take a document off an editable application (kept on file for the audit trail)."""
    if attachment.application_id != application.id or attachment.removed_at is not None:
        raise NotPermitted("That document is not part of this application")
    _check_editable(application, "attachments", actor)
    attachment_service.remove_attachment(attachment, actor=actor)
    if section_state(application, "attachments") == COMPLETED and section_problems(application, "attachments"):
        _set_state(application, "attachments", IN_PROGRESS)


# --- Submitting ---------------------------------------------------------------------


def _check_can_send(application: Application, actor: User) -> None:
    if actor.email_confirmed_at is None:
        raise NotPermitted("Confirm your email address before you submit an application")
    if not application.round.is_open:
        raise DomainError(f"The {application.round.title} round closed on "
                          f"{application.round.closes_on:%d %B %Y}; applications can no longer be submitted")
    refusal = eligibility.refusal(application.round, application.organisation, application=application)
    if refusal:
        raise NotPermitted(refusal)


def _write_version(application: Application, actor: User) -> ApplicationVersion:
    number = len(application.versions) + 1
    version = ApplicationVersion(application=application, number=number, submitted_at=clock.now(),
                                 submitted_by_id=actor.id, data=snapshot(application))
    db.session.add(version)
    db.session.flush()
    return version


def submit(application: Application, *, actor: User, declaration_name: str | None,
           declaration_position: str | None, confirmed: bool) -> ApplicationVersion:
    """Submit a complete draft, declared by an authorised person, to an open round.

    The amount requested must be within the round's minimum and maximum. The
    application as submitted (organisation details included) is frozen in
    version 1; the status moves to 'submitted' and the organisation is emailed.
    A second submit (a double click) waits for the first and is refused.
    """
    locking.lock(application)
    if application.status != workflow.Status.DRAFT.value:
        raise Immutable("This application has already been submitted")
    refusal = workflow.refusal(application, "submit", actor)
    if refusal:
        raise NotPermitted(refusal)
    errors = {}
    if not _clean_text(declaration_name):
        errors["declaration_name"] = "Enter the name of the person making the declaration"
    if not _clean_text(declaration_position):
        errors["declaration_position"] = "Enter their position in the organisation"
    if not confirmed:
        errors["confirm"] = "Confirm the declaration to submit the application"
    if errors:
        raise ValidationFailed(errors)
    _check_can_send(application, actor)
    problems = submission_problems(application)
    if problems:
        raise Incomplete(problems)
    application.declaration_name = _clean_text(declaration_name)
    application.declaration_position = _clean_text(declaration_position)
    application.submitted_at = clock.now()
    version = _write_version(application, actor)
    workflow.transition(application, "submit", actor=actor,
                        details={"version": version.number, "amount_requested_pence": application.amount_requested_pence})
    return version


def resubmit(application: Application, *, actor: User) -> ApplicationVersion:
    """Send back the information staff asked for: the requests are answered and a new version is written."""
    locking.lock(application)
    refusal = workflow.refusal(application, "resubmit", actor)
    if refusal:
        raise NotPermitted(refusal)
    problems = submission_problems(application)
    if problems:
        raise Incomplete(problems)
    requests_ = open_requests(application)
    now = clock.now()
    for request_ in requests_:
        request_.answered_at = now
    version = _write_version(application, actor)
    workflow.transition(application, "resubmit", actor=actor,
                        details={"version": version.number, "answered_requests": [r.id for r in requests_]})
    return version


def withdraw(application: Application, *, actor: User, reason: str | None) -> None:
    """The organisation withdraws its application before a decision, saying why."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationFailed({"reason": "Tell us why you are withdrawing the application"})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "Reason must be 2,000 characters or fewer"})
    workflow.transition(application, "withdraw", actor=actor, reason=reason)
    application.withdrawn_reason = reason


def applications_for_organisation(organisation_id: int) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.organisation_id == organisation_id).order_by(Application.id.desc())
    ))


def attachment_of(application: Application, attachment_id: int, *, include_removed: bool = False) -> Attachment | None:
    """A document of this application, or None (so other ids cannot be probed).

    Removed documents are found only for staff reading earlier versions.
    """
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application.id or attachment.report_id is not None:
        return None
    if attachment.removed_at is not None and not include_removed:
        return None
    return attachment


def objective_choices(round_: Round) -> list[tuple[int, str]]:
    return [(o.id, f"{o.number}. {o.name}") for o in round_.objectives]


def measure_choices(application: Application) -> list[tuple[str, str]]:
    """Standard measures an applicant may choose (retired ones only where already chosen), then "Other"."""
    from .measures import active_measures

    chosen = {o.measure_id: o.standard_measure for o in application.planned_outputs if o.standard_measure}
    offered = {m.id: m for m in active_measures()} | chosen
    return ([("", "Choose a measure")]
            + [(str(m.id), m.name[:1].upper() + m.name[1:] + (f" ({m.unit})" if m.unit else ""))
               for m in sorted(offered.values(), key=lambda m: m.name)]
            + [("other", "Other – describe it in your own words")])


def area_choices(round_: Round | None = None) -> list[tuple[int, str]]:
    """The round's areas where it names them, otherwise every area."""
    areas = round_.areas if round_ is not None and round_.areas else db.session.scalars(select(Area).order_by(Area.name))
    return [(a.id, a.name) for a in areas]
