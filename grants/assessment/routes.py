"""Assessment journeys: screening, more information, assessors, declarations, scoring, moderation, panel."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import access as access_rules
from ..access import access
from ..exports import tabular
from ..extensions import db
from ..forms import show_refusal
from ..models import Application, Area, Attachment, Objective, Role, Round, User
from ..services import assessment as assessment_service
from ..services import audit, minimal_assistance, round_questions, screening as screening_service, workflow
from ..services.errors import DomainError, ValidationFailed
from .forms import AssignForm, DeclarationForm, ModerationForm, MoreInfoForm, score_form, screening_form

bp = Blueprint("assessment", __name__)

STAFF_READERS = (Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)


def _application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


def application_link(application: Application) -> str | None:
    """Where a panel row leads: the decision page once it exists, else the staff application page."""
    return url_for("decisions.decide", application_id=application.id)


# --- Officer: one application's assessment record ------------------------------------------


@bp.route("/applications/<int:application_id>")
@access(*STAFF_READERS)
def application(application_id: int):
    """Screening, more information, assessors, scores and moderation for one application."""
    application = _application(application_id)
    return render_template(
        "assessment/application.html", application=application,
        screenings=screening_service.screenings(application),
        requests=screening_service.more_info_requests(application),
        versions=screening_service.versions(application),
        assignments=assessment_service.assignments_for(application),
        required=assessment_service.required_assessors(application),
        summary=assessment_service.score_summary(application),
        moderations=assessment_service.moderations(application),
        conflicts=assessment_service.conflicts_for(application),
        section_label=lambda slug: screening_service.section_label(slug, application),
        can=lambda name: workflow.can(application, name, current_user),
    )


@bp.route("/applications/<int:application_id>/screening", methods=["GET", "POST"])
@access(Role.OFFICER)
def screen(application_id: int):
    application = _application(application_id)
    checks = list(application.round.eligibility_checks)
    form = screening_form(checks)
    refusal = workflow.refusal(application, "pass_screening", current_user)
    if form.validate_on_submit() and not refusal:
        answers = [
            screening_service.CheckAnswer(
                check_id=c.id,
                passed={"pass": True, "fail": False}.get(form[f"result_{c.id}"].data),
                note=form[f"note_{c.id}"].data or "",
            )
            for c in checks
        ]
        try:
            result = screening_service.screen(application, answers=answers, actor=current_user,
                                              note=form.overall_note.data or "")
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            if result.outcome == "passed":
                flash(f"{application.reference} passed screening. Now assign its assessors.", "success")
                return redirect(url_for("assessment.assessors", application_id=application.id))
            flash(f"{application.reference} is ineligible. The applicant has been told why.", "success")
            return redirect(url_for("assessment.application", application_id=application.id))
    from ..services import monitoring

    return render_template("assessment/screen.html", application=application, form=form, checks=checks,
                           refusal=refusal, overdue=monitoring.overdue_reports_for(application.organisation_id),
                           assistance_over=minimal_assistance.over_threshold(application),
                           assistance_declared=minimal_assistance.declared_total(application),
                           assistance_threshold=minimal_assistance.THRESHOLD_PENCE)


@bp.route("/applications/<int:application_id>/more-information", methods=["GET", "POST"])
@access(Role.OFFICER)
def more_info(application_id: int):
    application = _application(application_id)
    form = MoreInfoForm()
    form.sections.choices = screening_service.section_choices(application)
    refusal = workflow.refusal(application, "request_more_info", current_user)
    if form.validate_on_submit() and not refusal:
        try:
            screening_service.request_more_info(application, question=form.question.data or "",
                                                sections=form.sections.data or [], actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Your question has been sent to {application.organisation.legal_name}.", "success")
            return redirect(url_for("assessment.application", application_id=application.id))
    return render_template("assessment/more_info.html", application=application, form=form, refusal=refusal)


@bp.route("/applications/<int:application_id>/changes")
@access(*STAFF_READERS)
def changes(application_id: int):
    """What the applicant changed between two submitted versions (by default the last two)."""
    application = _application(application_id)
    versions = screening_service.versions(application)
    by_number = {v.number: v for v in versions}
    new_number = request.args.get("to", type=int) or (versions[-1].number if versions else None)
    new = by_number.get(new_number)
    old_number = request.args.get("from", type=int) or (new_number - 1 if new_number else None)
    old = by_number.get(old_number)
    if new is None or old is None:
        if request.args:
            abort(404)
        old = new = None
    diff = screening_service.diff(old.data, new.data) if old and new else []
    return render_template("assessment/changes.html", application=application, versions=versions, old=old,
                           new=new, diff=diff,
                           section_label=lambda slug: screening_service.section_label(slug, application))


@bp.route("/applications/<int:application_id>/assessors", methods=["GET", "POST"])
@access(Role.OFFICER)
def assessors(application_id: int):
    application = _application(application_id)
    form = AssignForm()
    candidates = assessment_service.eligible_assessors(application)
    form.assessor.choices = [("", "Choose an assessor")] + [
        (str(u.id), f"{u.full_name}{' – ' + u.job_title if u.job_title else ''}") for u in candidates]
    if form.validate_on_submit():
        assessor = db.session.get(User, int(form.assessor.data)) if form.assessor.data.isdigit() else None
        try:
            if assessor is None:
                raise ValidationFailed({"assessor": "Choose an assessor"})
            assessment_service.assign(application, assessor=assessor, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{assessor.full_name} has been asked to assess {application.reference}.", "success")
            return redirect(url_for("assessment.assessors", application_id=application.id))
    assignments = assessment_service.assignments_for(application)
    return render_template("assessment/assessors.html", application=application, form=form,
                           assignments=assignments, candidates=candidates,
                           required=assessment_service.required_assessors(application),
                           active=len(assessment_service.active_assignments(application)))


@bp.route("/applications/<int:application_id>/moderation", methods=["GET", "POST"])
@access(Role.OFFICER)
def moderate(application_id: int):
    application = _application(application_id)
    form = ModerationForm()
    if form.validate_on_submit():
        try:
            score = assessment_service.parse_percent(form.moderated_score.data)
            assessment_service.moderate(application, note=form.note.data or "", moderated_score=score,
                                        actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Moderation of {application.reference} recorded.", "success")
            return redirect(url_for("assessment.application", application_id=application.id))
    return render_template("assessment/moderate.html", application=application, form=form,
                           summary=assessment_service.score_summary(application),
                           moderations=assessment_service.moderations(application))


# --- Assessor: queue, declaration, scoring -----------------------------------------------------------


def _assignment_or_404(application_id: int):
    """The signed-in assessor's own assignment; anyone else's, or none, is 'not found'."""
    application = _application(application_id)
    assignment = access_rules.assignment_for(current_user, application)
    if assignment is None or assignment.status == "conflicted" \
            or access_rules.has_declared_conflict(current_user, application):
        abort(404)
    return application, assignment


@bp.route("/")
@access(Role.ASSESSOR)
def queue():
    assignments = assessment_service.queue_for(current_user)
    return render_template("assessment/queue.html", assignments=assignments)


@bp.route("/applications/<int:application_id>/declaration", methods=["GET", "POST"])
@access(Role.ASSESSOR)
def declare(application_id: int):
    application, assignment = _assignment_or_404(application_id)
    if assignment.status != "awaiting_declaration":
        return redirect(url_for("assessment.score", application_id=application.id))
    form = DeclarationForm()
    if form.validate_on_submit():
        choice = {"yes": True, "no": False}.get(form.has_conflict.data)
        try:
            assessment_service.declare(assignment, has_conflict=choice, nature=form.nature.data,
                                       actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            if choice:
                flash(f"You declared a conflict of interest and have been removed from {application.reference}. "
                      "A grants officer will ask someone else to assess it.", "success")
                return redirect(url_for("assessment.queue"))
            return redirect(url_for("assessment.score", application_id=application.id))
    return render_template("assessment/declare.html", application=application, form=form)


@bp.route("/applications/<int:application_id>/score", methods=["GET", "POST"])
@access(Role.ASSESSOR)
def score(application_id: int):
    application, assignment = _assignment_or_404(application_id)
    if not access_rules.assessor_may_read(current_user, application):
        return redirect(url_for("assessment.declare", application_id=application.id))
    criteria = list(application.round.criteria)
    saved = {}
    for s in assignment.scores:
        saved[f"score_{s.criterion_id}"] = "na" if s.not_applicable else (None if s.value is None else str(s.value))
        saved[f"comment_{s.criterion_id}"] = s.comment or ""
    form = score_form(criteria, data=saved)
    if assignment.status == "in_progress" and form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        entries = {c.id: (form[f"score_{c.id}"].data, form[f"comment_{c.id}"].data) for c in criteria}
        try:
            assessment_service.save_scores(assignment, entries=entries, submit=submit, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            if submit:
                flash(f"Your assessment of {application.reference} has been submitted.", "success")
            else:
                flash("Your draft scores have been saved. You can come back and finish them later.", "success")
            return redirect(url_for("assessment.score", application_id=application.id))
    # Other assessors' scores only once this assessor has submitted their own.
    others = None
    if assignment.status == "submitted":
        summary = assessment_service.score_summary(application)
        others = [a for a in summary["assessors"] if a["name"] != current_user.full_name]
    return render_template("assessment/score.html", application=application, assignment=assignment, form=form,
                           criteria=criteria, others=others)


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>")
@access(Role.ASSESSOR)
def attachment(application_id: int, attachment_id: int):
    """A supporting document, for an assigned assessor who declared no conflict."""
    application, _ = _assignment_or_404(application_id)
    if not access_rules.assessor_may_read(current_user, application):
        abort(404)
    file = db.session.get(Attachment, attachment_id)
    if file is None or file.application_id != application.id or file.report_id is not None or file.removed_at:
        abort(404)
    from ..services.attachments import send_attachment

    return send_attachment(file)


# --- Conflicts register, panel ------------------------------------------------------------------------


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/rounds/<int:round_id>/conflicts")
@access(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)
def conflicts(round_id: int):
    """The round's register of interests: every declaration ever made, with or without a conflict."""
    round_ = _round(round_id)
    declarations = assessment_service.conflicts_register(round_.id)
    only_conflicts = request.args.get("show") == "conflicts"
    if only_conflicts:
        declarations = [d for d in declarations if d.has_conflict]
    return render_template("assessment/conflicts.html", round=round_, declarations=declarations,
                           only_conflicts=only_conflicts)


