"""Assessment: assigning assessors, conflicts of interest, scoring, the score, moderation, the panel.

How an application's score is worked out
-----------------------------------------
Each criterion c has a weight w_c (the round's weights sum to 100) and each
assessor gives it 0-5, or "not applicable" where the criterion allows it.
Not applicable is left out of every mean; it never counts as 0.

1. For each criterion, the criterion mean m_c is the mean of the applicable
   values given by the assessors who submitted (conflicted assessors are gone).
2. The application's score is the weighted mean across assessors:
       score = sum(w_c * m_c) / sum(w_c) / 5 * 100
   where both sums run over the criteria with at least one applicable value,
   so an n/a criterion's weight is shared among the others.
3. Each assessor's own percentage (shown to staff, never ranked) is the same
   sum over that assessor's applicable values alone.
Arithmetic is exact (fractions) and rounded once, half-up to 2 decimal places.

The application is flagged for moderation when, on any criterion, the highest
and lowest applicable values differ by 2 or more.

An application is assessed once every assessor not removed by a conflict has
submitted, and at least the round's required number have: above the delegated
limit round.min_assessors_above_limit, otherwise round.min_assessors_within_limit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import select

from .. import access, clock
from ..extensions import db
from ..models import (
    Application,
    Assignment,
    ConflictDeclaration,
    Criterion,
    Moderation,
    Role,
    Round,
    Score,
    User,
    UserRole,
)
from . import audit, outbox, workflow
from .errors import DomainError, InvalidTransition, NotPermitted, ValidationFailed

TWO_PLACES = Decimal("0.01")
MODERATION_GAP = 2
RANKED_STATES = (workflow.Status.ASSESSED.value, workflow.Status.DEFERRED.value)


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- Who and how many -------------------------------------------------------------


def required_assessors(application: Application) -> int:
    round_ = application.round
    if application.amount_requested_pence > round_.delegated_limit_pence:
        return round_.min_assessors_above_limit
    return round_.min_assessors_within_limit


def assignments_for(application: Application) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.application_id == application.id).order_by(Assignment.id)
    ))


def active_assignments(application: Application) -> list[Assignment]:
    """Assignments still counting: everyone not removed by a declared conflict."""
    return [a for a in assignments_for(application) if a.status != "conflicted"]


def assessors() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.ASSESSOR.value, User.is_active_account.is_(True))
        .order_by(User.full_name)
    ))


def eligible_assessors(application: Application) -> list[User]:
    """Assessors who could still be assigned: not already assigned (conflicted ones included), not applicants."""
    taken = {a.assessor_id for a in assignments_for(application)}
    return [u for u in assessors() if u.id not in taken and not access.is_member_of(u, application.organisation_id)]


def assign(application: Application, *, assessor: User, actor: User) -> Assignment:
    """Ask an assessor to score an application that is in assessment.

    Only a grants officer assigns; only to a person with the assessor role who
    is not a member of the applying organisation; never twice to the same
    person, and never again to someone who declared a conflict on it.
    """
    refusal = access.grants_officer(actor, application)
    if refusal:
        raise NotPermitted(refusal)
    if application.status != workflow.Status.IN_ASSESSMENT.value:
        raise InvalidTransition("Assessors can only be assigned while the application is in assessment")
    if not assessor.has_role(Role.ASSESSOR) or not assessor.is_active:
        raise ValidationFailed({"assessor": "Choose a person who is an assessor"})
    if access.has_declared_conflict(assessor, application):
        raise ValidationFailed({"assessor": f"{assessor.full_name} declared a conflict of interest on this "
                                            "application and cannot be assigned to it again"})
    if access.assignment_for(assessor, application) is not None:
        raise ValidationFailed({"assessor": f"{assessor.full_name} is already assigned to this application"})
    if access.is_member_of(assessor, application.organisation_id):
        raise ValidationFailed({"assessor": f"{assessor.full_name} is a member of the applying organisation"})
    assignment = Assignment(application_id=application.id, assessor_id=assessor.id, assigned_by_id=actor.id,
                            status="awaiting_declaration")
    db.session.add(assignment)
    db.session.flush()
    audit.record("assessment.assigned", actor=actor, entity=assignment, application=application,
                 after={"assessor_id": assessor.id, "assessor": assessor.full_name})
    outbox.send_template(assessor.email, "assessor_assigned", application=application, recipient=assessor)
    return assignment


@dataclass(frozen=True)
class BulkOutcome:
    """One application's result in a bulk assignment: who was assigned, and each refusal in words."""

    application: Application
    assigned: list[User]
    refused: list[tuple[User, str]]


