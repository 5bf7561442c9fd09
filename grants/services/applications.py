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
    BudgetLine,
    MoreInfoRequest,
    OutputMeasure,
    PlannedOutput,
    Round,
    User,
)
from ..money import MAX_PENCE, format_pence
from . import attachments as attachment_service
from . import audit, locking, permissions, rounds, workflow
from .errors import DomainError, Immutable, NotPermitted, ValidationFailed
from .numbering import next_number

SECTIONS = [
    "organisation", "project", "need", "activities", "where_and_who", "objectives", "outputs", "budget",
    "safeguarding", "attachments",
]

SECTION_TITLES = {
    "organisation": "Organisation details",
    "project": "About the project",
    "need": "The need for the project",
    "activities": "What you will do",
    "where_and_who": "Where and who will benefit",
    "objectives": "Police and Crime Plan objectives",
    "outputs": "Planned outputs",
    "budget": "Budget",
    "safeguarding": "Safeguarding",
    "attachments": "Supporting documents",
}

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"

REQUIRED_ATTACHMENTS = (AttachmentKind.GOVERNING_DOCUMENT, AttachmentKind.ACCOUNTS)
APPLICANT_ATTACHMENT_KINDS = (AttachmentKind.GOVERNING_DOCUMENT, AttachmentKind.ACCOUNTS,
                              AttachmentKind.SAFEGUARDING_POLICY, AttachmentKind.QUOTE, AttachmentKind.OTHER)
MAX_ROWS = 30


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
    """Which sections the organisation may change now (in SECTIONS order).

    A draft: all of them. More information requested: only the sections the
    open requests name (all, if a request names none). Otherwise: none.
    """
    if application.status == workflow.Status.DRAFT.value:
        return list(SECTIONS)
    if application.status == workflow.Status.MORE_INFO_REQUESTED.value:
        named: set[str] = set()
        for request_ in open_requests(application):
            named.update(request_.sections or SECTIONS)
        return [s for s in SECTIONS if s in named]
    return []


def section_state(application: Application, section: str) -> str:
    return (application.section_status or {}).get(section, NOT_STARTED)


def _set_state(application: Application, section: str, state: str) -> None:
    # Assign a new dict so the change is seen however the column was loaded.
    states = dict(application.section_status or {})
    states[section] = state
    application.section_status = states


def current_attachments(application: Application) -> list[Attachment]:
    return [a for a in application.attachments if a.removed_at is None]


def budget_total(application: Application) -> int:
    return sum(line.cost_pence for line in application.budget_lines)


def _section_data(application: Application, section: str) -> dict:
    """One section's answers as plain JSON-able values (for versions, diffs and the audit trail)."""
    a = application
    if section == "organisation":
        org = a.organisation
        return {
            "legal_name": org.legal_name, "org_type": org.org_type, "org_type_label": org.org_type_label,
            "charity_number": org.charity_number, "company_number": org.company_number,
            "address_line_1": org.address_line_1, "address_line_2": org.address_line_2, "town": org.town,
            "postcode": org.postcode, "contact_name": org.contact_name, "contact_email": org.contact_email,
            "contact_phone": org.contact_phone, "website": org.website,
        }
    if section == "project":
        return {"title": a.title, "summary": a.summary,
                "start_date": a.start_date.isoformat() if a.start_date else None,
                "end_date": a.end_date.isoformat() if a.end_date else None}
    if section == "need":
        return {"need": a.need, "evidence": a.evidence}
    if section == "activities":
        return {"activities": a.activities}
    if section == "where_and_who":
        return {"areas": [area.name for area in a.areas], "ward": a.ward, "beneficiaries": a.beneficiaries,
                "beneficiary_count": a.beneficiary_count}
    if section == "objectives":
        return {"objectives": [f"{o.number}. {o.name}" for o in a.objectives],
                "crime_reduction_reasons": a.crime_reduction_reasons}
    if section == "outputs":
        return {"rows": [_output_snapshot(o) for o in a.planned_outputs]}
    if section == "budget":
        return {"rows": [{"item": b.item, "cost_pence": b.cost_pence} for b in a.budget_lines],
                "total_pence": budget_total(a), "amount_requested_pence": a.amount_requested_pence,
                "other_funding": a.other_funding}
    if section == "safeguarding":
        return {"works_with_children_or_vulnerable_adults": a.works_with_children_or_vulnerable_adults,
                "safeguarding": a.safeguarding}
    if section == "attachments":
        return {"files": [{"id": f.id, "kind": f.kind, "kind_label": f.kind_label, "filename": f.original_filename,
                           "size_bytes": f.size_bytes, "sha256": f.sha256} for f in current_attachments(a)]}
    raise KeyError(section)


