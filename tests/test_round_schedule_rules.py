"""A round's reporting schedule as part of its settings: set, changed, copied and audited with the round, every
rule at its boundary."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import AuditEvent
from grants.services import reporting_schedule
from grants.services import rounds as round_service
from grants.services.errors import ValidationFailed

from .factories_decisions import approve, make_assessed
from .test_rounds_rules import accepted, open_round, refusal, settings


def test_a_new_round_carries_its_schedule_and_the_audit_records_it(demo):
    """Does create_round save the months, interim rule, threshold and fixed returns, and audit all of them?"""
    opens = clock.today() + timedelta(days=30)
    made = accepted(demo.csf, final_report_months_after_end=2, interim_report_rule="above",
                    interim_report_threshold_pence=300_000, fixed_returns=[(" Budget return ", opens)])
    assert (made.final_report_months_after_end, made.interim_report_rule, made.interim_report_threshold_pence) == \
        (2, "above", 300_000)
    assert [(f.title, f.due_on) for f in made.fixed_returns] == [("Budget return", opens)]
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.created"))
    assert event.after["interim_report_threshold_pence"] == 300_000
    assert event.after["fixed_returns"] == [{"title": "Budget return", "due_on": opens.isoformat()}]


@pytest.mark.parametrize("award, interim", [(250_000, False), (250_001, True)])
def test_interim_threshold_is_exclusive_to_the_penny(demo, award, interim):
    """With an interim report for awards above £2,500, does exactly £2,500 go without one and £2,500.01 need one?"""
    made = accepted(demo.csf, interim_report_rule="above", interim_report_threshold_pence=250_000)
    schedule = reporting_schedule.schedule_for(made, award_pence=award, start_date=date(2027, 1, 1),
                                               end_date=date(2027, 6, 30))
    assert ("interim" in [r.kind for r in schedule.reports]) == interim


@pytest.mark.parametrize("months, ok", [(0, True), (12, True), (-1, False), (13, False), (10**9, False),
                                        (None, False)])
def test_final_report_months_lie_between_0_and_12(demo, months, ok):
    """Is the final report due 0 to 12 months after the project ends, and anything else refused beside the field?"""
    if ok:
        assert accepted(demo.csf, final_report_months_after_end=months).final_report_months_after_end == months
    else:
        assert "final_report_months_after_end" in refusal(demo.csf, final_report_months_after_end=months)


def test_interim_rule_must_be_one_of_the_three_and_above_needs_an_amount(demo):
    """Is an unknown rule refused, 'above' without an amount refused, and 'never' accepted with no amount?"""
    assert refusal(demo.csf, interim_report_rule="sometimes") == {
        "interim_report_rule": "Choose when grants send an interim report"}
    assert list(refusal(demo.csf, interim_report_rule="above", interim_report_threshold_pence=None)) == [
        "interim_report_threshold_pence"]
    made = accepted(demo.csf, interim_report_rule="never", interim_report_threshold_pence=None)
    assert made.interim_report_rule == "never" and made.interim_report_threshold_pence == 250_000  # kept default


def test_a_fixed_return_may_fall_on_the_opening_day_but_not_before(demo):
    """Is a return due on the day the round opens accepted, and one due the day before refused beside its date?"""
    opens = clock.today() + timedelta(days=30)
    assert accepted(demo.csf, fixed_returns=[("Budget return", opens)]).fixed_returns[0].due_on == opens
    errors = refusal(demo.csf, name="Other", fixed_returns=[("Budget return", opens - timedelta(days=1))])
    assert errors == {"fixed_returns-0-due_on": "The return must be due on or after the day the round opens"}


def test_the_same_return_twice_on_one_date_is_refused_but_on_two_dates_is_not(demo):
    """Is 'Budget return' listed twice for one date (in any case) refused, while twice a year is accepted?"""
    day = clock.today() + timedelta(days=60)
    errors = refusal(demo.csf, fixed_returns=[("Budget return", day), ("budget RETURN", day)])
    assert errors == {"fixed_returns-1-title": "This return is already listed for that date"}
    made = accepted(demo.csf, fixed_returns=[("Budget return", day), ("Budget return", day + timedelta(days=180))])
    assert len(made.fixed_returns) == 2


def test_at_most_twelve_fixed_returns(demo):
    """Are twelve returns accepted and a thirteenth refused?"""
    day = clock.today() + timedelta(days=40)
    rows = [(f"Return {n}", day + timedelta(days=n)) for n in range(12)]
    assert len(accepted(demo.csf, fixed_returns=rows).fixed_returns) == 12
    assert "fixed_returns" in refusal(demo.csf, name="More", fixed_returns=rows + [("Return 12", day)])


def test_changing_the_schedule_is_audited_with_before_and_after(demo):
    """Does edit_round change the schedule of a round not yet open, recording only what changed?"""
    made = accepted(demo.csf)
    day = made.opens_on + timedelta(days=10)
    round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), interim_report_rule="always",
                                                       fixed_returns=[("Budget return", day)]), actor=demo.officer)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.changed"))
    assert set(event.after) == {"interim_report_rule", "interim_report_threshold_pence", "fixed_returns"}
    assert event.before["fixed_returns"] == [] and event.after["interim_report_rule"] == "always"


def test_an_unchanged_schedule_is_no_change(demo):
    """Saving a round's settings as they are (fixed returns in another order, rule 'never'): is nothing audited?"""
    day = clock.today() + timedelta(days=40)
    made = accepted(demo.csf, interim_report_rule="never", fixed_returns=[("B", day), ("A", day)])
    db.session.commit()
    current = round_service.settings_of(made)
    round_service.edit_round(made, dataclasses.replace(current, fixed_returns=list(reversed(current.fixed_returns))),
                             actor=demo.officer)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.changed")) is None