def assign_many(applications: list[Application], *, assessors: list[User], actor: User) -> list[BulkOutcome]:
    """assign() every assessor to every application, each pair under its own rules.

    A refusal (a declared conflict, already assigned, a member of the organisation,
    not in assessment, not an officer) refuses only that pair: it is reported and
    the rest go ahead. Each pair runs in a savepoint so a refusal leaves nothing half-written.
    """
    outcomes = []
    for application in applications:
        assigned: list[User] = []
        refused: list[tuple[User, str]] = []
        for assessor in assessors:
            try:
                with db.session.begin_nested():
                    assign(application, assessor=assessor, actor=actor)
            except DomainError as exc:
                message = exc.errors.get("assessor") if isinstance(exc, ValidationFailed) else None
                refused.append((assessor, message or exc.message))
            else:
                assigned.append(assessor)
        outcomes.append(BulkOutcome(application, assigned, refused))
    return outcomes


def declare(assignment: Assignment, *, has_conflict: bool | None, nature: str | None, actor: User) -> ConflictDeclaration:
    """The assessor's declaration of interest, made before they see the application.

    Kept forever. No conflict -> the assignment is in progress and the content
    opens. A conflict (its nature required) -> the assessor is removed from the
    application and grants officers are asked to assign someone else.
    """
    if actor.id != assignment.assessor_id:
        raise NotPermitted("Only the assigned assessor can make this declaration")
    if assignment.status != "awaiting_declaration":
        raise InvalidTransition("You have already made your declaration for this application")
    application = assignment.application
    if application.status != workflow.Status.IN_ASSESSMENT.value:
        raise InvalidTransition("This application is no longer being assessed")
    nature = (nature or "").strip()
    if has_conflict is None:
        raise ValidationFailed({"has_conflict": "Select whether you have a conflict of interest"})
    if has_conflict and not nature:
        raise ValidationFailed({"nature": "Describe the nature of your conflict of interest"})
    declaration = ConflictDeclaration(application_id=application.id, user_id=actor.id, capacity="assessor",
                                      has_conflict=bool(has_conflict), nature=nature or None)
    db.session.add(declaration)
    db.session.flush()
    assignment.declaration_id = declaration.id
    assignment.status = "conflicted" if has_conflict else "in_progress"
    audit.record("assessment.conflict_declared" if has_conflict else "assessment.no_conflict_declared",
                 actor=actor, entity=declaration, application=application,
                 after={"has_conflict": bool(has_conflict), "nature": nature or None, "capacity": "assessor"})
    if has_conflict:
        outbox.notify_role(Role.OFFICER, "assessor_conflicted", application=application, assessor=actor,
                           nature=nature, still_needed=max(0, required_assessors(application)
                                                           - len(active_assignments(application))))
        _complete_if_all_in(application)
    return declaration


# --- Scoring ---------------------------------------------------------------------------


