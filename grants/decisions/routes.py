"""Decisions, decision records, applicants' offers and finance's payments."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import access as access_rules
from ..access import access
from ..auth.reauth import fresh_sign_in_required
from ..extensions import db
from ..forms import show_refusal
from ..models import Application, DecisionRecord, Letter, PaymentInstalment, Role
from ..money import format_pence
from ..services import bank_details, budget, offers, organisations, reporting_schedule, workflow
from ..services import payments as payments_service
from ..services import assessment as assessment_service
from ..services import decisions as decisions_service
from ..services import notices as notices_service
from ..services.errors import DomainError, ValidationFailed
from ..services.workflow import Status
from .forms import AcceptOfferForm, CorrectionForm, DecisionForm, DeclineOfferForm, PaymentForm

bp = Blueprint("decisions", __name__)

RECORD_READERS = (Role.DECISION_MAKER, Role.OFFICER, Role.FINANCE, Role.AUDITOR)


def _show_error(form, exc: DomainError) -> None:
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "": exc.message}
    if "schedule" in errors:
        # The schedule is several rows, not one field: the message sits above them.
        form.schedule_error = errors["schedule"]
    show_refusal(form, exc)


def _send_pdf(content: bytes, filename: str):
    response = current_app.response_class(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Decision makers ---------------------------------------------------------------------


@bp.route("/")
@access(Role.DECISION_MAKER)
def queue():
    """Assessed and deferred applications awaiting a decision, by round, with each round's remaining budget;
    each marked, before it is opened, if the amount asked is above the viewer's limit, with who can decide it."""
    makers = decisions_service.decision_makers()
    rounds = [
        {
            "round": panel.round,
            "money": budget.round_money(panel.round),
            "rows": panel.rows,
            "refusals": {row.application.id: decisions_service.decision_refusal(row.application, current_user)
                         for row in panel.rows},
            "marks": {row.application.id: decisions_service.queue_mark(row.application, current_user, makers)
                      for row in panel.rows},
        }
        for panel in assessment_service.panels_awaiting_decision()
    ]
    recent = db.session.scalars(select(DecisionRecord).order_by(DecisionRecord.id.desc()).limit(10)).all()
    return render_template("decisions/queue.html", rounds=rounds, recent=recent)


def _decide_context(application: Application, form):
    return dict(
        application=application, form=form, money=budget.round_money(application.round),
        proposed=decisions_service.propose_schedule(application.round, application.amount_requested_pence),
        refusal=decisions_service.decision_refusal(application, current_user),
        authority=decisions_service.authority_text(current_user, application.round),
        records=decisions_service.records_for(application),
        scores=assessment_service.score_summary(application),
        triggers=decisions_service.TRIGGERS,
        application_link=url_for("staff.application", application_id=application.id),
    )


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@access(Role.DECISION_MAKER)
@fresh_sign_in_required
def decide(application_id: int):
    """Decide an assessed or deferred application: approve, approve reduced, decline or defer."""
    application = access_rules.application_or_404(application_id, current_user)
    form = DecisionForm()
    if request.method == "POST" and decisions_service.decision_refusal(application, current_user) is None:
        if form.validate_on_submit():
            if form.declaration.data == "conflict":
                try:
                    decisions_service.declare_conflict(application, actor=current_user,
                                                       nature=form.conflict_nature.data)
                except DomainError as exc:
                    _show_error(form, exc)
                else:
                    db.session.commit()
                    flash("Your interest has been recorded. You cannot decide this application; "
                          "another decision maker will.", "success")
                    return redirect(url_for(".queue"))
            else:
                try:
                    record = decisions_service.decide(
                        application, actor=current_user, outcome=form.outcome.data or "",
                        reasons=form.reasons.data, public_summary=form.public_summary.data,
                        amount_pence=form.amount.data, feedback=form.feedback.data,
                        special_conditions=form.special_conditions.data, schedule=form.schedule_data(),
                        no_interest_confirmed=form.declaration.data == "none")
                except DomainError as exc:
                    db.session.rollback()
                    application = db.session.get(Application, application_id)
                    _show_error(form, exc)
                else:
                    db.session.commit()
                    flash(f"Decision {record.number} recorded: "
                          f"{decisions_service.OUTCOMES[record.outcome].lower()}.", "success")
                    return redirect(url_for(".record", record_id=record.id))
    return render_template("decisions/decide.html", **_decide_context(application, form))


