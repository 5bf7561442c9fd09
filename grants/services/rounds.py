"""Funds and rounds, set up and changed by officers.

Rules:
* A fund has a name, a short code of capital letters (unique: references use
  it), the legal power it pays under and the public-benefit wording of the
  register. It is never deleted; it can be retired (closed for new rounds). Its
  code cannot change once it has applications, nor its legal power once a
  decision has been recorded under it.
* A round closes after it opens; smallest award <= largest award <= budget; the
  delegated limit and full-payment threshold are between £0 and the budget; pass
  mark 0-100; 1-10 assessors, at least as many above the delegated limit as
  within it; at least one plan objective (from the plan in force on its opening
  date) and one organisation type; its areas (none: every area); its name is
  unique in its fund.
* Until a round opens, anything may change. From its opening day applicants may
  rely on it, so only a later closing date, the guidance, and the budget may
  change; the budget never below what is committed, and a reduction needs a reason.
* The reporting schedule (checked by `reporting_schedule.check_settings`) may
  change until the round makes its first offer, opened or not: from then on
  letters state it (`reporting_schedule.set_schedule` applies the same rule).
* A round can be closed early with a reason; organisations with drafts are told.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select

from .. import clock
from ..extensions import db
from ..models import (Application, Area, Criterion, DecisionRecord, EligibilityCheck, Fund, Objective, OrgType, Round,
                      User)
from ..money import format_pence
from . import audit, outbox, reporting_schedule, round_questions
from .budget import round_money
from .errors import DomainError, ValidationFailed
from .reference import objectives_for, plan_in_force
from .rubric import assessor_number_errors
from .setup import DEFAULT_RUBRIC, DESCRIPTORS
from .workflow import Status

FUND_CODE = re.compile(r"^[A-Z]{2,10}$")
FINANCIAL_YEAR = re.compile(r"^([0-9]{4})-([0-9]{2})$")


# --- Funds --------------------------------------------------------------------------------------------


@dataclass
class FundInput:
    name: str = ""
    code: str = ""
    description: str = ""
    legal_power: str = ""
    public_benefit: str = ""
    open_for_new_rounds: bool = True
    # Printed on every payment-run line for the finance system.
    ledger_code: str = ""
    cost_centre: str = ""


def _fund_snapshot(fund: Fund) -> dict:
    return {f.name: getattr(fund, f.name) for f in dataclasses.fields(FundInput)}


def _fund_errors(values: FundInput, fund: Fund | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.name:
        errors["name"] = "Enter the fund's name, like Community Safety Fund"
    elif len(values.name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    if not FUND_CODE.match(values.code):
        errors["code"] = "Enter a short code of 2 to 10 capital letters, like CSF"
    elif db.session.scalar(select(Fund).where(Fund.code == values.code)) not in (None, fund):
        errors["code"] = f"Another fund already uses the code {values.code}. Choose a different code"
    elif fund is not None and values.code != fund.code and _fund_has_applications(fund):
        errors["code"] = (f"The code cannot change from {fund.code} because the fund's application references "
                          "already use it")
    if fund is not None and fund.legal_power and values.legal_power != fund.legal_power \
            and db.session.scalar(select(exists().where(DecisionRecord.fund_id == fund.id))):
        errors["legal_power"] = ("The legal power cannot change once decisions have been recorded under it, "
                                 "because their records and letters name it. If the law has changed, add a new fund")
    elif not values.legal_power:
        errors["legal_power"] = ("Enter the legal power the fund pays grants under, as it should appear on letters, "
                                 "like Section 9 of the Police Reform and Social Responsibility Act 2011")
    if not values.public_benefit:
        errors["public_benefit"] = ("Enter what the fund's grants serve, as the public register should say it, "
                                    "like crime and disorder reduction")
    elif len(values.public_benefit) > 200:
        errors["public_benefit"] = "The public-benefit wording must be 200 characters or fewer"
    for field, label in (("ledger_code", "ledger code"), ("cost_centre", "cost centre")):
        if len(getattr(values, field)) > 30:
            errors[field] = f"The {label} must be 30 characters or fewer"
    return errors


def _clean_fund(values: FundInput) -> FundInput:
    return FundInput(name=values.name.strip(), code=values.code.strip().upper(),
                     description=values.description.strip(), legal_power=values.legal_power.strip(),
                     public_benefit=values.public_benefit.strip(), open_for_new_rounds=bool(values.open_for_new_rounds),
                     ledger_code=values.ledger_code.strip(), cost_centre=values.cost_centre.strip())


def _fund_has_applications(fund: Fund) -> bool:
    return bool(db.session.scalar(select(exists().where(Application.round_id == Round.id, Round.fund_id == fund.id))))


def create_fund(values: FundInput, *, actor: User) -> Fund:
    """Add a fund (see the module's rules)."""
    values = _clean_fund(values)
    errors = _fund_errors(values, None)
    if errors:
        raise ValidationFailed(errors)
    fund = Fund(**dataclasses.asdict(values))
    db.session.add(fund)
    db.session.flush()
    audit.record("fund.created", actor=actor, entity=fund, fund_id=fund.id, after=_fund_snapshot(fund))
    return fund


def edit_fund(fund: Fund, values: FundInput, *, actor: User) -> None:
    """Change a fund, or retire it (closed for new rounds); its rounds and applications are untouched."""
    values = _clean_fund(values)
    errors = _fund_errors(values, fund)
    if errors:
        raise ValidationFailed(errors)
    before = _fund_snapshot(fund)
    for key, value in dataclasses.asdict(values).items():
        setattr(fund, key, value)
    after = _fund_snapshot(fund)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        audit.record("fund.changed", actor=actor, entity=fund, fund_id=fund.id,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})


