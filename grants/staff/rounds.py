"""Round configuration pages (eligibility checklist, scoring rubric), on the staff blueprint."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Optional

from ..access import access
from ..extensions import db
from ..forms import WholeNumberField, apply_service_errors
from ..models import Application, EligibilityCheck, Role, Round
from ..services import rubric as rubric_service
from ..services.errors import DomainError, ValidationFailed
from .routes import bp


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/rounds")
@access(Role.OFFICER)
def rounds():
    all_rounds = list(db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id)))
    counts = dict(db.session.execute(
        select(Application.round_id, func.count(Application.id)).where(Application.status != "draft")
        .group_by(Application.round_id)
    ).all())
    return render_template("staff/rounds.html", rounds=all_rounds, counts=counts)


class AssessorNumbersForm(FlaskForm):
    above_limit = WholeNumberField("Above the delegated limit")
    within_limit = WholeNumberField("Up to the delegated limit")


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_detail(round_id: int):
    """A round's configuration, and its applications at each assessment stage."""
    round_ = _round(round_id)
    form = AssessorNumbersForm(data={"above_limit": round_.min_assessors_above_limit,
                                     "within_limit": round_.min_assessors_within_limit})
    if form.validate_on_submit():
        try:
            rubric_service.save_assessor_numbers(round_, above_limit=form.above_limit.data,
                                                 within_limit=form.within_limit.data, actor=current_user)
        except DomainError as exc:
            apply_service_errors(form, exc.errors if isinstance(exc, ValidationFailed) else {"": exc.message})
        else:
            db.session.commit()
            flash("The number of assessors has been saved.", "success")
            return redirect(url_for("staff.round_detail", round_id=round_.id))
    stages = ["submitted", "more_info_requested", "in_assessment", "assessed", "deferred"]
    applications = list(db.session.scalars(
        select(Application).where(Application.round_id == round_.id, Application.status.in_(stages))
        .order_by(Application.reference)
    ))
    by_stage = {s: [a for a in applications if a.status == s] for s in stages}
    from ..services import assessment as assessment_service

    # Applications an officer must act on: too few assessors (e.g. after a declared conflict).
    short = {a.id: assessment_service.required_assessors(a) - len(assessment_service.active_assignments(a))
             for a in by_stage["in_assessment"]}
    return render_template("staff/rounds_round.html", round=round_, form=form, by_stage=by_stage, short=short,
                           locked=rubric_service.rubric_locked(round_))


# --- Checklist ------------------------------------------------------------------------------------


class CheckForm(FlaskForm):
    text = TextAreaField("Eligibility check", validators=[Optional()])
    guidance = TextAreaField("Guidance for the officer (optional)", validators=[Optional()])


@bp.route("/rounds/<int:round_id>/checklist", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_checklist(round_id: int):
    """The checklist, with moving and removing; adding goes to its own page."""
    round_ = _round(round_id)
    if request.method == "POST":
        check = db.session.get(EligibilityCheck, request.form.get("check", type=int) or 0)
        if check is None or check.round_id != round_.id:
            abort(404)
        action = request.form.get("action")
        if action in ("up", "down"):
            rubric_service.move_check(check, direction=action, actor=current_user)
            message = "The check has been moved."
        elif action == "remove":
            rubric_service.remove_check(check, actor=current_user)
            message = f"‘{check.text}’ has been removed from the checklist."
        else:
            abort(400)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("staff.round_checklist", round_id=round_.id))
    return render_template("staff/rounds_checklist.html", round=round_)


