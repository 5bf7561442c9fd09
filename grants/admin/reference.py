"""Administrators keep the reference lists rounds draw on: plan periods and objectives, areas and wards."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import access
from ..extensions import db
from ..forms import show_refusal
from ..models import Area, Objective, PlanPeriod, Role
from ..services import reference as reference_service
from ..services.errors import DomainError
from .forms import AreaForm, ObjectiveForm, PlanForm, WardForm
from .routes import bp


def _get(model, id_: int):
    row = db.session.get(model, id_)
    if row is None:
        abort(404)
    return row


def _form_page(form, *, title: str, caption: str | None, fields: list[tuple], submit: str, back: str,
               intro: str | None = None):
    return render_template("admin/reference_form.html", form=form, title=title, caption=caption, fields=fields,
                           submit=submit, back=back, intro=intro)


@bp.route("/objectives")
@access(Role.ADMIN)
def objectives():
    plans = db.session.scalars(select(PlanPeriod).order_by(PlanPeriod.starts_on.desc())).all()
    return render_template("admin/objectives.html", plans=plans)


@bp.route("/objectives/plans/new", methods=["GET", "POST"])
@access(Role.ADMIN)
def plan_new():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = reference_service.create_plan(name=form.name.data, starts_on=form.starts_on.data,
                                                 ends_on=form.ends_on.data, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{plan.name} has been added. Now add its objectives.", "success")
            return redirect(url_for("admin.objectives"))
    return _form_page(form, title="Add a Police and Crime Plan", caption=None, submit="Add plan",
                      back=url_for("admin.objectives"),
                      intro="A round offers the objectives of the plan in force on its opening date. Plans cannot "
                            "overlap.",
                      fields=[("input", form.name, "Name", "Like Police and Crime Plan 2024–2029"),
                              ("date", form.starts_on, "Start date", "For example, 1 4 2024"),
                              ("date", form.ends_on, "End date", "For example, 31 3 2029")])


@bp.route("/objectives/plans/<int:plan_id>/new", methods=["GET", "POST"])
@bp.route("/objectives/<int:objective_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def objective(plan_id: int | None = None, objective_id: int | None = None):
    existing = _get(Objective, objective_id) if objective_id is not None else None
    plan = existing.plan if existing else _get(PlanPeriod, plan_id)
    form = ObjectiveForm(obj=existing)
    if form.validate_on_submit():
        try:
            if existing is None:
                reference_service.add_objective(plan, number=form.number.data, name=form.name.data,
                                                actor=current_user)
            else:
                reference_service.edit_objective(existing, number=form.number.data, name=form.name.data,
                                                 retired=form.retired.data, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The objective has been saved.", "success")
            return redirect(url_for("admin.objectives"))
    fields = [("number", form.number, "Number", "Its number in the plan"),
              ("input", form.name, "Objective", "As the plan words it")]
    if existing is not None:
        fields.append(("checkbox", form.retired, "Retired: new rounds no longer offer it",
                       "Applications and rounds that chose it keep it"))
    return _form_page(form, title="Change an objective" if existing else "Add an objective", caption=plan.name,
                      submit="Save objective", back=url_for("admin.objectives"), fields=fields)


@bp.route("/areas")
@access(Role.ADMIN)
def areas():
    return render_template("admin/areas.html",
                           areas=db.session.scalars(select(Area).order_by(Area.name)).all())


@bp.route("/areas/new", methods=["GET", "POST"])
@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def area(area_id: int | None = None):
    existing = _get(Area, area_id) if area_id is not None else None
    form = AreaForm(obj=existing)
    if form.validate_on_submit():
        try:
            if existing is None:
                reference_service.create_area(name=form.name.data, gss_code=form.gss_code.data, actor=current_user)
            else:
                reference_service.edit_area(existing, name=form.name.data, gss_code=form.gss_code.data,
                                            actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The area has been saved.", "success")
            return redirect(url_for("admin.areas"))
    return _form_page(form, title="Change an area" if existing else "Add an area", caption="Local authorities",
                      submit="Save area", back=url_for("admin.areas"),
                      fields=[("input", form.name, "Name", "The local authority, like Hartlepool"),
                              ("code", form.gss_code, "GSS code",
                               "The official code: a capital letter and 8 digits, like E06000001")])


@bp.route("/areas/<int:area_id>/wards/new", methods=["GET", "POST"])
@access(Role.ADMIN)
def ward_new(area_id: int):
    parent = _get(Area, area_id)
    form = WardForm()
    if form.validate_on_submit():
        try:
            reference_service.add_ward(parent, name=form.name.data, gss_code=form.gss_code.data, actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The ward has been added.", "success")
            return redirect(url_for("admin.areas"))
    return _form_page(form, title="Add a ward", caption=parent.name, submit="Add ward", back=url_for("admin.areas"),
                      fields=[("input", form.name, "Ward name", None),
                              ("code", form.gss_code, "GSS code (optional)",
                               "A capital letter and 8 digits, like E05008942")])
