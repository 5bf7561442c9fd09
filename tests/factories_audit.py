"""Test data for the audit, admin and two-factor areas, built straight into the database."""
from __future__ import annotations

import hashlib

import pyotp

from grants import clock
from grants.extensions import db
from grants.services import audit, decisions
from grants.models import Assignment, ConflictDeclaration, DecisionRecord, Letter, Score


def make_decision_record(demo, application, *, outcome="approve_full", amount_pence=None, number=None,
                         reasons="Strong local need", decided_at=None,
                         organisation_name: str | None = None) -> DecisionRecord:
    amount = application.amount_requested_pence if amount_pence is None else amount_pence
    record = DecisionRecord(
        number=number or f"{application.round.fund.code}/{application.round.financial_year}/{application.id:03d}",
        fund_id=application.round.fund_id, financial_year=application.round.financial_year,
        sequence=application.id, application=application, outcome=outcome,
        amount_requested_pence=application.amount_requested_pence,
        amount_awarded_pence=amount if outcome.startswith("approve") else None, reasons=reasons,
        payment_schedule=[], decided_by=demo.ceo, decided_by_name=demo.ceo.full_name,
        authority="Delegated authority", declaration_of_interest="None", organisation_name=organisation_name or application.organisation.legal_name,
        scores={}, conflicts=[], decided_at=decided_at or clock.now(),
    )
    record.application_id, record.decided_by_id = application.id, demo.ceo.id
    # As the service does: the record's hash, and its creation event holding that hash.
    record.content_hash = decisions.content_hash(record)
    db.session.add(record)
    db.session.flush()
    audit.record("decision_record.created", actor=demo.ceo, entity=record, application=application,
                 after={"number": record.number, "content_hash": record.content_hash})
    return record


def make_letter(demo, application, record=None, *, content: bytes = b"%PDF-1.4 letter as sent") -> Letter:
    letter = Letter(application_id=application.id, decision_record_id=record.id if record else None, kind="award",
                    filename=f"award-{application.reference}.pdf", content=content,
                    sha256=hashlib.sha256(content).hexdigest(), created_by_id=demo.officer.id)
    db.session.add(letter)
    db.session.flush()
    audit.record("letter.issued", actor=demo.officer, entity=letter, application=application,
                 after={"kind": "award", "sha256": letter.sha256})
    return letter


def make_assessment(demo, application, *, assessor=None, conflict=False, nature=None, value=4) -> Assignment:
    assessor = assessor or demo.assessor
    declaration = ConflictDeclaration(application=application, user=assessor, capacity="assessor",
                                      has_conflict=conflict, nature=nature)
    db.session.add(declaration)
    db.session.flush()
    assignment = Assignment(application=application, assessor=assessor, assigned_by_id=demo.officer.id,
                            status="submitted", declaration=declaration, submitted_at=clock.now())
    for criterion in application.round.criteria:
        assignment.scores.append(Score(criterion=criterion, value=value, comment=f"Comment on {criterion.name}"))
    db.session.add(assignment)
    db.session.flush()
    return assignment


def enrol(user) -> pyotp.TOTP:
    """Switch two-factor on for a user directly; returns the TOTP to make codes with."""
    from grants.services import two_factor

    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    codes = two_factor.enable(user=user, secret=secret, code=totp.now())
    db.session.commit()
    totp.recovery_codes = codes
    return totp


def next_code(totp: pyotp.TOTP, steps: int = 1) -> str:
    """A code from a later 30-second step (codes are accepted once, so tests move on a step)."""
    return totp.at(clock.now().timestamp() + 30 * steps)
