"""A round's eligibility checklist, scoring rubric and assessment settings.

Rules: a rubric's weights sum to exactly 100; each criterion has six
descriptors (what 0, 1, 2, 3, 4 and 5 mean); the pass mark is 0-100; and once
anyone has scored an application in the round the rubric is locked, because
changing it would change what existing scores mean.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Application, Assignment, Criterion, EligibilityCheck, Round, Score, User
from . import audit
from .errors import Immutable, ValidationFailed

SCALE = range(0, 6)


@dataclass
class CriterionInput:
    name: str
    weight_percent: int | None
    descriptors: list[str]
    guidance: str = ""
    allow_not_applicable: bool = False


def rubric_locked(round_: Round) -> bool:
    """True once any score (draft or submitted) exists for an application in the round."""
    return (
        db.session.scalar(
            select(Score.id)
            .join(Assignment, Score.assignment_id == Assignment.id)
            .join(Application, Assignment.application_id == Application.id)
            .where(Application.round_id == round_.id)
            .limit(1)
        )
        is not None
    )


def _rubric_snapshot(round_: Round) -> dict:
    return {
        "pass_mark_percent": round_.pass_mark_percent,
        "criteria": [
            {"name": c.name, "weight_percent": c.weight_percent, "allow_not_applicable": c.allow_not_applicable}
            for c in round_.criteria
        ],
    }


def save_rubric(round_: Round, *, criteria: list[CriterionInput], pass_mark_percent: int | None, actor: User) -> None:
    """Replace the round's rubric.

    Refused when any score exists for the round (Immutable), when weights do
    not sum to 100, when a criterion lacks a name, weight or any of its six
    descriptors, or when the pass mark is not 0-100 (ValidationFailed, keyed
    'criteria-N-field' for the form to show beside the field).
    """
    if rubric_locked(round_):
        raise Immutable("The rubric cannot be changed because applications in this round have already been scored")
    errors: dict[str, str] = {}
    if not criteria:
        errors["criteria"] = "Add at least one criterion"
    for i, c in enumerate(criteria):
        if not (c.name or "").strip():
            errors[f"criteria-{i}-name"] = f"Enter a name for criterion {i + 1}"
        if c.weight_percent is None or not 1 <= c.weight_percent <= 100:
            errors[f"criteria-{i}-weight_percent"] = f"Enter a weight between 1 and 100 for criterion {i + 1}"
        if len(c.descriptors) != 6 or any(not (d or "").strip() for d in c.descriptors):
            for point, d in enumerate(c.descriptors + [""] * (6 - len(c.descriptors))):
                if not (d or "").strip():
                    errors[f"criteria-{i}-descriptor_{point}"] = (
                        f"Describe what a score of {point} means for criterion {i + 1}"
                    )
                    break
    total = sum(c.weight_percent or 0 for c in criteria)
    if criteria and all(c.weight_percent is not None for c in criteria) and total != 100:
        errors["criteria"] = f"The weights must add up to 100%. They add up to {total}%"
    if pass_mark_percent is None or not 0 <= pass_mark_percent <= 100:
        errors["pass_mark_percent"] = "Enter a pass mark between 0 and 100"
    if errors:
        raise ValidationFailed(errors)
    before = _rubric_snapshot(round_)
    existing = list(round_.criteria)
    for i, c in enumerate(criteria):
        row = existing[i] if i < len(existing) else Criterion(round=round_)
        if i >= len(existing):
            round_.criteria.append(row)
        row.position = i + 1
        row.name = c.name.strip()
        row.guidance = (c.guidance or "").strip()
        row.weight_percent = c.weight_percent
        row.descriptors = [d.strip() for d in c.descriptors]
        row.allow_not_applicable = bool(c.allow_not_applicable)
    for row in existing[len(criteria):]:
        round_.criteria.remove(row)
    round_.pass_mark_percent = pass_mark_percent
    db.session.flush()
    audit.record("round.rubric_changed", actor=actor, entity=round_, fund_id=round_.fund_id,
                 before=before, after=_rubric_snapshot(round_))


def assessor_number_errors(above_limit: int | None, within_limit: int | None) -> dict[str, str]:
    """Each number 1-10, and at least as many above the delegated limit as within it."""
    errors = {}
    if above_limit is None or not 1 <= above_limit <= 10:
        errors["above_limit"] = "Enter a number of assessors between 1 and 10"
    if within_limit is None or not 1 <= within_limit <= 10:
        errors["within_limit"] = "Enter a number of assessors between 1 and 10"
    if not errors and above_limit < within_limit:
        errors["above_limit"] = "Awards above the delegated limit need at least as many assessors as those within it"
    return errors


def save_assessor_numbers(round_: Round, *, above_limit: int | None, within_limit: int | None, actor: User) -> None:
    """How many assessors an application needs: at least one, and at least as many above the limit as within it."""
    errors = assessor_number_errors(above_limit, within_limit)
    if errors:
        raise ValidationFailed(errors)
    before = {"above": round_.min_assessors_above_limit, "within": round_.min_assessors_within_limit}
    round_.min_assessors_above_limit = above_limit
    round_.min_assessors_within_limit = within_limit
    audit.record("round.assessor_numbers_changed", actor=actor, entity=round_, fund_id=round_.fund_id,
                 before=before, after={"above": above_limit, "within": within_limit})


# --- Eligibility checklist -------------------------------------------------------


def _check_text_errors(text: str | None) -> dict[str, str]:
    text = (text or "").strip()
    if not text:
        return {"text": "Enter the eligibility check"}
    if len(text) > 500:
        return {"text": "The check must be 500 characters or fewer"}
    return {}


def _renumber(round_: Round) -> None:
    for position, check in enumerate(round_.eligibility_checks, start=1):
        check.position = position


def add_check(round_: Round, *, text: str, guidance: str = "", actor: User) -> EligibilityCheck:
    """Add a check at the end of the round's checklist. Past screenings keep their own copy of the wording."""
    errors = _check_text_errors(text)
    if errors:
        raise ValidationFailed(errors)
    check = EligibilityCheck(text=text.strip(), guidance=(guidance or "").strip(),
                             position=len(round_.eligibility_checks) + 1)
    round_.eligibility_checks.append(check)
    db.session.flush()
    audit.record("round.check_added", actor=actor, entity=check, fund_id=round_.fund_id,
                 after={"round_id": round_.id, "text": check.text})
    return check


