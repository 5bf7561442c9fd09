"""The reporting schedule: which reports a grant sends, when, and which payment waits on which report.

One rule, read from the round's schedule settings. The award letter, the offer
page, the payment schedule proposed to the decision maker, the reports created
when an offer is accepted, and the reports moved when an end date changes all
come from `schedule_for`, so the letter (the legal offer) states exactly the
reports monitoring will then ask for.

Reports:
* Final report: `final_report_months_after_end` months after the project ends.
* Interim report, at the project's midpoint, as the round's `interim_report_rule`
  says: "never"; "above" (awards above `interim_report_threshold_pence`); or
  "always". A payment schedule with an instalment waiting on the interim report
  (a decision maker may set one) also requires it, so that money can be released.
* Fixed-date returns (e.g. "Budget return", 30 October): each of the round's
  fixed returns whose date falls while the project runs (start to end, inclusive).

Payments (the proposal the decision maker starts from):
* in full on acceptance up to the round's `full_payment_threshold_pence`;
* above it, half on acceptance (the first half takes any odd penny) and half
  after the interim report is signed off when the grant has one, otherwise after
  the final report is signed off: the second half always waits on a report the
  grant actually has.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from . import audit
from .errors import InvalidTransition, ValidationFailed

NEVER, ABOVE, ALWAYS = "never", "above", "always"
INTERIM_RULES = {
    NEVER: "Never",
    ABOVE: "For awards above an amount",
    ALWAYS: "For every grant",
}

INTERIM, FINAL = "interim", "final"
RETURN_PREFIX = "return-"
REPORT_TITLES = {INTERIM: "Interim report", FINAL: "Final report"}

ON_ACCEPTANCE = "on_acceptance"
AFTER_INTERIM = "after_interim_report"
AFTER_FINAL = "after_final_report"

MAX_MONTHS_AFTER_END = 12
MAX_FIXED_RETURNS = 12


def add_months(day: date, months: int) -> date:
    """Calendar months later; the day is clamped to the month's end (31 Aug + 1 = 30 Sep)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def midpoint(start: date, end: date) -> date:
    return start + timedelta(days=(end - start).days // 2)


@dataclass(frozen=True)
class ReportDue:
    kind: str  # "interim" | "final" | "return-<FixedReturn.id>"
    title: str
    due_on: date

    @property
    def is_fixed_return(self) -> bool:
        return self.kind.startswith(RETURN_PREFIX)


@dataclass(frozen=True)
class Schedule:
    reports: list[ReportDue]
    instalments: list[dict]  # [{"amount_pence": int, "trigger": str}], summing to the award


def interim_required_by_rule(round_, award_pence: int) -> bool:
    """Does the round's interim rule ask for an interim report from an award of this size?"""
    rule = round_.interim_report_rule
    if rule == ALWAYS:
        return True
    if rule == ABOVE:
        return award_pence > round_.interim_report_threshold_pence
    return False


def interim_rule_text(round_) -> str:
    """The round's interim rule in words, e.g. "For awards above £2,500"."""
    from ..money import format_pence

    if round_.interim_report_rule == ABOVE:
        return f"For awards above {format_pence(round_.interim_report_threshold_pence)}"
    return INTERIM_RULES.get(round_.interim_report_rule, round_.interim_report_rule)


def propose_instalments(round_, award_pence: int) -> list[dict]:
    """The round's payment split for an award (see the module docstring)."""
    if award_pence <= round_.full_payment_threshold_pence:
        return [{"amount_pence": award_pence, "trigger": ON_ACCEPTANCE}]
    first = -(-award_pence // 2)
    second = AFTER_INTERIM if interim_required_by_rule(round_, award_pence) else AFTER_FINAL
    return [{"amount_pence": first, "trigger": ON_ACCEPTANCE},
            {"amount_pence": award_pence - first, "trigger": second}]


def schedule_for(round_, *, award_pence: int, start_date: date | None, end_date: date | None,
                 instalments: Iterable[dict] | None = None) -> Schedule:
    """The reports a grant must send (soonest first) and its payment instalments.

    `round_` is the round the application was submitted under; `instalments`
    is the payment schedule decided (None: the round's proposal). Without
    project dates nothing can be dated, so no reports are listed.
    """
    chosen = [dict(row) for row in instalments] if instalments is not None else \
        propose_instalments(round_, award_pence)
    reports: list[ReportDue] = []
    if start_date is not None and end_date is not None:
        if interim_required_by_rule(round_, award_pence) or any(r["trigger"] == AFTER_INTERIM for r in chosen):
            reports.append(ReportDue(INTERIM, REPORT_TITLES[INTERIM], midpoint(start_date, end_date)))
        reports.extend(ReportDue(f"{RETURN_PREFIX}{fixed.id}", fixed.title, fixed.due_on)
                       for fixed in round_.fixed_returns if start_date <= fixed.due_on <= end_date)
        reports.append(ReportDue(FINAL, REPORT_TITLES[FINAL],
                                 add_months(end_date, round_.final_report_months_after_end)))
    reports.sort(key=lambda r: (r.due_on, r.kind != INTERIM, r.kind == FINAL))
    return Schedule(reports=reports, instalments=chosen)


def schedule_for_application(application, *, instalments: Iterable[dict] | None = None) -> Schedule:
    """The schedule of an awarded application: its round, award, dates and decided instalments."""
    if instalments is None:
        from .monitoring import instalments_of

        stored = instalments_of(application)
        instalments = [{"amount_pence": i.amount_pence, "trigger": i.trigger} for i in stored] or None
    return schedule_for(application.round, award_pence=application.awarded_pence or 0,
                        start_date=application.start_date, end_date=application.end_date, instalments=instalments)


# --- The round's schedule settings -----------------------------------------------------------


def check_settings(*, final_report_months_after_end: int | None, interim_report_rule: str | None,
                   interim_report_threshold_pence: int | None,
                   fixed_returns: Iterable[tuple[str, date | None]] = (), opens_on: date | None = None) -> dict:
    """Refusals for a round's schedule settings, keyed by field, for a form to show (empty: all fine).

    Fields: `final_report_months_after_end`, `interim_report_rule`,
    `interim_report_threshold_pence`, `fixed_returns-<n>-title` /
    `fixed_returns-<n>-due_on` (n counts from 0).
    """
    errors: dict[str, str] = {}
    months = final_report_months_after_end
    if not isinstance(months, int) or isinstance(months, bool):
        errors["final_report_months_after_end"] = "Enter how many months after the project ends the final " \
                                                  "report is due, as a whole number"
    elif not 0 <= months <= MAX_MONTHS_AFTER_END:
        errors["final_report_months_after_end"] = ("The final report must be due between 0 and "
                                                   f"{MAX_MONTHS_AFTER_END} months after the project ends")
    if interim_report_rule not in INTERIM_RULES:
        errors["interim_report_rule"] = "Choose when grants send an interim report"
    elif interim_report_rule == ABOVE:
        threshold = interim_report_threshold_pence
        if not isinstance(threshold, int) or isinstance(threshold, bool):
            errors["interim_report_threshold_pence"] = "Enter the amount above which an interim report is needed, " \
                                                      "for example 2500"
        elif threshold < 0:
            errors["interim_report_threshold_pence"] = "The amount must be £0 or more"
    rows = list(fixed_returns)
    if len(rows) > MAX_FIXED_RETURNS:
        errors["fixed_returns"] = f"A round can have at most {MAX_FIXED_RETURNS} fixed-date returns"
    seen = set()
    for n, (title, due_on) in enumerate(rows):
        title = (title or "").strip()
        if not title:
            errors[f"fixed_returns-{n}-title"] = "Enter the return's name, for example Budget return"
        elif len(title) > 200:
            errors[f"fixed_returns-{n}-title"] = "The return's name must be 200 characters or fewer"
        if due_on is None:
            errors[f"fixed_returns-{n}-due_on"] = "Enter the date the return is due, for example 30 10 2027"
        elif opens_on is not None and due_on < opens_on:
            errors[f"fixed_returns-{n}-due_on"] = "The return must be due on or after the day the round opens"
        elif (title.lower(), due_on) in seen:
            errors[f"fixed_returns-{n}-title"] = "This return is already listed for that date"
        seen.add((title.lower(), due_on))
    return errors


SCHEDULE_FIELDS = ("final_report_months_after_end", "interim_report_rule", "interim_report_threshold_pence",
                   "fixed_returns")
OFFER_MADE = ("This round has already made offers, and their letters state its reporting schedule; set a different "
              "schedule in a new round")


def offer_made(round_) -> bool:
    """Has the round made an offer? From then on its schedule is fixed (see `set_schedule`)."""
    if round_.id is None:
        return False
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Application

    return db.session.scalar(select(Application.id).where(Application.round_id == round_.id,
                                                          Application.awarded_pence.is_not(None)).limit(1)) is not None


def _settings_of(round_) -> dict:
    return {"final_report_months_after_end": round_.final_report_months_after_end,
            "interim_report_rule": round_.interim_report_rule,
            "interim_report_threshold_pence": round_.interim_report_threshold_pence,
            "fixed_returns": [{"title": f.title, "due_on": f.due_on.isoformat()} for f in round_.fixed_returns]}


def apply_schedule(round_, *, final_report_months_after_end: int, interim_report_rule: str,
                   interim_report_threshold_pence: int | None, fixed_returns: Iterable[tuple[str, date]] = ()) -> None:
    """Write checked schedule settings onto a round (the caller checks and audits). The threshold is kept
    unless the rule is "above", so switching the rule off and on again keeps it."""
    from ..models import FixedReturn

    round_.final_report_months_after_end = final_report_months_after_end
    round_.interim_report_rule = interim_report_rule
    if interim_report_rule == ABOVE:
        round_.interim_report_threshold_pence = interim_report_threshold_pence
    wanted = [(title.strip(), due_on) for title, due_on in fixed_returns]
    if [(f.title, f.due_on) for f in round_.fixed_returns] != wanted:
        round_.fixed_returns = [FixedReturn(title=title, due_on=due_on) for title, due_on in wanted]


def set_schedule(round_, *, actor, final_report_months_after_end: int, interim_report_rule: str,
                 interim_report_threshold_pence: int | None, fixed_returns: Iterable[tuple[str, date]] = ()):
    """Change a round's reporting schedule (validated by `check_settings`; audited before and after).

    Refused once the round has made an offer: a letter states the reports its
    grant will send, and the reports are created from the round when the offer
    is accepted, so the schedule must not move under an offer already made.
    The round settings pages change the schedule through `rounds.edit_round`,
    which applies this same rule.
    """
    if offer_made(round_):
        raise InvalidTransition(OFFER_MADE)
    rows = list(fixed_returns)
    errors = check_settings(final_report_months_after_end=final_report_months_after_end,
                            interim_report_rule=interim_report_rule,
                            interim_report_threshold_pence=interim_report_threshold_pence,
                            fixed_returns=rows, opens_on=round_.opens_on)
    if errors:
        raise ValidationFailed(errors)
    before = _settings_of(round_)
    apply_schedule(round_, final_report_months_after_end=final_report_months_after_end,
                   interim_report_rule=interim_report_rule,
                   interim_report_threshold_pence=interim_report_threshold_pence, fixed_returns=rows)
    after = _settings_of(round_)
    if after != before:
        audit.record("round.schedule_changed", actor=actor, entity=round_, fund_id=round_.fund_id,
                     before=before, after=after)
    return round_
