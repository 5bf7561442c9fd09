"""Setting up and changing funds and rounds: every rule, at its boundary."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import Area, AuditEvent, Fund, Objective, OutboxEmail, PlanPeriod, Round
from grants.services import applications, audit
from grants.services import rounds as round_service
from grants.services.errors import DomainError, NotPermitted, ValidationFailed

from .factories import make_application

ALL_TYPES = ["registered_charity", "cio", "cic", "company_limited_by_guarantee", "constituted_group", "school",
             "faith_group", "other"]


def settings(**overrides) -> round_service.RoundSettings:
    """A valid round opening a month from today."""
    today = clock.today()
    values = dict(
        name="Spring", financial_year=clock.financial_year(today + timedelta(days=30)),
        opens_on=today + timedelta(days=30), closes_on=today + timedelta(days=120), guidance="Read this",
        budget_pence=1_000_000, min_award_pence=10_000, max_award_pence=200_000, delegated_limit_pence=100_000,
        full_payment_threshold_pence=50_000, offer_acceptance_days=28, min_assessors_above_limit=2,
        min_assessors_within_limit=1, pass_mark_percent=50,
        objective_ids=[o.id for o in db.session.scalars(select(Objective).order_by(Objective.number))][:2],
        area_ids=[a.id for a in db.session.scalars(select(Area))], allowed_org_types=list(ALL_TYPES),
    )
    values.update(overrides)
    return round_service.RoundSettings(**values)


def refusal(fund, **overrides) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        round_service.create_round(fund, settings(**overrides), actor=None)
    db.session.rollback()
    return caught.value.errors


def accepted(fund, **overrides) -> Round:
    return round_service.create_round(fund, settings(**overrides), actor=None)


def open_round(demo, **overrides) -> Round:
    """A round that opened ten days ago (created before opening, as an officer would)."""
    today = clock.today()
    round_ = accepted(demo.csf, **{"name": "Open one", "opens_on": today - timedelta(days=10),
                                   "closes_on": today + timedelta(days=60), **overrides})
    db.session.flush()
    return round_


# --- Validation at the boundaries ---------------------------------------------------------------------


def test_closing_date_must_be_after_the_opening_date(demo):
    """Is a round that closes the day it opens refused, and one closing a day later accepted?"""
    opens = clock.today() + timedelta(days=30)
    assert refusal(demo.csf, opens_on=opens, closes_on=opens) == {
        "closes_on": "The closing date must be after the opening date"}
    assert accepted(demo.csf, opens_on=opens, closes_on=opens + timedelta(days=1)).closes_on == opens + timedelta(1)


def test_smallest_award_may_equal_but_not_exceed_the_largest(demo):
    """Is a smallest award one penny above the largest refused, while equal is fine?"""
    assert "min_award_pence" in refusal(demo.csf, min_award_pence=200_001, max_award_pence=200_000)
    assert accepted(demo.csf, min_award_pence=200_000, max_award_pence=200_000).min_award_pence == 200_000


def test_largest_award_may_equal_but_not_exceed_the_budget(demo):
    """Is a largest award one penny over the budget refused, and one equal to it accepted?"""
    errors = refusal(demo.csf, max_award_pence=1_000_001, budget_pence=1_000_000)
    assert errors == {"max_award_pence": "The largest award must be no more than the budget (£10,000)"}
    assert accepted(demo.csf, max_award_pence=1_000_000, budget_pence=1_000_000).max_award_pence == 1_000_000


@pytest.mark.parametrize("key", ["delegated_limit_pence", "full_payment_threshold_pence"])
def test_limits_lie_between_zero_and_the_budget(demo, key):
    """Are the delegated limit and full-payment threshold refused one penny over the budget, allowed at it and at £0?"""
    assert key in refusal(demo.csf, **{key: 1_000_001})
    assert getattr(accepted(demo.csf, name="At budget", **{key: 1_000_000}), key) == 1_000_000
    assert getattr(accepted(demo.csf, name="At zero", **{key: 0}), key) == 0


def test_pass_mark_is_a_percentage(demo):
    """Is a pass mark of 101 refused while 100 and 0 are accepted?"""
    assert refusal(demo.csf, pass_mark_percent=101) == {"pass_mark_percent": "Enter a pass mark between 0 and 100"}
    assert accepted(demo.csf, name="Hundred", pass_mark_percent=100).pass_mark_percent == 100
    assert accepted(demo.csf, name="Zero", pass_mark_percent=0).pass_mark_percent == 0


def test_at_least_one_assessor(demo):
    """Is a round needing no assessors refused, and one needing one accepted?"""
    assert "min_assessors_within_limit" in refusal(demo.csf, min_assessors_within_limit=0)
    assert "min_assessors_above_limit" in refusal(demo.csf, min_assessors_above_limit=0, min_assessors_within_limit=0)
    made = accepted(demo.csf, min_assessors_above_limit=1, min_assessors_within_limit=1)
    assert (made.min_assessors_above_limit, made.min_assessors_within_limit) == (1, 1)


def test_money_must_be_given(demo):
    """Is a round with no budget refused with a message saying how to enter it?"""
    assert refusal(demo.csf, budget_pence=None)["budget_pence"] == (
        "Enter the round's budget in pounds, like 5000 or 5000.50")


def test_at_least_one_objective_and_organisation_type(demo):
    """Is a round with no objective or no organisation type refused, each beside its field?"""
    errors = refusal(demo.csf, objective_ids=[], allowed_org_types=[])
    assert errors == {
        "objective_ids": "Choose at least one plan objective the round supports",
        "allowed_org_types": "Choose at least one type of organisation that may apply",
    }
    assert "area_ids" in refusal(demo.csf, area_ids=[999_999])
    made = accepted(demo.csf, objective_ids=settings().objective_ids[:1], allowed_org_types=["registered_charity"])
    assert made.allowed_org_types == ["registered_charity"] and len(made.objectives) == 1


def test_objectives_come_from_the_plan_in_force_on_the_opening_date(demo):
    """Is an objective of a plan not in force on the opening date refused, and a retired one too?"""
    current = db.session.scalar(select(PlanPeriod))
    later = PlanPeriod(name="Police and Crime Plan 2029–2034", starts_on=current.ends_on + timedelta(days=1),
                       ends_on=current.ends_on + timedelta(days=365 * 5))
    later_objective = Objective(plan=later, number=1, name="Safer streets")
    db.session.add_all([later, later_objective])
    db.session.flush()
    errors = refusal(demo.csf, objective_ids=[later_objective.id])
    assert errors["objective_ids"] == (
        f"Choose objectives from {current.name}, the plan in force on the opening date")
    first = db.session.scalar(select(Objective).where(Objective.plan_id == current.id, Objective.number == 1))
    first.retired = True
    db.session.flush()
    assert "objective_ids" in refusal(demo.csf, objective_ids=[first.id])


def test_a_second_round_with_the_same_name_in_a_fund_is_refused_kindly(demo):
    """Does a duplicate name in the same fund get a message (not a database error), while another fund may reuse it?"""
    accepted(demo.csf, name="Summer")
    assert refusal(demo.csf, name="Summer") == {
        "name": "The Community Safety Fund already has a round called ‘Summer’. Give this round a different name"}
    assert accepted(demo.ppaf, name="Summer").fund_id == demo.ppaf.id


def test_financial_year_must_be_two_consecutive_years(demo):
    """Is '2026-28' refused and '2026-27' accepted?"""
    assert "financial_year" in refusal(demo.csf, financial_year="2026-28")
    assert accepted(demo.csf, financial_year="2026-27").financial_year == "2026-27"


def test_a_retired_fund_takes_no_new_rounds(demo):
    """Is a round refused in a fund closed for new rounds?"""
    demo.csf.open_for_new_rounds = False
    with pytest.raises(DomainError, match="closed for new rounds"):
        round_service.create_round(demo.csf, settings(), actor=None)


def test_a_new_round_starts_with_the_default_rubric_and_is_audited(demo):
    """Does a new round get the default rubric (weights 100) and an audit event with its settings?"""
    made = round_service.create_round(demo.csf, settings(name="Audited"), actor=demo.officer)
    assert sum(c.weight_percent for c in made.criteria) == 100
    assert "round.created" in audit.pending_actions()
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.created"))
    assert event.after["name"] == "Audited" and event.after["budget_pence"] == 1_000_000


# --- Changing a round -------------------------------------------------------------------------------


def test_before_opening_anything_may_change(demo):
    """Can the smallest award and the organisation types change while the round has not opened?"""
    made = accepted(demo.csf)
    round_service.edit_round(made, settings(min_award_pence=20_000, allowed_org_types=["cio"]), actor=demo.officer)
    assert made.min_award_pence == 20_000 and made.allowed_org_types == ["cio"]


def test_after_opening_only_a_later_close_guidance_and_budget_may_change(demo):
    """Once open, are a later closing date, new guidance and a bigger budget saved, with before/after audited?"""
    made = open_round(demo)
    current = round_service.settings_of(made)
    later = made.closes_on + timedelta(days=14)
    round_service.edit_round(made, dataclasses.replace(current, closes_on=later, guidance="New guidance",
                                                       budget_pence=1_500_000), actor=demo.officer)
    assert (made.closes_on, made.guidance, made.budget_pence) == (later, "New guidance", 1_500_000)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.changed"))
    assert event.before["budget_pence"] == 1_000_000 and event.after["budget_pence"] == 1_500_000


@pytest.mark.parametrize("change", [
    {"min_award_pence": 10_001}, {"max_award_pence": 199_999}, {"pass_mark_percent": 51},
    {"allowed_org_types": ["registered_charity"]}, {"name": "Renamed"}, {"delegated_limit_pence": 100_001},
])
def test_after_opening_rules_applicants_rely_on_are_refused(demo, change):
    """Once open, is a change to a rule applicants rely on refused beside that field?"""
    made = open_round(demo)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), **change),
                                 actor=demo.officer)
    [key] = change
    assert caught.value.errors[key].startswith("This cannot change now the round has opened")


def test_after_opening_the_closing_date_cannot_move_earlier(demo):
    """Once open, is moving the closing date one day earlier refused, pointing to closing early instead?"""
    made = open_round(demo)
    earlier = made.closes_on - timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), closes_on=earlier),
                                 actor=demo.officer)
    assert "close the round early" in caught.value.errors["closes_on"]


def test_budget_down_never_below_this_rounds_commitments(demo):
    """With money committed in this round AND another, is the budget refused one penny below this round's
    commitments, and accepted at exactly them with a reason (recorded in the audit)?"""
    made = open_round(demo, max_award_pence=400_000, budget_pence=1_000_000)
    make_application(demo, round_=made, status="approved", awarded_pence=300_000, amount_pence=300_000)
    make_application(demo, round_=made, status="funded", awarded_pence=100_000, amount_pence=100_000)
    # Money in the demo round must not count against this one.
    make_application(demo, round_=demo.csf_round, status="funded", awarded_pence=500_000, amount_pence=500_000)
    current = round_service.settings_of(made)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(current, budget_pence=399_999), reason="Cut",
                                 actor=demo.officer)
    assert caught.value.errors["budget_pence"] == (
        "The budget cannot go below the £4,000 already committed to awards in this round")
    round_service.edit_round(made, dataclasses.replace(current, budget_pence=400_000, max_award_pence=400_000),
                             reason="Council cut", actor=demo.officer)
    assert made.budget_pence == 400_000
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.changed"))
    assert event.reason == "Council cut"


def test_after_opening_a_since_retired_objective_does_not_block_other_changes(demo):
    """If an objective the open round uses is retired later, can its guidance still change?"""
    made = open_round(demo)
    made.objectives[0].retired = True
    round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), guidance="Still editable"),
                             actor=demo.officer)
    assert made.guidance == "Still editable"


def test_after_opening_a_budget_below_the_largest_award_is_reported_on_the_budget(demo):
    """Once open, is a budget cut below the largest award refused beside the budget (the field shown)?"""
    made = open_round(demo)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), budget_pence=199_999),
                                 reason="Cut", actor=demo.officer)
    assert caught.value.errors == {"budget_pence": "The largest award must be no more than the budget (£1,999.99)"}


def test_budget_down_after_opening_needs_a_reason(demo):
    """Is a budget reduction without a reason refused, asking for one?"""
    made = open_round(demo)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_round(made, dataclasses.replace(round_service.settings_of(made), budget_pence=900_000),
                                 actor=demo.officer)
    assert caught.value.errors == {"reason": "Say why the budget is being reduced"}


# --- Copying and closing ------------------------------------------------------------------------------


def test_copy_moves_dates_a_year_on_and_keeps_checklist_rubric_and_settings(demo):
    """Does a copy get dates a year later, the next financial year, a new name, and the same checklist, rubric
    and limits; and is a second copy with the same name refused?"""
    source = demo.csf_round
    name = round_service.suggested_copy_name(source)
    assert name != source.name
    copy = round_service.copy_round(source, name=name, actor=demo.officer)
    assert copy.opens_on == source.opens_on.replace(year=source.opens_on.year + 1)
    assert copy.closes_on == source.closes_on.replace(year=source.closes_on.year + 1)
    assert int(copy.financial_year[:4]) == int(source.financial_year[:4]) + 1
    assert [c.text for c in copy.eligibility_checks] == [c.text for c in source.eligibility_checks]
    assert [(c.name, c.weight_percent) for c in copy.criteria] == [(c.name, c.weight_percent) for c in source.criteria]
    assert (copy.budget_pence, copy.max_award_pence, copy.delegated_limit_pence) == (
        source.budget_pence, source.max_award_pence, source.delegated_limit_pence)
    assert copy.allowed_org_types == sorted(source.allowed_org_types)
    assert "round.copied" in audit.pending_actions()
    with pytest.raises(ValidationFailed) as caught:
        round_service.copy_round(source, name=name, actor=demo.officer)
    assert "already has a round called" in caught.value.errors["name"]
    assert round_service.suggested_copy_name(source) not in {name, source.name}


def test_closing_early_tells_organisations_with_drafts_only(demo):
    """Does closing early stop applications, and email the organisations with drafts (not those who submitted)?"""
    made = open_round(demo)
    draft = make_application(demo, round_=made, status="draft")
    make_application(demo, round_=made, status="submitted", user=demo.applicant2)
    told = round_service.close_round_early(made, reason="The budget is spent", actor=demo.officer)
    assert told == 1 and not made.is_open
    db.session.flush()
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert {e.to_address for e in emails} == {"applicant@example.org"}
    assert all("The budget is spent" in e.body_text and draft.reference in e.body_text for e in emails)
    assert "round.closed_early" in audit.pending_actions()
    with pytest.raises(DomainError, match="not open"):
        applications.start_application(made, actor=demo.applicant2)


def test_closing_early_needs_a_reason_and_an_open_round(demo):
    """Is closing early refused without a reason, and for a round that has not opened?"""
    made = open_round(demo)
    with pytest.raises(ValidationFailed):
        round_service.close_round_early(made, reason="  ", actor=demo.officer)
    with pytest.raises(DomainError, match="not open"):
        round_service.close_round_early(accepted(demo.csf), reason="Why", actor=demo.officer)


def test_only_allowed_organisation_types_may_start_an_application(demo):
    """Is a constituted group refused a charities-only round with a reason, while a charity may start?"""
    made = open_round(demo, allowed_org_types=["registered_charity"])
    assert demo.applicant.organisation.org_type == "constituted_group"
    with pytest.raises(NotPermitted) as caught:
        applications.start_application(made, actor=demo.applicant)
    assert caught.value.message.startswith(
        f"Only these types of organisation may apply to the {made.title} round: Registered charity.")
    assert "Constituted community group" in caught.value.message
    assert demo.applicant2.organisation.org_type == "registered_charity"
    assert applications.start_application(made, actor=demo.applicant2).round_id == made.id


# --- Funds --------------------------------------------------------------------------------------------


def fund_input(**overrides) -> round_service.FundInput:
    values = dict(name="Youth Fund", code="YF", description="For young people", legal_power="Section 9",
                  public_benefit="crime and disorder reduction", open_for_new_rounds=True)
    values.update(overrides)
    return round_service.FundInput(**values)


@pytest.mark.parametrize("code", ["yf", "Y", "Y1", "ABCDEFGHIJK", "Y F"])
def test_fund_code_is_two_to_ten_capital_letters(demo, code):
    """Is a code that is not 2-10 capital letters refused (lower case is read as upper case)?"""
    if code == "yf":
        assert round_service.create_fund(fund_input(code=code), actor=demo.officer).code == "YF"
        return
    with pytest.raises(ValidationFailed) as caught:
        round_service.create_fund(fund_input(code=code), actor=demo.officer)
    assert caught.value.errors == {"code": "Enter a short code of 2 to 10 capital letters, like CSF"}


def test_fund_code_is_unique_and_legal_power_and_public_benefit_are_required(demo):
    """Is a second fund with code CSF refused, and one without legal power or public benefit?"""
    with pytest.raises(ValidationFailed) as caught:
        round_service.create_fund(fund_input(code="CSF", legal_power=" ", public_benefit=""), actor=demo.officer)
    assert set(caught.value.errors) == {"code", "legal_power", "public_benefit"}
    assert caught.value.errors["code"] == "Another fund already uses the code CSF. Choose a different code"


def test_fund_code_is_fixed_once_it_has_applications_and_a_fund_can_be_retired(demo):
    """Once a fund has an application, is its code fixed, while retiring it (and other edits) still work?"""
    make_application(demo, round_=demo.csf_round)
    values = fund_input(name=demo.csf.name, code="CSIF", legal_power=demo.csf.legal_power)
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_fund(demo.csf, values, actor=demo.officer)
    assert "references already use it" in caught.value.errors["code"]
    round_service.edit_fund(demo.csf, dataclasses.replace(values, code="CSF", open_for_new_rounds=False),
                            actor=demo.officer)
    assert demo.csf.open_for_new_rounds is False
    assert "fund.changed" in audit.pending_actions()
    assert db.session.get(Fund, demo.csf.id) is not None


def test_legal_power_is_fixed_once_a_decision_names_it(demo):
    """After a decision record in the fund, is changing its legal power refused (records and letters name it)?"""
    from .factories_reporting import make_award

    values = fund_input(name=demo.csf.name, code="CSF", legal_power="Something else")
    round_service.edit_fund(demo.csf, dataclasses.replace(values, legal_power=demo.csf.legal_power + " (grants)"),
                            actor=demo.officer)  # no decisions yet: a correction is fine
    make_award(demo, reasons="Deters theft")
    with pytest.raises(ValidationFailed) as caught:
        round_service.edit_fund(demo.csf, values, actor=demo.officer)
    assert caught.value.errors["legal_power"].startswith("The legal power cannot change once decisions")


def test_an_application_may_only_name_the_rounds_areas(demo):
    """Where a round names its areas, is an application naming another area refused, and one of the round's kept?"""
    made = open_round(demo)
    hartlepool, middlesbrough = (db.session.scalar(select(Area).where(Area.name == n))
                                 for n in ("Hartlepool", "Middlesbrough"))
    made.areas = [hartlepool]
    draft = applications.start_application(made, actor=demo.applicant)
    values = {"area_ids": [middlesbrough.id], "beneficiary_count": 10}
    with pytest.raises(ValidationFailed) as caught:
        applications.save_section(draft, section="where_and_who", completed=False, actor=demo.applicant,
                                  values=values)
    assert caught.value.errors == {"areas": "Select areas from the list"}
    applications.save_section(draft, section="where_and_who", completed=False, actor=demo.applicant,
                              values={**values, "area_ids": [hartlepool.id]})
    assert draft.areas == [hartlepool]