@bp.route("/records/<int:record_id>")
@access(*RECORD_READERS)
def record(record_id: int):
    """A decision record, its letters, and checks that neither has changed since it was made."""
    record = db.get_or_404(DecisionRecord, record_id)
    letters = decisions_service.letters_of_record(record, current_user)
    return render_template(
        "decisions/record.html", record=record, shown=decisions_service.record_view(record, current_user),
        intact=decisions_service.record_is_intact(record),
        letters=[(letter, decisions_service.verify_letter(letter)) for letter in letters],
        superseded_by=decisions_service.superseded_by(record),
        covering_notices=notices_service.notices_for_record(record),
        correction_refusal=(decisions_service.correction_refusal(record, current_user)
                            if current_user.has_role(Role.DECISION_MAKER) else "not a decision maker"),
        outcomes=decisions_service.OUTCOMES, triggers=decisions_service.TRIGGERS,
    )


@bp.route("/records/<int:record_id>.pdf")
@access(*RECORD_READERS)
def record_pdf(record_id: int):
    from ..documents.decision_record import decision_record_pdf

    record = db.get_or_404(DecisionRecord, record_id)
    if not decisions_service.record_view(record, current_user).whole:
        abort(404)  # the PDF is the whole record; those who may not read all of it read the page
    return _send_pdf(decision_record_pdf(record), f"decision-record-{record.number.replace('/', '-')}.pdf")


@bp.route("/records/<int:record_id>/correct", methods=["GET", "POST"])
@access(Role.DECISION_MAKER)
@fresh_sign_in_required
def correct(record_id: int):
    """Correct an approval before acceptance: a new record supersedes this one."""
    record = db.get_or_404(DecisionRecord, record_id)
    refusal = decisions_service.correction_refusal(record, current_user)
    form = CorrectionForm()
    if request.method == "GET":
        form.amount.data = record.amount_awarded_pence
        form.special_conditions.data = record.special_conditions
        form.public_summary.data = record.public_summary
    if request.method == "POST" and refusal is None and form.validate_on_submit():
        try:
            new = decisions_service.correct_decision(
                record, actor=current_user, reasons=form.reasons.data, amount_pence=form.amount.data,
                special_conditions=form.special_conditions.data, schedule=form.schedule_data(),
                no_interest_confirmed=bool(form.declaration.data), public_summary=form.public_summary.data)
        except DomainError as exc:
            db.session.rollback()
            record = db.session.get(DecisionRecord, record_id)
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Correction {new.number} recorded. It supersedes {record.number}.", "success")
            return redirect(url_for(".record", record_id=new.id))
    return render_template("decisions/correct.html", record=record, form=form, refusal=refusal,
                           money=budget.round_money(record.application.round), triggers=decisions_service.TRIGGERS)


@bp.route("/letters/<int:letter_id>")
@access(*RECORD_READERS)
def letter(letter_id: int):
    """The stored letter exactly as sent."""
    stored = db.get_or_404(Letter, letter_id)
    if not decisions_service.letter_readable(stored, current_user):
        abort(404)
    return _send_pdf(stored.content, stored.filename)


# --- Applicants ------------------------------------------------------------------------------


@bp.route("/offers/<int:application_id>")
@access(Role.APPLICANT)
def offer(application_id: int):
    """The applicant's view of a decision: the offer (to accept or decline) and their letters."""
    application = access_rules.own_application_or_404(application_id, current_user)
    letters = decisions_service.letters_for(application)
    if not letters and application.status not in (Status.APPROVED.value, Status.FUNDED.value):
        abort(404)
    latest_award = next((letter for letter in reversed(letters) if letter.kind == "award"), None)
    return render_template("decisions/offer.html", application=application, letters=letters,
                           latest_award=latest_award, open=offers.offer_is_open(application),
                           responses=offers.responses_for(application),
                           instalments=decisions_service.instalments_for(application),
                           reports=reporting_schedule.schedule_for_application(application).reports
                           if application.awarded_pence else [],
                           triggers=decisions_service.TRIGGERS)


@bp.route("/offers/<int:application_id>/letters/<int:letter_id>")
@access(Role.APPLICANT)
def offer_letter(application_id: int, letter_id: int):
    application = access_rules.own_application_or_404(application_id, current_user)
    stored = db.session.get(Letter, letter_id)
    if stored is None or stored.application_id != application.id:
        abort(404)
    return _send_pdf(stored.content, stored.filename)