def snapshot(application: Application) -> dict:
    """The whole application as plain data keyed by section slug (plus the declaration).

    Written into ApplicationVersion.data at each submission, so what was sent
    can always be shown exactly, whatever changes later (the organisation's
    profile included).
    """
    data = {section: _section_data(application, section) for section in SECTIONS}
    data["declaration"] = {"name": application.declaration_name, "position": application.declaration_position}
    return data


# --- Completeness -------------------------------------------------------------------


def section_problems(application: Application, section: str) -> dict[str, str]:
    """What is missing or wrong in one section, as field -> message (empty when complete)."""
    a = application
    problems: dict[str, str] = {}
    if section == "project":
        if not a.title:
            problems["title"] = "Enter the project title"
        if not a.summary:
            problems["summary"] = "Enter a summary of the project"
        if a.start_date is None:
            problems["start_date"] = "Enter the date the project will start"
        elif a.start_date <= clock.today():
            problems["start_date"] = "The project start date must be in the future"
        if a.end_date is None:
            problems["end_date"] = "Enter the date the project will end"
    elif section == "need":
        if not a.need:
            problems["need"] = "Describe the problem the project will tackle"
        if not a.evidence:
            problems["evidence"] = "Give evidence of the need"
    elif section == "activities":
        if not a.activities:
            problems["activities"] = "Describe what you will do"
    elif section == "where_and_who":
        if not a.areas:
            problems["areas"] = "Select at least one area the project will benefit"
        if not a.beneficiaries:
            problems["beneficiaries"] = "Describe who will benefit"
        if a.beneficiary_count is None:
            problems["beneficiary_count"] = "Enter how many people will benefit"
    elif section == "objectives":
        if not a.objectives:
            problems["objectives"] = "Select at least one Police and Crime Plan objective"
        if not a.crime_reduction_reasons:
            problems["crime_reduction_reasons"] = "Explain how the project will help reduce crime and disorder"
    elif section == "outputs":
        if not a.planned_outputs:
            problems["measure_0"] = "Add at least one planned output, with a target"
    elif section == "budget":
        round_ = a.round
        total = budget_total(a)
        if not a.budget_lines:
            problems["item_0"] = "Add at least one cost to the budget"
        elif total < round_.min_award_pence:
            problems["rows"] = (f"The amount requested ({format_pence(total)}) must be at least "
                                f"{format_pence(round_.min_award_pence)}")
        elif total > round_.max_award_pence:
            problems["rows"] = (f"The amount requested ({format_pence(total)}) must be "
                                f"{format_pence(round_.max_award_pence)} or less")
    elif section == "safeguarding":
        if a.works_with_children_or_vulnerable_adults is None:
            problems["works_with"] = "Select yes if the project works with children or vulnerable adults"
        elif a.works_with_children_or_vulnerable_adults and not a.safeguarding:
            problems["safeguarding"] = "Describe your safeguarding arrangements"
    elif section == "attachments":
        kinds = {f.kind for f in current_attachments(a)}
        needed = list(REQUIRED_ATTACHMENTS)
        if a.works_with_children_or_vulnerable_adults:
            needed.append(AttachmentKind.SAFEGUARDING_POLICY)
        for kind in needed:
            if kind not in kinds:
                problems[f"missing_{kind}"] = f"Upload your {AttachmentKind.LABELS[kind].lower()}"
    return problems


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """Everything stopping submission, as (section, message), in the order of the task list."""
    problems: list[tuple[str, str]] = []
    for section in SECTIONS:
        found = section_problems(application, section)
        problems.extend((section, message) for message in found.values())
        if not found and section_state(application, section) != COMPLETED:
            problems.append((section, f"Mark the '{SECTION_TITLES[section]}' section as completed"))
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
    refusal = rounds.org_type_refusal(round_, organisation.org_type)
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


