"""Migrations build exactly the models' schema, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from grants import create_app
from grants.config import normalise_database_url
from grants.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database of the same kind the suite runs on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = make_url(normalise_database_url(url))
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _for_this_dialect(dialect_name: str):
    """Leave out schema objects the models declare for another database only (Index.ddl_if)."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect is None or condition.dialect == dialect_name
    return include


def _diff(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": _for_this_dialect(conn.dialect.name)})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_models_and_latest_downgrades_cleanly(empty_database_url, tmp_path):
    """Does `flask db upgrade` build the models' schema with no drift, and survive downgrade-then-upgrade?"""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade()
        assert _diff(app) == []
        downgrade(revision="-1")
        upgrade()
        assert _diff(app) == []
        db.session.remove()
        db.engine.dispose()


def test_schedule_migration_makes_each_rounds_interim_rule_explicit(empty_database_url, tmp_path):
    """Do existing rounds become rule "above" with the threshold monitoring actually used (the lower of the
    delegated limit and the full-payment threshold, or the full-payment threshold where interim was off)?"""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO funds (id, code, name, description, who_can_apply, created_at) "
                              "VALUES (1, 'CSF', 'Community Safety Fund', '', '', '2026-01-01 00:00:00')"))
            for round_id, flag, limit, full in ((1, True, 500000, 250000), (2, False, 500000, 250000),
                                                (3, True, 200000, 250000)):
                conn.execute(text(
                    "INSERT INTO rounds (id, fund_id, name, financial_year, opens_on, closes_on, guidance, "
                    "budget_pence, min_award_pence, max_award_pence, delegated_limit_pence, "
                    "full_payment_threshold_pence, min_assessors_above_limit, min_assessors_within_limit, "
                    "pass_mark_percent, final_report_months_after_end, interim_report_above_limit, "
                    "offer_acceptance_days, created_at) VALUES (:id, 1, :name, '2026-27', '2026-04-01', "
                    "'2027-03-31', '', 1000000, 100, 1000000, :limit, :full, 2, 1, 50, 3, :flag, 28, "
                    "'2026-01-01 00:00:00')"), {"id": round_id, "name": f"R{round_id}", "flag": flag,
                                                "limit": limit, "full": full})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, interim_report_rule, interim_report_threshold_pence FROM rounds "
                                     "ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "above", 250000), (2, "above", 250000), (3, "above", 200000)]
        db.session.remove()
        db.engine.dispose()