@bp.route("/rounds/<int:round_id>/checklist/new", methods=["GET", "POST"])
@bp.route("/rounds/<int:round_id>/checklist/<int:check_id>", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_check(round_id: int, check_id: int | None = None):
    round_ = _round(round_id)
    check = None
    if check_id is not None:
        check = db.session.get(EligibilityCheck, check_id)
        if check is None or check.round_id != round_.id:
            abort(404)
    form = CheckForm(obj=check)
    if form.validate_on_submit():
        try:
            if check is None:
                rubric_service.add_check(round_, text=form.text.data, guidance=form.guidance.data or "",
                                         actor=current_user)
            else:
                rubric_service.edit_check(check, text=form.text.data, guidance=form.guidance.data or "",
                                          actor=current_user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            flash("The checklist has been saved.", "success")
            return redirect(url_for("staff.round_checklist", round_id=round_.id))
    return render_template("staff/rounds_check.html", round=round_, check=check, form=form)


# --- Rubric ------------------------------------------------------------------------------------------


class CriterionForm(Form):
    name = StringField("Name")
    guidance = TextAreaField("Guidance for assessors (optional)")
    weight_percent = StringField("Weight")
    descriptor_0 = StringField("0")
    descriptor_1 = StringField("1")
    descriptor_2 = StringField("2")
    descriptor_3 = StringField("3")
    descriptor_4 = StringField("4")
    descriptor_5 = StringField("5")
    allow_not_applicable = BooleanField("Assessors may mark this criterion ‘not applicable’")
    remove = BooleanField("Remove this criterion")


class RubricForm(FlaskForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=0)
    pass_mark_percent = StringField("Pass mark")


def _whole(text: str | None) -> int | None:
    text = (text or "").strip().rstrip("%").strip()
    return int(text) if text.isdigit() else None


@bp.route("/rounds/<int:round_id>/rubric", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_rubric(round_id: int):
    """Edit the whole rubric at once, because its weights must add up to 100 together."""
    round_ = _round(round_id)
    locked = rubric_service.rubric_locked(round_)
    if request.method == "POST":
        form = RubricForm()
    else:
        form = RubricForm(data={
            "pass_mark_percent": str(round_.pass_mark_percent),
            "criteria": [
                {"name": c.name, "guidance": c.guidance, "weight_percent": str(c.weight_percent),
                 "allow_not_applicable": c.allow_not_applicable,
                 **{f"descriptor_{i}": (c.descriptors[i] if i < len(c.descriptors) else "") for i in range(6)}}
                for c in round_.criteria
            ],
        })
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "add":
            form.criteria.append_entry()
        else:
            kept = [entry.form for entry in form.criteria if not entry.form.remove.data]
            inputs = [
                rubric_service.CriterionInput(
                    name=f.name.data or "", weight_percent=_whole(f.weight_percent.data),
                    descriptors=[f[f"descriptor_{i}"].data or "" for i in range(6)],
                    guidance=f.guidance.data or "", allow_not_applicable=bool(f.allow_not_applicable.data))
                for f in kept
            ]
            try:
                rubric_service.save_rubric(round_, criteria=inputs,
                                           pass_mark_percent=_whole(form.pass_mark_percent.data),
                                           actor=current_user)
            except ValidationFailed as exc:
                errors = _rubric_errors(form, kept, exc.errors)
            except DomainError as exc:
                errors = [("", exc.message)]
            else:
                db.session.commit()
                flash("The scoring rubric has been saved.", "success")
                return redirect(url_for("staff.round_detail", round_id=round_.id))
    total = sum(_whole(e.form.weight_percent.data) or 0 for e in form.criteria if not e.form.remove.data)
    return render_template("staff/rounds_rubric.html", round=round_, rubric_form=form, errors=errors,
                           locked=locked, total=total, error_title_prefix=bool(errors))


def _rubric_errors(form, kept, service_errors: dict[str, str]) -> list[tuple[str, str]]:
    """Put each service error beside its field (service keys are criteria-N-field over the kept rows)."""
    summary = []
    for key, message in service_errors.items():
        parts = key.split("-")
        if parts[0] == "criteria" and len(parts) == 3:
            field = kept[int(parts[1])][parts[2]]
            field.errors = list(field.errors) + [message]
            summary.append((field.id, message))
        elif key == "pass_mark_percent":
            form.pass_mark_percent.errors = [message]
            summary.append((form.pass_mark_percent.id, message))
        else:
            summary.append(("weights-total", message))
    return summary
