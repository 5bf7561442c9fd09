"""Payment runs: finance pays due instalments in batches through the finance system.

Finance picks instalments that are due (released, unpaid, the organisation's bank
details verified), makes a run, downloads its file (stored with its SHA-256 so the
exact file sent can be produced for audit), and once the bank confirms marks the
run paid, or single lines failed. Paying a line records a Payment through
services/payments.record_payment, so every payment rule (and the one answer to
"how much is paid") stays in one place. An instalment is in at most one run that
has not failed it: the grant's row is locked while that is checked, so two
finance officers making runs at once cannot both include it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..exports import tabular
from ..models import BankDetails, PaymentInstalment, PaymentRun, PaymentRunLine, Role, User
from . import audit, bank_details, locking, payments
from .errors import InvalidTransition, NotPermitted, ValidationFailed

FILE_HEADER = ("Payee", "Account name", "Sort code", "Account number", "Amount", "Payment reference",
               "Ledger code", "Cost centre", "Fund", "Grant reference")


@dataclass(frozen=True)
class DueInstalment:
    line: payments.InstalmentLine
    details: BankDetails

    @property
    def instalment(self) -> PaymentInstalment:
        return self.line.instalment


def _in_live_run(instalment_id: int) -> bool:
    return db.session.scalar(select(PaymentRunLine.id).where(
        PaymentRunLine.instalment_id == instalment_id, PaymentRunLine.outcome != "failed").limit(1)) is not None


def _due(instalment: PaymentInstalment) -> tuple[DueInstalment | None, str | None]:
    """The instalment as a due line, or why it cannot go in a run."""
    application = instalment.application
    line = payments.InstalmentLine(instalment, payments.paid_on_instalment(instalment))
    if not line.payable:
        return None, f"{application.reference}: instalment {instalment.sequence} is not released and unpaid"
    refusal = bank_details.payment_refusal(application)
    if refusal:
        return None, f"{application.reference}: {refusal}"
    if _in_live_run(instalment.id):
        return None, f"{application.reference}: instalment {instalment.sequence} is already in a payment run"
    return DueInstalment(line, bank_details.current_for(application.organisation_id)), None


def due_instalments() -> list[DueInstalment]:
    """Instalments finance can put in a run now: released, unpaid, verified bank details, in no live run."""
    found = []
    for grant in payments.grants_for_finance():
        for line in grant.lines:
            if line.payable:
                due, _ = _due(line.instalment)
                if due is not None:
                    found.append(due)
    return found


def frozen_instalments() -> list[tuple[payments.InstalmentLine, str]]:
    """Released, unpaid instalments held back because the bank details are missing or not verified."""
    held = []
    for grant in payments.grants_for_finance():
        refusal = bank_details.payment_refusal(grant.application)
        for line in grant.lines:
            if line.payable and refusal:
                held.append((line, refusal))
    return held


def _amount(pence: int) -> str:
    """Pounds with two decimal places and no separators, as finance systems import them: 2000.00."""
    return f"{pence // 100}.{pence % 100:02d}"


def run_file(run: PaymentRun) -> bytes:
    """The CSV for the finance system: the only export that carries full bank details."""
    rows = []
    for line in run.lines:
        full = bank_details.reveal(line.bank_details)
        fund = line.application.round.fund
        rows.append((line.application.organisation.legal_name, full["account_name"], full["sort_code"],
                     full["account_number"], _amount(line.amount_pence), line.reference, fund.ledger_code,
                     fund.cost_centre, fund.code, line.application.reference))
    return tabular.csv_bytes(FILE_HEADER, rows)


def create_run(*, actor: User, instalment_ids: list[int]) -> PaymentRun:
    """Finance makes a run of the chosen due instalments, each for its whole outstanding amount.

    Rules: finance only; at least one instalment; every one must be due (see
    `_due`), checked with its grant locked, so no instalment ends up in two runs.
    """
    if not actor.has_role(Role.FINANCE):
        raise NotPermitted("Only finance can make a payment run")
    ids = sorted({int(i) for i in instalment_ids or []})
    if not ids:
        raise ValidationFailed({"instalments": "Select at least one instalment to pay"})
    run = PaymentRun(created_by_id=actor.id, status="open")
    db.session.add(run)
    db.session.flush()
    problems = []
    lines = []
    for instalment_id in ids:
        instalment = db.session.get(PaymentInstalment, instalment_id)
        if instalment is None:
            problems.append(f"Instalment {instalment_id} does not exist")
            continue
        locking.lock(instalment.application)
        due, problem = _due(instalment)
        if problem:
            problems.append(problem)
            continue
        lines.append(PaymentRunLine(run_id=run.id, instalment_id=instalment.id, application_id=instalment.application_id,
                                    bank_details_id=due.details.id, amount_pence=due.line.outstanding,
                                    reference=f"{instalment.application.reference}-{instalment.sequence}"[:100]))
    if problems:
        raise ValidationFailed({"instalments": "; ".join(problems)})
    db.session.add_all(lines)
    db.session.flush()
    db.session.refresh(run, ["lines"])
    content = run_file(run)
    run.file_content = content
    run.file_sha256 = hashlib.sha256(content).hexdigest()
    db.session.flush()
    audit.record("payment_run.created", actor=actor, entity=run,
                 after={"lines": [{"instalment_id": line.instalment_id, "amount_pence": line.amount_pence,
                                   "reference": line.reference, **bank_details.masked(line.bank_details)}
                                  for line in run.lines],
                        "total_pence": run.total_pence, "file_sha256": run.file_sha256})
    return run


def _open(run: PaymentRun, actor: User) -> PaymentRun:
    if not actor.has_role(Role.FINANCE):
        raise NotPermitted("Only finance can settle a payment run")
    run = locking.lock(run)
    if not run.is_open:
        raise InvalidTransition("This payment run has already been settled")
    return run


def fail_line(line: PaymentRunLine, *, actor: User, reason: str | None) -> PaymentRunLine:
    """The bank rejected one line: it is marked failed (with why) and the instalment can go in a later run."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Enter why the bank rejected this payment"})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "The reason must be 2,000 characters or fewer"})
    _open(line.run, actor)
    if not line.is_pending:
        raise InvalidTransition("This line has already been settled")
    line.outcome = "failed"
    line.failure_reason = reason
    audit.record("payment_run.line_failed", actor=actor, entity=line, application=line.application,
                 after={"run_id": line.run_id, "reference": line.reference, "amount_pence": line.amount_pence},
                 reason=reason)
    return line


