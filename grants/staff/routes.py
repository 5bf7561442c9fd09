"""The staff back office: application lists, reading applications, the email outbox."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..access import STAFF_READERS, access, application_or_404
from ..downloads import send_download
from ..extensions import db
from ..models import Application, Area, Fund, Role, Round, application_areas
from ..services import applications as application_service
from ..services import sections as section_definitions
from ..services import outbox as outbox_service
from ..services import permissions, round_questions
from ..services.workflow import STAFF_LABELS, Status

bp = Blueprint("staff", __name__)

PER_PAGE = 25


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filtered_applications():
    """The staff list's query (never drafts) with the request's filters, and the filters as given."""
    round_id, area_id = _int_arg("round"), _int_arg("area")
    fund_code = request.args.get("fund", "")
    status = request.args.get("status", "")
    query = select(Application).where(Application.status != Status.DRAFT.value)
    if round_id:
        query = query.where(Application.round_id == round_id)
    if fund_code:
        query = query.join(Round, Application.round_id == Round.id).join(Fund, Round.fund_id == Fund.id) \
            .where(Fund.code == fund_code)
    if area_id:
        query = query.where(Application.id.in_(
            select(application_areas.c.application_id).where(application_areas.c.area_id == area_id)))
    filters = {"round": round_id or "", "status": status, "fund": fund_code, "area": area_id or ""}
    return query, filters


_LIST_ORDER = (Application.submitted_at.is_(None), Application.submitted_at.desc(), Application.id.desc())


@bp.route("/applications")
@access(*STAFF_READERS)
def applications():
    """Submitted applications (never drafts), filtered by round, status, fund and area, 25 a page."""
    query, filters = _filtered_applications()
    status = filters["status"]
    counts = _status_counts(query)
    if status in {s.value for s in Status}:
        query = query.where(Application.status == status)
        total = counts.get(status, 0)
    else:
        total = sum(counts.values())  # the counts already cover every match: no second count
    page = max(1, request.args.get("page", 1, type=int))
    rows = db.session.scalars(query.order_by(*_LIST_ORDER).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "staff/applications.html", applications=rows, total=total, page=page, per_page=PER_PAGE,
        counts=counts, filters=filters,
        rounds=db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id)).all(),
        funds=db.session.scalars(select(Fund).order_by(Fund.code)).all(),
        areas=db.session.scalars(select(Area).order_by(Area.name)).all(),
        statuses=[(s.value, STAFF_LABELS[s]) for s in Status if s != Status.DRAFT],
        may_assign=current_user.has_role(Role.OFFICER),
    )


@bp.route("/applications/export.<any(csv, xlsx):fmt>")
@access(*STAFF_READERS, read_only=True)
def applications_export(fmt: str):
    """Every application the list shows with its current filters (all pages), as CSV or XLSX."""
    from ..money import pence_to_decimal_pounds

    query, filters = _filtered_applications()
    if filters["status"] in {s.value for s in Status}:
        query = query.where(Application.status == filters["status"])
    applications = list(db.session.scalars(query.order_by(*_LIST_ORDER)))
    header = ["Reference", "Organisation", "Project", "Round", "Status", "Requested £", "Awarded £", "Submitted"]
    rows = [[a.reference, a.organisation.legal_name, a.title, a.round.title, STAFF_LABELS[Status(a.status)],
             pence_to_decimal_pounds(a.amount_requested_pence),
             None if a.awarded_pence is None else pence_to_decimal_pounds(a.awarded_pence),
             a.submitted_at.date().isoformat() if a.submitted_at else None]
            for a in applications]
    # The round's own questions are application content: only for those who read every application's answers.
    if permissions.reads_all_content(current_user):
        question_header, answers = round_questions.answer_columns(applications)
        header += question_header
        rows = [row + extra for row, extra in zip(rows, answers)]
    return send_download("applications", fmt, header, rows, filters=filters)


def _status_counts(query) -> dict[str, int]:
    """How many applications in each status match the other filters."""
    sub = query.subquery()
    return dict(db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all())


def _staff_application_or_404(application_id: int) -> Application:
    application = application_or_404(application_id, current_user)
    # A draft is the organisation's unfinished work, not yet sent to the OPCC.
    if application.status == Status.DRAFT.value:
        abort(404)
    return application


def _readable_content_or_404(application_id: int) -> Application:
    """An application whose content (versions, documents) the user may read: finance reads only the award."""
    application = _staff_application_or_404(application_id)
    if not application_service.content_readable(application, current_user):
        abort(404)
    return application


@bp.route("/applications/<int:application_id>")
@access(*STAFF_READERS)
def application(application_id: int):
    """One application, read-only: every section, its documents and its submitted versions."""
    return _application_page(_staff_application_or_404(application_id))


def _application_page(application_, note_form=None):
    from ..forms import TextEntryForm
    from ..services import conversations
    from ..services.decisions import records_for

    if note_form is None and current_user.has_role(*conversations.WRITERS):
        note_form = TextEntryForm()
    return render_template(
        "staff/application.html", application=application_,
        data=application_service.sent_content_for(application_, current_user),
        requests=application_service.open_requests_for(application_, current_user),
        section_titles=section_definitions.titles(section_definitions.for_application(application_)),
        change_url=None,
        download_url=lambda file: url_for(".application_attachment", application_id=application_.id,
                                          attachment_id=file["id"]),
        actions=_work_on(application_, current_user), records=records_for(application_),
        notes=conversations.notes_for(application_, current_user), note_form=note_form,
    )


@bp.route("/applications/<int:application_id>/notes", methods=["POST"])
@access(Role.OFFICER, Role.DECISION_MAKER)
def add_note(application_id: int):
    """Keep a staff-only note on the application."""
    from ..forms import TextEntryForm, run_service
    from ..services import conversations

    application_ = _staff_application_or_404(application_id)
    form = TextEntryForm()
    if form.validate_on_submit() and run_service(form, lambda: conversations.add_note(
            application_, actor=current_user, body=form.body.data)):
        flash("Note added", "success")
        return redirect(url_for(".application", application_id=application_.id) + "#notes")
    return _application_page(application_, note_form=form), 400


def _work_on(application_, user) -> list[dict]:
    """Where each role goes next from an application: one list, so every area is linked once."""
    from ..services import workflow

    status = workflow.status_of(application_)
    links: list[dict] = []

    def add(text: str, endpoint: str, hint: str = "", **values) -> None:
        links.append({"text": text, "href": url_for(endpoint, application_id=application_.id, **values),
                      "hint": hint})

    if user.has_role(Role.OFFICER):
        if status == Status.SUBMITTED:
            add("Screen for eligibility", "assessment.screen")
            add("Ask the applicant for more information", "assessment.more_info")
        if status == Status.IN_ASSESSMENT:
            add("Assign assessors", "assessment.assessors")
        if application_.needs_moderation and status in (Status.ASSESSED, Status.DEFERRED):
            add("Moderate the scores", "assessment.moderate")
        if len(application_.versions) > 1:
            add("See what the applicant changed", "assessment.changes")
        if application_.planned_outputs:
            add("Count outputs under standard measures", "staff.output_measures")
        if status in (Status.FUNDED, Status.COMPLETED):
            add("Monitoring, payments and changes", "monitoring.staff_grant")
    if user.has_role(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR) and status not in (
            Status.SUBMITTED, Status.MORE_INFO_REQUESTED, Status.INELIGIBLE, Status.WITHDRAWN, Status.DRAFT):
        add("Assessment record: screening, scores and declarations", "assessment.application")
    if user.has_role(Role.DECISION_MAKER) and status in (Status.ASSESSED, Status.DEFERRED):
        add("Make a decision", "decisions.decide")
    if user.has_role(Role.AUDITOR):
        add("Full history (audit timeline)", "auditor.timeline")
        add("Download the decision pack (ZIP)", "auditor.decision_pack")
    if status in workflow.COMMITTED_STATES:
        links.append({"text": "Entry on the public register of grants",
                      "href": url_for("opendata.register", q=application_.reference), "hint": ""})
    return links


@bp.route("/applications/<int:application_id>/outputs", methods=["GET", "POST"])
@access(Role.OFFICER)
def output_measures(application_id: int):
    """Count each planned output under a standard measure (or leave it as the applicant's own wording)."""
    from flask_wtf import FlaskForm

    from ..services import measures
    from ..services.errors import ValidationFailed

    application_ = _staff_application_or_404(application_id)
    form = FlaskForm()
    choices = [("", "Other: keep the applicant's wording")] + [
        (str(m.id), m.name[:1].upper() + m.name[1:]) for m in measures.active_measures()]
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        picked = {o.id: request.form.get(f"measure_{o.id}", "") for o in application_.planned_outputs}
        try:
            changed = measures.map_outputs(application_, actor=current_user, choices={
                output_id: int(value) if value.isdigit() else None for output_id, value in picked.items()})
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            db.session.commit()
            flash(f"Saved: {changed} output{'' if changed == 1 else 's'} changed", "success")
            return redirect(url_for(".application", application_id=application_.id))
    return render_template("staff/output_measures.html", application=application_, choices=choices, errors=errors,
                           form=form)


@bp.route("/organisations/<int:organisation_id>/history")
@access(*STAFF_READERS, read_only=True)
def organisation_history(organisation_id: int):
    """Every award to one organisation across years: grants, amounts, outputs by measure, people reached."""
    from ..models import Organisation
    from ..services import summaries

    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return render_template("staff/organisation_history.html", history=summaries.organisation_history(organisation))


@bp.route("/applications/<int:application_id>/versions/<int:number>")
@access(*STAFF_READERS)
def application_version(application_id: int, number: int):
    """The application exactly as it was sent the nth time (versions never change)."""

    application_ = _readable_content_or_404(application_id)
    version = next((v for v in application_.versions if v.number == number), None)
    if version is None:
        abort(404)
    return render_template(
        "staff/application_version.html", application=application_, version=version, data=version.data,
        section_titles=section_definitions.titles(section_definitions.for_application(application_)),
        download_url=lambda file: url_for(".application_attachment", application_id=application_.id,
                                          attachment_id=file["id"]),
    )


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>")
@access(*STAFF_READERS)
def application_attachment(application_id: int, attachment_id: int):
    application_ = _readable_content_or_404(application_id)
    attachment = application_service.attachment_of(application_, attachment_id, include_removed=True)
    if attachment is None:
        abort(404)
    from ..services.attachments import send_attachment

    return send_attachment(attachment)


@bp.route("/outbox")
@access(Role.OFFICER, Role.ADMIN)
def outbox():
    """Development aid: read every email the system has stored (hidden in production)."""
    if not current_app.config.get("SHOW_OUTBOX"):
        abort(404)
    page = max(1, request.args.get("page", 1, type=int))
    per_page = 50
    emails, total = outbox_service.emails_for(current_user, page=page, per_page=per_page)
    return render_template("staff/outbox.html", emails=emails, page=page, total=total, per_page=per_page)


from . import funds, questions, rounds  # noqa: E402,F401  (registers the fund, round and question routes)
from . import working_day  # noqa: E402,F401  (search and the organisation record)
