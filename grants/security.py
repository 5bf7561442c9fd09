"""Sign-in sessions, the central access check, and security headers."""
from __future__ import annotations

import secrets
import time

from flask import Flask, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user

from .access import rule_for_endpoint, enforce_access_rule
from .extensions import login_manager
from .models import Role, User
from .services import sessions

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The cookie names a server-side session; an ended or unknown one signs nobody in."""
    return sessions.resume(token)


def _expire_idle_session() -> None:
    """End a signed-in session idle for longer than PERMANENT_SESSION_LIFETIME.

    The cookie's own expiry is only advice to the browser; this check holds even
    for a copied cookie replayed later.
    """
    if "_user_id" not in session:
        return
    now = int(time.time())
    last_seen = session.get("_last_seen")
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    if isinstance(last_seen, int) and now - last_seen > idle_limit:
        logout_user()
        session.clear()
        g.session_expired = True
        return
    session["_last_seen"] = now


def refuse_nul_bytes() -> None:
    """No legitimate form or query value holds a NUL byte; PostgreSQL text cannot store one."""
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append(request.form)
    for values in sources:
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)


def refuse_auditor_changes() -> None:
    """Auditors are read-only everywhere: any non-GET to a role-protected page is refused.

    An account holding only the auditor role may still post to its own account
    pages (sign out, two-factor), which are SIGNED_IN or PUBLIC, not role pages.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_user.is_authenticated:
        return None
    if current_user.role_set != {Role.AUDITOR}:
        return None
    declared = rule_for_endpoint(request.endpoint)
    if declared is not None and declared.kind == "roles":
        abort(403)
    return None


class _SessionInterface(SecureCookieSessionInterface):
    """Static files never rewrite the session cookie.

    Otherwise a stylesheet's response, arriving after the next page's, would put
    back the older cookie and lose what that page stored (its CSRF token: the
    next form post fails with "Your session has expired").
    """

    def should_set_cookie(self, app, session) -> bool:
        if request.endpoint == "static" or (request.endpoint or "").endswith(".static"):
            return False
        return super().should_set_cookie(app, session)


_REQUEST_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _request_id(offered: str | None) -> str:
    """Keep a proxy's request id so logs line up, but only a short, plain one."""
    if offered and len(offered) <= 64 and set(offered) <= _REQUEST_ID_CHARS:
        return offered
    return secrets.token_hex(8)


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _request_start():
        g.request_id = _request_id(request.headers.get("X-Request-Id"))
        # Load the user afresh for every request, even when an outer app context
        # (tests, scripts) is reused: a user cached from an earlier request could
        # outlive a deactivation or belong to another client.
        g.pop("_login_user", None)
        # Sessions expire after PERMANENT_SESSION_LIFETIME of inactivity.
        session.permanent = True
        _expire_idle_session()
        refuse_nul_bytes()
        return None

    app.before_request(enforce_access_rule)
    app.before_request(refuse_auditor_changes)

    @app.before_request
    def _two_factor_gate():
        from .auth.two_factor import enforce_two_factor

        return enforce_two_factor()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user.is_authenticated:
            # Pages with personal or financial data must not sit in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        # A request refused before _request_start ran (CSRF is checked first) still gets an id.
        if not g.get("request_id"):
            g.request_id = _request_id(request.headers.get("X-Request-Id"))
        response.headers["X-Request-Id"] = g.request_id
        return response
