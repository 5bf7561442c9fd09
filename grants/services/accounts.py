"""Accounts: registration, email confirmation, sign-in with lockout, password reset."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Role, User, UserRole
from . import audit, outbox
from .errors import DomainError, ValidationFailed

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
CONFIRM_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 3600

# The most common passwords from breach lists; long enough to pass the length
# rule yet still guessed first.
COMMON_PASSWORDS = {
    "password1234", "passwordpassword", "123456789012", "qwertyuiopas", "iloveyou1234",
    "letmeinletmein", "welcome12345", "password123!", "administrator", "qwerty123456",
    "1234567890ab", "abcdefghijkl", "changeme1234", "football1234", "monkeymonkey",
}


class SignInFailed(DomainError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, *, email: str = "") -> str | None:
    """The strong-password rule (NCSC advice: length beats complexity)."""
    if len(password) < 12:
        return "Password must be 12 characters or more"
    if len(password) > 128:
        return "Password must be 128 characters or fewer"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 5:
        return "Password is too easy to guess. Try three random words"
    local = normalise_email(email).split("@")[0]
    if local and len(local) >= 4 and local in password.lower():
        return "Password must not contain your email address"
    return None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(*, email: str, full_name: str, password: str, roles: list[Role], job_title: str | None = None,
                decision_authority: str | None = None, confirmed: bool = False, actor: User | None = None,
                check_password: bool = True) -> User:
    """Create an account. The password rule applies unless a trusted command seeds it."""
    email = normalise_email(email)
    errors = {}
    if find_user(email) is not None:
        errors["email"] = "An account already exists for this email address"
    if check_password and (problem := password_problem(password, email=email)):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, full_name=full_name.strip(), job_title=job_title,
                decision_authority=decision_authority)
    user.set_password(password)
    user.roles = [UserRole(role=r.value) for r in roles]
    if confirmed:
        user.email_confirmed_at = clock.now()
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, entity=user,
                 after={"email": email, "roles": [r.value for r in roles]})
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def register_applicant(*, email: str, full_name: str, password: str) -> User:
    """A community group member signs up; they confirm their email before applying."""
    user = create_user(email=email, full_name=full_name, password=password, roles=[Role.APPLICANT])
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    token = _serializer("confirm-email").dumps({"id": user.id, "email": user.email})
    outbox.send_template(user.email, "confirm_email", user=user, token=token)


def confirm_email(token: str) -> User:
    try:
        data = _serializer("confirm-email").loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as exc:
        raise DomainError("This confirmation link has expired. Sign in to get a new one") from exc
    except BadSignature as exc:
        raise DomainError("This confirmation link is not valid") from exc
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise DomainError("This confirmation link is not valid")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        audit.record("user.email_confirmed", actor=user, entity=user)
    return user


def authenticate(email: str, password: str) -> User:
    """Check a sign-in. Failures count towards a temporary lock on the account."""
    user = find_user(email)
    now = clock.now()
    if user is None:
        audit.record("auth.sign_in_failed", entity_type="User", after={"reason": "unknown email"},
                     actor_label="unknown user")
        raise SignInFailed("Enter a correct email address and password")
    if user.locked_until is not None and user.locked_until > now:
        audit.record("auth.sign_in_failed", actor=user, entity=user, after={"reason": "locked"})
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise SignInFailed(f"Too many failed attempts. Try again in {minutes} minutes")
    if not user.check_password(password) or not user.is_active:
        user.failed_sign_ins += 1
        reason = "wrong password" if user.is_active else "account deactivated"
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            user.failed_sign_ins = 0
            audit.record("auth.account_locked", actor=user, entity=user,
                         after={"locked_until": user.locked_until})
        audit.record("auth.sign_in_failed", actor=user, entity=user, after={"reason": reason})
        raise SignInFailed("Enter a correct email address and password")
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    audit.record("auth.signed_in", actor=user, entity=user)
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    token = _serializer("reset-password").dumps({"id": user.id, "h": user.password_hash[-16:]})
    outbox.send_template(user.email, "reset_password", user=user, token=token)
    audit.record("auth.password_reset_requested", actor=user, entity=user)


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer("reset-password").loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired as exc:
        raise DomainError("This reset link has expired. Ask for a new one") from exc
    except BadSignature as exc:
        raise DomainError("This reset link is not valid") from exc
    user = db.session.get(User, data.get("id"))
    # The token names the old password hash, so it works once only.
    if user is None or user.password_hash[-16:] != data.get("h"):
        raise DomainError("This reset link has already been used or is not valid")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if problem := password_problem(new_password, email=user.email):
        raise ValidationFailed({"password": problem})
    user.set_password(new_password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.end_all_sessions()
    audit.record("auth.password_reset", actor=user, entity=user)
    return user
