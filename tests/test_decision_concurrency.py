"""Simultaneous approvals on PostgreSQL: the budget and the record numbers hold."""
from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import Application, DecisionRecord, User
from grants.services import budget, decisions

from .factories_decisions import make_assessed
from .races import run_at_once, skip_unless_postgres

pytestmark = pytest.mark.postgres_only

THREADS = 12


@pytest.fixture(autouse=True)
def _postgres_only(app):
    skip_unless_postgres()


def _race(app, jobs, outcome: str = "approve_full"):
    """Run each (application_id, user_id) decision in its own thread, app context and session, all at once."""

    def decide(wait, application_id: int, user_id: int) -> None:
        application = db.session.get(Application, application_id)
        user = db.session.get(User, user_id)
        wait()
        decisions.decide(application, actor=user, outcome=outcome, reasons="Strong bid",
                         public_summary="Youth football", no_interest_confirmed=True)

    return run_at_once(app, jobs, decide, done="recorded")


def test_simultaneous_approvals_never_overspend_and_numbers_stay_gap_free(app, demo):
    """With 12 approvals at once and budget for 5, are exactly 5 approved, numbered 001-005, within budget?"""
    demo.csf_round.budget_pence = 5 * 300_000 + 299_999  # fits five awards of £3,000, a penny short of six
    ids = [make_assessed(demo, amount_pence=300_000).id for _ in range(THREADS)]
    db.session.commit()
    outcomes = _race(app, [(application_id, demo.pcc.id) for application_id in ids])

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("recorded") == 5
    assert outcomes.count("BudgetExceeded") == THREADS - 5
    db.session.expire_all()
    money = budget.round_money(demo.csf_round)
    assert money.committed == 5 * 300_000 <= money.budget
    sequences = sorted(db.session.scalars(db.select(DecisionRecord.sequence)).all())
    assert sequences == [1, 2, 3, 4, 5]
    numbers = db.session.scalars(db.select(DecisionRecord.number)).all()
    assert len(set(numbers)) == 5


def test_two_decision_makers_approving_the_same_application_at_once(app, demo):
    """When the Chief Executive and the PCC approve the same application at the same instant, does only one win?"""
    application_id = make_assessed(demo, amount_pence=300_000).id
    db.session.commit()
    outcomes = _race(app, [(application_id, demo.ceo.id), (application_id, demo.pcc.id)])
    assert sorted(outcomes) == ["InvalidTransition", "recorded"], outcomes
    db.session.expire_all()
    assert len(db.session.scalars(db.select(DecisionRecord)).all()) == 1
    assert budget.round_money(demo.csf_round).committed == 300_000


def test_simultaneous_declines_take_unique_consecutive_numbers(app, demo):
    """With 12 declines at once (no budget lock contention to hide behind), are the numbers 001-012 exactly?"""
    ids = [make_assessed(demo).id for _ in range(THREADS)]
    db.session.commit()
    outcomes = _race(app, [(application_id, demo.pcc.id) for application_id in ids], outcome="decline")
    assert outcomes == ["recorded"] * THREADS
    db.session.expire_all()
    numbers = sorted(db.session.scalars(db.select(DecisionRecord.number)).all())
    assert numbers == [f"CSF/{r.financial_year}/{n:03d}" for n, r in
                       zip(range(1, THREADS + 1), db.session.scalars(db.select(DecisionRecord)
                                                                     .order_by(DecisionRecord.sequence)))]
