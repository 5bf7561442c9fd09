"""Accounts: registration, email confirmation, sign-in with lockout by account and address, password reset."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..models import Role, SignInThrottle, User, UserRole
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


def _link_data(salt: str, token: str, max_age: int, *, expired: str, invalid: str):
    """What an emailed link's signed token holds, or a DomainError saying it has expired or is not valid."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise DomainError(expired) from exc
    except BadSignature as exc:
        raise DomainError(invalid) from exc


def register_applicant(*, email: str, full_name: str, password: str) -> User:
    """A community group member signs up; they confirm their email before applying."""
    user = create_user(email=email, full_name=full_name, password=password, roles=[Role.APPLICANT])
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    token = _serializer("confirm-email").dumps({"id": user.id, "email": user.email})
    outbox.send_template(user.email, "confirm_email", user=user, token=token)


def confirm_email(token: str) -> User:
    data = _link_data("confirm-email", token, CONFIRM_MAX_AGE,
                      expired="This confirmation link has expired. Sign in to get a new one",
                      invalid="This confirmation link is not valid")
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise DomainError("This confirmation link is not valid")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        audit.record("user.email_confirmed", actor=user, entity=user)
    return user


LOCKED_MESSAGE = "Too many failed attempts. Try again in {minutes} minutes"
DEVICE_MAX_AGE = 365 * 24 * 3600
UNLOCK_MAX_AGE = 24 * 3600


@lru_cache(maxsize=4)
def _no_such_user_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        # The same work as for a real account, so the answer's timing does not tell either.
        check_password_hash(_no_such_user_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return False
    return user.check_password(password)


def _email_hash(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def _throttle_for(email: str, address: str) -> SignInThrottle | None:
    return db.session.scalar(select(SignInThrottle).where(SignInThrottle.email_hash == _email_hash(email),
                                                          SignInThrottle.address == address))


def device_token(user: User) -> str:
    """A long-lived signed token naming the user, kept in a cookie on a browser that signed in."""
    return _serializer("known-device").dumps({"id": user.id})


def _recognised(device: str | None, user: User) -> bool:
    if not device:
        return False
    try:
        data = _serializer("known-device").loads(device, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("id") == user.id


def _failed(user: User | None, reason: str) -> None:
    if user is None:
        audit.record("auth.sign_in_failed", entity_type="User", after={"reason": reason}, actor_label="unknown user")
    else:
        audit.record("auth.sign_in_failed", actor=user, entity=user, after={"reason": reason})


def _lock(throttle: SignInThrottle, user: User | None, now) -> None:
    throttle.locked_until = now + LOCKOUT
    throttle.failures = 0
    if user is None:
        return
    audit.record("auth.account_locked", actor=user, entity=user,
                 after={"locked_until": throttle.locked_until, "address": throttle.address})
    if user.is_active:
        token = _serializer("unlock").dumps({"e": throttle.email_hash, "a": throttle.address})
        outbox.send_template(user.email, "account_locked", user=user, token=token, address=throttle.address,
                             minutes=int(LOCKOUT.total_seconds() // 60))


def authenticate(email: str, password: str, *, address: str | None = None, device: str | None = None) -> User:
    """Check a sign-in. Failures are counted per (email, client address), whether or not the email
    has an account: MAX_FAILED_SIGN_INS in a row lock that email at that address for LOCKOUT, and
    the account holder is emailed a link that lifts the lock.

    An unknown email, a wrong password and a deactivated account get the same answer, and an
    unknown email locks just as a real one does, so nothing shows which emails have accounts.
    Failures from one address never lock the person out anywhere else, and at a locked address
    the right password still works from a browser that has signed in to the account before
    (`device`: the cookie holding device_token).
    """
    user = find_user(email)
    now = clock.now()
    address = (address or "unknown")[:45]
    throttle = _throttle_for(email, address)
    password_ok = _password_matches(user, password) and user.is_active
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        if not (password_ok and _recognised(device, user)):
            _failed(user, "locked")
            minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
            raise SignInFailed(LOCKED_MESSAGE.format(minutes=minutes))
    if not password_ok:
        if throttle is None:
            throttle = SignInThrottle(email_hash=_email_hash(email), address=address, failures=0)
            db.session.add(throttle)
        throttle.failures += 1
        if throttle.failures >= MAX_FAILED_SIGN_INS:
            _lock(throttle, user, now)
        _failed(user, "unknown email" if user is None else "wrong password" if user.is_active
                else "account deactivated")
        raise SignInFailed("Enter a correct email address and password")
    if throttle is not None:
        db.session.delete(throttle)
    user.last_sign_in_at = now
    audit.record("auth.signed_in", actor=user, entity=user)
    return user


def unlock(token: str) -> None:
    """The emailed unlock link: lift the lock on that account at that address."""
    data = _link_data("unlock", token, UNLOCK_MAX_AGE,
                      expired="This unlock link has expired. Wait 15 minutes, then sign in",
                      invalid="This unlock link is not valid")
    row = db.session.scalar(select(SignInThrottle).where(SignInThrottle.email_hash == data.get("e"),
                                                         SignInThrottle.address == data.get("a")))
    if row is not None:
        db.session.delete(row)
        audit.record("auth.account_unlocked", entity_type="User", actor_label="unlock link",
                     after={"address": data.get("a")})


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    token = _serializer("reset-password").dumps({"id": user.id, "h": user.password_hash[-16:]})
    outbox.send_template(user.email, "reset_password", user=user, token=token)
    audit.record("auth.password_reset_requested", actor=user, entity=user)


def user_for_reset_token(token: str) -> User:
    data = _link_data("reset-password", token, RESET_MAX_AGE, expired="This reset link has expired. Ask for a new one",
                      invalid="This reset link is not valid")
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
    user.end_all_sessions()
    audit.record("auth.password_reset", actor=user, entity=user)
    return user
