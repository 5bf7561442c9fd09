"""Monitoring: reporting schedules, reports, reminders, returns and variations.

A grant reports outcomes against the outputs it planned and spend against the
budget lines it proposed, so figures add up across grants. The officer signs a
report off (releasing the payments that wait on it) or returns it with
questions; signing off the final report completes the grant and raises a
return for any underspend.

Completion does not wait for returned money to arrive: the grant is complete
once its final report is signed off, and an outstanding return is tracked on
its own (finance records it when received, and only then does the round's
paid and committed figures drop, in services.budget.round_money).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import access, clock
from ..extensions import db
from ..models import (
    Application,
    Attachment,
    GrantReturn,
    Payment,
    PaymentInstalment,
    PlannedOutput,
    ReminderSent,
    Report,
    ReportOutputActual,
    ReportSpend,
    ReportVersion,
    Role,
    User,
    Variation,
)
from . import audit, locking, outbox, permissions, reporting_schedule, workflow
from .errors import DomainError, InvalidTransition, NotPermitted, ValidationFailed

INTERIM, FINAL = reporting_schedule.INTERIM, reporting_schedule.FINAL

NOT_STARTED, IN_PROGRESS, SUBMITTED, RETURNED, SIGNED_OFF = (
    "not_started", "in_progress", "submitted", "returned", "signed_off")
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    RETURNED: "Questions to answer",
    SIGNED_OFF: "Signed off",
}
EDITABLE = frozenset({NOT_STARTED, IN_PROGRESS, RETURNED})
# Reports the organisation has sent in: no longer due, never overdue or reminded.
IN_HAND = frozenset({SUBMITTED, SIGNED_OFF})

# Equality monitoring is aggregate only: counts per group, never a named person.
EQUALITY_GROUPS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "age": ("Age", [("under_18", "Under 18"), ("18_to_24", "18 to 24"), ("25_to_64", "25 to 64"),
                    ("65_and_over", "65 and over")]),
    "disability": ("Disability", [("disabled", "Disabled people"), ("not_disabled", "Not disabled")]),
    "ethnicity": ("Ethnic group", [("white", "White"), ("mixed", "Mixed or multiple ethnic groups"),
                                   ("asian", "Asian or Asian British"),
                                   ("black", "Black, Black British, Caribbean or African"),
                                   ("other", "Another ethnic group")]),
}

# (kind, days relative to the due date), in the order they fall.
REMINDERS: list[tuple[str, int]] = [("before_14", -14), ("due", 0), ("after_7", 7)]

EXTEND_END_DATE, MOVE_BUDGET = "extend_end_date", "move_budget"
VARIATION_LABELS = {EXTEND_END_DATE: "Extend the end date", MOVE_BUDGET: "Move money between budget lines"}


# --- Schedule ------------------------------------------------------------------------


def due_dates(application: Application) -> dict[str, date]:
    """What this grant must report and when (services.reporting_schedule's rule), soonest first."""
    if application.start_date is None or application.end_date is None:
        raise DomainError("The project needs a start and end date before reports can be scheduled")
    return {due.kind: due.due_on for due in reporting_schedule.schedule_for_application(application).reports}


def reports_of(application: Application) -> list[Report]:
    return list(db.session.scalars(
        select(Report).where(Report.application_id == application.id).order_by(Report.due_on, Report.id)))


def create_reporting_schedule(application: Application, *, actor: User | None) -> list[Report]:
    """Called when an offer is accepted: the reports this grant must send, with due dates.

    Exactly the reports its award letter lists (services.reporting_schedule
    decides both). Calling it again adds nothing that already exists (one
    report of each kind per grant).
    """
    if application.start_date is None or application.end_date is None:
        raise DomainError("The project needs a start and end date before reports can be scheduled")
    existing = {r.kind: r for r in reports_of(application)}
    created = []
    for due in reporting_schedule.schedule_for_application(application).reports:
        if due.kind in existing:
            continue
        report = Report(application_id=application.id, kind=due.kind, due_on=due.due_on, status=NOT_STARTED,
                        title=due.title if due.is_fixed_return else None, equality_monitoring={})
        db.session.add(report)
        db.session.flush()
        audit.record("report.scheduled", actor=actor, entity=report, application=application,
                     after={"kind": due.kind, "title": due.title, "due_on": due.due_on})
        created.append(report)
    return reports_of(application)


# --- Lists -----------------------------------------------------------------------------


def days_late(report: Report, today: date | None = None) -> int:
    return ((today or clock.today()) - report.due_on).days


def _overdue_query():
    return (
        select(Report).join(Application, Report.application_id == Application.id)
        .where(Report.due_on < clock.today(), Report.status.not_in(IN_HAND),
               Application.status == workflow.Status.FUNDED.value)
        .order_by(Report.due_on, Report.id)
    )


def overdue_reports_for(organisation_id: int) -> list[Report]:
    """Reports from this organisation's earlier grants that are past due and not in.

    Screening shows these, so an organisation with an overdue report is flagged
    whenever it applies again.
    """
    return list(db.session.scalars(_overdue_query().where(Application.organisation_id == organisation_id)))


def overdue_reports() -> list[Report]:
    """Every late report, most late first (the staff dashboard)."""
    return list(db.session.scalars(_overdue_query()))


def open_reports_for(organisation_id: int) -> list[Report]:
    """The organisation's reports still to send or answer, soonest due first."""
    return list(db.session.scalars(
        select(Report).join(Application, Report.application_id == Application.id)
        .where(Application.organisation_id == organisation_id, Report.status.in_(EDITABLE),
               Application.status == workflow.Status.FUNDED.value)
        .order_by(Report.due_on, Report.id)))


def reports_awaiting_review() -> list[Report]:
    return list(db.session.scalars(
        select(Report).where(Report.status == SUBMITTED).order_by(Report.submitted_at, Report.id)))


def grants_of(organisation_id: int) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.organisation_id == organisation_id,
                                  Application.status.in_([workflow.Status.FUNDED.value,
                                                          workflow.Status.COMPLETED.value]))
        .order_by(Application.id.desc())))


