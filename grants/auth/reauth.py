"""Ask for the password again (and a code, if enrolled) before sensitive actions.

Decisions, payments and role changes are each a moment where a session left
open on an unattended computer would do real harm, so they need a sign-in
from the last REAUTH_AFTER_MINUTES (15 by default).
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import current_app, redirect, request, url_for
from flask_login import current_user

from ..services import sessions


def sign_in_is_fresh(user) -> bool:
    """Has this session (not merely this person, somewhere) proved it is them recently?"""
    minutes = current_app.config.get("REAUTH_AFTER_MINUTES", 15)
    if not minutes:
        return True
    return sessions.is_fresh(user, int(minutes))


def fresh_sign_in_required(view: Callable) -> Callable:
    """Place below @access(...). A stale sign-in is sent to confirm it is them, then back.

    A POST from a stale session is not carried out: the user is sent to the
    re-authentication page and back to the page they were on (the GET of the
    same URL), so they see the form again before acting.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated and not sign_in_is_fresh(current_user):
            target = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else request.path
            return redirect(url_for("auth.reauthenticate", next=target))
        return view(*args, **kwargs)

    return wrapper
