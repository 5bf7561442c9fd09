"""The applicant's journey: organisation, open rounds, the task list, check answers, submit, withdraw."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import access, own_application_or_404
from ..extensions import db
from ..forms import apply_service_errors, show_refusal
from ..models import OrgMembership, Round, Role
from .. import clock
from ..services import applications, bank_details, monitoring, organisations, sections
from ..services.errors import DomainError, ValidationFailed
from ..services.workflow import Status
from . import forms, section_pages

bp = Blueprint("applicant", __name__)


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> str:
    """Dates kept as ISO text in snapshots, shown as '1 April 2027'."""
    if not value:
        return ""
    day = date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def _organisation_or_none():
    return current_user.organisation


def _open_rounds() -> list[Round]:
    rounds = db.session.scalars(select(Round).order_by(Round.closes_on, Round.id)).all()
    return [r for r in rounds if r.is_open]


# --- Dashboard and rounds -----------------------------------------------------------


@bp.route("/")
@access(Role.APPLICANT)
def dashboard():
    organisation = _organisation_or_none()
    items = applications.applications_for_organisation(organisation.id) if organisation else []
    reports = monitoring.open_reports_for(organisation.id) if organisation else []
    today = clock.today()
    return render_template("applicant/dashboard.html", organisation=organisation, applications=items,
                           open_rounds=_open_rounds(), open_reports=reports,
                           overdue_count=sum(1 for r in reports if r.due_on < today))


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def start(round_id: int):
    """The round's rules, then a button that starts an application (or what to do first)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    form = forms.ConfirmForm()
    blockers = []
    if current_user.email_confirmed_at is None:
        blockers.append("confirm_email")
    if current_user.organisation is None:
        blockers.append("organisation")
    if request.method == "POST" and form.validate_on_submit() and not blockers:
        try:
            application = applications.start_application(round_, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for(".start", round_id=round_id))
        db.session.commit()
        flash(f"Your application has been started. Its reference is {application.reference}", "success")
        return redirect(url_for(".task_list", application_id=application.id))
    return render_template("applicant/start.html", round=round_, form=form, blockers=blockers)


# --- Organisation -------------------------------------------------------------------