def _clean_text(value) -> str | None:
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").strip()
    return value or None


def _apply(application: Application, section: str, values: dict) -> None:
    """Write one section's answers, or raise ValidationFailed without changing anything."""
    a = application
    errors: dict[str, str] = {}
    if section == "project":
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end <= start:
            errors["end_date"] = "The end date must be after the start date"
        if errors:
            raise ValidationFailed(errors)
        a.title = _clean_text(values.get("title"))
        a.summary = _clean_text(values.get("summary"))
        a.start_date, a.end_date = start, end
    elif section == "need":
        a.need = _clean_text(values.get("need"))
        a.evidence = _clean_text(values.get("evidence"))
    elif section == "activities":
        a.activities = _clean_text(values.get("activities"))
    elif section == "where_and_who":
        ids = {int(i) for i in values.get("area_ids") or []}
        areas = list(db.session.scalars(select(Area).where(Area.id.in_(ids)))) if ids else []
        if len(areas) != len(ids) or (a.round.areas and not set(areas) <= set(a.round.areas)):
            raise ValidationFailed({"areas": "Select areas from the list"})
        count = values.get("beneficiary_count")
        if count is not None and count < 1:
            raise ValidationFailed({"beneficiary_count": "Enter a number of people of 1 or more"})
        a.areas = areas
        a.ward = _clean_text(values.get("ward"))
        a.beneficiaries = _clean_text(values.get("beneficiaries"))
        a.beneficiary_count = count
    elif section == "objectives":
        ids = {int(i) for i in values.get("objective_ids") or []}
        allowed = {o.id: o for o in a.round.objectives}
        if not ids <= set(allowed):
            raise ValidationFailed({"objectives": "Select objectives from the list"})
        a.objectives = sorted((allowed[i] for i in ids), key=lambda o: o.number)
        a.crime_reduction_reasons = _clean_text(values.get("crime_reduction_reasons"))
    elif section == "outputs":
        rows = []
        already = {o.measure_id for o in a.planned_outputs if o.measure_id}
        for i, row in enumerate(values.get("rows") or []):
            measure, target = _clean_text(row.get("measure")), row.get("target")
            standard, problem = _standard_measure(row.get("measure_id"), already)
            if measure is None and target is None and standard is None:
                continue
            if problem:
                errors[f"standard_{i}"] = f"Output {i + 1}: {problem}"
            if standard is not None and measure is None:
                measure = standard.name
            if measure is None:
                errors[f"measure_{i}"] = f"Enter what output {i + 1} measures"
            if target is None:
                errors[f"target_{i}"] = f"Enter a target for output {i + 1}"
            elif target < 1:
                errors[f"target_{i}"] = f"The target for output {i + 1} must be 1 or more"
            rows.append((measure, target, standard.id if standard else None))
        if len(rows) > MAX_ROWS:
            errors["rows"] = f"You can list up to {MAX_ROWS} outputs"
        if errors:
            raise ValidationFailed(errors)
        a.planned_outputs = [PlannedOutput(position=n, measure=m, target=t, measure_id=s)
                             for n, (m, t, s) in enumerate(rows, 1)]
    elif section == "budget":
        rows = []
        for i, row in enumerate(values.get("rows") or []):
            item, cost = _clean_text(row.get("item")), row.get("cost_pence")
            if item is None and cost is None:
                continue
            if item is None:
                errors[f"item_{i}"] = f"Enter what cost {i + 1} is for"
            if cost is None:
                errors[f"cost_{i}"] = f"Enter the amount for cost {i + 1}"
            rows.append((item, cost))
        if len(rows) > MAX_ROWS:
            errors["rows"] = f"You can list up to {MAX_ROWS} costs"
        if not errors and sum(c for _, c in rows) > MAX_PENCE:
            errors["rows"] = "The total must be £10,000,000 or less"
        if errors:
            raise ValidationFailed(errors)
        a.budget_lines = [BudgetLine(position=n, item=item, cost_pence=cost) for n, (item, cost) in enumerate(rows, 1)]
        # The amount requested is the budget's total, never typed separately.
        a.amount_requested_pence = sum(c for _, c in rows)
        a.other_funding = _clean_text(values.get("other_funding"))
    elif section == "safeguarding":
        works_with = values.get("works_with")
        a.works_with_children_or_vulnerable_adults = works_with
        a.safeguarding = _clean_text(values.get("safeguarding"))
    elif section in ("organisation", "attachments"):
        pass
    else:
        raise KeyError(section)


