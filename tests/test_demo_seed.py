"""The demo (`flask --app wsgi seed-demo`): every state, made through the services, safe to run twice."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants import clock
from grants.demo_applications import STORIES, as_of, seed_applications
from grants.extensions import db
from grants.models import Application, GrantReturn, Round
from grants.services import budget, decisions, monitoring
from grants.services.audit import verify_chain
from grants.services.workflow import Status

from .helpers import text_of

ROOT = Path(__file__).resolve().parent.parent


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _seed(demo) -> list[Application]:
    made = seed_applications(users=demo.users, orgs=demo.orgs, csf_round=demo.csf_round,
                             ppaf_round=demo.ppaf_round)
    db.session.commit()
    return made


def _by_title(title: str) -> Application:
    return db.session.scalar(select(Application).where(Application.title == title))


def test_seed_demo_makes_every_state_within_budget_and_runs_twice_without_change(app, runner):
    """Does seed-demo give every status, awards within budget, an intact audit trail, and nothing new when run again?"""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    statuses = set(db.session.scalars(select(Application.status)))
    assert statuses == {s.value for s in Status}
    for round_ in db.session.scalars(select(Round)):
        money = budget.round_money(round_)
        assert 0 <= money.committed <= money.budget
        assert money.paid <= money.committed
    assert {r.financial_year for r in db.session.scalars(select(Round))} == {"2025-26", "2026-27"}
    assert verify_chain().ok

    counts = _row_counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert _row_counts() == counts
    assert verify_chain().ok


def test_demo_samples_show_what_each_state_needs(demo):
    """Do the samples carry the details each state should show (moderation flag, letters, returns, overdue report)?"""
    made = _seed(demo)
    assert len(made) == len(STORIES) and all(a is not None for a in made)
    assert {a.organisation_id for a in made} == {o.id for o in demo.orgs.values()}
    assert {area.name for a in made for area in a.areas} == {
        "Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees"}
    assert {a.round.fund.code for a in made} == {"CSF", "PPAF"}

    assert _by_title("Anti-racism workshops in Middlesbrough schools").needs_moderation
    declined = _by_title("Unity Cup anti-racism tournament")
    assert declined.status == Status.DECLINED.value
    assert [letter.kind for letter in decisions.letters_for(declined)] == ["decline"]
    welfare = _by_title("Emergency welfare packs for victims of trafficking")
    assert welfare.status == Status.COMPLETED.value and welfare.awarded_pence == 360_000
    returns = db.session.scalars(select(GrantReturn).where(GrantReturn.application_id == welfare.id)).all()
    assert [(r.amount_pence, r.received_on is not None) for r in returns] == [(18_000, True)]
    assert returns[0].created_at.date() <= returns[0].received_on  # rows are dated when the story made them

    kicks = _by_title("Kicks youth diversion football in Middlesbrough")
    overdue = monitoring.overdue_reports_for(kicks.organisation_id)
    assert [r.application_id for r in overdue] == [kicks.id]

    padlocks = _by_title("Allotment security: 420 padlocks and alarms")
    assert padlocks.status == Status.FUNDED.value
    interim = next(r for r in monitoring.reports_of(padlocks) if r.kind == "interim")
    assert interim.status == monitoring.IN_PROGRESS and interim.due_on > clock.today()
    assert monitoring.grant_money(padlocks).paid == 300_000

    again = _seed(demo)
    assert [a.id for a in again] == [a.id for a in made]


@pytest.mark.parametrize("today", [date(2026, 5, 2), date(2027, 6, 15)])
def test_seed_makes_every_state_when_today_is_outside_the_useful_part_of_the_round(demo, monkeypatch, today):
    """Run early in the round or after it has closed, does the seed still produce every state?"""
    moment = datetime(today.year, today.month, today.day, 10, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: today)
    _seed(demo)
    assert set(db.session.scalars(select(Application.status))) == {s.value for s in Status}
    assert clock.today() == today  # the seed put the clock back
    assert verify_chain().ok


def test_as_of_restores_the_clock_even_when_the_body_fails(app):
    """Does moving the clock for a step always put it back, even after an error?"""
    real_now = clock.now
    with pytest.raises(RuntimeError):
        with as_of(date(2025, 6, 1)):
            assert clock.today() == date(2025, 6, 1)
            raise RuntimeError("boom")
    assert clock.now is real_now


def test_demo_accounts_see_their_samples(demo, as_applicant, as_applicant2, as_officer, page):
    """Do the applicants, the officer and the public see the demo's draft, offer, report, overdue flag and history?"""
    _seed(demo)
    dashboard = text_of(as_applicant.get_page("/apply/"))
    for title in ("Community growing space at Rossmere allotments", "Trail cameras and warning signs for allotments",
                  "Allotment security: 420 padlocks and alarms"):
        assert title in dashboard
    assert "Offer made" in dashboard

    reports = text_of(as_applicant.get_page("/monitoring/my-reports"))
    assert "Allotment security: 420 padlocks and alarms" in reports

    second = text_of(as_applicant2.get_page("/apply/"))
    assert "Orange the World: 16 days against domestic abuse" in second
    assert "Emergency welfare packs for victims of trafficking" in second

    friday = _by_title("Friday night football at the Riverside")
    screening = text_of(as_officer.get_page(f"/assessment/applications/{friday.id}/screening"))
    assert "overdue monitoring report" in screening
    overdue = text_of(as_officer.get_page("/monitoring/overdue"))
    assert "Kicks youth diversion football in Middlesbrough" in overdue

    register = text_of(page.get_page("/grants"))
    assert "Emergency welfare packs for victims of trafficking" in register
    assert "Scam awareness workshops for older people" in register