@bp.route("/organisation", methods=["GET", "POST"])
@access(Role.APPLICANT)
def organisation():
    """Your organisation's profile and members; or, for a new account, the form to create one."""
    current = _organisation_or_none()
    if current is not None:
        return render_template("applicant/organisation.html", organisation=current,
                               invitations=organisations.pending_invitations(current),
                               members=organisations.members(current),
                               i_am_signatory=organisations.is_signatory(current_user, current.id),
                               bank=bank_details.current_for(current.id))
    form = forms.OrganisationForm()
    if form.validate_on_submit():
        try:
            organisations.create_organisation(actor=current_user, values=form.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Your organisation has been set up", "success")
            return redirect(url_for(".dashboard"))
    elif request.method == "GET" and not form.contact_name.data:
        form.contact_name.data = current_user.full_name
        form.contact_email.data = current_user.email
    return render_template("applicant/organisation_form.html", form=form, creating=True)


@bp.route("/organisation/edit", methods=["GET", "POST"])
@access(Role.APPLICANT)
def edit_organisation():
    current = _organisation_or_none()
    if current is None:
        return redirect(url_for(".organisation"))
    form = forms.OrganisationForm(obj=current)
    if form.validate_on_submit():
        try:
            organisations.update_organisation(current, actor=current_user, values=form.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            flash("Your organisation's details have been updated", "success")
            return redirect(url_for(".organisation"))
    return render_template("applicant/organisation_form.html", form=form, creating=False)


@bp.route("/organisation/members/<int:membership_id>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def member_role(membership_id: int):
    """A signatory makes a colleague an authorised signatory (with their position), or a member again."""
    current = _organisation_or_none()
    membership = db.session.get(OrgMembership, membership_id)
    if current is None or membership is None or membership.organisation_id != current.id:
        abort(404)
    form = forms.MemberRoleForm(obj=membership)
    if form.validate_on_submit():
        try:
            organisations.set_member_role(membership, actor=current_user, role=form.role.data,
                                          position=form.position.data)
        except DomainError as exc:
            db.session.rollback()
            membership = db.session.get(OrgMembership, membership_id)
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{membership.user.full_name} is now {membership.role_label.lower()}", "success")
            return redirect(url_for(".organisation"))
    return render_template("applicant/member_role.html", membership=membership, form=form)


@bp.route("/organisation/invite", methods=["GET", "POST"])
@access(Role.APPLICANT)
def invite():
    current = _organisation_or_none()
    if current is None:
        return redirect(url_for(".organisation"))
    form = forms.InviteForm()
    if form.validate_on_submit():
        try:
            invitation = organisations.invite_colleague(current, actor=current_user, email=form.email.data or "")
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(f"We have sent an invitation to {invitation.email}", "success")
            return redirect(url_for(".organisation"))
    return render_template("applicant/invite.html", form=form, organisation=current)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def invitation(token: str):
    """A colleague, signed in at the invited address, joins the organisation."""
    try:
        invitation_ = organisations.invitation_for_token(token)
    except DomainError as exc:
        return render_template("applicant/invitation_problem.html", message=exc.message), 400
    form = forms.ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            organisations.accept_invitation(token, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            problem = exc.message
        else:
            db.session.commit()
            flash(f"You have joined {invitation_.organisation.legal_name}", "success")
            return redirect(url_for(".dashboard"))
    return render_template("applicant/invitation.html", invitation=invitation_, form=form, problem=problem,
                           error_title_prefix=bool(problem))


# --- The task list and its sections ---------------------------------------------------


def _summary_helpers(application, editable=()) -> dict:
    """Links the read-only summary needs: Change (editable sections only) and document downloads."""
    return {
        "section_titles": sections.titles(sections.for_application(application)),
        "change_url": lambda slug: (url_for(".section", application_id=application.id, slug=slug)
                                    if slug in editable else None),
        "download_url": lambda file: url_for(".download", application_id=application.id, attachment_id=file["id"]),
    }


def _states(application) -> dict[str, str]:
    return {s.slug: applications.section_state(application, s.slug) for s in sections.for_application(application)}


@bp.route("/applications/<int:application_id>")
@access(Role.APPLICANT)
def task_list(application_id: int):
    """A draft (or one reopened for more information) as a task list; otherwise read-only."""
    application = own_application_or_404(application_id, current_user)
    editable = applications.editable_sections(application)
    if not editable:
        return render_template("applicant/view.html", application=application,
                               data=applications.snapshot(application), **_summary_helpers(application))
    return render_template("applicant/task_list.html", application=application, editable=editable,
                           states=_states(application), titles=sections.titles(sections.for_application(application)),
                           sections=[s.slug for s in sections.for_application(application)],
                           requests=applications.open_requests(application), form=forms.ConfirmForm())


def _name_rows_in_errors(form) -> None:
    """'Amount must be more than £0' could be any row: say which one, as GOV.UK asks of error messages."""
    for field in form:
        prefix, _, index = field.name.rpartition("_")
        what = {"cost": "Cost", "item": "Cost", "target": "Output", "measure": "Output", "amount": "Assistance",
                "giver": "Assistance"}.get(prefix)
        if what and index.isdigit() and field.errors:
            field.errors = [m if m.startswith(what) else f"{what} {int(index) + 1}: {m[0].lower()}{m[1:]}"
                            for m in field.errors]


def _render_section(application, section, form, upload_form=None, status=200):
    upload_form = upload_form or forms.UploadForm(formdata=None)
    prefix = section_pages.page_for(section).row_prefix
    rows = len([f for f in form if prefix and f.name.startswith(prefix)])
    return render_template(
        f"applicant/sections/{section.template}.html", application=application, form=form, upload_form=upload_form,
        slug=section.slug, title=section.title, section=section, round=application.round, rows=rows,
        attachments=applications.current_attachments(application),
        error_title_prefix=bool(upload_form.errors), requests=applications.open_requests(application),
    ), status


@bp.route("/applications/<int:application_id>/sections/<slug>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def section(application_id: int, slug: str):
    """One question page of the application. Saving always keeps the answers."""
    application = own_application_or_404(application_id, current_user)
    definition = sections.get(application, slug)
    if definition is None:
        abort(404)
    if slug not in applications.editable_sections(application):
        # Checked again by the service on every save: hiding the link is not the protection.
        if request.method == "POST":
            try:
                applications.save_section(application, section=slug, values={}, completed=False, actor=current_user)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "info")
        return redirect(url_for(".task_list", application_id=application.id))
    form = section_pages.build_form(definition, application)
    if request.method == "GET":
        return _render_section(application, definition, form)
    if not form.validate():
        _name_rows_in_errors(form)
        return _render_section(application, definition, form)
    action = request.form.get("action", "save")
    remove = request.form.get("remove", type=int)
    completed = action == "save" and remove is None and form.completed.data == "yes"
    try:
        section_pages.store_files(definition, application, form, current_user)
        values = section_pages.page_for(definition).values(form, remove)
        applications.save_section(application, section=slug, values=values,
                                  completed=completed, actor=current_user)
    except applications.SectionIncomplete as exc:
        db.session.commit()  # the answers are kept; only "completed" is refused
        apply_service_errors(form, exc.errors)
        return _render_section(application, definition, form)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc.errors)
        return _render_section(application, definition, form)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for(".task_list", application_id=application.id))
    db.session.commit()
    if action == "add":
        return redirect(url_for(".section", application_id=application.id, slug=slug, add=1))
    if remove is not None:
        flash("The row has been removed", "success")
        return redirect(url_for(".section", application_id=application.id, slug=slug))
    if form.completed.data not in ("yes", "no"):
        form.completed.errors = ["Select whether you have completed this section"]
        return _render_section(application, definition, form)
    flash(f"'{definition.title}' has been saved", "success")
    return redirect(url_for(".task_list", application_id=application.id))


# --- Documents ----------------------------------------------------------------------


@bp.route("/applications/<int:application_id>/attachments", methods=["POST"])
@access(Role.APPLICANT)
def upload(application_id: int):
    application = own_application_or_404(application_id, current_user)
    upload_form = forms.UploadForm()
    if upload_form.validate_on_submit():
        try:
            attachment = applications.add_attachment(application, upload=upload_form.file.data,
                                                     kind=upload_form.kind.data or "", actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(upload_form, exc.errors)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for(".task_list", application_id=application.id))
        else:
            db.session.commit()
            flash(f"{attachment.original_filename} has been uploaded", "success")
            return redirect(url_for(".section", application_id=application.id, slug="attachments"))
    if "attachments" not in applications.editable_sections(application):
        return redirect(url_for(".task_list", application_id=application.id))
    definition = sections.FIXED_BY_SLUG["attachments"]
    form = section_pages.build_form(definition, application)
    return _render_section(application, definition, form, upload_form=upload_form)


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>")
@access(Role.APPLICANT)
def download(application_id: int, attachment_id: int):
    """Only the organisation's members may download its documents (staff use their own route)."""
    application = own_application_or_404(application_id, current_user)
    attachment = applications.attachment_of(application, attachment_id)
    if attachment is None:
        abort(404)
    from ..services.attachments import send_attachment

    return send_attachment(attachment)


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@access(Role.APPLICANT)
def remove_attachment(application_id: int, attachment_id: int):
    application = own_application_or_404(application_id, current_user)
    attachment = applications.attachment_of(application, attachment_id)
    if attachment is None:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            applications.remove_attachment(application, attachment, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for(".task_list", application_id=application.id))
        db.session.commit()
        flash(f"{attachment.original_filename} has been removed", "success")
    return redirect(url_for(".section", application_id=application.id, slug="attachments"))


# --- Check answers, submit, confirmation ---------------------------------------------


def _problem_links(application, problems):
    titles = sections.titles(sections.for_application(application))
    return [(f"section-{slug}", f"{titles[slug]}: {message}") for slug, message in problems]


@bp.route("/applications/<int:application_id>/check", methods=["GET", "POST"])
@access(Role.APPLICANT)
def check_answers(application_id: int):
    application = own_application_or_404(application_id, current_user)
    if application.status != Status.DRAFT.value:
        return redirect(url_for(".task_list", application_id=application.id))
    form = forms.DeclarationForm()
    if request.method == "GET" and not form.declaration_name.data:
        form.declaration_name.data = current_user.full_name
        form.declaration_position.data = current_user.job_title
    problems = applications.submission_problems(application)
    round_problem = None if application.round.is_open else f"The {application.round.title} round is closed"
    if form.validate_on_submit():
        try:
            applications.submit(application, actor=current_user, declaration_name=form.declaration_name.data,
                                 declaration_position=form.declaration_position.data, confirmed=form.confirm.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(form, exc.errors)
        except applications.Incomplete as exc:
            db.session.rollback()
            problems = exc.problems
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            return redirect(url_for(".submitted", application_id=application.id))
    return render_template("applicant/check_answers.html", application=application, form=form,
                           data=applications.snapshot(application), problems=_problem_links(application, problems),
                           round_problem=round_problem, error_title_prefix=bool(problems) or bool(round_problem),
                           **_summary_helpers(application, applications.editable_sections(application)))


@bp.route("/applications/<int:application_id>/submitted")
@access(Role.APPLICANT)
def submitted(application_id: int):
    application = own_application_or_404(application_id, current_user)
    if application.status == Status.DRAFT.value:
        return redirect(url_for(".task_list", application_id=application.id))
    return render_template("applicant/submitted.html", application=application)


@bp.route("/applications/<int:application_id>/resubmit", methods=["POST"])
@access(Role.APPLICANT)
def resubmit(application_id: int):
    """Send back the answers to staff's questions."""
    application = own_application_or_404(application_id, current_user)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            applications.resubmit(application, actor=current_user)
        except applications.Incomplete as exc:
            db.session.rollback()
            for _, message in exc.problems[:3]:
                flash(message, "info")
            return redirect(url_for(".task_list", application_id=application.id))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for(".task_list", application_id=application.id))
        db.session.commit()
        flash("Your answers have been sent. We will be in touch", "success")
    return redirect(url_for(".task_list", application_id=application.id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@access(Role.APPLICANT)
def withdraw(application_id: int):
    application = own_application_or_404(application_id, current_user)
    from ..services import workflow

    if not workflow.can(application, "withdraw", current_user):
        flash(workflow.refusal(application, "withdraw", current_user), "info")
        return redirect(url_for(".task_list", application_id=application.id))
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            applications.withdraw(application, actor=current_user, reason=form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Application {application.reference} has been withdrawn", "success")
            return redirect(url_for(".dashboard"))
    return render_template("applicant/withdraw.html", application=application, form=form)


from . import messages  # noqa: E402,F401  (the message thread with the grants team)