def _parse_value(raw, criterion: Criterion) -> tuple[int | None, bool, str | None]:
    """(value, not_applicable, error) from what the assessor chose."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, False, None
    if isinstance(raw, str) and raw.strip().lower() in ("na", "n/a", "not_applicable"):
        if not criterion.allow_not_applicable:
            return None, False, f"‘Not applicable’ is not allowed for {criterion.name}: score it from 0 to 5"
        return None, True, None
    try:
        value = int(str(raw).strip())
        if str(value) != str(raw).strip():
            raise ValueError
    except ValueError:
        return None, False, f"The score for {criterion.name} must be a whole number from 0 to 5"
    if value not in range(0, 6):
        return None, False, f"The score for {criterion.name} must be from 0 to 5"
    return value, False, None


def save_scores(assignment: Assignment, *, entries: dict[int, tuple], submit: bool, actor: User) -> None:
    """Save the assessor's scores as a draft, or submit them.

    entries maps criterion id -> (score as chosen: "0".."5", "na" or empty, comment).
    Always refused: a score outside 0-5, or "not applicable" where the criterion
    does not allow it. On submit also refused: any criterion without a score,
    and a score of 0 or 1 without a comment. After submitting, nothing changes.
    """
    if actor.id != assignment.assessor_id:
        raise NotPermitted("Only the assigned assessor can score this application")
    if assignment.status == "submitted":
        raise InvalidTransition("You have already submitted your scores for this application")
    if assignment.status != "in_progress":
        raise InvalidTransition("Declare your interests before scoring this application")
    application = assignment.application
    if application.status != workflow.Status.IN_ASSESSMENT.value:
        raise InvalidTransition("This application is no longer being assessed")
    criteria = list(application.round.criteria)
    errors: dict[str, str] = {}
    parsed = {}
    for criterion in criteria:
        raw, comment = entries.get(criterion.id, (None, ""))
        comment = (comment or "").strip()
        value, not_applicable, error = _parse_value(raw, criterion)
        if error:
            errors[f"score_{criterion.id}"] = error
        elif submit and value is None and not not_applicable:
            errors[f"score_{criterion.id}"] = f"Give a score for {criterion.name}"
        elif submit and value in (0, 1) and not comment:
            errors[f"comment_{criterion.id}"] = f"Explain your score of {value} for {criterion.name}"
        if len(comment) > 5000:
            errors[f"comment_{criterion.id}"] = f"The comment on {criterion.name} must be 5,000 characters or fewer"
        parsed[criterion.id] = (value, not_applicable, comment or None)
    if errors:
        raise ValidationFailed(errors)
    existing = {s.criterion_id: s for s in assignment.scores}
    for criterion in criteria:
        value, not_applicable, comment = parsed[criterion.id]
        score = existing.get(criterion.id)
        if value is None and not not_applicable and not comment:
            if score is not None:
                assignment.scores.remove(score)
            continue
        if score is None:
            score = Score(criterion_id=criterion.id)
            assignment.scores.append(score)
        score.value, score.not_applicable, score.comment = value, not_applicable, comment
    if submit:
        assignment.status = "submitted"
        assignment.submitted_at = clock.now()
    db.session.flush()
    audit.record("assessment.submitted" if submit else "assessment.draft_saved", actor=actor, entity=assignment,
                 application=application,
                 after={"scores": {c.name: ("n/a" if parsed[c.id][1] else parsed[c.id][0]) for c in criteria}})
    if submit:
        _complete_if_all_in(application)


def _complete_if_all_in(application: Application) -> bool:
    """Move to assessed once every unconflicted assessor has submitted and there are enough of them."""
    active = active_assignments(application)
    if len(active) < required_assessors(application) or any(a.status != "submitted" for a in active):
        return False
    result = compute(application)
    application.score_percent = result.score_percent
    application.needs_moderation = result.needs_moderation
    workflow.transition(application, "complete_assessment", actor=None,
                        reason="All assessments are in",
                        details={"score_percent": result.score_percent, "needs_moderation": result.needs_moderation,
                                 "assessors": len(active)})
    outbox.notify_role(Role.OFFICER, "assessment_complete", application=application,
                       score=result.score_percent, needs_moderation=result.needs_moderation)
    return True


# --- The arithmetic -------------------------------------------------------------------------


@dataclass
class CriterionResult:
    criterion: Criterion
    values: list[int]  # applicable values, one per assessor who gave one
    mean: Decimal | None
    spread: int | None

    @property
    def flagged(self) -> bool:
        return self.spread is not None and self.spread >= MODERATION_GAP


@dataclass
class ScoreResult:
    score_percent: Decimal | None
    needs_moderation: bool
    criteria: list[CriterionResult] = field(default_factory=list)
    per_assessor: dict[int, Decimal | None] = field(default_factory=dict)  # assignment id -> %


def weighted_percent(weights_and_means: list[tuple[int, Fraction]]) -> Decimal | None:
    """sum(w * m) / sum(w) / 5 * 100 over the given (weight, mean) pairs, rounded half-up to 2 dp."""
    total_weight = sum(w for w, _ in weights_and_means)
    if not total_weight:
        return None
    return _decimal(sum(w * m for w, m in weights_and_means) / total_weight / 5 * 100)


def compute_from(criteria: list[Criterion], assessments: dict[int, dict[int, int | None]]) -> ScoreResult:
    """The score from plain data: assessments maps an assessor key -> {criterion id: value or None (n/a)}."""
    results, pairs = [], []
    for c in criteria:
        values = [a[c.id] for a in assessments.values() if a.get(c.id) is not None]
        if values:
            mean = Fraction(sum(values), len(values))
            pairs.append((c.weight_percent, mean))
            results.append(CriterionResult(c, values, _decimal(mean), max(values) - min(values)))
        else:
            results.append(CriterionResult(c, [], None, None))
    per_assessor = {
        key: weighted_percent([(c.weight_percent, Fraction(a[c.id])) for c in criteria if a.get(c.id) is not None])
        for key, a in assessments.items()
    }
    return ScoreResult(weighted_percent(pairs), any(r.flagged for r in results), results, per_assessor)


def _submitted(application: Application) -> list[Assignment]:
    return [a for a in active_assignments(application) if a.status == "submitted"]


def compute(application: Application) -> ScoreResult:
    """The application's score and moderation flag from its submitted, unconflicted assessments."""
    assessments = {
        a.id: {s.criterion_id: (None if s.not_applicable else s.value) for s in a.scores}
        for a in _submitted(application)
    }
    return compute_from(list(application.round.criteria), assessments)


