"""Sign-in sessions, the central access check, and security headers."""
from __future__ import annotations

import secrets

from flask import Flask, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from .access import enforce_access_rule
from .extensions import db, login_manager
from .models import User

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "id:nonce"; a changed nonce (deactivation, password change) ends them."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


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


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _request_start():
        g.request_id = request.headers.get("X-Request-Id") or secrets.token_hex(8)
        # Sessions expire after PERMANENT_SESSION_LIFETIME of inactivity.
        session.permanent = True
        return None

    app.before_request(enforce_access_rule)

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
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user.is_authenticated:
            # Pages with personal or financial data must not sit in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response