# --- Money for one grant -------------------------------------------------------------


@dataclass(frozen=True)
class GrantMoney:
    awarded: int
    paid: int  # payments made
    returns_raised: int
    returns_received: int

    @property
    def returns_outstanding(self) -> int:
        return self.returns_raised - self.returns_received


def grant_money(application: Application) -> GrantMoney:
    """One grant's payments and returns (round totals come only from services.budget)."""
    paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_pence), 0))
                             .where(Payment.application_id == application.id))
    raised = db.session.scalar(select(func.coalesce(func.sum(GrantReturn.amount_pence), 0))
                               .where(GrantReturn.application_id == application.id))
    received = db.session.scalar(select(func.coalesce(func.sum(GrantReturn.amount_pence), 0))
                                 .where(GrantReturn.application_id == application.id,
                                        GrantReturn.received_on.is_not(None)))
    return GrantMoney(awarded=application.awarded_pence or 0, paid=int(paid), returns_raised=int(raised),
                      returns_received=int(received))


def total_spent(report: Report) -> int:
    return sum(s.spent_pence for s in report.spend_lines)


def returns_of(application: Application) -> list[GrantReturn]:
    return list(db.session.scalars(
        select(GrantReturn).where(GrantReturn.application_id == application.id).order_by(GrantReturn.id)))


def instalments_of(application: Application) -> list[PaymentInstalment]:
    return list(db.session.scalars(
        select(PaymentInstalment).where(PaymentInstalment.application_id == application.id)
        .order_by(PaymentInstalment.sequence)))


def evidence_of(report: Report) -> list[Attachment]:
    return list(db.session.scalars(
        select(Attachment).where(Attachment.report_id == report.id, Attachment.removed_at.is_(None))
        .order_by(Attachment.id)))


# --- Filling in a report -------------------------------------------------------------


def _require_member(report: Report, actor: User) -> None:
    refusal = access.applicant_member(actor, report.application)
    if refusal:
        raise NotPermitted("Only the organisation that holds the grant can report on it")


def _require_editable(report: Report) -> None:
    if report.application.status != workflow.Status.FUNDED.value:
        raise InvalidTransition("This grant is closed, so its reports cannot be changed")
    if report.status not in EDITABLE:
        raise InvalidTransition("This report has been sent to us, so it cannot be changed now")


