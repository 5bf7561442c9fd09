"""Standard output measures: the list admins keep so the same output adds up across grants."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Objective, OutputMeasure, User
from . import audit
from .errors import ValidationFailed


def all_measures() -> list[OutputMeasure]:
    """Every measure, in use first then retired, each by name."""
    return list(db.session.scalars(
        select(OutputMeasure).order_by(OutputMeasure.retired_at.is_not(None), OutputMeasure.name)))


def active_measures() -> list[OutputMeasure]:
    """Measures an applicant may choose for a new planned output (retired ones are not offered)."""
    return list(db.session.scalars(
        select(OutputMeasure).where(OutputMeasure.retired_at.is_(None)).order_by(OutputMeasure.name)))


def find_by_name(name: str) -> OutputMeasure | None:
    """The measure with this name, ignoring capital letters and spacing."""
    wanted = " ".join((name or "").split()).lower()
    return db.session.scalar(select(OutputMeasure).where(func.lower(OutputMeasure.name) == wanted))


def _clean(name: str | None, unit: str | None, objective_id: int | None, *, measure_id: int | None) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    unit = " ".join((unit or "").split())
    if not name:
        errors["name"] = "Enter the measure's name, like crime prevention devices fitted"
    elif len(name) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    else:
        same = find_by_name(name)
        if same is not None and same.id != measure_id:
            errors["name"] = f"There is already a measure called {same.name}; use that one or choose another name"
    if len(unit) > 100:
        errors["unit"] = "Unit must be 100 characters or fewer"
    if objective_id is not None and db.session.get(Objective, objective_id) is None:
        errors["objective_id"] = "Choose an objective from the list"
    if errors:
        raise ValidationFailed(errors)
    return {"name": name.lower(), "unit": unit, "objective_id": objective_id}


def _snapshot(measure: OutputMeasure) -> dict:
    return {"name": measure.name, "unit": measure.unit, "objective_id": measure.objective_id,
            "retired": measure.is_retired}


def create_measure(*, name: str, unit: str | None, objective_id: int | None, actor: User) -> OutputMeasure:
    """Add a standard measure. Names are unique ignoring case and spacing, kept in lower case."""
    measure = OutputMeasure(**_clean(name, unit, objective_id, measure_id=None))
    db.session.add(measure)
    db.session.flush()
    audit.record("measure.created", actor=actor, entity=measure, after=_snapshot(measure))
    return measure


def update_measure(measure: OutputMeasure, *, name: str, unit: str | None, objective_id: int | None,
                   actor: User) -> OutputMeasure:
    """Rename or re-describe a measure; outputs planned against it follow (they hold its id)."""
    before = _snapshot(measure)
    for key, value in _clean(name, unit, objective_id, measure_id=measure.id).items():
        setattr(measure, key, value)
    db.session.flush()
    audit.record("measure.updated", actor=actor, entity=measure, before=before, after=_snapshot(measure))
    return measure


def set_retired(measure: OutputMeasure, *, retired: bool, actor: User) -> OutputMeasure:
    """Retire (no longer offered to applicants) or bring back a measure; never delete one."""
    before = _snapshot(measure)
    measure.retired_at = clock.now() if retired else None
    db.session.flush()
    audit.record("measure.retired" if retired else "measure.reinstated", actor=actor, entity=measure,
                 before=before, after=_snapshot(measure))
    return measure


def map_outputs(application, *, choices: dict[int, int | None], actor: User) -> int:
    """An officer counts applicants' outputs under standard measures (or back to "other"); returns how many changed.

    `choices` maps each planned output's id to a measure id (None: other). The
    applicant's wording is kept; only which measure it adds up under changes.
    A retired measure may not be newly chosen. One audit event per output changed.
    """
    outputs = {o.id: o for o in application.planned_outputs}
    errors = {}
    for output_id, measure_id in choices.items():
        output = outputs.get(output_id)
        if output is None:
            errors[f"measure_{output_id}"] = "Choose measures for this application's outputs only"
            continue
        if measure_id is not None and measure_id != output.measure_id:
            measure = db.session.get(OutputMeasure, measure_id)
            if measure is None or measure.is_retired:
                errors[f"measure_{output_id}"] = f"Choose a measure from the list for {output.measure}"
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    for output_id, measure_id in choices.items():
        output = outputs[output_id]
        if output.measure_id == measure_id:
            continue
        before = {"measure_id": output.measure_id}
        output.measure_id = measure_id
        changed += 1
        audit.record("output.mapped", actor=actor, entity=output, application=application,
                     before=before, after={"measure_id": measure_id, "wording": output.measure})
    db.session.flush()
    return changed