# --- Rounds -------------------------------------------------------------------------------------------


@dataclass
class RoundSettings:
    """Everything an officer sets on a round. None means 'not given' (refused where it is needed)."""

    name: str = ""
    financial_year: str = ""
    opens_on: date | None = None
    closes_on: date | None = None
    guidance: str = ""
    budget_pence: int | None = None
    min_award_pence: int | None = None
    max_award_pence: int | None = None
    delegated_limit_pence: int | None = None
    full_payment_threshold_pence: int | None = None
    offer_acceptance_days: int | None = 28
    min_assessors_above_limit: int | None = 2
    min_assessors_within_limit: int | None = 1
    pass_mark_percent: int | None = 50
    objective_ids: list[int] = field(default_factory=list)
    area_ids: list[int] = field(default_factory=list)
    allowed_org_types: list[str] = field(default_factory=list)
    # The reporting schedule (services/reporting_schedule.py says what each means); the threshold only
    # counts when the interim rule is "above". Fixed-date returns are (title, due date) pairs.
    final_report_months_after_end: int | None = 3
    interim_report_rule: str = reporting_schedule.ABOVE
    interim_report_threshold_pence: int | None = 250_000
    fixed_returns: list[tuple[str, date | None]] = field(default_factory=list)
    # Eligibility rules of the round (services/eligibility.py).
    max_live_applications: int | None = None
    refuse_overdue_reports: bool = False
    minimal_assistance_declaration: bool = False


SCHEDULE = set(reporting_schedule.SCHEDULE_FIELDS)
COLUMNS = [f.name for f in dataclasses.fields(RoundSettings)
           if f.name not in ("objective_ids", "area_ids") and f.name not in SCHEDULE]
# What may still change once a round has opened (applicants already rely on the rest).
CHANGEABLE_AFTER_OPENING = {"closes_on", "guidance", "budget_pence"}


def changeable_settings(round_: Round) -> set[str]:
    """The settings that may change now (see the module's rules): all until it opens, then a few; the
    reporting schedule until the round has made an offer."""
    names = {f.name for f in dataclasses.fields(RoundSettings)}
    if round_.has_opened:
        names = CHANGEABLE_AFTER_OPENING | SCHEDULE
    if reporting_schedule.offer_made(round_):
        names -= SCHEDULE
    return names


def settings_of(round_: Round) -> RoundSettings:
    """A round's current settings, e.g. to fill the form or to copy it."""
    values = {name: getattr(round_, name) for name in COLUMNS}
    values["allowed_org_types"] = list(round_.allowed_org_types or [])
    rule = round_.interim_report_rule
    return RoundSettings(**values, objective_ids=[o.id for o in round_.objectives],
                         area_ids=[a.id for a in round_.areas],
                         final_report_months_after_end=round_.final_report_months_after_end, interim_report_rule=rule,
                         interim_report_threshold_pence=round_.interim_report_threshold_pence
                         if rule == reporting_schedule.ABOVE else None,
                         fixed_returns=[(f.title, f.due_on) for f in round_.fixed_returns])


def _snapshot(settings: RoundSettings) -> dict:
    values = dataclasses.asdict(settings)
    for key in ("objective_ids", "area_ids", "allowed_org_types"):
        values[key] = sorted(values[key])
    values["fixed_returns"] = [{"title": title, "due_on": due_on} for title, due_on in
                               sorted(settings.fixed_returns, key=lambda row: (str(row[1]), row[0]))]
    return values