def _clean_equality(equality: dict | None) -> dict:
    cleaned: dict[str, dict[str, int]] = {}
    for group, (_, options) in EQUALITY_GROUPS.items():
        values = (equality or {}).get(group) or {}
        counts = {key: int(values[key]) for key, _ in options if values.get(key) is not None}
        for key, count in counts.items():
            if count < 0:
                raise ValidationFailed({f"eq_{group}_{key}": "Enter a number of 0 or more"})
        if counts:
            cleaned[group] = counts
    return cleaned


def save_report(report: Report, *, actor: User, actuals: dict[int, int | None], spend: dict[int, int | None],
                beneficiaries_reached: int | None, equality: dict | None = None, went_well: str | None = None,
                did_not_go_well: str | None = None, case_study: str | None = None,
                applicant_response: str | None = None) -> Report:
    """Keep what the organisation has written so far (save and return later).

    Only a member of the organisation holding the grant may write it, only
    while it is not started, in progress or returned with questions. Figures
    are whole numbers of 0 or more; spend is pence, 0 or more. Blank figures
    are allowed until submission.
    """
    _require_member(report, actor)
    _require_editable(report)
    application = report.application
    errors = {}
    outputs = {o.id: o for o in application.planned_outputs}
    lines = {b.id: b for b in application.budget_lines}
    for output_id, value in actuals.items():
        if output_id not in outputs:
            raise ValidationFailed({"actuals": "Report only against the outputs this grant planned"})
        if value is not None and value < 0:
            errors[f"actual_{output_id}"] = "Enter a number of 0 or more"
    for line_id, value in spend.items():
        if line_id not in lines:
            raise ValidationFailed({"spend": "Report spend only against this grant's budget lines"})
        if value is not None and value < 0:
            errors[f"spend_{line_id}"] = "Enter an amount of £0 or more"
    if beneficiaries_reached is not None and beneficiaries_reached < 0:
        errors["beneficiaries_reached"] = "Enter a number of 0 or more"
    if errors:
        raise ValidationFailed(errors)

    existing_actuals = {a.planned_output_id: a for a in report.output_actuals}
    for output_id, value in actuals.items():
        row = existing_actuals.get(output_id)
        if value is None:
            if row is not None:
                report.output_actuals.remove(row)
        elif row is None:
            report.output_actuals.append(ReportOutputActual(planned_output_id=output_id, actual=value))
        else:
            row.actual = value
    existing_spend = {s.budget_line_id: s for s in report.spend_lines}
    for line_id, value in spend.items():
        row = existing_spend.get(line_id)
        if value is None:
            if row is not None:
                report.spend_lines.remove(row)
        elif row is None:
            report.spend_lines.append(ReportSpend(budget_line_id=line_id, spent_pence=value))
        else:
            row.spent_pence = value
    report.beneficiaries_reached = beneficiaries_reached
    report.equality_monitoring = _clean_equality(equality)
    report.went_well = (went_well or "").strip() or None
    report.did_not_go_well = (did_not_go_well or "").strip() or None
    report.case_study = (case_study or "").strip() or None
    if report.status == RETURNED:
        report.applicant_response = (applicant_response or "").strip() or None
    else:
        report.status = IN_PROGRESS
    db.session.flush()
    audit.record("report.saved", actor=actor, entity=report, application=application,
                 after={"status": report.status, "total_spent_pence": total_spent(report)})
    return report


def add_evidence(report: Report, upload, *, actor: User) -> Attachment:
    """Evidence (photos, receipts) follows the same content and size checks as application files."""
    from . import attachments

    _require_member(report, actor)
    _require_editable(report)
    return attachments.store_upload(upload, organisation=report.application.organisation, kind="evidence",
                                    actor=actor, report=report)


def remove_evidence(report: Report, attachment: Attachment, *, actor: User) -> None:
    """A file can be taken off a report only before it is sent; the record is kept."""
    from . import attachments

    _require_member(report, actor)
    _require_editable(report)
    if attachment.report_id != report.id:
        raise NotPermitted("That file is not part of this report")
    attachments.remove_attachment(attachment, actor=actor)


