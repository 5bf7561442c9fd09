"""Two-factor authentication: time-based one-time passwords and recovery codes.

The secret being enrolled lives in the user's session until they prove their
authenticator app works by typing a code; only then is it stored and
two-factor switched on. Recovery codes are shown once and stored hashed.
"""
from __future__ import annotations

import secrets

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..models import RecoveryCode, User
from . import audit, sessions
from .errors import DomainError, NotPermitted, ValidationFailed

ISSUER = "OPCC Cleveland grants"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG markup (no script, no style attribute).

    segno writes only path data and fixed attributes, and the URI is encoded
    into the path geometry, never copied into the markup, so it is safe to
    mark as trusted.
    """
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#0b0c0c", light="#ffffff")
    return Markup(svg)


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str | None) -> str:
    return "".join((code or "").split())


def _matching_step(secret: str | None, code: str | None) -> int | None:
    """The time step whose code this is (one step either side allows for a phone clock a little out)."""
    code = _clean_code(code)
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_is_valid(secret: str | None, code: str | None) -> bool:
    return _matching_step(secret, code) is not None


def _accept_code(user: User, code: str | None) -> bool:
    """Check a code for an enrolled user and use it up, so an overheard code cannot be replayed."""
    step = _matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _hash(code: str) -> str:
    return generate_password_hash(code, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    return codes


def enable(*, user: User, secret: str, code: str) -> list[str]:
    """Switch two-factor on once a code from the new secret checks out; return the recovery codes.

    The codes are returned once, for the page to show; only their hashes are kept.
    """
    if user.totp_enabled_at is not None:
        raise DomainError("Two-factor authentication is already switched on")
    if not code_is_valid(secret, code):
        raise ValidationFailed({"code": "The code is not correct. Enter the 6-digit code your app shows now"})
    user.totp_secret = secret
    user.totp_enabled_at = clock.now()
    user.totp_last_step = _matching_step(secret, code)
    codes = _new_recovery_codes(user)
    audit.record("auth.two_factor_enabled", actor=user, entity=user,
                 before={"two_factor": False}, after={"two_factor": True, "recovery_codes": len(codes)})
    return codes


def verify_sign_in(*, user: User, code: str) -> None:
    """The second step of signing in: a current code from the user's app, each code once."""
    if not _accept_code(user, code):
        audit.record("auth.two_factor_failed", actor=user, entity=user, after={"method": "app code"})
        raise ValidationFailed({"code": "The code is not correct. Enter the 6-digit code your app shows now"})
    sessions.reauthenticated(user)
    audit.record("auth.two_factor_verified", actor=user, entity=user, after={"method": "app code"})


def use_recovery_code(*, user: User, code: str) -> int:
    """Sign in with a single-use recovery code; returns how many unused codes are left."""
    cleaned = _clean_code(code).lower()
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = next((rc for rc in unused if cleaned and check_password_hash(rc.code_hash, cleaned)), None)
    if match is None:
        audit.record("auth.two_factor_failed", actor=user, entity=user, after={"method": "recovery code"})
        raise ValidationFailed({"code": "The recovery code is not correct, or it has already been used"})
    match.used_at = clock.now()
    sessions.reauthenticated(user)
    left = len(unused) - 1
    audit.record("auth.recovery_code_used", actor=user, entity=user, after={"codes_left": left})
    return left


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all())


def regenerate_recovery_codes(*, user: User, code: str) -> list[str]:
    """Replace every recovery code (after a current app code), e.g. when they are running out."""
    if user.totp_enabled_at is None:
        raise DomainError("Switch on two-factor authentication first")
    if not _accept_code(user, code):
        raise ValidationFailed({"code": "The code is not correct. Enter the 6-digit code your app shows now"})
    codes = _new_recovery_codes(user)
    audit.record("auth.recovery_codes_replaced", actor=user, entity=user, after={"recovery_codes": len(codes)})
    return codes


def required_for(user: User) -> bool:
    """Staff must use two-factor whenever the app runs with production settings."""
    return bool(current_app.config.get("REQUIRE_2FA_FOR_STAFF")) and user.is_staff


def disable(*, user: User, password: str, code: str) -> None:
    """Switch two-factor off: only the user, with their password and a current code.

    Refused when it is required for the account (staff in production).
    """
    if user.totp_enabled_at is None:
        raise DomainError("Two-factor authentication is not switched on")
    if required_for(user):
        raise NotPermitted("Staff accounts must use two-factor authentication, so it cannot be switched off")
    errors = {}
    if not user.check_password(password or ""):
        errors["password"] = "The password is not correct"
    if not _accept_code(user, code):
        errors["code"] = "The code is not correct. Enter the 6-digit code your app shows now"
    if errors:
        audit.record("auth.two_factor_failed", actor=user, entity=user, after={"method": "disable"})
        raise ValidationFailed(errors)
    _switch_off(user)
    audit.record("auth.two_factor_disabled", actor=user, entity=user,
                 before={"two_factor": True}, after={"two_factor": False})


def reset_by_admin(*, user: User, actor: User, reason: str) -> None:
    """An administrator clears a user's two-factor (lost phone); they must enrol again.

    Their sessions end, so nobody holding one keeps access without a second factor.
    """
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "Enter why two-factor is being reset"})
    if user.totp_enabled_at is None:
        raise DomainError("This user has not switched on two-factor authentication")
    _switch_off(user)
    user.end_all_sessions()
    audit.record("admin.two_factor_reset", actor=actor, entity=user,
                 before={"two_factor": True}, after={"two_factor": False}, reason=reason.strip())


def _switch_off(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def confirm_identity(*, user: User, password: str, code: str | None = None) -> None:
    """Re-authentication before a sensitive action: password, plus a code when enrolled."""
    errors = {}
    if not user.check_password(password or ""):
        errors["password"] = "The password is not correct"
    if user.totp_enabled_at is not None and not _accept_code(user, code):
        errors["code"] = "The code is not correct. Enter the 6-digit code your app shows now"
    if errors:
        audit.record("auth.reauthentication_failed", actor=user, entity=user, after={"fields": sorted(errors)})
        raise ValidationFailed(errors)
    sessions.reauthenticated(user)
    audit.record("auth.reauthenticated", actor=user, entity=user)
