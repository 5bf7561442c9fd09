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


# --- Throttling by account and address: no way to lock out a named person ---------------------

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def _client(app, address: str):
    from .helpers import PageClient

    client = PageClient(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attempt(client, email: str, password: str = "wrong password"):
    return client.post("/account/sign-in", data={"email": email, "password": password})


def _messages(response) -> list[str]:
    from .helpers import parse

    return error_messages(parse(response.data))


def _signed_in(response) -> bool:
    return response.status_code == 302 and "/account/sign-in" not in response.headers["Location"]


def test_unknown_and_locked_accounts_get_the_same_messages(app, demo):
    """Do an unknown email and a real account see exactly the same messages, before and after the lock?"""
    client = _client(app, ATTACKER)
    real = [_messages(_attempt(client, "applicant@example.org")) for _ in range(accounts.MAX_FAILED_SIGN_INS + 1)]
    unknown = [_messages(_attempt(client, "nobody@example.org")) for _ in range(accounts.MAX_FAILED_SIGN_INS + 1)]
    assert real == unknown
    assert real[0] == ["Enter a correct email address and password"]
    assert real[-1][0].startswith("Too many failed attempts")


def test_failures_from_one_address_do_not_lock_the_person_out_elsewhere(app, demo):
    """When someone fails 5 times with the PCC's email, can the PCC still sign in from their own address?"""
    attacker = _client(app, ATTACKER)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        _attempt(attacker, "pcc@example.org")
    assert _messages(_attempt(attacker, "pcc@example.org", "demo-password"))[0].startswith("Too many failed attempts")
    assert _signed_in(_attempt(_client(app, VICTIM), "pcc@example.org", "demo-password"))


def test_a_recognised_device_signs_in_despite_a_lock_at_its_address(app, demo):
    """Behind a shared address that someone else locked, does the PCC's own browser (signed in before) still get in?"""
    browser = _client(app, VICTIM)
    assert _signed_in(_attempt(browser, "pcc@example.org", "demo-password"))
    browser.post("/account/sign-out")
    neighbour = _client(app, VICTIM)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        _attempt(neighbour, "pcc@example.org")
    assert _messages(_attempt(neighbour, "pcc@example.org", "demo-password"))[0].startswith("Too many failed")
    # The browser lifts the lock only with the right password: a wrong one still meets the lock.
    assert _messages(_attempt(browser, "pcc@example.org", "wrong password"))[0].startswith("Too many failed")
    assert _signed_in(_attempt(browser, "pcc@example.org", "demo-password"))


def test_the_emailed_unlock_link_lifts_the_lock(app, demo):
    """Is the account holder emailed an unlock link when their account locks, and does it lift the lock?"""
    import re

    from grants.models import OutboxEmail

    client = _client(app, VICTIM)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        _attempt(client, "applicant@example.org")
    email = db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.to_address == "applicant@example.org"))
    assert email is not None and "unlock" in email.subject.lower()
    assert _messages(_attempt(client, "applicant@example.org", "demo-password"))[0].startswith("Too many failed")
    link = re.search(r"http://localhost(/account/unlock/\S+)", email.body_text).group(1)
    response = client.get(link, follow_redirects=True)
    assert "You can sign in again" in response.get_data(as_text=True)
    assert _signed_in(_attempt(client, "applicant@example.org", "demo-password"))
    assert client.get("/account/unlock/not-a-real-token").status_code == 400


def test_no_email_is_sent_when_an_unknown_address_locks(app, demo):
    """Locking an email that has no account sends nothing (there is nobody to tell)."""
    from grants.models import OutboxEmail

    client = _client(app, ATTACKER)
    for _ in range(accounts.MAX_FAILED_SIGN_INS + 2):
        _attempt(client, "nobody@example.org")
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)) == 0
