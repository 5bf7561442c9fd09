"""Security headers, cookies, session expiry and refusing unsafe production settings."""
import time

import pytest

from grants import create_app
from grants.config import DEV_SECRET_KEY, UnsafeConfiguration


def test_every_response_carries_security_headers(app, client, demo):
    """Do pages, errors and redirects all carry CSP, nosniff, frame and referrer headers?"""
    for url in ("/", "/account/sign-in", "/no-such-page", "/audit/"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, url
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_hsts_only_over_https(client):
    """Is HSTS sent over HTTPS and not over plain HTTP?"""
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(as_officer):
    """Are pages with personal or financial data marked no-store?"""
    assert as_officer.get("/account/two-factor").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(app, as_officer):
    """Does the page shell contain no inline script or style attribute (the CSP would block them)?"""
    body = as_officer.get("/account/two-factor/enrol").data.decode()
    assert "<script>" not in body and " style=" not in body and "onclick" not in body.lower()


def test_session_cookie_is_httponly_and_samesite_lax(app, demo):
    """Is the session cookie HttpOnly and SameSite=Lax?"""
    client = app.test_client()
    response = client.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_session_expires(app, as_officer, monkeypatch):
    """Is a session left idle longer than the limit signed out, even if the cookie is replayed?"""
    assert as_officer.get("/account/two-factor").status_code == 200
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = as_officer.get("/account/two-factor")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


_AUDIT_KEY = None


def _audit_key() -> str:
    """One audit signing key for these tests (production refuses to start without one)."""
    global _AUDIT_KEY
    if _AUDIT_KEY is None:
        from grants import signing

        _AUDIT_KEY = signing.private_pem(signing.generate())
    return _AUDIT_KEY


_BANK_KEY = "Qmlua2luZy1iYW5rLWtleS1mb3ItdGVzdHMtb25seSE="


def _production(monkeypatch, **env):
    monkeypatch.setenv("GRANTS_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@localhost/db")
    monkeypatch.setenv("AUDIT_SIGNING_KEY", _audit_key())
    monkeypatch.delenv("AUDIT_SIGNING_KEY_FILE", raising=False)
    monkeypatch.setenv("BANK_DETAILS_KEY", _BANK_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_production_refuses_the_development_secret_key(monkeypatch, tmp_path):
    """Does production refuse to start with the default (or a short) secret key?"""
    _production(monkeypatch, UPLOAD_FOLDER=str(tmp_path))
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY"):
        create_app()
    _production(monkeypatch, SECRET_KEY=DEV_SECRET_KEY, UPLOAD_FOLDER=str(tmp_path))
    with pytest.raises(UnsafeConfiguration):
        create_app()
    _production(monkeypatch, SECRET_KEY="short", UPLOAD_FOLDER=str(tmp_path))
    with pytest.raises(UnsafeConfiguration):
        create_app()


def test_production_refuses_debug(monkeypatch, tmp_path):
    """Does production refuse to start with FLASK_DEBUG on?"""
    _production(monkeypatch, SECRET_KEY="x" * 40, FLASK_DEBUG="1", UPLOAD_FOLDER=str(tmp_path))
    with pytest.raises(UnsafeConfiguration, match="Debug"):
        create_app()


def test_production_config_is_hardened(monkeypatch, tmp_path):
    """With a proper key, does production start with secure cookies and two-factor required for staff?"""
    _production(monkeypatch, SECRET_KEY="k" * 48, UPLOAD_FOLDER=str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REQUIRE_2FA_FOR_STAFF"] and not app.debug
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 3600


def test_production_refuses_switching_csrf_off(monkeypatch, tmp_path):
    """Could a settings override quietly switch off CSRF protection in production? (No.)"""
    _production(monkeypatch, SECRET_KEY="k" * 48, UPLOAD_FOLDER=str(tmp_path))
    with pytest.raises(UnsafeConfiguration):
        create_app({"GRANTS_ENV": "production", "WTF_CSRF_ENABLED": False, "SECRET_KEY": "k" * 48,
                    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@localhost/db"})


def test_rate_limit_storage_follows_the_environment(monkeypatch, tmp_path):
    """Is Redis used for rate limits when RATELIMIT_STORAGE_URI is set, memory otherwise?"""
    from grants.config import from_environment

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://localhost:6379/1")
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://localhost:6379/1"


def test_request_id_from_a_proxy_is_kept_only_when_short_and_plain(client):
    """Is a proxy's X-Request-Id echoed back, while a long or odd one is replaced?"""
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-Id": "x" * 500}).headers["X-Request-Id"]
    assert odd != "x" * 500 and len(odd) == 16
    assert client.get("/healthz", headers={"X-Request-Id": "a\"b<c>"}).headers["X-Request-Id"] != "a\"b<c>"


def test_production_refuses_to_start_without_the_audit_signing_key(monkeypatch, tmp_path):
    """Does production refuse to start with no audit signing key, or one it cannot read?"""
    _production(monkeypatch, SECRET_KEY="k" * 48, UPLOAD_FOLDER=str(tmp_path))
    monkeypatch.delenv("AUDIT_SIGNING_KEY")
    with pytest.raises(UnsafeConfiguration, match="AUDIT_SIGNING_KEY"):
        create_app()
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "not a key")
    with pytest.raises(UnsafeConfiguration, match="Audit signing key"):
        create_app()
    monkeypatch.delenv("AUDIT_SIGNING_KEY")
    (tmp_path / "audit.pem").write_text(_audit_key())
    monkeypatch.setenv("AUDIT_SIGNING_KEY_FILE", str(tmp_path / "audit.pem"))
    assert create_app().config["AUDIT_SIGNING_KEY_FILE"].endswith("audit.pem")


def test_a_request_refused_for_its_csrf_token_still_carries_a_request_id(tmp_path):
    """Is a post refused by the CSRF check (before anything else runs) still given a request id for the logs?"""
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.sqlite'}",
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), "RATELIMIT_ENABLED": False})
    response = app.test_client().post("/account/sign-out")
    assert response.status_code == 400
    assert len(response.headers["X-Request-Id"]) >= 8


def test_production_refuses_to_start_without_the_bank_details_key(monkeypatch, tmp_path):
    """Does production refuse to start without BANK_DETAILS_KEY, or with one that is not a Fernet key?"""
    _production(monkeypatch, SECRET_KEY="x" * 40, UPLOAD_FOLDER=str(tmp_path))
    monkeypatch.delenv("BANK_DETAILS_KEY")
    with pytest.raises(UnsafeConfiguration, match="BANK_DETAILS_KEY"):
        create_app()
    monkeypatch.setenv("BANK_DETAILS_KEY", "not a key")
    with pytest.raises(UnsafeConfiguration, match="BANK_DETAILS_KEY"):
        create_app()
