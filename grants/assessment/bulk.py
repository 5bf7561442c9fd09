"""Officers' bulk work: assessors for several applications at once, and "all checks pass" in one step."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..access import access
from ..extensions import db
from ..models import Application, Role
from ..services import assessment as assessment_service
from ..services import screening as screening_service
from ..services.errors import DomainError
from ..services.workflow import Status
from .routes import _application, bp


@bp.route("/bulk-assign", methods=["GET", "POST"])
@access(Role.OFFICER)
def bulk_assign():
    """Tick applications in assessment and assessors; each pair is assigned or refused under assign()'s rules."""
    form = FlaskForm()
    waiting = list(db.session.scalars(select(Application).where(Application.status == Status.IN_ASSESSMENT.value)
                                      .order_by(Application.reference)))
    people = assessment_service.assessors()
    errors: dict[str, str] = {}
    outcomes = None
    if form.validate_on_submit():
        chosen_ids = {int(v) for v in request.form.getlist("applications") if v.isdigit()}
        assessor_ids = {int(v) for v in request.form.getlist("assessors") if v.isdigit()}
        chosen = [a for a in waiting if a.id in chosen_ids]
        picked = [u for u in people if u.id in assessor_ids]
        if not chosen:
            errors["applications"] = "Select at least one application"
        if not picked:
            errors["assessors"] = "Select at least one assessor"
        if not errors:
            outcomes = assessment_service.assign_many(chosen, assessors=picked, actor=current_user)
            db.session.commit()
            made = sum(len(o.assigned) for o in outcomes)
            flash(f"{made} assignment{'' if made == 1 else 's'} made", "success")
    return render_template("assessment/bulk_assign.html", form=form, waiting=waiting, people=people,
                           errors=errors, outcomes=outcomes), 400 if errors else 200


@bp.route("/applications/<int:application_id>/screening/all-pass", methods=["POST"])
@access(Role.OFFICER)
def screen_all_pass(application_id: int):
    """Every check passes, recorded one by one through the screening service, in one step."""
    application = _application(application_id)
    form = FlaskForm()
    if form.validate_on_submit():
        answers = [screening_service.CheckAnswer(check_id=c.id, passed=True)
                   for c in application.round.eligibility_checks]
        try:
            screening_service.screen(application, answers=answers, actor=current_user,
                                     note=request.form.get("overall_note", ""))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("assessment.screen", application_id=application.id))
        db.session.commit()
        flash(f"{application.reference} passed every check. Now assign its assessors.", "success")
        return redirect(url_for("assessment.assessors", application_id=application.id))
    return redirect(url_for("assessment.screen", application_id=application.id))