@bp.route("/panels")
@access(Role.OFFICER, Role.DECISION_MAKER)
def panels():
    rounds = list(db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id)))
    return render_template("assessment/panels.html", rounds=rounds)


def _panel_filters():
    objective_id = request.args.get("objective", type=int)
    area_id = request.args.get("area", type=int)
    return objective_id, area_id


@bp.route("/panels/<int:round_id>")
@access(Role.OFFICER, Role.DECISION_MAKER)
def panel(round_id: int):
    round_ = _round(round_id)
    objective_id, area_id = _panel_filters()
    data = assessment_service.panel(round_, objective_id=objective_id, area_id=area_id)
    objectives = list(db.session.scalars(select(Objective).order_by(Objective.number)))
    areas = list(db.session.scalars(select(Area).order_by(Area.name)))
    return render_template("assessment/panel.html", round=round_, panel=data, objectives=objectives, areas=areas,
                           objective_id=objective_id, area_id=area_id, link_for=application_link,
                           filters={k: v for k, v in (("objective", objective_id), ("area", area_id)) if v})


@bp.route("/panels/<int:round_id>/panel.csv")
@access(Role.OFFICER, Role.DECISION_MAKER)
def panel_csv(round_id: int):
    round_ = _round(round_id)
    objective_id, area_id = _panel_filters()
    data = assessment_service.panel(round_, objective_id=objective_id, area_id=area_id)
    header = ["Rank", "Reference", "Organisation", "Project", "Objectives", "Areas", "Score %",
              "Calculated score %", "Moderation", "Below pass mark", "Amount requested £", "Running total £",
              "Within remaining budget", *round_questions.export_headers(round_)]
    rows = [
        [i, r.application.reference, r.application.organisation.legal_name, r.application.title,
         "; ".join(f"{o.number}. {o.name}" for o in r.application.objectives),
         "; ".join(a.name for a in r.application.areas), r.score, r.application.score_percent, r.moderation,
         r.below_pass_mark, _pounds(r.application.amount_requested_pence), _pounds(r.running_total),
         r.within_budget, *round_questions.export_values(r.application)]
        for i, r in enumerate(data.rows, start=1)
    ]
    audit.record("panel.exported", actor=current_user, entity=round_, fund_id=round_.fund_id,
                 after={"format": "csv", "rows": len(rows), "objective": objective_id, "area": area_id})
    db.session.commit()
    filename = f"panel-{round_.fund.code}-{round_.name}.csv".replace(" ", "-")
    return Response(tabular.csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/panels/<int:round_id>/panel-pack.pdf")
@access(Role.OFFICER, Role.DECISION_MAKER)
def panel_pdf(round_id: int):
    from ..documents.panel_pack import panel_pack_pdf

    round_ = _round(round_id)
    objective_id, area_id = _panel_filters()
    data = assessment_service.panel(round_, objective_id=objective_id, area_id=area_id)
    pdf = panel_pack_pdf(data)
    audit.record("panel.exported", actor=current_user, entity=round_, fund_id=round_.fund_id,
                 after={"format": "pdf", "rows": len(data.rows), "objective": objective_id, "area": area_id})
    db.session.commit()
    filename = f"panel-pack-{round_.fund.code}-{round_.name}.pdf".replace(" ", "-")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _pounds(pence: int):
    from ..money import pence_to_decimal_pounds

    return pence_to_decimal_pounds(pence)


@bp.context_processor
def _helpers():
    return {"Role": Role}


from . import bulk  # noqa: E402,F401  (bulk assignment and all-checks-pass screening)