def missing_answers(report: Report) -> dict[str, str]:
    """What must be answered before the report can be sent, as field -> message."""
    application = report.application
    errors: dict[str, str] = {}
    have_actuals = {a.planned_output_id for a in report.output_actuals}
    for output in application.planned_outputs:
        if output.id not in have_actuals:
            errors[f"actual_{output.id}"] = f"Enter how many {output.measure} you delivered"
    have_spend = {s.budget_line_id for s in report.spend_lines}
    for line in application.budget_lines:
        if line.id not in have_spend:
            errors[f"spend_{line.id}"] = f"Enter how much you spent on {line.item}"
    if report.beneficiaries_reached is None:
        errors["beneficiaries_reached"] = "Enter how many people the project reached"
    if not report.went_well:
        errors["went_well"] = "Tell us what went well"
    if not report.did_not_go_well:
        errors["did_not_go_well"] = "Tell us what did not go well or what you would change"
    if report.kind == FINAL and not report.case_study:
        errors["case_study"] = "Enter a case study"
    if report.status == RETURNED and not report.applicant_response:
        errors["applicant_response"] = "Answer the questions we asked"
    return errors


def snapshot(report: Report) -> dict:
    """The report as it stands, JSON-able, for ReportVersion.data and the staff view."""
    actuals = {a.planned_output_id: a.actual for a in report.output_actuals}
    spend = {s.budget_line_id: s.spent_pence for s in report.spend_lines}
    application = report.application
    return {
        "kind": report.kind,
        "due_on": report.due_on.isoformat(),
        "outputs": [{"measure": o.measure, "target": o.target, "actual": actuals.get(o.id)}
                    for o in application.planned_outputs],
        "spend": [{"item": b.item, "budget_pence": b.cost_pence, "spent_pence": spend.get(b.id)}
                  for b in application.budget_lines],
        "total_spent_pence": sum(v for v in spend.values() if v is not None),
        "paid_pence": grant_money(application).paid,
        "beneficiaries_reached": report.beneficiaries_reached,
        "equality_monitoring": dict(report.equality_monitoring or {}),
        "went_well": report.went_well,
        "did_not_go_well": report.did_not_go_well,
        "case_study": report.case_study,
        "staff_questions": report.staff_questions,
        "applicant_response": report.applicant_response,
        "evidence": [{"id": a.id, "filename": a.original_filename, "sha256": a.sha256} for a in evidence_of(report)],
    }


# What a report says in words (and its equality figures), as opposed to its outputs and money.
NARRATIVE_KEYS = ("went_well", "did_not_go_well", "case_study", "staff_questions", "applicant_response",
                  "equality_monitoring")


def report_data_for(report: Report, version: ReportVersion | None, viewer: User | None) -> dict:
    """The report as sent in `version` (or as it stands), as the viewer may read it.

    Outputs, spend against budget, money paid and evidence files are for
    everyone who reaches the report; its narrative, case study, questions and
    equality monitoring only for those who read report content (not finance,
    who need only the figures a return is worked out from).
    """
    data = dict(version.data) if version is not None else snapshot(report)
    if permissions.may_read_application(viewer, report.application, permissions.Info.REPORT_CONTENT):
        return data
    data.update({key: None for key in NARRATIVE_KEYS})
    data["content_withheld"] = True
    return data


def submit_report(report: Report, *, actor: User) -> ReportVersion:
    """Send the report to the grants team; it is frozen as a new numbered version.

    Only the organisation holding the grant may submit, only when every
    planned output has an actual figure and every budget line a spend figure
    (and, after questions, an answer). Officers are told it has arrived.
    """
    _require_member(report, actor)
    locking.lock(report)
    _require_editable(report)
    errors = missing_answers(report)
    if errors:
        raise ValidationFailed(errors)
    before = report.status
    number = len(report.versions) + 1
    now = clock.now()
    version = ReportVersion(report_id=report.id, number=number, submitted_at=now, submitted_by_id=actor.id,
                            data=snapshot(report))
    db.session.add(version)
    report.status = SUBMITTED
    report.submitted_at = now
    db.session.flush()
    db.session.refresh(report, ["versions"])
    audit.record("report.submitted", actor=actor, entity=report, application=report.application,
                 before={"status": before}, after={"status": SUBMITTED, "version": number})
    outbox.notify_role(Role.OFFICER, "report_submitted", application=report.application, report=report,
                       version=number)
    return version


# --- Review --------------------------------------------------------------------------