def _settings_errors(fund: Fund, s: RoundSettings, round_: Round | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not s.name:
        errors["name"] = "Enter the round's name, like 2027-28"
    elif len(s.name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    elif db.session.scalar(select(Round).where(Round.fund_id == fund.id, Round.name == s.name)) not in (None, round_):
        errors["name"] = f"The {fund.name} already has a round called ‘{s.name}’. Give this round a different name"
    match = FINANCIAL_YEAR.match(s.financial_year)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        errors["financial_year"] = "Enter the financial year as the two years it spans, like 2026-27"
    if s.opens_on is None:
        errors["opens_on"] = "Enter the date the round opens"
    if s.closes_on is None:
        errors["closes_on"] = "Enter the date the round closes"
    if s.opens_on and s.closes_on and s.closes_on <= s.opens_on:
        errors["closes_on"] = "The closing date must be after the opening date"
    for key, what in (("budget_pence", "the round's budget"), ("min_award_pence", "the smallest award"),
                      ("max_award_pence", "the largest award"),
                      ("delegated_limit_pence", "the delegated limit"),
                      ("full_payment_threshold_pence", "the full-payment threshold")):
        if getattr(s, key) is None:
            errors[key] = f"Enter {what} in pounds, like 5000 or 5000.50"
    if "min_award_pence" not in errors and "max_award_pence" not in errors and s.min_award_pence > s.max_award_pence:
        errors["min_award_pence"] = (f"The smallest award must be no more than the largest award "
                                     f"({format_pence(s.max_award_pence)})")
    budget_known = "budget_pence" not in errors
    if budget_known and "max_award_pence" not in errors and s.max_award_pence > s.budget_pence:
        errors["max_award_pence"] = (f"The largest award must be no more than the budget "
                                     f"({format_pence(s.budget_pence)})")
    for key, what in (("delegated_limit_pence", "delegated limit"),
                      ("full_payment_threshold_pence", "full-payment threshold")):
        if budget_known and key not in errors and not 0 <= getattr(s, key) <= s.budget_pence:
            errors[key] = f"The {what} must be between £0 and the budget ({format_pence(s.budget_pence)})"
    if s.pass_mark_percent is None or not 0 <= s.pass_mark_percent <= 100:
        errors["pass_mark_percent"] = "Enter a pass mark between 0 and 100"
    if s.offer_acceptance_days is None or not 1 <= s.offer_acceptance_days <= 365:
        errors["offer_acceptance_days"] = "Enter the number of days an applicant has to accept, from 1 to 365"
    assessors = assessor_number_errors(s.min_assessors_above_limit, s.min_assessors_within_limit)
    errors.update({f"min_assessors_{k}": v for k, v in assessors.items()})
    errors.update(_objective_errors(s))
    if s.area_ids and set(db.session.scalars(select(Area.id).where(Area.id.in_(s.area_ids)))) != set(s.area_ids):
        errors["area_ids"] = "Choose areas from the list"
    if not s.allowed_org_types:
        errors["allowed_org_types"] = "Choose at least one type of organisation that may apply"
    elif not set(s.allowed_org_types) <= {t.value for t in OrgType}:
        errors["allowed_org_types"] = "Choose organisation types from the list"
    errors.update(reporting_schedule.check_settings(
        final_report_months_after_end=s.final_report_months_after_end, interim_report_rule=s.interim_report_rule,
        interim_report_threshold_pence=s.interim_report_threshold_pence, fixed_returns=s.fixed_returns,
        opens_on=s.opens_on))
    if s.max_live_applications is not None and not 1 <= s.max_live_applications <= 100:
        errors["max_live_applications"] = ("Enter how many live applications one organisation may hold, "
                                           "from 1 to 100, or leave it empty for no limit")
    return errors


def _objective_errors(s: RoundSettings) -> dict[str, str]:
    if not s.objective_ids:
        return {"objective_ids": "Choose at least one plan objective the round supports"}
    if s.opens_on is None:
        return {}
    plan = plan_in_force(s.opens_on)
    if plan is None:
        return {"objective_ids": (f"No Police and Crime Plan is in force on the opening date "
                                  f"({s.opens_on:%d %B %Y}). Ask an administrator to add the plan first")}
    if not set(s.objective_ids) <= {o.id for o in objectives_for(s.opens_on)}:
        return {"objective_ids": f"Choose objectives from {plan.name}, the plan in force on the opening date"}
    return {}


def _apply(round_: Round, s: RoundSettings) -> None:
    with db.session.no_autoflush:  # a new round is not complete until every setting is on it
        _apply_settings(round_, s)


def _apply_settings(round_: Round, s: RoundSettings) -> None:
    for name in COLUMNS:
        setattr(round_, name, getattr(s, name))
    round_.name, round_.financial_year = s.name.strip(), s.financial_year.strip()
    round_.guidance = (s.guidance or "").strip()
    round_.allowed_org_types = sorted(set(s.allowed_org_types))
    round_.objectives = list(db.session.scalars(select(Objective).where(Objective.id.in_(s.objective_ids))))
    round_.areas = list(db.session.scalars(select(Area).where(Area.id.in_(s.area_ids))))
    reporting_schedule.apply_schedule(round_, final_report_months_after_end=s.final_report_months_after_end,
                                      interim_report_rule=s.interim_report_rule,
                                      interim_report_threshold_pence=s.interim_report_threshold_pence,
                                      fixed_returns=s.fixed_returns)


def _clean(s: RoundSettings) -> RoundSettings:
    threshold = s.interim_report_threshold_pence if s.interim_report_rule == reporting_schedule.ABOVE else None
    return dataclasses.replace(s, name=(s.name or "").strip(), financial_year=(s.financial_year or "").strip(),
                               guidance=(s.guidance or "").strip(), objective_ids=list(s.objective_ids or []),
                               area_ids=list(s.area_ids or []), allowed_org_types=list(s.allowed_org_types or []),
                               interim_report_threshold_pence=threshold,
                               fixed_returns=[((title or "").strip(), due) for title, due in s.fixed_returns or []])


def _check_fund_open(fund: Fund) -> None:
    if not fund.open_for_new_rounds:
        raise DomainError(f"The {fund.name} is closed for new rounds. Reopen it on the fund's page first")


def create_round(fund: Fund, settings: RoundSettings, *, actor: User) -> Round:
    """Add a round to an open fund, with the default scoring rubric and an empty checklist."""
    _check_fund_open(fund)
    settings = _clean(settings)
    errors = _settings_errors(fund, settings, None)
    if errors:
        raise ValidationFailed(errors)
    round_ = Round(fund=fund)
    _apply(round_, settings)
    for position, (name, weight, guidance) in enumerate(DEFAULT_RUBRIC, start=1):
        round_.criteria.append(Criterion(position=position, name=name, weight_percent=weight, guidance=guidance,
                                         descriptors=list(DESCRIPTORS), allow_not_applicable=False))
    db.session.add(round_)
    db.session.flush()
    audit.record("round.created", actor=actor, entity=round_, fund_id=fund.id, after=_snapshot(settings))
    return round_


def edit_round(round_: Round, settings: RoundSettings, *, reason: str | None = None, actor: User) -> None:
    """Change a round's settings (see the module's rules for what may change once it has opened)."""
    settings = _clean(settings)
    reason = (reason or "").strip() or None
    before = _snapshot(settings_of(round_))
    after = _snapshot(settings)
    changed = [k for k in after if after[k] != before[k]]
    errors = _settings_errors(round_.fund, settings, round_)
    changeable = changeable_settings(round_)
    for key in changed:
        if key in SCHEDULE and key not in changeable:
            errors[key] = reporting_schedule.OFFER_MADE
    if round_.has_opened:
        # What was accepted when it opened stays accepted (e.g. an objective retired since); a budget cut that
        # falls below the largest award or a limit is reported on the budget, the field being changed.
        below = [m for k, m in errors.items()
                 if k in ("max_award_pence", "delegated_limit_pence", "full_payment_threshold_pence")]
        errors = {key: message for key, message in errors.items() if key.split("-")[0] in changed}
        opened = f"{round_.opens_on:%d %B %Y}"
        for key in changed:
            if key not in changeable and key not in SCHEDULE:
                errors[key] = (f"This cannot change now the round has opened (on {opened}), because applicants "
                               "may already rely on it")
        if "closes_on" in changed and settings.closes_on and settings.closes_on < round_.closes_on:
            errors["closes_on"] = (f"Once a round has opened its closing date can only move later than "
                                   f"{round_.closes_on:%d %B %Y}. To stop applications now, close the round early")
        if "budget_pence" in changed and settings.budget_pence is not None \
                and settings.budget_pence < round_.budget_pence and "budget_pence" not in errors:
            committed = round_money(round_, lock=True).committed
            if settings.budget_pence < committed:
                errors["budget_pence"] = (f"The budget cannot go below the {format_pence(committed)} already "
                                          "committed to awards in this round")
            elif not reason:
                errors["reason"] = "Say why the budget is being reduced"
        if "budget_pence" in changed and below:
            errors.setdefault("budget_pence", below[0])
    if errors:
        raise ValidationFailed(errors)
    if not changed:
        return
    _apply(round_, settings)
    db.session.flush()
    audit.record("round.changed", actor=actor, entity=round_, fund_id=round_.fund_id,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed}, reason=reason)


def _a_year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 2, 28)


