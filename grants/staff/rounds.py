"""Round pages on the staff blueprint: setting up, changing, copying and closing a round; its checklist and rubric."""
from __future__ import annotations

import dataclasses

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Optional

from .. import clock
from ..access import access
from ..extensions import db
from ..forms import WholeNumberField, apply_service_errors, show_refusal
from ..models import Application, Area, EligibilityCheck, Fund, Objective, PlanPeriod, Role, Round
from ..services import reference as reference_service
from ..services import reporting_schedule
from ..services import rounds as round_service
from ..services import rubric as rubric_service
from ..services.errors import DomainError, ValidationFailed
from .forms import ORG_TYPE_CHOICES, CloseRoundForm, CopyRoundForm, RoundForm, round_form_class
from .routes import bp


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/rounds")
@access(Role.OFFICER, Role.ADMIN)
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
@access(Role.OFFICER, Role.ADMIN)
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
                           locked=rubric_service.rubric_locked(round_),
                           org_types=dict(ORG_TYPE_CHOICES),
                           interim_rule=reporting_schedule.interim_rule_text(round_))


# --- Setting up and changing a round -------------------------------------------------------------------


def _round_form_choices(form: RoundForm, round_: Round | None) -> None:
    """Funds open for new rounds; every objective not retired (the service checks the plan in force on the
    opening date), plus any the round already has; every area."""
    form.fund_id.choices = [(f.id, f"{f.name} ({f.code})") for f in db.session.scalars(
        select(Fund).where(Fund.open_for_new_rounds.is_(True)).order_by(Fund.name))]
    current = {o.id for o in round_.objectives} if round_ else set()
    objectives = db.session.scalars(
        select(Objective).join(PlanPeriod).order_by(PlanPeriod.starts_on.desc(), Objective.number))
    form.objective_ids.choices = [(o.id, f"{o.plan.name}: {o.number}. {o.name}") for o in objectives
                                  if not o.retired or o.id in current]
    form.area_ids.choices = [(a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.name))]


def _settings_from(form: RoundForm, base: round_service.RoundSettings, fields) -> round_service.RoundSettings:
    values = {name: form[name].data for name in fields if name != "fixed_returns"}
    if "fixed_returns" in fields:
        values["fixed_returns"] = form.fixed_return_rows()
    for name in ("guidance", "name", "financial_year"):
        if name in values:
            values[name] = values[name] or ""
    return dataclasses.replace(base, **values)


ROUND_FIELDS = [f.name for f in dataclasses.fields(round_service.RoundSettings)]
RETURN_ROW = "fixed_returns-"


def _form_data(settings: round_service.RoundSettings) -> dict:
    data = dataclasses.asdict(settings)
    for n, (title, due_on) in enumerate(settings.fixed_returns):
        data[f"{RETURN_ROW}{n}-title"], data[f"{RETURN_ROW}{n}-due_on"] = title, due_on
    return data


def _round_form(data: dict) -> tuple[RoundForm, bool]:
    """The round form with a row per fixed-date return, and whether the post only added or removed a row
    ("Add a fixed-date return" / "Remove" re-show the form with nothing saved, so they work without JavaScript)."""
    if request.method != "POST":
        return round_form_class(len(data.get("fixed_returns") or []))(data=data), False
    formdata = request.form.copy()
    rows = 1 + max([int(key.split("-")[1]) for key in formdata
                    if key.startswith(RETURN_ROW) and key.split("-")[1].isdigit()] + [-1])
    remove = request.form.get("remove_return", type=int)
    if remove is not None and 0 <= remove < rows:
        for n in range(remove, rows):  # each later row moves up one
            for key in [k for k in formdata if k.startswith(f"{RETURN_ROW}{n}-")]:
                formdata.pop(key)
            for key in [k for k in list(formdata) if k.startswith(f"{RETURN_ROW}{n + 1}-")]:
                formdata.setlist(f"{RETURN_ROW}{n}-" + key.split("-", 2)[2], formdata.poplist(key))
        rows -= 1
    add = request.form.get("action") == "add_return"
    # One more row than the service allows, so it can say so; never as many as a crafted post names.
    rows = min(rows + add, reporting_schedule.MAX_FIXED_RETURNS + 1)
    return round_form_class(rows)(formdata=formdata), add or remove is not None