@bp.route("/offers/<int:application_id>/accept", methods=["GET", "POST"])
@access(Role.APPLICANT)
def accept(application_id: int):
    """The authorised signatory accepts the offer."""
    application = access_rules.own_application_or_404(application_id, current_user)
    if not offers.offer_is_open(application):
        flash("There is no open offer to accept on this application.", "info")
        return redirect(url_for(".offer", application_id=application.id))
    form = AcceptOfferForm()
    if form.validate_on_submit():
        try:
            offers.accept_offer(application, actor=current_user, signatory_name=form.signatory_name.data,
                                signatory_position=form.signatory_position.data,
                                terms_confirmed=bool(form.confirm_terms.data), ip_address=request.remote_addr,
                                bank={"account_name": form.account_name.data, "sort_code": form.sort_code.data,
                                      "account_number": form.account_number.data},
                                statement=request.files.get("statement"))
        except DomainError as exc:
            db.session.rollback()
            application = db.session.get(Application, application_id)
            _show_error(form, exc)
        else:
            db.session.commit()
            return render_template("decisions/accepted.html", application=application)
    return render_template("decisions/accept.html", application=application, form=form,
                           signatories=organisations.signatories(application.organisation),
                           may_accept=workflow.can(application, "accept_offer", current_user),
                           bank=bank_details.current_for(application.organisation_id))


@bp.route("/offers/<int:application_id>/decline", methods=["GET", "POST"])
@access(Role.APPLICANT)
def decline(application_id: int):
    """The organisation declines the offer."""
    application = access_rules.own_application_or_404(application_id, current_user)
    if not offers.offer_is_open(application):
        flash("There is no open offer to decline on this application.", "info")
        return redirect(url_for(".offer", application_id=application.id))
    form = DeclineOfferForm()
    if form.validate_on_submit():
        try:
            offers.decline_offer(application, actor=current_user, signatory_name=form.signatory_name.data,
                                 signatory_position=form.signatory_position.data, reason=form.reason.data,
                                 ip_address=request.remote_addr)
        except DomainError as exc:
            db.session.rollback()
            application = db.session.get(Application, application_id)
            _show_error(form, exc)
        else:
            db.session.commit()
            flash("You have declined the offer. Thank you for letting us know.", "success")
            return redirect(url_for(".offer", application_id=application.id))
    return render_template("decisions/decline_offer.html", application=application, form=form)


# --- Finance ------------------------------------------------------------------------------------


@bp.route("/payments")
@access(Role.FINANCE)
def payments():
    """Instalments ready to pay, and every grant's paid and outstanding amounts."""
    grants = payments_service.grants_for_finance()
    payable = [(g, line) for g in grants for line in g.lines if line.payable]
    return render_template("decisions/payments.html", grants=grants, payable=payable,
                           triggers=decisions_service.TRIGGERS)


@bp.route("/payments/export.<any(csv, xlsx):fmt>")
@access(Role.FINANCE, read_only=True)
def payments_export(fmt: str):
    """Every grant's award, paid and outstanding amounts, and each payment, as CSV or XLSX."""
    from ..downloads import send_download
    from ..money import pence_to_decimal_pounds as pounds

    rows = []
    for grant in payments_service.grants_for_finance():
        a = grant.application
        rows.append([a.reference, a.organisation.legal_name, a.status, pounds(grant.award), pounds(grant.paid),
                     pounds(grant.outstanding), None, None, None])
        rows += [[a.reference, a.organisation.legal_name, None, None, None, None, p.paid_on.isoformat(),
                  pounds(p.amount_pence), p.reference] for p in grant.payments]
    return send_download("payments", fmt, ["Grant", "Organisation", "Status", "Award £", "Paid £", "Outstanding £",
                                           "Payment date", "Payment £", "Payment reference"], rows)


@bp.route("/payments/instalments/<int:instalment_id>", methods=["GET", "POST"])
@access(Role.FINANCE)
@fresh_sign_in_required
def record_payment(instalment_id: int):
    """Record a payment made against one instalment."""
    instalment = db.get_or_404(PaymentInstalment, instalment_id)
    grant = payments_service.grant_payments(instalment.application)
    line = next(line for line in grant.lines if line.instalment.id == instalment.id)
    form = PaymentForm()
    if request.method == "GET" and line.outstanding > 0:
        form.amount.data = line.outstanding
    if form.validate_on_submit():
        try:
            payment = payments_service.record_payment(instalment, actor=current_user, amount_pence=form.amount.data,
                                              paid_on=form.paid_on.data, reference=form.reference.data)
        except DomainError as exc:
            db.session.rollback()
            instalment = db.session.get(PaymentInstalment, instalment_id)
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Payment of {format_pence(payment.amount_pence, always_pence=True)} to "
                  f"{instalment.application.organisation.legal_name} recorded.", "success")
            return redirect(url_for(".payments"))
        grant = payments_service.grant_payments(instalment.application)
        line = next(line for line in grant.lines if line.instalment.id == instalment.id)
    return render_template("decisions/record_payment.html", instalment=instalment, grant=grant, line=line,
                           form=form, triggers=decisions_service.TRIGGERS)
