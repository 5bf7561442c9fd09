"""Repeated failed sign-ins: the account locks for a while, and the IP limit answers 429."""
from datetime import timedelta

import pytest

from grants import clock, create_app
from grants.extensions import db, limiter
from grants.services import accounts

from .helpers import error_messages


def test_five_failures_lock_the_account_even_with_the_right_password(demo, monkeypatch):
    """After 5 wrong passwords, is the right password refused until the lock ends?"""
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        with pytest.raises(accounts.SignInFailed):
            accounts.authenticate("applicant@example.org", "wrong password")
    with pytest.raises(accounts.SignInFailed, match="Too many failed attempts"):
        accounts.authenticate("applicant@example.org", "demo-password")
    later = clock.now() + accounts.LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert accounts.authenticate("applicant@example.org", "demo-password") == demo.applicant


def test_lock_is_shown_on_the_sign_in_page(page, demo):
    """Does the sign-in page tell a locked-out person to wait?"""
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        page.post_page("/account/sign-in", {"email": "applicant@example.org", "password": "nope"})
    soup = page.post_page("/account/sign-in", {"email": "applicant@example.org", "password": "demo-password"})
    assert error_messages(soup)[0].startswith("Too many failed attempts")


def test_sign_in_works_and_goes_to_the_dashboard(page, demo):
    """Does a correct sign-in land an applicant on their applications?"""
    response = page.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    assert response.headers["Location"].endswith("/apply/")


@pytest.fixture
def limited_app(_app, tmp_path):
    """A second app with rate limiting on (the shared test app has it off)."""
    saved = dict(vars(limiter))
    url = _app.config["SQLALCHEMY_DATABASE_URI"]
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(tmp_path), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": "memory://", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    # The limiter is one shared object: put back the shared app's (disabled) settings.
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_ip_rate_limit_answers_429(app, demo, limited_app):
    """With rate limiting on, do rapid sign-in attempts from one address get 429 Too Many Requests?"""
    client = limited_app.test_client()
    codes = [client.post("/account/sign-in", data={"email": f"nobody{n}@example.org", "password": "x"}).status_code
             for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert "Too many attempts" in client.post("/account/sign-in", data={}).get_data(as_text=True)