def test_after_opening_the_schedule_may_change_until_the_first_offer(demo):
    """Once open, may the schedule still change while no offer is made, and is it refused after one, while the
    budget may still change?"""
    made = open_round(demo)
    current = round_service.settings_of(made)
    round_service.edit_round(made, dataclasses.replace(current, final_report_months_after_end=1), actor=demo.officer)
    assert made.final_report_months_after_end == 1
    approve(demo, make_assessed(demo, round_=made, amount_pence=100_000))
    assert "final_report_months_after_end" not in round_service.changeable_settings(made)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made),
                                                           final_report_months_after_end=2), actor=demo.officer)
    assert caught.value.errors == {"final_report_months_after_end": reporting_schedule.OFFER_MADE}
    round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), budget_pence=1_200_000),
                             actor=demo.officer)
    assert made.budget_pence == 1_200_000 and made.final_report_months_after_end == 1


def test_copy_carries_the_schedule_and_moves_fixed_returns_a_year_on(demo):
    """Does a copy keep the months, rule and threshold, and move each fixed return (29 February too) a year on?"""
    source = accepted(demo.csf, final_report_months_after_end=4, interim_report_rule="above",
                      interim_report_threshold_pence=123_400, opens_on=date(2027, 4, 1), closes_on=date(2027, 6, 30),
                      financial_year="2027-28",
                      fixed_returns=[("Budget return", date(2027, 10, 30)), ("Leap return", date(2028, 2, 29))])
    copy = round_service.copy_round(source, name="Copy", actor=demo.officer)
    assert (copy.final_report_months_after_end, copy.interim_report_rule, copy.interim_report_threshold_pence) == \
        (4, "above", 123_400)
    assert [(f.title, f.due_on) for f in copy.fixed_returns] == [("Budget return", date(2028, 10, 30)),
                                                                  ("Leap return", date(2029, 2, 28))]
    assert [f.round_id for f in source.fixed_returns] == [source.id, source.id]  # the source keeps its own
