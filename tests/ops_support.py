"""Throwaway installations (their own database and upload folder) for the ops tests."""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from grants import create_app
from grants.config import normalise_database_url


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url and url.startswith(("postgres", "postgresql")) else None


@contextmanager
def scratch_database(backend: str, tmp_path):
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'scratch-{secrets.token_hex(4)}.sqlite'}"
        return
    base = make_url(postgres_url())
    name = f"grants_ops_t_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def installation(url: str, upload_folder: str):
    """An app on its own database and upload folder (nothing shared with the test session's app)."""
    os.makedirs(upload_folder, exist_ok=True)
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "ops-test-secret-key-not-for-production-00",
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": upload_folder,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://localhost",
    })


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]