def mark_paid(run: PaymentRun, *, actor: User, paid_on: date | None) -> PaymentRun:
    """The bank confirmed the run: every line not failed becomes a Payment (payments.record_payment's rules)."""
    if paid_on is None:
        raise ValidationFailed({"paid_on": "Enter the date the bank paid the run"})
    run = _open(run, actor)
    for line in run.lines:
        if not line.is_pending:
            continue
        try:
            payment = payments.record_payment(line.instalment, actor=actor, amount_pence=line.amount_pence,
                                              paid_on=paid_on, reference=line.reference)
        except (InvalidTransition, ValidationFailed) as exc:
            message = "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else exc.message
            raise InvalidTransition(f"{line.reference} cannot be paid: {message}. Mark it failed, "
                                    "then mark the run paid") from exc
        line.outcome = "paid"
        line.payment_id = payment.id
    run.status = "closed"
    run.closed_at = clock.now()
    db.session.flush()
    totals = reconciliation(run)
    audit.record("payment_run.paid", actor=actor, entity=run,
                 after={"paid_on": paid_on, "paid_pence": totals["paid"], "failed_pence": totals["failed"]})
    return run


def reconciliation(run: PaymentRun) -> dict:
    """The run's total, split into paid, failed and still pending lines (they always add up)."""
    totals = {"total": 0, "paid": 0, "failed": 0, "pending": 0}
    for line in run.lines:
        totals["total"] += line.amount_pence
        totals[line.outcome] += line.amount_pence
    return totals


def runs() -> list[PaymentRun]:
    return list(db.session.scalars(select(PaymentRun).order_by(PaymentRun.id.desc())))


def record_download(run: PaymentRun, *, actor: User) -> None:
    """Every download of a run's file (it carries full bank details) is in the audit trail."""
    if not actor.has_role(Role.FINANCE):
        raise NotPermitted("Only finance can download a payment run")
    audit.record("payment_run.downloaded", actor=actor, entity=run, after={"file_sha256": run.file_sha256})
