"""The funds-and-rounds migration keeps existing data: objectives move into one plan, rounds accept every type."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from grants import create_app
from grants.extensions import db

from .test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_existing_objectives_join_one_plan_and_rounds_keep_accepting_every_type(  # noqa: F811
        empty_database_url, tmp_path):
    """After upgrading a database holding objectives and a round, is each objective in the current plan, and does
    the round still accept every organisation type, with the fund open for new rounds?"""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO objectives (number, name) VALUES (1, 'Investing in our Police'), "
                              "(2, 'A Better Deal for Victims and Witnesses')"))
            conn.execute(text("INSERT INTO funds (code, name, description, who_can_apply, created_at) "
                              "VALUES ('CSF', 'Community Safety Fund', '', '', '2026-01-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO rounds (fund_id, name, financial_year, opens_on, closes_on, guidance, budget_pence, "
                "min_award_pence, max_award_pence, delegated_limit_pence, full_payment_threshold_pence, "
                "min_assessors_above_limit, min_assessors_within_limit, pass_mark_percent, "
                "final_report_months_after_end, interim_report_above_limit, offer_acceptance_days, created_at) "
                "VALUES (1, '2026-27', '2026-27', '2026-04-01', '2027-03-31', '', 100, 1, 50, 50, 50, 2, 1, 50, 3, "
                "TRUE, 28, '2026-01-01 00:00:00')"))
        upgrade()
        from grants.models import Fund, Objective, PlanPeriod, Round

        plans = db.session.scalars(db.select(PlanPeriod)).all()
        assert [p.name for p in plans] == ["Police and Crime Plan 2024–2029"]
        assert {o.plan_id for o in db.session.scalars(db.select(Objective))} == {plans[0].id}
        round_ = db.session.scalar(db.select(Round))
        assert len(round_.allowed_org_types) == 8 and round_.closed_early_at is None
        fund = db.session.scalar(db.select(Fund))
        assert fund.open_for_new_rounds is True and fund.legal_power == ""
        db.session.remove()
        db.engine.dispose()
