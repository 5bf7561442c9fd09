"""Administrators keep the standard output measures and bring in historic grants."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import access
from ..extensions import db
from ..forms import show_refusal
from ..models import Objective, OutputMeasure, Role
from ..services import grant_import
from ..services import measures as measure_service
from ..services.errors import ValidationFailed
from .forms import ImportForm, MeasureForm
from .routes import bp


def _objective_choices() -> list[tuple[str, str]]:
    return [("", "None")] + [(str(o.id), f"{o.number}. {o.name}")
                             for o in db.session.scalars(select(Objective).order_by(Objective.number))]


def _measure_or_404(measure_id: int) -> OutputMeasure:
    measure = db.session.get(OutputMeasure, measure_id)
    if measure is None:
        abort(404)
    return measure


@bp.route("/measures")
@access(Role.ADMIN)
def measures():
    return render_template("admin/measures.html", measures=measure_service.all_measures())


@bp.route("/measures/new", methods=["GET", "POST"])
@access(Role.ADMIN)
def new_measure():
    return _measure_form(None)


@bp.route("/measures/<int:measure_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def edit_measure(measure_id: int):
    return _measure_form(_measure_or_404(measure_id))


def _measure_form(measure: OutputMeasure | None):
    form = MeasureForm(obj=measure) if request.method == "GET" else MeasureForm()
    form.objective_id.choices = _objective_choices()
    if request.method == "GET" and measure is not None:
        form.objective_id.data = str(measure.objective_id or "")
    if form.validate_on_submit():
        values = {"name": form.name.data, "unit": form.unit.data,
                  "objective_id": int(form.objective_id.data) if (form.objective_id.data or "").isdigit() else None}
        try:
            if measure is None:
                saved = measure_service.create_measure(actor=current_user, **values)
            else:
                saved = measure_service.update_measure(measure, actor=current_user, **values)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Saved the measure ‘{saved.name}’", "success")
            return redirect(url_for("admin.measures"))
    return render_template("admin/measure_form.html", form=form, measure=measure)


@bp.route("/measures/<int:measure_id>/retire", methods=["POST"])
@access(Role.ADMIN)
def retire_measure(measure_id: int):
    """Retire or bring back (form field retired=yes|no); never delete."""
    measure = _measure_or_404(measure_id)
    retired = request.form.get("retired") == "yes"
    measure_service.set_retired(measure, retired=retired, actor=current_user)
    db.session.commit()
    flash(f"‘{measure.name}’ is {'retired: applicants no longer see it' if retired else 'offered to applicants again'}",
          "success")
    return redirect(url_for("admin.measures"))


@bp.route("/import-grants", methods=["GET", "POST"])
@access(Role.ADMIN)
def import_grants():
    """Upload a CSV of past grants: check it (a preview, nothing written), then import it."""
    form = ImportForm()
    plan = content = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        if request.form.get("action") == "import":
            content = request.form.get("content", "")
            name = request.form.get("source_name", "")[:255]
        elif upload is None or not upload.filename:
            form.file.errors = ["Choose a CSV file of past grants"]
        else:
            content = upload.read().decode("utf-8-sig", errors="replace")
            name = upload.filename[:255]
        if content is not None:
            try:
                plan = grant_import.import_file(content, actor=current_user, source_name=name,
                                                dry_run=request.form.get("action") != "import")
            except grant_import.ImportRefused as refused:
                db.session.rollback()
                plan = refused.plan
                form.file.errors = [f"The file has {len(plan.problems)} problem(s) listed below; nothing was "
                                    "imported. Correct the file and check it again"]
            else:
                if request.form.get("action") == "import":
                    db.session.commit()
                    flash(f"Imported {plan.written} grant(s); {len(plan.already_imported)} were imported before "
                          "and skipped", "success")
                    return redirect(url_for("admin.import_grants"))
                db.session.rollback()
    return render_template("admin/import_grants.html", form=form, plan=plan, content=content,
                           columns=grant_import.COLUMNS, required=grant_import.REQUIRED,
                           sample=grant_import.SAMPLE_CSV)
