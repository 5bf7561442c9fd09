"""Two officers acting on the same report at the same instant (PostgreSQL row locks)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import GrantReturn, Report, User
from grants.services import monitoring
from grants.services.errors import DomainError

from .factories_monitoring import fill_report, make_funded_grant, report_of

pytestmark = pytest.mark.postgres_only


def test_final_report_signed_off_twice_at_once_raises_one_return(app, demo):
    """If two officers sign off the same final report together, is one refused and one return raised?"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    grant = make_funded_grant(demo, awarded_pence=200_000)
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant, spent={grant.budget_lines[0].id: 150_000})
    monitoring.submit_report(final, actor=demo.applicant)
    db.session.commit()
    report_id, officer_id = final.id, demo.officer.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_off():
        with app.app_context():
            report = db.session.get(Report, report_id)
            officer = db.session.get(User, officer_id)
            report.application.round  # load before lining up
            barrier.wait()
            try:
                monitoring.sign_off_report(report, actor=officer)
                db.session.commit()
                outcomes.append("signed")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_off) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "signed"]
    assert db.session.scalar(select(func.count(GrantReturn.id))) == 1
    assert db.session.scalar(select(GrantReturn.amount_pence)) == 50_000
