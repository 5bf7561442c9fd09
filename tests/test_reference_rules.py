"""Reference data: the `setup` command, plan periods and objectives, areas and wards."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Area, AuditEvent, Fund, Objective, PlanPeriod, Round, User
from grants.services import audit
from grants.services import reference as reference_service
from grants.services.errors import ValidationFailed
from grants.services.setup import load_reference_data

from .factories import make_application


def _counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Area, PlanPeriod, Objective, Fund, Round, User, AuditEvent)}


def test_setup_loads_reference_data_without_rounds_or_users(app, runner):
    """Does `flask setup` load the four areas, the plan's five objectives and the two funds, and nothing else?"""
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    counts = _counts()
    assert (counts["Area"], counts["PlanPeriod"], counts["Objective"], counts["Fund"]) == (4, 1, 5, 2)
    assert (counts["Round"], counts["User"]) == (0, 0)
    areas = {a.name: a.gss_code for a in db.session.scalars(select(Area))}
    assert areas == {"Hartlepool": "E06000001", "Middlesbrough": "E06000002", "Redcar and Cleveland": "E06000003",
                     "Stockton-on-Tees": "E06000004"}
    funds = {f.code: f for f in db.session.scalars(select(Fund))}
    assert funds["CSF"].legal_power.startswith("Section 9 of the Police Reform and Social Responsibility Act 2011")
    assert funds["CSF"].public_benefit == "crime and disorder reduction"
    assert funds["PPAF"].legal_power == "the Police (Property) Regulations 1997"
    assert funds["PPAF"].public_benefit == "charitable purposes"
    assert counts["AuditEvent"] == 1


def test_setup_twice_changes_nothing(app, runner):
    """Does a second `flask setup` add, change and audit nothing?"""
    runner.invoke(args=["setup"])
    before = _counts()
    fund = db.session.scalar(select(Fund).where(Fund.code == "CSF"))
    fund.description = "Our own words"
    db.session.commit()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert _counts() == before
    assert db.session.scalar(select(Fund).where(Fund.code == "CSF")).description == "Our own words"


def test_setup_fills_only_a_blank_legal_power(app):
    """On an install that had funds before legal powers existed, does setup fill the blank, and only that?"""
    db.session.add(Fund(code="CSF", name="Our Community Safety Fund"))
    db.session.flush()
    added = load_reference_data()
    fund = db.session.scalar(select(Fund).where(Fund.code == "CSF"))
    assert added["funds"] == 1 and added["funds_completed"] == 1
    assert fund.name == "Our Community Safety Fund" and fund.legal_power.startswith("Section 9")


# --- Plans and objectives ------------------------------------------------------------------------


def test_plans_may_not_overlap(demo):
    """Is a plan starting on the current plan's last day refused, and one starting the day after accepted?"""
    current = db.session.scalar(select(PlanPeriod))
    with pytest.raises(ValidationFailed) as caught:
        reference_service.create_plan(name="Next", starts_on=current.ends_on, ends_on=date(2034, 3, 31),
                                      actor=demo.admin)
    assert "overlap" in caught.value.errors["starts_on"]
    nxt = reference_service.create_plan(name="Next", starts_on=date(current.ends_on.year, 4, 1),
                                        ends_on=date(2034, 3, 31), actor=demo.admin)
    assert reference_service.plan_in_force(date(2030, 1, 1)) is nxt
    assert reference_service.plan_in_force(current.ends_on) is current
    assert "plan.created" in audit.pending_actions()


def test_plan_must_end_after_it_starts(demo):
    """Is a plan ending the day it starts refused?"""
    with pytest.raises(ValidationFailed) as caught:
        reference_service.create_plan(name="Odd", starts_on=date(2040, 1, 1), ends_on=date(2040, 1, 1),
                                      actor=demo.admin)
    assert caught.value.errors == {"ends_on": "The end date must be after the start date"}


def test_objective_number_is_unique_within_a_plan_not_globally(demo):
    """Is a second objective 1 refused in the same plan but accepted in another plan?"""
    current = db.session.scalar(select(PlanPeriod))
    with pytest.raises(ValidationFailed) as caught:
        reference_service.add_objective(current, number=1, name="Again", actor=demo.admin)
    assert caught.value.errors == {"number": f"{current.name} already has an objective 1. Choose another number"}
    other = reference_service.create_plan(name="Old plan", starts_on=date(2021, 4, 1), ends_on=date(2024, 3, 31),
                                          actor=demo.admin)
    assert reference_service.add_objective(other, number=1, name="Old first", actor=demo.admin).number == 1


def test_an_objective_chosen_by_an_application_keeps_its_wording_but_can_be_retired(demo):
    """Once an application has chosen an objective, is rewording refused while retiring is allowed?"""
    make_application(demo)  # chooses objective 1
    first = db.session.scalar(select(Objective).order_by(Objective.number))
    with pytest.raises(ValidationFailed) as caught:
        reference_service.edit_objective(first, number=1, name="Reworded", retired=False, actor=demo.admin)
    assert "Retire it and add a new objective" in caught.value.errors["name"]
    reference_service.edit_objective(first, number=1, name=first.name, retired=True, actor=demo.admin)
    assert first.retired and first not in reference_service.objectives_for(date(2026, 5, 1))
    assert "objective.changed" in audit.pending_actions()


# --- Areas and wards -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["E0600000", "E060000055", "60000005X", "EE6000005"])
def test_area_gss_code_is_a_letter_and_eight_digits(demo, code):
    """Is a GSS code one digit short or long, or not letter-then-digits, refused?"""
    with pytest.raises(ValidationFailed) as caught:
        reference_service.create_area(name="Durham", gss_code=code, actor=demo.admin)
    assert caught.value.errors == {
        "gss_code": "Enter the GSS code as a capital letter followed by 8 digits, like E06000001"}


def test_area_accepts_a_valid_code_and_refuses_a_duplicate(demo):
    """Is e06000047 accepted (as E06000047), and a second area with Hartlepool's code refused?"""
    assert reference_service.create_area(name="Durham", gss_code="e06000047", actor=demo.admin).gss_code == "E06000047"
    with pytest.raises(ValidationFailed) as caught:
        reference_service.create_area(name="Elsewhere", gss_code="E06000001", actor=demo.admin)
    assert caught.value.errors == {"gss_code": "Another area already has the GSS code E06000001"}


def test_wards_have_unique_names_in_their_area_and_optional_codes(demo):
    """Can a ward be added without a code, is a repeated name refused, and a bad code refused?"""
    hartlepool = db.session.scalar(select(Area).where(Area.name == "Hartlepool"))
    ward = reference_service.add_ward(hartlepool, name="Headland and Harbour", gss_code="", actor=demo.admin)
    assert ward.gss_code is None and "ward.added" in audit.pending_actions()
    with pytest.raises(ValidationFailed) as caught:
        reference_service.add_ward(hartlepool, name="Headland and Harbour", gss_code="E05008942", actor=demo.admin)
    assert caught.value.errors == {"name": "Hartlepool already has a ward called ‘Headland and Harbour’"}
    with pytest.raises(ValidationFailed):
        reference_service.add_ward(hartlepool, name="Seaton", gss_code="E0500894", actor=demo.admin)
    assert reference_service.add_ward(hartlepool, name="Seaton", gss_code="E05008942",
                                      actor=demo.admin).gss_code == "E05008942"