def test_make_run_sequence_works_on_a_fresh_sqlite_file(tmp_path):
    """Does `make run`'s sequence (upgrade, seed twice, verify the audit trail) work on a new SQLite file?"""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}", "FLASK_APP": "wsgi"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["seed-demo"], ["seed-demo"], ["audit-verify"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert "Audit trail intact" in done.stdout


def test_every_demo_sample_renders_for_staff_and_its_applicant(demo, app, as_officer):
    """Does every sample's staff page (drafts aside) and applicant page render valid HTML with its title?"""
    from .helpers import PageClient

    made = _seed(demo)
    members = {}
    for application in made:
        email = application.organisation.memberships[0].user.email
        if email not in members:
            members[email] = PageClient(app)
            members[email].sign_in_as(demo.users[email])
        assert application.title in text_of(members[email].get_page(f"/apply/applications/{application.id}"))
        if application.status != Status.DRAFT.value:
            assert application.title in text_of(as_officer.get_page(f"/staff/applications/{application.id}"))
        if application.status in (Status.FUNDED.value, Status.COMPLETED.value):
            assert application.reference in text_of(
                as_officer.get_page(f"/monitoring/staff/grants/{application.id}"))


def test_seed_demo_refuses_to_run_in_production(app, runner, monkeypatch):
    """With GRANTS_ENV=production, does seed-demo refuse on stderr with a non-zero exit and create nothing?"""
    monkeypatch.setitem(app.config, "GRANTS_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run with GRANTS_ENV=production" in result.stderr
    assert "Demo data ready" not in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


@pytest.mark.parametrize("today", [date(2031, 2, 20), date(2029, 3, 30), date(2028, 4, 1)])
def test_demo_loaded_years_later_has_open_rounds_and_every_state(app, monkeypatch, today):
    """Loaded years from now (late in a financial year, or on its first day), does the demo still have open
    rounds for this year, complete history for last year, and every state within budget?"""
    from grants.seed import seed_demo

    moment = datetime(today.year, today.month, today.day, 10, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: today)
    made = seed_demo()
    db.session.commit()
    year = clock.financial_year(today)
    for round_ in made["rounds"]:
        assert round_.financial_year == year and round_.is_open
        assert (round_.closes_on - today).days >= 90
    assert {r.financial_year for r in db.session.scalars(select(Round))} == {
        year, clock.financial_year(date(today.year - 1, today.month, min(today.day, 28)))}
    assert set(db.session.scalars(select(Application.status))) == {s.value for s in Status}
    for round_ in db.session.scalars(select(Round)):
        money = budget.round_money(round_)
        assert 0 <= money.committed <= money.budget
        assert money.paid <= money.committed
    assert verify_chain().ok


def test_demo_police_property_act_fund_takes_charities_and_cios_only(app, runner):
    """As the real fund, do the demo's Police Property Act Fund rounds (this year's and last) take registered
    charities and CIOs only, with every one of their applications from such an organisation, while the demo
    applicant's group (not a charity) is told why it cannot apply?"""
    from grants.services import rounds as round_service

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    ppaf_rounds = list(db.session.scalars(select(Round).join(Round.fund).where(Round.fund.has(code="PPAF"))))
    assert len(ppaf_rounds) == 2
    assert all(sorted(r.allowed_org_types) == ["cio", "registered_charity"] for r in ppaf_rounds)
    kinds = [a.organisation.org_type for a in db.session.scalars(
        select(Application).where(Application.round_id.in_([r.id for r in ppaf_rounds])))]
    assert kinds and set(kinds) == {"cio", "registered_charity"}
    current = next(r for r in ppaf_rounds if r.is_open)
    refusal = round_service.org_type_refusal(current, "constituted_group")
    assert refusal.startswith(f"Only these types of organisation may apply to the {current.title} round")
