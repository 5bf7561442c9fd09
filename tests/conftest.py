"""Fixtures: one app per test session, a clean database for every test.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run
the whole suite on PostgreSQL; otherwise it runs on a temporary SQLite file.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from sqlalchemy import text

from grants import create_app
from grants.config import normalise_database_url
from grants.extensions import db

from .helpers import PageClient


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{os.path.join(tmpdir, 'test.sqlite')}"


@pytest.fixture(scope="session")
def _app():
    tmpdir = tempfile.mkdtemp(prefix="grants-test-")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production-use-000",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmpdir),
            "UPLOAD_FOLDER": os.path.join(tmpdir, "uploads"),
            "WTF_CSRF_ENABLED": False,
            # Real hashing is deliberately slow; tests only need it to be correct.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "RATELIMIT_ENABLED": False,
            # Signed-in fixtures have no real sign-in time; tests of re-authentication switch it on.
            "REAUTH_AFTER_MINUTES": 0,
            "PUBLIC_BASE_URL": "http://localhost",
        }
    )
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    shutil.rmtree(tmpdir, ignore_errors=True)


def _wipe(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE in dependency order beats TRUNCATE's fixed per-table cost on small tables.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
    upload_dir = app.config["UPLOAD_FOLDER"]
    for name in os.listdir(upload_dir):
        os.remove(os.path.join(upload_dir, name))


@pytest.fixture
def app(_app):
    """The app with an empty database and an app context pushed."""
    _wipe(_app)
    with _app.app_context():
        yield _app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client(use_cookies=True)


@pytest.fixture
def page(app) -> PageClient:
    """A test client whose GETs also check the status, <title>, HTML and error summary."""
    return PageClient(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """Reference data, funds, open rounds, every demo account and the demo organisations."""
    from grants import seed

    seed.seed_reference()
    csf, ppaf = seed.seed_funds()
    csf_round, ppaf_round = seed.seed_rounds(csf, ppaf)
    users = seed.seed_accounts()
    orgs = seed.seed_organisations(users)
    db.session.commit()
    return seed_namespace(users, orgs, csf, ppaf, csf_round, ppaf_round)


class seed_namespace:  # noqa: N801 - a plain bag of demo objects for tests
    def __init__(self, users, orgs, csf, ppaf, csf_round, ppaf_round):
        self.users = users
        self.orgs = orgs
        self.csf, self.ppaf = csf, ppaf
        self.csf_round, self.ppaf_round = csf_round, ppaf_round

    def user(self, email_local: str):
        return self.users[f"{email_local}@example.org"]

    @property
    def applicant(self):
        return self.user("applicant")

    @property
    def applicant2(self):
        return self.user("applicant2")

    @property
    def officer(self):
        return self.user("officer")

    @property
    def assessor(self):
        return self.user("assessor")

    @property
    def assessor2(self):
        return self.user("assessor2")

    @property
    def ceo(self):
        return self.user("ceo")

    @property
    def pcc(self):
        return self.user("pcc")

    @property
    def finance(self):
        return self.user("finance")

    @property
    def auditor(self):
        return self.user("auditor")

    @property
    def admin(self):
        return self.user("admin")


def _signed_in(app, user) -> PageClient:
    client = PageClient(app)
    client.sign_in_as(user)
    return client


@pytest.fixture
def as_applicant(app, demo):
    return _signed_in(app, demo.applicant)


@pytest.fixture
def as_applicant2(app, demo):
    return _signed_in(app, demo.applicant2)


@pytest.fixture
def as_officer(app, demo):
    return _signed_in(app, demo.officer)


@pytest.fixture
def as_assessor(app, demo):
    return _signed_in(app, demo.assessor)


@pytest.fixture
def as_assessor2(app, demo):
    return _signed_in(app, demo.assessor2)


@pytest.fixture
def as_ceo(app, demo):
    return _signed_in(app, demo.ceo)


@pytest.fixture
def as_pcc(app, demo):
    return _signed_in(app, demo.pcc)


@pytest.fixture
def as_finance(app, demo):
    return _signed_in(app, demo.finance)


@pytest.fixture
def as_auditor(app, demo):
    return _signed_in(app, demo.auditor)


@pytest.fixture
def as_admin(app, demo):
    return _signed_in(app, demo.admin)
