"""Two-factor sign-in gate (TOTP). Enrolment and verification pages live in auth.routes."""
from __future__ import annotations

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user

# Endpoints a signed-in user may reach before completing two-factor.
_OPEN_ENDPOINTS = {
    "auth.sign_out",
    "auth.two_factor_verify",
    "auth.two_factor_enrol",
    "auth.two_factor_recovery",
    "public.healthz",
    "static",
}


def two_factor_required(user) -> bool:
    return bool(current_app.config.get("REQUIRE_2FA_FOR_STAFF")) and user.is_staff


def enforce_two_factor():
    """Staff must enrol when production requires it; anyone enrolled must verify each sign-in."""
    if not current_user.is_authenticated or request.endpoint in _OPEN_ENDPOINTS:
        return None
    if request.endpoint and request.endpoint.endswith(".static"):
        return None
    if current_user.totp_enabled_at is not None and not session.get("two_factor_ok"):
        return redirect(url_for("auth.two_factor_verify", next=request.full_path))
    if current_user.totp_enabled_at is None and two_factor_required(current_user):
        return redirect(url_for("auth.two_factor_enrol"))
    return None
