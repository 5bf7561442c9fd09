"""Administrators manage user accounts: roles, authority, deactivation, anonymisation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import access
from ..auth.reauth import fresh_sign_in_required
from ..extensions import db
from ..forms import apply_service_errors, show_refusal
from ..models import ROLE_LABELS, Role, User
from ..services import admin as admin_service
from ..services import settings as settings_service
from ..services import two_factor
from ..services.errors import DomainError, ValidationFailed
from .forms import AnonymiseForm, NewUserForm, ReasonForm, RolesForm, SettingsForm, TermsForm

bp = Blueprint("admin", __name__)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _roles_from(values) -> set[Role]:
    return {Role(v) for v in values or [] if v in {r.value for r in Role}}


@bp.route("/users")
@access(Role.ADMIN)
def users():
    query = request.args.get("q", "")[:200]
    role = request.args.get("role") or None
    if role not in {r.value for r in Role}:
        role = None
    found = admin_service.search_users(query=query, role=role)
    return render_template("admin/users.html", users=found, query=query, role=role, role_labels=ROLE_LABELS,
                           roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = admin_service.create_staff_user(
                email=form.email.data, full_name=form.full_name.data, roles=_roles_from(form.roles.data),
                job_title=form.job_title.data, decision_authority=form.authority.data or None, actor=current_user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(f"Account created for {user.full_name}. We have emailed them a link to set their password",
                  "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>")
@access(Role.ADMIN)
def user(user_id: int):
    person = _user_or_404(user_id)
    events = admin_service.account_activity(user=person, viewer=current_user)
    return render_template("admin/user.html", person=person, events=events, role_labels=ROLE_LABELS,
                           reset_form=ReasonForm(), codes_left=two_factor.unused_recovery_codes(person))


@bp.route("/users/<int:user_id>/roles", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def user_roles(user_id: int):
    person = _user_or_404(user_id)
    form = RolesForm()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in person.role_set)
        form.authority.data = person.decision_authority or ""
    if form.validate_on_submit():
        try:
            admin_service.set_roles(user=person, roles=_roles_from(form.roles.data), actor=current_user,
                                    reason=form.reason.data or "")
            admin_service.set_decision_authority(user=person, authority=form.authority.data or None,
                                                 actor=current_user, reason=form.reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Roles for {person.full_name} saved", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/roles.html", person=person, form=form)


def _reason_page(person, *, action: str, run, done: str, heading: str, explain: str, button_text: str,
                 warning: bool):
    """A change to one account that needs only a reason: ask, call the service, report back."""
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            run(form.reason.data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/reason.html", person=person, form=form, action=action, heading=heading,
                           explain=explain, button_text=button_text, warning=warning)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def deactivate(user_id: int):
    person = _user_or_404(user_id)
    return _reason_page(
        person, action="deactivate",
        run=lambda reason: admin_service.deactivate(user=person, actor=current_user, reason=reason),
        done=f"{person.full_name}'s account is deactivated and they have been signed out",
        heading=f"Deactivate {person.full_name}'s account",
        explain="They will be signed out at once and cannot sign in again until an "
                "administrator reactivates the account. Their records and history stay.",
        button_text="Deactivate account", warning=True)


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def reactivate(user_id: int):
    person = _user_or_404(user_id)
    return _reason_page(
        person, action="reactivate",
        run=lambda reason: admin_service.reactivate(user=person, actor=current_user, reason=reason),
        done=f"{person.full_name}'s account is active again",
        heading=f"Reactivate {person.full_name}'s account",
        explain="They will be able to sign in again.", button_text="Reactivate account", warning=False)


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def reset_two_factor(user_id: int):
    person = _user_or_404(user_id)
    return _reason_page(
        person, action="reset-two-factor",
        run=lambda reason: two_factor.reset_by_admin(user=person, actor=current_user, reason=reason),
        done=f"Two-factor authentication for {person.full_name} is reset. They must set it up again",
        heading=f"Reset two-factor authentication for {person.full_name}",
        explain="Do this only when you have confirmed who they are, for example by phone. "
                "They will be signed out and must set up two-factor again.",
        button_text="Reset two-factor authentication", warning=True)


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@access(Role.ADMIN)
@fresh_sign_in_required
def anonymise(user_id: int):
    person = _user_or_404(user_id)
    form = AnonymiseForm()
    refusal = None
    if person.is_staff:
        refusal = ("Only applicant accounts can be anonymised. Staff accounts are deactivated instead, because "
                   "the names of officials who made decisions are part of the public record.")
    elif person.anonymised_at is not None:
        refusal = "This account is already anonymised."
    elif form.validate_on_submit():
        try:
            admin_service.anonymise_applicant(user=person, actor=current_user,
                                              retention_confirmed=bool(form.retention_confirmed.data),
                                              reason=form.reason.data or "")
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The applicant's personal details are removed. Their applications and grants stay", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/anonymise.html", person=person, form=form, refusal=refusal)


# --- Organisation settings ---------------------------------------------------------------------


def _settings_page(details_form: SettingsForm, terms_form: TermsForm):
    return render_template("admin/settings.html", form=details_form, terms_form=terms_form,
                           versions=settings_service.terms_versions(), error_title_prefix=bool(terms_form.errors))


@bp.route("/settings", methods=["GET", "POST"])
@access(Role.ADMIN)
def settings():
    """The OPCC's details (letters and every page footer) and the standard terms of grant."""
    form = SettingsForm(data=settings_service.details().as_dict())
    terms_form = TermsForm(formdata=None, terms=settings_service.current_terms_text())
    if form.validate_on_submit():
        try:
            settings_service.save_details(actor=current_user, **{name: form[name].data or "" for name in (
                "name", "address", "contact_email", "contact_phone", "signatory_name", "signatory_title")})
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Organisation details saved. New letters and every page use them from now on", "success")
            return redirect(url_for("admin.settings"))
    return _settings_page(form, terms_form)


@bp.route("/settings/terms", methods=["POST"])
@access(Role.ADMIN)
def save_terms():
    """Save the standard terms as a new version; letters already sent keep the version they carry."""
    terms_form = TermsForm()
    if terms_form.validate_on_submit():
        try:
            version = settings_service.save_terms(actor=current_user, text=terms_form.terms.data or "")
        except DomainError as exc:
            db.session.rollback()
            show_refusal(terms_form, exc)
        else:
            db.session.commit()
            flash(f"Terms saved as version {version.number}. Letters already sent keep their version", "success")
            return redirect(url_for("admin.settings"))
    form = SettingsForm(formdata=None, data=settings_service.details().as_dict())
    return _settings_page(form, terms_form)


@bp.route("/settings/terms/<int:number>")
@access(Role.ADMIN)
def terms_version(number: int):
    version = settings_service.terms_version(number)
    if version is None:
        abort(404)
    return render_template("admin/terms_version.html", version=version,
                           lines=settings_service.terms_lines(version.text))


from . import reference  # noqa: E402,F401  (registers the plan, objective, area and ward routes)


from . import outcome_routes  # noqa: E402,F401  (measures and historic grants)