# --- Moderation ------------------------------------------------------------------------------


def parse_percent(raw: str | None) -> Decimal | None:
    """A moderated score typed as a percentage ("72.5"), or None when left blank."""
    text = (raw or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed({"moderated_score": "Enter the moderated score as a number from 0 to 100, like 68.5"})
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(TWO_PLACES):
        raise ValidationFailed({"moderated_score": "Enter the moderated score as a number from 0 to 100, "
                                                   "with no more than 2 decimal places"})
    return value.quantize(TWO_PLACES)


def moderate(application: Application, *, note: str, moderated_score: Decimal | None, actor: User) -> Moderation:
    """Record the officer's moderation of an application whose assessors disagreed.

    A note is always required; a moderated score (0-100, 2 dp) is recorded only
    if the moderation agreed one, and then ranks the application in place of the
    calculated score. The assessors' original scores are never changed.
    """
    refusal = access.grants_officer(actor, application)
    if refusal:
        raise NotPermitted(refusal)
    if application.status not in RANKED_STATES:
        raise InvalidTransition("Only an assessed application awaiting a decision can be moderated")
    if not application.needs_moderation:
        raise InvalidTransition("This application's assessors agreed, so it does not need moderation")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": "Enter a moderation note"})
    if moderated_score is not None and not (Decimal(0) <= moderated_score <= Decimal(100)):
        raise ValidationFailed({"moderated_score": "Enter the moderated score as a number from 0 to 100"})
    moderation = Moderation(application_id=application.id, note=note, moderated_by_id=actor.id,
                            moderated_score_percent=moderated_score)
    db.session.add(moderation)
    before = {"moderated_score_percent": application.moderated_score_percent}
    if moderated_score is not None:
        application.moderated_score_percent = moderated_score
    db.session.flush()
    audit.record("assessment.moderated", actor=actor, entity=moderation, application=application,
                 before=before, after={"moderated_score_percent": application.moderated_score_percent,
                                       "calculated_score_percent": application.score_percent}, reason=note)
    return moderation


def moderations(application: Application) -> list[Moderation]:
    return list(db.session.scalars(
        select(Moderation).where(Moderation.application_id == application.id).order_by(Moderation.id)
    ))


def moderation_state(application: Application) -> str:
    """"not needed", "needed" or "moderated" — what staff see beside the score."""
    if not application.needs_moderation:
        return "not needed"
    return "moderated" if moderations(application) else "needed"


# --- Summaries other areas embed --------------------------------------------------------------


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def score_summary(application: Application) -> dict:
    """Per criterion, per assessor, the overall %, and moderation — JSON-able, for decision records."""
    result = compute(application)
    submitted = _submitted(application)
    criteria = list(application.round.criteria)
    return {
        "score_percent": _num(application.score_percent if application.score_percent is not None
                              else result.score_percent),
        "moderated_score_percent": _num(application.moderated_score_percent),
        "score_for_ranking": _num(application.score_for_ranking),
        "pass_mark_percent": application.round.pass_mark_percent,
        "needs_moderation": bool(application.needs_moderation),
        "moderation": moderation_state(application),
        "moderations": [
            {"note": m.note, "moderated_score_percent": _num(m.moderated_score_percent),
             "by": m.moderated_by.full_name, "at": m.created_at.isoformat()}
            for m in moderations(application)
        ],
        "criteria": [
            {"name": r.criterion.name, "weight_percent": r.criterion.weight_percent, "mean": _num(r.mean),
             "spread": r.spread, "flagged": r.flagged}
            for r in result.criteria
        ],
        "assessors": [
            {
                "name": a.assessor.full_name,
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "percent": _num(result.per_assessor.get(a.id)),
                "scores": [
                    {"criterion": c.name,
                     "value": next((s.value for s in a.scores if s.criterion_id == c.id), None),
                     "not_applicable": next((s.not_applicable for s in a.scores if s.criterion_id == c.id), False),
                     "comment": next((s.comment for s in a.scores if s.criterion_id == c.id), None)}
                    for c in criteria
                ],
            }
            for a in submitted
        ],
    }


def conflicts_for(application: Application) -> list[dict]:
    """Every declaration of interest made on the application (assessors and decision makers), oldest first."""
    rows = db.session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id)
        .order_by(ConflictDeclaration.created_at, ConflictDeclaration.id)
    )
    return [
        {"name": d.user.full_name, "capacity": d.capacity, "has_conflict": d.has_conflict,
         "nature": d.nature, "declared_at": d.created_at.isoformat()}
        for d in rows
    ]


