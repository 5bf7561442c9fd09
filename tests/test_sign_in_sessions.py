"""Sessions live on the server: signing out ends that session, and re-authentication belongs to one session."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from grants import clock
from grants.extensions import db
from grants.models import SignInSession
from grants.services import admin

from .helpers import PageClient


def _sign_in(app, email: str, password: str = "demo-password") -> PageClient:
    client = PageClient(app)
    response = client.post("/account/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302 and "/account/sign-in" not in response.headers["Location"], response.data
    return client


def _copy(app, client: PageClient) -> PageClient:
    """Another browser holding a copy of `client`'s session cookie."""
    copy = PageClient(app)
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _signed_in(client) -> bool:
    response = client.get("/apply/")
    return response.status_code == 200


@pytest.fixture
def reauth_on(app):
    app.config["REAUTH_AFTER_MINUTES"] = 15
    yield
    app.config["REAUTH_AFTER_MINUTES"] = 0


def test_a_copied_cookie_stops_working_after_sign_out(app, demo):
    """After signing out, is a copy of the session cookie taken before refused by the server?"""
    browser = _sign_in(app, "applicant@example.org")
    copied = _copy(app, browser)
    assert _signed_in(copied)
    browser.post("/account/sign-out")
    assert not _signed_in(browser)
    response = copied.get("/apply/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_signing_out_ends_only_that_session(app, demo):
    """Does signing out in one browser leave the person's other browser signed in?"""
    first = _sign_in(app, "applicant@example.org")
    second = _sign_in(app, "applicant@example.org")
    first.post("/account/sign-out")
    assert not _signed_in(first) and _signed_in(second)


def test_deactivation_ends_every_session(app, demo):
    """Does deactivating an account sign out each of its sessions at once?"""
    sessions = [_sign_in(app, "applicant@example.org") for _ in range(2)]
    admin.deactivate(user=demo.applicant, actor=demo.admin, reason="Left the group")
    db.session.commit()
    assert not any(_signed_in(s) for s in sessions)
    assert db.session.scalar(db.select(db.func.count()).select_from(SignInSession).where(
        SignInSession.user_id == demo.applicant.id, SignInSession.ended_at.is_(None))) == 0


def _stale_everywhere(user):
    db.session.execute(update(SignInSession).where(SignInSession.user_id == user.id)
                       .values(authenticated_at=clock.now() - timedelta(hours=1)))
    db.session.commit()


def _needs_reauth(client, url) -> bool:
    response = client.get(url)
    return response.status_code == 302 and "/account/confirm-it-is-you" in response.headers["Location"]


def test_reauthenticating_in_one_session_does_not_refresh_another(app, demo, reauth_on):
    """If the admin confirms their password in browser A, is a stale browser B still asked to confirm?"""
    url = f"/admin/users/{demo.officer.id}/roles"
    a = _sign_in(app, "admin@example.org")
    b = _sign_in(app, "admin@example.org")
    _stale_everywhere(demo.admin)
    assert _needs_reauth(a, url) and _needs_reauth(b, url)
    response = a.post("/account/confirm-it-is-you?next=" + url, data={"password": "demo-password"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert not _needs_reauth(a, url)
    assert _needs_reauth(b, url)


def test_signing_in_elsewhere_does_not_refresh_a_stale_session(app, demo, reauth_on):
    """Does a new sign-in in another browser leave an old, stale session needing to confirm?"""
    url = f"/admin/users/{demo.officer.id}/roles"
    old = _sign_in(app, "admin@example.org")
    _stale_everywhere(demo.admin)
    new = _sign_in(app, "admin@example.org")
    assert not _needs_reauth(new, url)
    assert _needs_reauth(old, url)
