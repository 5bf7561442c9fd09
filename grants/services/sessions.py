"""Server-side sign-in sessions: started at sign-in, ended at sign-out, fresh only where re-authenticated.

The signed session cookie holds a random token; the server keeps its SHA-256 with the user,
when the session last proved it was the person (password, and a code if enrolled), and when
it ended. A session that has ended, or that the server does not know, signs nobody in, so a
copied cookie stops working at sign-out. Re-authentication makes only its own session fresh.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import SignInSession, User
from . import audit


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(user: User, *, ip_address: str | None) -> SignInSession:
    """A new session for `user`, fresh from now; its token (for the cookie) is on `.token`."""
    token = secrets.token_urlsafe(32)
    record = SignInSession(token_hash=_hash(token), user_id=user.id, authenticated_at=clock.now(),
                           ip_address=(ip_address or "")[:45] or None)
    db.session.add(record)
    db.session.flush()
    record.token = token
    user.sign_in_session = record
    return record


def resume(token: str) -> User | None:
    """The active user whose live session `token` names, with the session attached; else None."""
    if not token or len(token) > 100:
        return None
    record = db.session.scalar(select(SignInSession).where(SignInSession.token_hash == _hash(token),
                                                           SignInSession.ended_at.is_(None)))
    if record is None or record.user is None or not record.user.is_active:
        return None
    record.token = token
    record.user.sign_in_session = record
    return record.user


def end(user: User) -> None:
    """Sign-out: the user's current session ends on the server."""
    record = user.sign_in_session
    if record is not None and record.ended_at is None:
        record.ended_at = clock.now()
        audit.record("auth.signed_out", actor=user, entity=user, after={"session": record.id})


def reauthenticated(user: User) -> None:
    """The person proved it is them in this session (password, or the sign-in code): it is fresh again."""
    now = clock.now()
    user.last_sign_in_at = now
    if user.sign_in_session is not None:
        user.sign_in_session.authenticated_at = now


def is_fresh(user: User, minutes: int) -> bool:
    """Did this session prove it was the person within the last `minutes`?"""
    record = user.sign_in_session
    last = record.authenticated_at if record is not None else None
    return last is not None and clock.now() - last <= timedelta(minutes=minutes)