def _require_officer(actor: User, what: str) -> None:
    if actor is None or not actor.has_role(Role.OFFICER):
        raise NotPermitted(f"Only a grants officer can {what}")


def return_report(report: Report, *, actor: User, questions: str) -> Report:
    """Send a submitted report back with questions; the applicant answers and resubmits."""
    _require_officer(actor, "return a report")
    locking.lock(report)
    if report.status != SUBMITTED:
        raise InvalidTransition("Only a report that has been sent to us can be returned")
    questions = (questions or "").strip()
    if not questions:
        raise ValidationFailed({"questions": "Enter the questions for the applicant"})
    report.status = RETURNED
    report.staff_questions = questions
    report.applicant_response = None
    audit.record("report.returned", actor=actor, entity=report, application=report.application,
                 before={"status": SUBMITTED}, after={"status": RETURNED}, reason=questions)
    outbox.notify_organisation(report.application, "report_returned", report=report, questions=questions)
    return report


@dataclass
class SignOffResult:
    released: list[PaymentInstalment]
    grant_return: GrantReturn | None = None
    completed: bool = False


def _release(application: Application, trigger: str, actor: User) -> list[PaymentInstalment]:
    now = clock.now()
    released = [i for i in instalments_of(application) if i.trigger == trigger and i.released_at is None]
    for instalment in released:
        instalment.released_at = now
        audit.record("payment.instalment_released", actor=actor, entity=instalment, application=application,
                     after={"sequence": instalment.sequence, "amount_pence": instalment.amount_pence,
                            "trigger": trigger})
    if released:
        outbox.notify_role(Role.FINANCE, "payment_released", application=application, instalments=released)
    return released


def sign_off_report(report: Report, *, actor: User) -> SignOffResult:
    """Accept a submitted report.

    Interim: releases the grant's after-interim-report payments for finance.
    Final: needs any interim report signed off first; releases after-final
    payments, raises a return for the exact underspend (paid so far less
    spend reported, less returns already raised) and completes the grant.
    """
    _require_officer(actor, "sign off a report")
    locking.lock(report)
    if report.status != SUBMITTED:
        raise InvalidTransition("Only a report that has been sent to us can be signed off")
    application = report.application
    if report.kind == FINAL:
        unsigned = [r for r in reports_of(application) if r.kind != FINAL and r.status != SIGNED_OFF]
        if unsigned:
            raise InvalidTransition(f"Sign off the {unsigned[0].label.lower()} before the final report")
        refusal = workflow.refusal(application, "complete", actor)
        if refusal:
            raise InvalidTransition(refusal)
    report.status = SIGNED_OFF
    report.signed_off_at = clock.now()
    report.signed_off_by_id = actor.id
    audit.record("report.signed_off", actor=actor, entity=report, application=application,
                 before={"status": SUBMITTED}, after={"status": SIGNED_OFF, "kind": report.kind})
    outbox.notify_organisation(application, "report_signed_off", report=report)
    if report.kind == INTERIM:
        return SignOffResult(released=_release(application, "after_interim_report", actor))

    result = SignOffResult(released=_release(application, "after_final_report", actor))
    money = grant_money(application)
    underspend = money.paid - total_spent(report) - money.returns_raised
    if underspend > 0:
        result.grant_return = raise_return(
            application, actor=actor, amount_pence=underspend,
            reason=f"Underspend shown in the final report: {_pounds(money.paid)} paid, "
                   f"{_pounds(total_spent(report))} spent")
    application.completed_at = clock.now()
    workflow.transition(application, "complete", actor=actor, reason="Final report signed off",
                        details={"report_id": report.id})
    result.completed = True
    return result


def _pounds(pence: int) -> str:
    from ..money import format_pence

    return format_pence(pence)


# --- Returns (clawback) ------------------------------------------------------------


