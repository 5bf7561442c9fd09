"""Two-factor enrolment, verification, recovery and re-authentication pages, on the auth blueprint."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..access import SIGNED_IN, access
from ..extensions import db, limiter
from ..forms import apply_service_errors
from ..services import two_factor
from ..services.errors import DomainError, ValidationFailed
from .routes import bp, home_for, safe_next

# By IP, one budget shared by every page that checks a code or password: six
# digits must not be guessable by spreading attempts across pages.
CODE_LIMIT = "10 per minute;60 per hour"
_PENDING_SECRET = "pending_totp_secret"


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Enter the code")])


class PasswordAndCodeForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    code = StringField("Code")


def _signed_in_with_two_factor() -> None:
    session["two_factor_ok"] = True


@bp.route("/two-factor", endpoint="two_factor")
@access(SIGNED_IN)
def two_factor_settings():
    return render_template(
        "auth/two_factor.html",
        enabled=current_user.totp_enabled_at is not None,
        required=two_factor.required_for(current_user),
        codes_left=two_factor.unused_recovery_codes(current_user),
    )


@bp.route("/two-factor/enrol", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def two_factor_enrol():
    if current_user.totp_enabled_at is not None:
        flash("Two-factor authentication is already switched on", "info")
        return redirect(url_for("auth.two_factor"))
    secret = session.get(_PENDING_SECRET) or two_factor.new_secret()
    session[_PENDING_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user=current_user, secret=secret, code=form.code.data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            session.pop(_PENDING_SECRET, None)
            _signed_in_with_two_factor()
            # Shown in this response only: the codes are not kept anywhere readable.
            return render_template("auth/two_factor_recovery_codes.html", codes=codes, first_time=True)
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template(
        "auth/two_factor_enrol.html", form=form, qr_svg=two_factor.qr_code_svg(uri),
        secret=two_factor.format_secret(secret), issuer=two_factor.ISSUER,
        required=two_factor.required_for(current_user),
    )


@bp.route("/two-factor/verify", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def two_factor_verify():
    if current_user.totp_enabled_at is None or session.get("two_factor_ok"):
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor.verify_sign_in(user=current_user, code=form.code.data)
        except ValidationFailed as exc:
            db.session.commit()  # keep the failure's audit event
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            _signed_in_with_two_factor()
            return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("auth/two_factor_verify.html", form=form, next=request.args.get("next"))


@bp.route("/two-factor/recovery", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def two_factor_recovery():
    if current_user.totp_enabled_at is None or session.get("two_factor_ok"):
        return redirect(home_for(current_user))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            left = two_factor.use_recovery_code(user=current_user, code=form.code.data)
        except ValidationFailed as exc:
            db.session.commit()
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            _signed_in_with_two_factor()
            flash(f"You signed in with a recovery code. You have {left} left. "
                  "Get new codes from your two-factor settings if you are running out.", "info")
            return redirect(home_for(current_user))
    return render_template("auth/two_factor_recovery.html", form=form)


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def two_factor_new_codes():
    if current_user.totp_enabled_at is None:
        return redirect(url_for("auth.two_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(user=current_user, code=form.code.data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            return render_template("auth/two_factor_recovery_codes.html", codes=codes, first_time=False)
    return render_template("auth/two_factor_new_codes.html", form=form)


@bp.route("/two-factor/disable", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def two_factor_disable():
    if current_user.totp_enabled_at is None:
        return redirect(url_for("auth.two_factor"))
    form = PasswordAndCodeForm()
    refusal = None
    if two_factor.required_for(current_user):
        refusal = "Staff accounts must use two-factor authentication, so it cannot be switched off"
    elif form.validate_on_submit():
        try:
            two_factor.disable(user=current_user, password=form.password.data, code=form.code.data)
        except ValidationFailed as exc:
            db.session.commit()
            apply_service_errors(form, exc.errors)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            session.pop("two_factor_ok", None)
            flash("Two-factor authentication is switched off", "success")
            return redirect(url_for("auth.two_factor"))
    return render_template("auth/two_factor_disable.html", form=form, refusal=refusal)


@bp.route("/confirm-it-is-you", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.shared_limit(CODE_LIMIT, scope="two-factor-codes", methods=["POST"])
def reauthenticate():
    form = PasswordAndCodeForm()
    enrolled = current_user.totp_enabled_at is not None
    if form.validate_on_submit():
        try:
            two_factor.confirm_identity(user=current_user, password=form.password.data, code=form.code.data)
        except ValidationFailed as exc:
            db.session.commit()
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("auth/reauthenticate.html", form=form, enrolled=enrolled)
