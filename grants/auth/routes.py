"""Sign in and out, register, confirm email, reset a forgotten password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import PUBLIC, SIGNED_IN, access
from ..extensions import db, limiter
from ..forms import apply_service_errors
from ..services import accounts, sessions
from ..services.errors import DomainError, ValidationFailed
from .forms import ForgotPasswordForm, RegisterForm, ResetPasswordForm, SignInForm

bp = Blueprint("auth", __name__)

# By IP; the per-account-and-address lock is in services.accounts.
AUTH_LIMIT = "20 per minute;200 per hour"
# Names the account this browser last signed in to (signed, long-lived): see accounts.authenticate.
DEVICE_COOKIE = "grants_device"


def safe_next(target: str | None) -> str | None:
    """Only follow a ?next= back into this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user) -> str:
    from ..models import Role

    for role, endpoint in [
        (Role.APPLICANT, "applicant.dashboard"),
        (Role.OFFICER, "staff.applications"),
        (Role.ASSESSOR, "assessment.queue"),
        (Role.DECISION_MAKER, "decisions.queue"),
        (Role.FINANCE, "decisions.payments"),
        (Role.AUDITOR, "auditor.index"),
        (Role.ADMIN, "admin.users"),
    ]:
        if user.has_role(role):
            return url_for(endpoint)
    return url_for("public.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, address=request.remote_addr,
                                         device=request.cookies.get(DEVICE_COOKIE))
        except accounts.SignInFailed as exc:
            db.session.commit()  # keep the failure count and its audit event
            form.form_errors.append(exc.message)
            form.email.errors = []
        else:
            _start_session(user)
            db.session.commit()
            response = redirect(safe_next(request.args.get("next")) or home_for(user))
            # Recognises this browser next time, so a lock someone else caused at its address does not stop it.
            response.set_cookie(DEVICE_COOKIE, accounts.device_token(user), max_age=accounts.DEVICE_MAX_AGE,
                                httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return render_template("auth/sign_in.html", form=form)


def _start_session(user) -> None:
    """A new server-side session for this browser, named in the (fresh) signed cookie."""
    session.clear()
    sessions.start(user, ip_address=request.remote_addr)
    login_user(user)


@bp.route("/unlock/<token>")
@access(PUBLIC)
def unlock(token: str):
    """The link emailed when an account locks: lifts the lock at the address it names."""
    try:
        accounts.unlock(token)
    except DomainError as exc:
        return render_template("auth/link_problem.html", message=exc.message), 400
    db.session.commit()
    flash("Your account is unlocked. You can sign in again", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-out", methods=["POST"])
@access(PUBLIC)
def sign_out():
    if current_user.is_authenticated:
        sessions.end(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_applicant(
                email=form.email.data, full_name=form.full_name.data, password=form.password.data
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        else:
            _start_session(user)
            db.session.commit()
            # Someone who followed an invitation link comes back to it to join their organisation.
            return redirect(safe_next(request.args.get("next")) or url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


@bp.route("/check-your-email")
@access(SIGNED_IN)
def check_email():
    return render_template("auth/check_email.html")


@bp.route("/resend-confirmation", methods=["POST"])
@access(SIGNED_IN)
@limiter.limit("5 per hour")
def resend_confirmation():
    if current_user.email_confirmed_at is None:
        accounts.send_confirmation(current_user)
        db.session.commit()
    flash("We have sent you a new confirmation link", "success")
    return redirect(url_for("auth.check_email"))


@bp.route("/confirm/<token>")
@access(PUBLIC)
def confirm_email(token: str):
    try:
        user = accounts.confirm_email(token)
    except DomainError as exc:
        return render_template("auth/link_problem.html", message=exc.message), 400
    db.session.commit()
    flash("Your email address is confirmed", "success")
    return redirect(home_for(user) if current_user.is_authenticated else url_for("auth.sign_in"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def reset_password(token: str):
    try:
        accounts.user_for_reset_token(token)
    except DomainError as exc:
        return render_template("auth/link_problem.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        except DomainError as exc:
            return render_template("auth/link_problem.html", message=exc.message), 400
        else:
            db.session.commit()
            logout_user()
            flash("Your password has been changed. Sign in with your new password", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


from . import two_factor_routes  # noqa: E402,F401  (registers the two-factor routes)
