"""Two finance officers making payment runs at the same moment (PostgreSQL row locks)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import PaymentInstalment, PaymentRunLine, Role, User
from grants.services import accounts, payment_runs

from .factories_decisions import make_funded
from .test_state_races import _run

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): SQLite cannot show row-lock behaviour")


@pytest.mark.parametrize("hold_first", [0.0, 0.5])
def test_two_finance_users_cannot_put_one_instalment_in_two_runs(app, demo, hold_first):
    """Two finance officers make runs with the same instalment at once: is it in exactly one run?"""
    application = make_funded(demo, amount_pence=200_000)
    second = accounts.create_user(email="finance2@example.org", full_name="Second Finance", password="x" * 20,
                                  roles=[Role.FINANCE], confirmed=True, check_password=False)
    db.session.commit()
    instalment_id = db.session.scalar(select(PaymentInstalment.id).where(
        PaymentInstalment.application_id == application.id))
    jobs = [{"load": lambda user_id=user_id: (db.session.get(User, user_id),),
             "act": lambda user: payment_runs.create_run(actor=user, instalment_ids=[instalment_id])}
            for user_id in (demo.finance.id, second.id)]
    outcomes = _run(app, jobs, hold_first=hold_first)
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    assert any("already in a payment run" in o for o in outcomes), outcomes
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(PaymentRunLine).where(
        PaymentRunLine.instalment_id == instalment_id)) == 1