def _next_financial_year(label: str) -> str:
    match = FINANCIAL_YEAR.match(label or "")
    if not match:
        return label
    start = int(match[1]) + 1
    return f"{start}-{(start + 1) % 100:02d}"


def suggested_copy_name(round_: Round) -> str:
    """The copy's name: the next financial year in place of this one's, or '(copy)', made unique in the fund."""
    next_year = _next_financial_year(round_.financial_year)
    base = round_.name.replace(round_.financial_year, next_year) if round_.financial_year in round_.name \
        else f"{round_.name} (copy)"
    names = set(db.session.scalars(select(Round.name).where(Round.fund_id == round_.fund_id)))
    name, n = base, 2
    while name in names:
        name, n = f"{base} ({n})", n + 1
    return name


def copy_round(source: Round, *, name: str, actor: User) -> Round:
    """A new round like `source` a year on: dates (fixed-date returns too) a year later, the next financial
    year, the same settings, reporting schedule, checklist and rubric. Objectives carry over where they are in
    the plan in force on the new opening date; otherwise the new round takes that plan's objectives."""
    _check_fund_open(source.fund)
    settings = settings_of(source)
    settings.name = name
    settings.opens_on, settings.closes_on = _a_year_later(source.opens_on), _a_year_later(source.closes_on)
    settings.financial_year = _next_financial_year(source.financial_year)
    settings.fixed_returns = [(title, _a_year_later(due_on)) for title, due_on in settings.fixed_returns]
    available = {o.id for o in objectives_for(settings.opens_on)}
    kept = [i for i in settings.objective_ids if i in available]
    settings.objective_ids = kept or sorted(available)
    settings = _clean(settings)
    errors = _settings_errors(source.fund, settings, None)
    if errors:
        raise ValidationFailed(errors)
    round_ = Round(fund=source.fund)
    with db.session.no_autoflush:
        _apply_settings(round_, settings)
        for c in source.eligibility_checks:
            round_.eligibility_checks.append(EligibilityCheck(position=c.position, text=c.text, guidance=c.guidance))
        for c in source.criteria:
            round_.criteria.append(Criterion(position=c.position, name=c.name, guidance=c.guidance,
                                             weight_percent=c.weight_percent, descriptors=list(c.descriptors),
                                             allow_not_applicable=c.allow_not_applicable))
        round_questions.copy_questions(source, round_)
    db.session.add(round_)
    db.session.flush()
    audit.record("round.copied", actor=actor, entity=round_, fund_id=round_.fund_id,
                 before={"copied_from_round_id": source.id}, after=_snapshot(settings))
    return round_


