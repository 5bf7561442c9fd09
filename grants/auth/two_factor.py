"""Two-factor sign-in gate (TOTP). Pages live in auth/two_factor_routes.py.

Runs before every request: anyone who has switched two-factor on must enter
a code after their password before reaching any page, and staff must enrol
first whenever REQUIRE_2FA_FOR_STAFF is set (always, with production config).
"""
from __future__ import annotations

from flask import redirect, request, session, url_for
from flask_login import current_user

# Endpoints a signed-in user may reach before completing two-factor.
_OPEN_ENDPOINTS = {
    "auth.sign_out",
    "auth.two_factor_verify",
    "auth.two_factor_enrol",
    "auth.two_factor_recovery",
    "public.healthz",
    "public.privacy",
    "public.accessibility",
    "static",
}


def two_factor_required(user) -> bool:
    from ..services.two_factor import required_for

    return required_for(user)


def enforce_two_factor():
    """Staff must enrol when production requires it; anyone enrolled must verify each sign-in."""
    if not current_user.is_authenticated or request.endpoint in _OPEN_ENDPOINTS:
        return None
    if request.endpoint is None or request.endpoint.endswith(".static"):
        return None
    if current_user.totp_enabled_at is not None and not session.get("two_factor_ok"):
        return redirect(url_for("auth.two_factor_verify", next=request.full_path.rstrip("?")))
    if current_user.totp_enabled_at is None and two_factor_required(current_user):
        return redirect(url_for("auth.two_factor_enrol"))
    return None
