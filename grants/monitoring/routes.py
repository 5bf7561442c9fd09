"""Monitoring: applicants' reports and variations; staff review, overdue list, returns."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..access import access, application_or_404, own_application_or_404, own_report_or_404, report_or_404
from ..extensions import db
from ..forms import show_refusal
from ..money import format_pence
from ..templating import format_date
from ..models import Attachment, GrantReturn, Role, Variation
from ..services import monitoring as service
from ..services.errors import DomainError
from .forms import (
    DecideVariationForm,
    EvidenceForm,
    RaiseReturnForm,
    ReturnReceivedForm,
    ReturnReportForm,
    SignOffForm,
    SubmitReportForm,
    VariationForm,
    report_form_class,
    report_form_data,
)

bp = Blueprint("monitoring", __name__)

STAFF = (Role.OFFICER, Role.DECISION_MAKER, Role.FINANCE, Role.AUDITOR)


@bp.app_context_processor
def _monitoring_globals():
    return {"report_status_label": service.STATUS_LABELS,
            "variation_label": service.VARIATION_LABELS, "equality_groups": service.EQUALITY_GROUPS}


@bp.app_template_filter("iso_date")
def _iso_date(text: str | None) -> str:
    """'2027-08-31' (as kept in a variation's details) -> '31 August 2027'."""
    return format_date(date.fromisoformat(text)) if text else ""


# --- Applicant -------------------------------------------------------------------------


@bp.route("/my-reports")
@access(Role.APPLICANT)
def my_reports():
    organisation = current_user.organisation
    # An account not yet linked to an organisation simply has nothing to report.
    reports = service.open_reports_for(organisation.id) if organisation else []
    grants = service.grants_of(organisation.id) if organisation else []
    return render_template("monitoring/my_reports.html", reports=reports, today=clock.today(), grants=grants)


@bp.route("/grants/<int:application_id>")
@access(Role.APPLICANT)
def grant(application_id: int):
    application = own_application_or_404(application_id, current_user)
    if application.status not in ("funded", "completed"):
        abort(404)
    return render_template("monitoring/grant.html", application=application,
                           reports=service.reports_of(application), money=service.grant_money(application),
                           variations=service.variations_of(application),
                           returns=service.returns_of(application), today=clock.today())


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def report_form(report_id: int):
    report = own_report_or_404(report_id, current_user)
    application = report.application
    if report.status not in service.EDITABLE or application.status != "funded":
        return redirect(url_for("monitoring.report_view", report_id=report.id))
    form_class = report_form_class(application)
    form = form_class(data=report_form_data(report)) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        equality = {group: {key: form[f"eq_{group}_{key}"].data for key, _ in options}
                    for group, (_, options) in service.EQUALITY_GROUPS.items()}
        try:
            service.save_report(
                report, actor=current_user,
                actuals={o.id: form[f"actual_{o.id}"].data for o in application.planned_outputs},
                spend={b.id: form[f"spend_{b.id}"].data for b in application.budget_lines},
                beneficiaries_reached=form.beneficiaries_reached.data, equality=equality,
                went_well=form.went_well.data, did_not_go_well=form.did_not_go_well.data,
                case_study=form.case_study.data, applicant_response=form.applicant_response.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            if request.form.get("action") == "save":
                flash("Your report has been saved. You can come back to it at any time before the due date.")
                return redirect(url_for("monitoring.grant", application_id=application.id))
            return redirect(url_for("monitoring.evidence", report_id=report.id))
    return render_template("monitoring/report_form.html", form=form, report=report, application=application,
                           money=service.grant_money(application))


@bp.route("/reports/<int:report_id>/evidence", methods=["GET", "POST"])
@access(Role.APPLICANT)
def evidence(report_id: int):
    report = own_report_or_404(report_id, current_user)
    if report.status not in service.EDITABLE:
        return redirect(url_for("monitoring.report_view", report_id=report.id))
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            attachment = service.add_evidence(report, request.files.get("file"), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{attachment.original_filename} has been added to your report.")
            return redirect(url_for("monitoring.evidence", report_id=report.id))
    return render_template("monitoring/evidence.html", form=form, report=report,
                           files=service.evidence_of(report))


@bp.route("/reports/<int:report_id>/evidence/<int:attachment_id>/remove", methods=["POST"])
@access(Role.APPLICANT)
def remove_evidence(report_id: int, attachment_id: int):
    report = own_report_or_404(report_id, current_user)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.report_id != report.id:
        abort(404)
    try:
        service.remove_evidence(report, attachment, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message)
    else:
        db.session.commit()
        flash(f"{attachment.original_filename} has been removed.")
    return redirect(url_for("monitoring.evidence", report_id=report.id))


@bp.route("/reports/<int:report_id>/check", methods=["GET", "POST"])
@access(Role.APPLICANT)
def report_check(report_id: int):
    report = own_report_or_404(report_id, current_user)
    if report.status not in service.EDITABLE:
        return redirect(url_for("monitoring.report_view", report_id=report.id))
    form = SubmitReportForm()
    missing = service.missing_answers(report)
    if form.validate_on_submit():
        try:
            version = service.submit_report(report, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            return render_template("monitoring/report_sent.html", report=report, version=version)
    return render_template("monitoring/report_check.html", form=form, report=report, missing=missing,
                           data=service.snapshot(report), files=service.evidence_of(report),
                           error_title_prefix=bool(form.form_errors))


@bp.route("/reports/<int:report_id>/view")
@access(Role.APPLICANT)
def report_view(report_id: int):
    report = own_report_or_404(report_id, current_user)
    latest = report.versions[-1] if report.versions else None
    return render_template("monitoring/report_view.html", report=report, latest=latest,
                           data=latest.data if latest else service.snapshot(report))


@bp.route("/reports/<int:report_id>/files/<int:attachment_id>")
@access(Role.APPLICANT, *STAFF)
def evidence_file(report_id: int, attachment_id: int):
    from ..services.attachments import send_attachment

    report = report_or_404(report_id, current_user)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.report_id != report.id:
        abort(404)
    return send_attachment(attachment)


@bp.route("/grants/<int:application_id>/variations/new", methods=["GET", "POST"])
@access(Role.APPLICANT)
def request_variation(application_id: int):
    application = own_application_or_404(application_id, current_user)
    if application.status != "funded":
        abort(404)
    return _variation_page(application, on_behalf=False)


def _variation_page(application, *, on_behalf: bool):
    form = VariationForm()
    form.set_lines(application)
    if form.validate_on_submit():
        try:
            if on_behalf:
                service.vary_on_behalf(application, actor=current_user, kind=form.kind.data,
                                       reason=form.reason.data, **form.service_details())
            else:
                service.request_variation(application, actor=current_user, kind=form.kind.data,
                                          reason=form.reason.data, **form.service_details())
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            if on_behalf:
                flash("The change has been recorded and approved.")
                return redirect(url_for("monitoring.staff_grant", application_id=application.id))
            flash("Your request has been sent. A grants officer will reply by email.")
            return redirect(url_for("monitoring.grant", application_id=application.id))
    return render_template("monitoring/variation_form.html", form=form, application=application,
                           on_behalf=on_behalf)


# --- Staff -----------------------------------------------------------------------------


@bp.route("/overdue")
@access(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)
def overdue():
    today = clock.today()
    rows = [(report, service.days_late(report, today)) for report in service.overdue_reports()]
    return render_template("monitoring/overdue.html", rows=rows, today=today,
                           awaiting=service.reports_awaiting_review(),
                           outstanding=service.outstanding_returns())


@bp.route("/overdue/export.<any(csv, xlsx):fmt>")
@access(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR, read_only=True)
def overdue_export(fmt: str):
    """The overdue list as CSV or XLSX, most late first."""
    from ..downloads import send_download

    today = clock.today()
    rows = sorted(([r.application.reference, r.application.organisation.legal_name, r.application.title, r.label,
                    r.due_on.isoformat(), service.days_late(r, today), service.STATUS_LABELS[r.status]]
                   for r in service.overdue_reports()), key=lambda row: -row[5])
    return send_download("overdue-reports", fmt, ["Grant", "Organisation", "Project", "Report", "Due", "Days late",
                                                  "Status"], rows)


@bp.route("/reviews")
@access(Role.OFFICER, Role.AUDITOR)
def reviews():
    return render_template("monitoring/reviews.html", reports=service.reports_awaiting_review())


@bp.route("/staff/grants/<int:application_id>")
@access(*STAFF)
def staff_grant(application_id: int):
    application = application_or_404(application_id, current_user)
    return _staff_grant_page(application)


def _staff_grant_page(application, *, form=None, variation_id=None):
    variations = service.variations_of(application)
    decide_forms = {v.id: DecideVariationForm(prefix=f"v{v.id}", formdata=None)
                    for v in variations if v.status == "requested"}
    if form is not None:
        decide_forms[variation_id] = form
    extra = {"form": form} if form is not None else {}
    return render_template("monitoring/staff_grant.html", application=application,
                           reports=service.reports_of(application), money=service.grant_money(application),
                           variations=variations, returns=service.returns_of(application),
                           instalments=service.instalments_of(application), today=clock.today(),
                           decide_forms=decide_forms, is_officer=current_user.has_role(Role.OFFICER), **extra)


@bp.route("/staff/reports/<int:report_id>")
@access(*STAFF)
def review(report_id: int):
    report = report_or_404(report_id, current_user)
    return _review_page(report, ReturnReportForm(), SignOffForm())


def _review_page(report, return_form, sign_off_form, *, error: str | None = None):
    version_number = request.args.get("version", type=int)
    versions = report.versions
    shown = next((v for v in versions if v.number == version_number), versions[-1] if versions else None)
    return render_template("monitoring/review.html", report=report, application=report.application,
                           versions=versions, shown=shown, data=service.report_data_for(report, shown, current_user),
                           files=service.evidence_of(report), return_form=return_form,
                           sign_off_form=sign_off_form, money=service.grant_money(report.application),
                           form=return_form, error=error, error_title_prefix=bool(error),
                           can_review=current_user.has_role(Role.OFFICER))


@bp.route("/staff/reports/<int:report_id>/sign-off", methods=["POST"])
@access(Role.OFFICER)
def sign_off(report_id: int):
    report = report_or_404(report_id, current_user)
    form = SignOffForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = service.sign_off_report(report, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _review_page(report, ReturnReportForm(formdata=None), form, error=exc.message)
    db.session.commit()
    message = f"The {report.label.lower()} has been signed off."
    if result.released:
        message += " Finance has been told the next payment can be made."
    if result.grant_return is not None:
        message += f" A return of {format_pence(result.grant_return.amount_pence)} has been raised for the underspend."
    if result.completed:
        message += " The grant is now completed."
    flash(message)
    return redirect(url_for("monitoring.staff_grant", application_id=report.application_id))


@bp.route("/staff/reports/<int:report_id>/return", methods=["POST"])
@access(Role.OFFICER)
def return_report(report_id: int):
    report = report_or_404(report_id, current_user)
    form = ReturnReportForm()
    if form.validate_on_submit():
        try:
            service.return_report(report, actor=current_user, questions=form.questions.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The report has been returned to the applicant with your questions.")
            return redirect(url_for("monitoring.staff_grant", application_id=report.application_id))
    return _review_page(report, form, SignOffForm())


@bp.route("/staff/grants/<int:application_id>/variations/new", methods=["GET", "POST"])
@access(Role.OFFICER)
def staff_variation(application_id: int):
    application = application_or_404(application_id, current_user)
    if application.status != "funded":
        abort(404)
    return _variation_page(application, on_behalf=True)


@bp.route("/staff/variations/<int:variation_id>/decide", methods=["POST"])
@access(Role.OFFICER)
def decide_variation(variation_id: int):
    variation = db.session.get(Variation, variation_id)
    if variation is None:
        abort(404)
    application = application_or_404(variation.application_id, current_user)
    form = DecideVariationForm(prefix=f"v{variation.id}")
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                service.approve_variation(variation, actor=current_user, note=form.note.data)
            else:
                service.reject_variation(variation, actor=current_user, note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The change has been {variation.status}.")
            return redirect(url_for("monitoring.staff_grant", application_id=application.id))
    return _staff_grant_page(application, form=form, variation_id=variation.id)


@bp.route("/staff/grants/<int:application_id>/returns/new", methods=["GET", "POST"])
@access(Role.OFFICER)
def raise_return(application_id: int):
    application = application_or_404(application_id, current_user)
    form = RaiseReturnForm()
    if form.validate_on_submit():
        try:
            service.raise_return(application, actor=current_user, amount_pence=form.amount.data,
                                 reason=form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The return has been raised. Finance and the organisation have been told.")
            return redirect(url_for("monitoring.staff_grant", application_id=application.id))
    return render_template("monitoring/raise_return.html", form=form, application=application,
                           money=service.grant_money(application))


@bp.route("/returns")
@access(Role.FINANCE, Role.OFFICER, Role.AUDITOR)
def returns():
    return render_template("monitoring/returns.html", returns=service.outstanding_returns(),
                           can_record=current_user.has_role(Role.FINANCE))


@bp.route("/returns/<int:return_id>/received", methods=["GET", "POST"])
@access(Role.FINANCE)
def return_received(return_id: int):
    grant_return = db.session.get(GrantReturn, return_id)
    if grant_return is None:
        abort(404)
    form = ReturnReceivedForm()
    if request.method == "GET":
        form.received_on.process(None, clock.today())
    if form.validate_on_submit():
        try:
            service.record_return_received(grant_return, actor=current_user, received_on=form.received_on.data,
                                           reference=form.reference.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{format_pence(grant_return.amount_pence)} received from "
                  f"{grant_return.application.organisation.legal_name} has been recorded.")
            return redirect(url_for("monitoring.returns"))
    return render_template("monitoring/return_received.html", form=form, grant_return=grant_return)