def close_round_early(round_: Round, *, reason: str | None, actor: User) -> int:
    """Close an open round now, with a reason; email every organisation holding a draft in it.

    Returns how many draft applications were told. Submitted applications go on as before.
    """
    reason = (reason or "").strip()
    if not round_.is_open:
        raise DomainError(f"The {round_.title} round is not open, so it cannot be closed early")
    if not reason:
        raise ValidationFailed({"reason": "Say why the round is closing early (applicants with drafts are told)"})
    round_.closed_early_at = clock.now()
    round_.closed_early_reason = reason
    drafts = list(db.session.scalars(select(Application).where(Application.round_id == round_.id,
                                                               Application.status == Status.DRAFT.value)))
    for application in drafts:
        outbox.notify_organisation(application, "round_closed_early", round=round_, reason=reason)
    audit.record("round.closed_early", actor=actor, entity=round_, fund_id=round_.fund_id,
                 before={"closes_on": round_.closes_on}, after={"closed_early_at": round_.closed_early_at,
                                                                "drafts_told": len(drafts)}, reason=reason)
    return len(drafts)


def org_type_refusal(round_: Round, org_type: str) -> str | None:
    """Why an organisation of this type may not apply to the round (None when it may)."""
    if round_.accepts_org_type(org_type):
        return None
    labels = {t.value: t.label for t in OrgType}
    allowed = "; ".join(labels.get(t, t) for t in round_.allowed_org_types)
    return (f"Only these types of organisation may apply to the {round_.title} round: {allowed}. Your "
            f"organisation is recorded as ‘{labels.get(org_type, org_type)}’; if that is wrong, correct it on "
            "your organisation's page")
