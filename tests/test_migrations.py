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
