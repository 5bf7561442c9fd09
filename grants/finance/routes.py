"""Finance's money safeguards: call-back checks of bank details, payment runs; and a signatory's confirmation."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import access
from ..auth.reauth import fresh_sign_in_required
from ..extensions import db
from ..forms import show_refusal
from ..models import BankDetails, PaymentRun, PaymentRunLine, Role
from ..services import bank_details, payment_runs
from ..services.errors import DomainError
from . import forms

bp = Blueprint("finance", __name__)


@bp.route("/bank-details")
@access(Role.FINANCE)
def bank_details_list():
    """Bank details waiting for finance's call-back, and the instalments they hold back."""
    return render_template("finance/bank_details_list.html", waiting=bank_details.awaiting_verification(),
                           frozen=payment_runs.frozen_instalments())


@bp.route("/bank-details/<int:details_id>", methods=["GET", "POST"])
@access(Role.FINANCE)
@fresh_sign_in_required
def verify(details_id: int):
    """The full details, the number to ring from the organisation's records, and the call-back record."""
    details = db.get_or_404(BankDetails, details_id)
    form = forms.VerifyForm()
    if form.validate_on_submit():
        try:
            bank_details.verify_bank_details(details, actor=current_user, spoke_to=form.spoke_to.data,
                                             called_on=form.called_on.data, confirmed=bool(form.confirm.data))
        except DomainError as exc:
            db.session.rollback()
            details = db.session.get(BankDetails, details_id)
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The bank details of {details.organisation.legal_name} are verified.", "success")
            return redirect(url_for(".bank_details_list"))
    return render_template("finance/verify.html", details=details, full=bank_details.reveal(details, current_user),
                           form=form,
                           awaiting_confirmation=bank_details.awaiting_confirmation(details))


@bp.route("/bank-details/confirm/<token>", methods=["GET", "POST"])
@access(Role.APPLICANT)
def confirm_bank_details(token: str):
    """A second signatory checks and confirms the details another signatory gave."""
    form = forms.ConfirmForm()
    try:
        details = bank_details.details_for_token(token)
    except DomainError as exc:
        return render_template("finance/confirm_problem.html", message=exc.message), 400
    if details.organisation_id not in {m.organisation_id for m in current_user.memberships}:
        abort(404)
    if form.validate_on_submit():
        try:
            bank_details.confirm_bank_details(token, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            details = bank_details.details_for_token(token)
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Thank you: you have confirmed your organisation's bank details.", "success")
            return redirect(url_for("applicant.organisation"))
    # A signatory of the group sees the full details they are asked to confirm.
    return render_template("finance/confirm.html", details=details, full=bank_details.reveal(details, current_user),
                           form=form)


@bp.route("/payment-runs", methods=["GET", "POST"])
@access(Role.FINANCE)
@fresh_sign_in_required
def payment_runs_list():
    """Instalments due for payment (to pick for a new run) and earlier runs."""
    due = payment_runs.due_instalments()
    form = forms.NewRunForm()
    form.instalments.choices = [(d.instalment.id, d.instalment.application.reference) for d in due]
    if form.validate_on_submit():
        try:
            run = payment_runs.create_run(actor=current_user, instalment_ids=form.instalments.data or [])
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
            due = payment_runs.due_instalments()
        else:
            db.session.commit()
            flash(f"Payment run {run.id} created. Download its file for the finance system.", "success")
            return redirect(url_for(".payment_run", run_id=run.id))
    return render_template("finance/payment_runs.html", due=due, form=form, runs=payment_runs.runs(),
                           frozen=payment_runs.frozen_instalments())


@bp.route("/payment-runs/<int:run_id>", methods=["GET", "POST"])
@access(Role.FINANCE)
@fresh_sign_in_required
def payment_run(run_id: int):
    """One run: its lines and totals; mark it paid once the bank confirms."""
    run = db.get_or_404(PaymentRun, run_id)
    form = forms.MarkPaidForm()
    if form.validate_on_submit():
        try:
            payment_runs.mark_paid(run, actor=current_user, paid_on=form.paid_on.data)
        except DomainError as exc:
            db.session.rollback()
            run = db.session.get(PaymentRun, run_id)
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Payment run {run.id} marked paid.", "success")
            return redirect(url_for(".payment_run", run_id=run.id))
    return render_template("finance/payment_run.html", run=run, form=form,
                           totals=payment_runs.reconciliation(run))


@bp.route("/payment-runs/<int:run_id>/lines/<int:line_id>/fail", methods=["GET", "POST"])
@access(Role.FINANCE)
@fresh_sign_in_required
def fail_line(run_id: int, line_id: int):
    line = db.get_or_404(PaymentRunLine, line_id)
    if line.run_id != run_id:
        abort(404)
    form = forms.FailLineForm()
    if form.validate_on_submit():
        try:
            payment_runs.fail_line(line, actor=current_user, reason=form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            line = db.session.get(PaymentRunLine, line_id)
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{line.reference} marked failed; it can go in a later run.", "success")
            return redirect(url_for(".payment_run", run_id=run_id))
    return render_template("finance/fail_line.html", line=line, form=form)


@bp.route("/payment-runs/<int:run_id>/file.csv")
@access(Role.FINANCE)
@fresh_sign_in_required
def payment_run_file(run_id: int):
    """The run's file exactly as made (its SHA-256 is on the run page); the download is audited."""
    run = db.get_or_404(PaymentRun, run_id)
    payment_runs.record_download(run, actor=current_user)
    db.session.commit()
    return Response(run.file_content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="payment-run-{run.id}.csv"', "Cache-Control": "no-store"})