def edit_check(check: EligibilityCheck, *, text: str, guidance: str = "", actor: User) -> None:
    """Change a check's wording; screenings already done keep the wording they answered."""
    errors = _check_text_errors(text)
    if errors:
        raise ValidationFailed(errors)
    before = {"text": check.text, "guidance": check.guidance}
    check.text = text.strip()
    check.guidance = (guidance or "").strip()
    audit.record("round.check_changed", actor=actor, entity=check, fund_id=check.round.fund_id,
                 before=before, after={"text": check.text, "guidance": check.guidance})


def move_check(check: EligibilityCheck, *, direction: str, actor: User) -> None:
    """Move a check one place up or down the list."""
    round_ = check.round
    checks = list(round_.eligibility_checks)
    i = checks.index(check)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(checks):
        return
    checks[i].position, checks[j].position = checks[j].position, checks[i].position
    db.session.flush()
    db.session.expire(round_, ["eligibility_checks"])
    audit.record("round.check_moved", actor=actor, entity=check, fund_id=round_.fund_id,
                 before={"position": i + 1}, after={"position": j + 1})


def remove_check(check: EligibilityCheck, *, actor: User) -> None:
    """Remove a check. Past answers keep its wording (ScreeningAnswer.check_text) and lose only the link."""
    from ..models import ScreeningAnswer

    round_ = check.round
    for answer in db.session.scalars(select(ScreeningAnswer).where(ScreeningAnswer.check_id == check.id)):
        answer.check_id = None
    audit.record("round.check_removed", actor=actor, entity=check, fund_id=round_.fund_id,
                 before={"text": check.text, "position": check.position})
    round_.eligibility_checks.remove(check)
    db.session.flush()
    _renumber(round_)