def save_section(application: Application, *, section: str, values: dict, completed: bool, actor: User) -> None:
    """Save one section's answers and whether the applicant says it is complete.

    Answers are always kept when they can be read; a section is marked
    completed only when nothing in it is missing (SectionIncomplete says what,
    after saving the answers as 'in progress'). Frozen sections are refused.
    """
    if section not in SECTIONS:
        raise KeyError(section)
    _check_editable(application, section, actor)
    before = _section_data(application, section)
    _apply(application, section, values)
    db.session.flush()
    problems = section_problems(application, section) if completed else {}
    status = COMPLETED if completed and not problems else IN_PROGRESS
    previous_status = section_state(application, section)
    _set_state(application, section, status)
    after = _section_data(application, section)
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


def _output_snapshot(output: PlannedOutput) -> dict:
    """A planned output as frozen in a version; the standard measure only where one was chosen."""
    row = {"measure": output.measure, "target": output.target}
    if output.standard_measure is not None:
        row.update(measure_id=output.measure_id, standard_measure=output.standard_measure.name)
    return row


def measure_choices(application: Application) -> list[tuple[str, str]]:
    """Standard measures an applicant may choose (retired ones only where already chosen), then "Other"."""
    from .measures import active_measures

    chosen = {o.measure_id: o.standard_measure for o in application.planned_outputs if o.standard_measure}
    offered = {m.id: m for m in active_measures()} | chosen
    return ([("", "Choose a measure")]
            + [(str(m.id), m.name[:1].upper() + m.name[1:] + (f" ({m.unit})" if m.unit else ""))
               for m in sorted(offered.values(), key=lambda m: m.name)]
            + [("other", "Other – describe it in your own words")])


def _standard_measure(value, already: set[int]) -> tuple[OutputMeasure | None, str | None]:
    """The standard measure a planned output row chose: (measure, None), (None, None) for other, or a problem."""
    value = str(value or "").strip()
    if value in ("", "other"):
        return None, None
    measure = db.session.get(OutputMeasure, int(value)) if value.isdigit() else None
    if measure is None or (measure.is_retired and measure.id not in already):
        return None, "choose a measure from the list, or Other"
    return measure, None


def area_choices(round_: Round | None = None) -> list[tuple[int, str]]:
    """The round's areas where it names them, otherwise every area."""
    areas = round_.areas if round_ is not None and round_.areas else db.session.scalars(select(Area).order_by(Area.name))
    return [(a.id, a.name) for a in areas]