def raise_return(application: Application, *, actor: User, amount_pence: int, reason: str) -> GrantReturn:
    """Record money the organisation must pay back.

    A grants officer raises it; it can never exceed what was paid less returns
    already raised. Finance is told, and records it when the money arrives.
    """
    _require_officer(actor, "raise a return")
    locking.lock(application)
    if application.status not in (workflow.Status.FUNDED.value, workflow.Status.COMPLETED.value):
        raise InvalidTransition("Returns can only be raised on a funded or completed grant")
    money = grant_money(application)
    available = money.paid - money.returns_raised
    if amount_pence is None or amount_pence <= 0:
        raise ValidationFailed({"amount": "Enter an amount more than £0"})
    if amount_pence > available:
        raise ValidationFailed({"amount": f"The return cannot be more than {_pounds(max(available, 0))}, "
                                          "the amount paid less returns already raised"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Enter why the money is being returned"})
    grant_return = GrantReturn(application_id=application.id, amount_pence=amount_pence, reason=reason,
                               raised_by_id=actor.id)
    db.session.add(grant_return)
    db.session.flush()
    audit.record("return.raised", actor=actor, entity=grant_return, application=application,
                 after={"amount_pence": amount_pence}, reason=reason)
    outbox.notify_organisation(application, "return_raised", grant_return=grant_return)
    outbox.notify_role(Role.FINANCE, "return_raised_finance", application=application, grant_return=grant_return)
    return grant_return


def record_return_received(grant_return: GrantReturn, *, actor: User, received_on: date | None,
                           reference: str) -> GrantReturn:
    """Finance records that returned money has arrived (once; not in the future).

    From then on the round's paid and committed figures are lower by it.
    """
    if actor is None or not actor.has_role(Role.FINANCE):
        raise NotPermitted("Only finance can record money received")
    locking.lock(grant_return)
    if grant_return.received_on is not None:
        raise InvalidTransition("This return has already been recorded as received")
    errors = {}
    if received_on is None:
        errors["received_on"] = "Enter the date the money was received"
    elif received_on > clock.today():
        errors["received_on"] = "The date received must be today or in the past"
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = "Enter the payment reference"
    if errors:
        raise ValidationFailed(errors)
    grant_return.received_on = received_on
    grant_return.received_reference = reference[:100]
    grant_return.received_recorded_by_id = actor.id
    audit.record("return.received", actor=actor, entity=grant_return, application=grant_return.application,
                 after={"amount_pence": grant_return.amount_pence, "received_on": received_on,
                        "reference": reference})
    return grant_return


def outstanding_returns() -> list[GrantReturn]:
    return list(db.session.scalars(
        select(GrantReturn).where(GrantReturn.received_on.is_(None)).order_by(GrantReturn.id)))


# --- Variations ----------------------------------------------------------------------


def _check_variation(application: Application, kind: str, details: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == EXTEND_END_DATE:
        new_end = details.get("new_end_date")
        if new_end is None:
            errors["new_end_date"] = "Enter the new end date"
        elif application.end_date and new_end <= application.end_date:
            errors["new_end_date"] = f"The new end date must be after {application.end_date.day} {application.end_date:%B %Y}"
    elif kind == MOVE_BUDGET:
        lines = {b.id: b for b in application.budget_lines}
        source, target = lines.get(details.get("from_line_id")), lines.get(details.get("to_line_id"))
        amount = details.get("amount_pence")
        if source is None:
            errors["from_line"] = "Choose the budget line to move money from"
        if target is None:
            errors["to_line"] = "Choose the budget line to move money to"
        elif source is not None and source.id == target.id:
            errors["to_line"] = "Choose a different budget line to move money to"
        if not amount or amount <= 0:
            errors["amount"] = "Enter an amount more than £0"
        elif source is not None and amount > source.cost_pence:
            errors["amount"] = f"You cannot move more than the {_pounds(source.cost_pence)} on {source.item}"
    else:
        errors["kind"] = "Choose what you want to change"
    return errors


def request_variation(application: Application, *, actor: User, kind: str, reason: str,
                      new_end_date: date | None = None, from_line_id: int | None = None,
                      to_line_id: int | None = None, amount_pence: int | None = None) -> Variation:
    """Ask to change a funded grant: a later end date, or money moved between budget lines.

    The organisation holding the grant asks (or a grants officer asks on its
    behalf); nothing changes until an officer approves.
    """
    if access.applicant_member(actor, application) and not (actor and actor.has_role(Role.OFFICER)):
        raise NotPermitted("Only the organisation holding the grant or a grants officer can ask for a change")
    if application.status != workflow.Status.FUNDED.value:
        raise InvalidTransition("Only a funded grant that is still running can be changed")
    details = {"new_end_date": new_end_date, "from_line_id": from_line_id, "to_line_id": to_line_id,
               "amount_pence": amount_pence}
    errors = _check_variation(application, kind, details)
    if not (reason or "").strip():
        errors["reason"] = "Enter why the change is needed"
    if errors:
        raise ValidationFailed(errors)
    if kind == EXTEND_END_DATE:
        stored = {"end_date": {"before": application.end_date.isoformat(), "after": new_end_date.isoformat()}}
    else:
        lines = {b.id: b for b in application.budget_lines}
        stored = {"from_line_id": from_line_id, "from_item": lines[from_line_id].item,
                  "to_line_id": to_line_id, "to_item": lines[to_line_id].item, "amount_pence": amount_pence}
    variation = Variation(application_id=application.id, kind=kind, details=stored, reason=reason.strip(),
                          status="requested", requested_by_id=actor.id)
    db.session.add(variation)
    db.session.flush()
    audit.record("variation.requested", actor=actor, entity=variation, application=application,
                 after={"kind": kind, **stored}, reason=reason)
    if not actor.has_role(Role.OFFICER):
        outbox.notify_role(Role.OFFICER, "variation_requested", application=application, variation=variation)
    return variation


def _move_schedule(application: Application, actor: User) -> dict:
    """After an end date moves, the final (and an unsent interim) report move with it."""
    moved = {}
    for kind, due_on in due_dates(application).items():
        report = next((r for r in reports_of(application) if r.kind == kind), None)
        if report is None or report.due_on == due_on:
            continue
        if kind == INTERIM and report.status not in (NOT_STARTED, IN_PROGRESS):
            continue
        moved[kind] = {"before": report.due_on.isoformat(), "after": due_on.isoformat()}
        report.due_on = due_on
        # The reminders were for the old date; the new one gets its own.
        for sent in db.session.scalars(select(ReminderSent).where(ReminderSent.report_id == report.id)):
            db.session.delete(sent)
        audit.record("report.rescheduled", actor=actor, entity=report, application=application,
                     before={"due_on": moved[kind]["before"]}, after={"due_on": moved[kind]["after"]})
    return moved


def approve_variation(variation: Variation, *, actor: User, note: str | None = None) -> Variation:
    """A grants officer approves a requested change and it takes effect.

    An end date only moves later, and the reporting schedule moves with it.
    Money moves between lines of this grant only, the total is unchanged and
    no line goes below £0 (checked again now, against today's figures).
    """
    _require_officer(actor, "approve a change to a grant")
    locking.lock(variation)
    if variation.status != "requested":
        raise InvalidTransition("This change has already been decided")
    application = variation.application
    if application.status != workflow.Status.FUNDED.value:
        raise InvalidTransition("Only a funded grant that is still running can be changed")
    details = dict(variation.details)
    if variation.kind == EXTEND_END_DATE:
        new_end = date.fromisoformat(details["end_date"]["after"])
        errors = _check_variation(application, EXTEND_END_DATE, {"new_end_date": new_end})
        if errors:
            raise ValidationFailed(errors)
        details["end_date"] = {"before": application.end_date.isoformat(), "after": new_end.isoformat()}
        application.end_date = new_end
        details["reports"] = _move_schedule(application, actor)
    else:
        errors = _check_variation(application, MOVE_BUDGET, details)
        if errors:
            raise ValidationFailed(errors)
        lines = {b.id: b for b in application.budget_lines}
        source, target = lines[details["from_line_id"]], lines[details["to_line_id"]]
        total_before = sum(b.cost_pence for b in application.budget_lines)
        details["lines_before"] = {source.item: source.cost_pence, target.item: target.cost_pence}
        source.cost_pence -= details["amount_pence"]
        target.cost_pence += details["amount_pence"]
        details["lines_after"] = {source.item: source.cost_pence, target.item: target.cost_pence}
        assert sum(b.cost_pence for b in application.budget_lines) == total_before
    variation.details = details
    variation.status = "approved"
    variation.decided_by_id = actor.id
    variation.decided_at = clock.now()
    variation.decision_note = (note or "").strip() or None
    db.session.flush()
    audit.record("variation.approved", actor=actor, entity=variation, application=application,
                 before={"status": "requested"}, after={"status": "approved", **details}, reason=note)
    outbox.notify_organisation(application, "variation_decided", variation=variation)
    return variation


def reject_variation(variation: Variation, *, actor: User, note: str) -> Variation:
    """A grants officer refuses a requested change, saying why."""
    _require_officer(actor, "refuse a change to a grant")
    locking.lock(variation)
    if variation.status != "requested":
        raise InvalidTransition("This change has already been decided")
    if not (note or "").strip():
        raise ValidationFailed({"note": "Enter why the change is refused"})
    variation.status = "rejected"
    variation.decided_by_id = actor.id
    variation.decided_at = clock.now()
    variation.decision_note = note.strip()
    audit.record("variation.rejected", actor=actor, entity=variation, application=variation.application,
                 before={"status": "requested"}, after={"status": "rejected"}, reason=note)
    outbox.notify_organisation(variation.application, "variation_decided", variation=variation)
    return variation


def vary_on_behalf(application: Application, *, actor: User, kind: str, reason: str,
                   note: str | None = None, **details) -> Variation:
    """A grants officer records and approves a change the organisation asked for by phone or email."""
    _require_officer(actor, "change a grant")
    variation = request_variation(application, actor=actor, kind=kind, reason=reason, **details)
    return approve_variation(variation, actor=actor, note=note or "Recorded and approved by a grants officer")


def variations_of(application: Application) -> list[Variation]:
    return list(db.session.scalars(
        select(Variation).where(Variation.application_id == application.id).order_by(Variation.id.desc())))


# --- Reminders -----------------------------------------------------------------------


def reminder_due(report: Report, sent_kinds: set[str], today: date) -> str | None:
    """The one reminder to send today, if any.

    The latest reminder whose day has come, unless it was already sent. When
    the job missed days, only that latest one goes (never all three at once).
    """
    latest = None
    for kind, offset in REMINDERS:
        if report.due_on + timedelta(days=offset) <= today:
            latest = kind
    if latest is None or latest in sent_kinds:
        return None
    return latest


def send_reminders() -> int:
    """Email organisations 14 days before, on, and 7 days after each report's due date.

    Run daily. Each (report, reminder) is sent at most once: a ReminderSent
    row is written with the email, in the same transaction, under a unique
    constraint, so two overlapping runs cannot both send it.
    """
    today = clock.today()
    reports = db.session.scalars(
        select(Report).join(Application, Report.application_id == Application.id)
        .where(Report.status.not_in(IN_HAND), Application.status == workflow.Status.FUNDED.value,
               Report.due_on <= today + timedelta(days=14))
        .order_by(Report.due_on, Report.id)).all()
    sent = 0
    for report in reports:
        kinds = set(db.session.scalars(select(ReminderSent.kind).where(ReminderSent.report_id == report.id)))
        kind = reminder_due(report, kinds, today)
        if kind is None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(ReminderSent(report_id=report.id, kind=kind))
                db.session.flush()
        except IntegrityError:
            continue
        outbox.notify_organisation(report.application, "report_reminder", report=report, reminder=kind,
                                   days=abs(days_late(report, today)), kind_label=report.label)
        audit.record("report.reminder_sent", entity=report, application=report.application,
                     after={"reminder": kind, "due_on": report.due_on})
        sent += 1
    return sent


# --- Outcomes that add up ------------------------------------------------------------


def outputs_delivered(application_ids: list[int] | None = None) -> list[tuple[str, int, int]]:
    """(measure, planned, delivered) totals from signed-off final reports, for summaries.

    Measures are grouped by their wording (trimmed, case-insensitive).
    """
    stmt = (
        select(PlannedOutput.measure, PlannedOutput.target, ReportOutputActual.actual)
        .join(ReportOutputActual, ReportOutputActual.planned_output_id == PlannedOutput.id)
        .join(Report, ReportOutputActual.report_id == Report.id)
        .where(Report.kind == FINAL, Report.status == SIGNED_OFF)
    )
    if application_ids is not None:
        stmt = stmt.where(Report.application_id.in_(application_ids))
    totals: dict[str, list] = {}
    for measure, target, actual in db.session.execute(stmt):
        key = " ".join(measure.lower().split())
        entry = totals.setdefault(key, [measure.strip(), 0, 0])
        entry[1] += target
        entry[2] += actual
    return sorted(((m, p, d) for m, p, d in totals.values()), key=lambda t: -t[2])

