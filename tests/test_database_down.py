"""When the database is unavailable: a plain 503, never a truncated body or a traceback."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from grants.extensions import db

from .factories_reporting import make_award


@pytest.fixture
def database_down(app, monkeypatch):
    """Point the app at a database that cannot be reached (a closed port; a file that cannot be opened)."""
    if db.engine.dialect.name == "postgresql":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/unreachable?connect_timeout=2"
    else:
        url = "sqlite:////nonexistent-directory/unreachable.sqlite"
    unreachable = create_engine(url)

    def down():
        db.session.remove()
        monkeypatch.setitem(db.engines, None, unreachable)

    yield down
    db.session.remove()
    unreachable.dispose()


@pytest.mark.parametrize("url", ["/open-data/360giving.json", "/open-data/360giving.csv"])
def test_open_data_answers_503_when_the_database_is_down(app, demo, client, database_down, url):
    """Is open data a 503 with a plain message, not a 200 whose body stops short?"""
    make_award(demo, status="funded", title="Street watch radios")
    db.session.commit()
    database_down()
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in body
    assert "Traceback" not in body


def test_sign_in_with_the_database_down_shows_the_friendly_error_page(app, demo, client, database_down):
    """Does signing in while the database is down show the service-unavailable page (503), not a 500 traceback?"""
    database_down()
    assert client.get("/account/sign-in").status_code in (200, 503)
    response = client.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in body and "Try again in a few minutes" in body
    assert "Traceback" not in body


def test_signed_in_pages_with_the_database_down_show_the_friendly_error_page(app, demo, as_applicant, database_down):
    """With a signed-in session (whose user must be loaded from the database), is the page a plain 503?"""
    database_down()
    response = as_applicant.get("/apply/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
