"""Police and Crime Plan periods and their objectives, local authority areas and their wards (administrators).

Rules: a plan has a unique name and ends after it starts, and plans never
overlap, so each date has at most one plan in force; an objective's number is
unique within its plan; objectives are never deleted, only retired, and one an
application has chosen keeps its wording (retire it and add a new one instead);
areas and wards carry official GSS codes (a letter and 8 digits).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import exists, select

from ..extensions import db
from ..models import Area, Objective, PlanPeriod, User, Ward, application_objectives
from . import audit
from .errors import ValidationFailed

GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")


def plan_in_force(day: date) -> PlanPeriod | None:
    """The plan whose period includes `day` (plans never overlap)."""
    return db.session.scalar(select(PlanPeriod).where(PlanPeriod.starts_on <= day, PlanPeriod.ends_on >= day))


def objectives_for(day: date) -> list[Objective]:
    """The objectives a round opening on `day` may serve: its plan's, less retired ones."""
    plan = plan_in_force(day)
    return [o for o in plan.objectives if not o.retired] if plan else []


def _text(value: str | None) -> str:
    return (value or "").strip()


def create_plan(*, name: str, starts_on: date | None, ends_on: date | None, actor: User) -> PlanPeriod:
    """Add a Police and Crime Plan period; refused if its dates overlap another plan's."""
    name = _text(name)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the plan's name, like Police and Crime Plan 2024–2029"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    elif db.session.scalar(select(PlanPeriod.id).where(PlanPeriod.name == name)) is not None:
        errors["name"] = f"There is already a plan called ‘{name}’. Give this one a different name"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the plan starts"
    if ends_on is None:
        errors["ends_on"] = "Enter the date the plan ends"
    if starts_on and ends_on:
        if ends_on <= starts_on:
            errors["ends_on"] = "The end date must be after the start date"
        else:
            other = db.session.scalar(select(PlanPeriod).where(PlanPeriod.starts_on <= ends_on,
                                                               PlanPeriod.ends_on >= starts_on))
            if other is not None:
                errors["starts_on"] = (
                    f"These dates overlap {other.name} ({other.starts_on:%d %B %Y} to {other.ends_on:%d %B %Y}). "
                    "Choose dates outside it, so each date has one plan")
    if errors:
        raise ValidationFailed(errors)
    plan = PlanPeriod(name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.created", actor=actor, entity=plan,
                 after={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    return plan


def _objective_errors(plan: PlanPeriod, number: int | None, name: str, objective: Objective | None) -> dict:
    errors: dict[str, str] = {}
    if number is None or not 1 <= number <= 99:
        errors["number"] = "Enter the objective's number in the plan, from 1 to 99"
    elif any(o.number == number and o is not objective for o in plan.objectives):
        errors["number"] = f"{plan.name} already has an objective {number}. Choose another number"
    if not name:
        errors["name"] = "Enter the objective, as the plan words it"
    elif len(name) > 200:
        errors["name"] = "The objective must be 200 characters or fewer"
    return errors


def add_objective(plan: PlanPeriod, *, number: int | None, name: str, actor: User) -> Objective:
    """Add an objective to a plan; its number is unique within the plan."""
    name = _text(name)
    errors = _objective_errors(plan, number, name, None)
    if errors:
        raise ValidationFailed(errors)
    objective = Objective(plan=plan, number=number, name=name)
    db.session.add(objective)
    db.session.flush()
    audit.record("objective.added", actor=actor, entity=objective,
                 after={"plan": plan.name, "number": number, "name": name})
    return objective


def objective_in_use(objective: Objective) -> bool:
    return bool(db.session.scalar(select(exists().where(application_objectives.c.objective_id == objective.id))))


def edit_objective(objective: Objective, *, number: int | None, name: str, retired: bool, actor: User) -> None:
    """Change an objective's number or wording, or retire (or reinstate) it.

    Once an application has chosen it, its number and wording stay as they
    were assessed: retire it and add a new one instead.
    """
    name = _text(name)
    errors = _objective_errors(objective.plan, number, name, objective)
    if not errors and (number != objective.number or name != objective.name) and objective_in_use(objective):
        errors["name"] = ("Applications have chosen this objective, so its number and wording cannot change. "
                          "Retire it and add a new objective instead")
    if errors:
        raise ValidationFailed(errors)
    before = {"number": objective.number, "name": objective.name, "retired": objective.retired}
    objective.number, objective.name, objective.retired = number, name, bool(retired)
    audit.record("objective.changed", actor=actor, entity=objective, before=before,
                 after={"number": number, "name": name, "retired": bool(retired)})


def _gss_errors(code: str, field: str, example: str, *, required: bool) -> dict[str, str]:
    if not code:
        return {field: f"Enter the GSS code, like {example}"} if required else {}
    if not GSS_CODE.match(code):
        return {field: f"Enter the GSS code as a capital letter followed by 8 digits, like {example}"}
    return {}


def _area_errors(name: str, code: str, area: Area | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the local authority's name"
    elif len(name) > 100:
        errors["name"] = "The name must be 100 characters or fewer"
    elif db.session.scalar(select(Area).where(Area.name == name)) not in (None, area):
        errors["name"] = f"There is already an area called ‘{name}’"
    errors.update(_gss_errors(code, "gss_code", "E06000001", required=True))
    if "gss_code" not in errors and db.session.scalar(select(Area).where(Area.gss_code == code)) not in (None, area):
        errors["gss_code"] = f"Another area already has the GSS code {code}"
    return errors


def create_area(*, name: str, gss_code: str, actor: User) -> Area:
    """Add a local authority area with its official GSS code."""
    name, code = _text(name), _text(gss_code).upper()
    errors = _area_errors(name, code, None)
    if errors:
        raise ValidationFailed(errors)
    area = Area(name=name, gss_code=code)
    db.session.add(area)
    db.session.flush()
    audit.record("area.created", actor=actor, entity=area, after={"name": name, "gss_code": code})
    return area


def edit_area(area: Area, *, name: str, gss_code: str, actor: User) -> None:
    """Correct an area's name or GSS code."""
    name, code = _text(name), _text(gss_code).upper()
    errors = _area_errors(name, code, area)
    if errors:
        raise ValidationFailed(errors)
    before = {"name": area.name, "gss_code": area.gss_code}
    area.name, area.gss_code = name, code
    audit.record("area.changed", actor=actor, entity=area, before=before, after={"name": name, "gss_code": code})


def add_ward(area: Area, *, name: str, gss_code: str | None, actor: User) -> Ward:
    """Add a ward to an area: a name unique in the area, and optionally its GSS code (E05...)."""
    name, code = _text(name), _text(gss_code).upper()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the ward's name"
    elif len(name) > 100:
        errors["name"] = "The name must be 100 characters or fewer"
    elif any(w.name == name for w in area.wards):
        errors["name"] = f"{area.name} already has a ward called ‘{name}’"
    errors.update(_gss_errors(code, "gss_code", "E05008942", required=False))
    if code and "gss_code" not in errors and db.session.scalar(select(Ward.id).where(Ward.gss_code == code)):
        errors["gss_code"] = f"Another ward already has the GSS code {code}"
    if errors:
        raise ValidationFailed(errors)
    ward = Ward(area=area, name=name, gss_code=code or None)
    db.session.add(ward)
    db.session.flush()
    audit.record("ward.added", actor=actor, entity=ward, after={"area": area.name, "name": name, "gss_code": code})
    return ward