@bp.route("/rounds/new", methods=["GET", "POST"])
@access(Role.OFFICER, Role.ADMIN)
def round_new():
    """Set up a new round in a fund open for new rounds."""
    today = clock.today()
    defaults = round_service.RoundSettings(
        objective_ids=[o.id for o in reference_service.objectives_for(today)],
        area_ids=list(db.session.scalars(select(Area.id))),
        allowed_org_types=[value for value, _ in ORG_TYPE_CHOICES])
    form, row_changed = _round_form({**_form_data(defaults), "fund_id": request.args.get("fund", type=int)})
    _round_form_choices(form, None)
    if not row_changed and form.validate_on_submit():
        fund = db.session.get(Fund, form.fund_id.data or 0)
        if fund is None:
            form.fund_id.errors = ["Choose the fund the round belongs to"]
        else:
            try:
                round_ = round_service.create_round(fund, _settings_from(form, defaults, ROUND_FIELDS),
                                                    actor=current_user)
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                db.session.commit()
                flash(f"The {round_.title} round has been set up. Add its eligibility checklist and check its "
                      "scoring rubric.", "success")
                return redirect(url_for("staff.round_detail", round_id=round_.id))
    return render_template("staff/round_form.html", form=form, round=None, fields=ROUND_FIELDS)


@bp.route("/rounds/<int:round_id>/settings", methods=["GET", "POST"])
@access(Role.OFFICER, Role.ADMIN)
def round_settings(round_id: int):
    """Change a round: anything until it opens; afterwards only its closing date (later), guidance and budget."""
    round_ = _round(round_id)
    current = round_service.settings_of(round_)
    form, row_changed = _round_form(_form_data(current))
    _round_form_choices(form, round_)
    changeable = round_service.changeable_settings(round_)
    fields = [f for f in ROUND_FIELDS if f in changeable]
    if not row_changed and form.validate_on_submit():
        try:
            round_service.edit_round(round_, _settings_from(form, current, fields), reason=form.reason.data,
                                     actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The round's settings have been saved.", "success")
            return redirect(url_for("staff.round_detail", round_id=round_.id))
    return render_template("staff/round_form.html", form=form, round=round_, fields=fields)


@bp.route("/rounds/<int:round_id>/copy", methods=["GET", "POST"])
@access(Role.OFFICER, Role.ADMIN)
def round_copy(round_id: int):
    """A new round like this one, a year on, with the same checklist, rubric and settings."""
    round_ = _round(round_id)
    form = CopyRoundForm(data={"name": round_service.suggested_copy_name(round_)})
    if form.validate_on_submit():
        try:
            copy = round_service.copy_round(round_, name=form.name.data or "", actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The {copy.title} round has been set up as a copy of {round_.name}. Check its dates and budget.",
                  "success")
            return redirect(url_for("staff.round_detail", round_id=copy.id))
    return render_template("staff/round_copy.html", form=form, round=round_)


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@access(Role.OFFICER, Role.ADMIN)
def round_close(round_id: int):
    """Close an open round before its closing date; organisations with drafts are emailed the reason."""
    round_ = _round(round_id)
    form = CloseRoundForm()
    if form.validate_on_submit():
        try:
            told = round_service.close_round_early(round_, reason=form.reason.data, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The {round_.title} round is closed. {told} organisation{'' if told == 1 else 's'} with a "
                  "draft application were emailed.", "success")
            return redirect(url_for("staff.round_detail", round_id=round_.id))
    return render_template("staff/round_close.html", form=form, round=round_)


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