def conflicts_register(round_id: int | None = None) -> list[ConflictDeclaration]:
    """The register of interests: every declaration, in one round or all, newest round first, then newest first."""
    stmt = (select(ConflictDeclaration).join(Application, ConflictDeclaration.application_id == Application.id)
            .join(Round, Application.round_id == Round.id)
            .order_by(Round.opens_on.desc(), Round.id.desc(), ConflictDeclaration.created_at.desc(),
                      ConflictDeclaration.id.desc()))
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    return list(db.session.scalars(stmt))


# --- The assessor's queue -----------------------------------------------------------------------


def queue_for(user: User) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.assessor_id == user.id).order_by(Assignment.created_at, Assignment.id)
    ))


# --- The panel -------------------------------------------------------------------------------------


@dataclass
class PanelRow:
    application: Application
    score: Decimal | None
    running_total: int
    within_budget: bool
    below_pass_mark: bool
    moderation: str


@dataclass
class Panel:
    round: Round
    rows: list[PanelRow]
    remaining: int
    line_before: int | None  # index of the first row the remaining budget cannot cover
    pass_mark: int


def panel(round_: Round, *, objective_id: int | None = None, area_id: int | None = None) -> Panel:
    """Assessed and deferred applications ranked by score (moderated score where agreed), highest first.

    Each row carries the running total of amounts requested; the budget line
    falls before the first row whose running total exceeds the round's
    remaining budget (services.budget.round_money). Ties rank the smaller
    request first, then the earlier reference.
    """
    from ..models import Area, Objective
    from .budget import round_money

    stmt = select(Application).where(Application.round_id == round_.id, Application.status.in_(RANKED_STATES))
    if objective_id:
        stmt = stmt.where(Application.objectives.any(Objective.id == objective_id))
    if area_id:
        stmt = stmt.where(Application.areas.any(Area.id == area_id))
    applications = list(db.session.scalars(stmt))
    applications.sort(key=lambda a: (a.score_for_ranking is None, -(a.score_for_ranking or 0),
                                     a.amount_requested_pence, a.reference))
    remaining = round_money(round_).remaining
    rows, total, line_before = [], 0, None
    for i, application in enumerate(applications):
        total += application.amount_requested_pence
        within = total <= remaining
        if not within and line_before is None:
            line_before = i
        score = application.score_for_ranking
        rows.append(PanelRow(application, score, total, within,
                             score is not None and score < round_.pass_mark_percent, moderation_state(application)))
    return Panel(round_, rows, remaining, line_before, round_.pass_mark_percent)


def panels_awaiting_decision() -> list[Panel]:
    """The panel ranking of every round with applications awaiting a decision, oldest round first.

    The decision queue shows exactly these rankings, so the budget line falls in
    the same place for the decision maker as on the panel.
    """
    round_ids = db.session.scalars(
        select(Application.round_id).where(Application.status.in_(RANKED_STATES)).distinct()
        .order_by(Application.round_id)
    ).all()
    return [panel(db.session.get(Round, round_id)) for round_id in round_ids]
