"""Test helpers for decisions: assessed applications, approvals, accepted grants."""
from __future__ import annotations

from grants.extensions import db
from grants.models import Assignment, ConflictDeclaration
from grants.services import bank_details, decisions, offers

from .factories import make_application
from .factories_money import BANK, statement
from .factories_money import verify as verify_details


def make_assessed(demo, *, amount_pence: int = 300_000, round_=None, **fields):
    """An application waiting for a decision."""
    return make_application(demo, status="assessed", amount_pence=amount_pence, round_=round_, **fields)


def approve(demo, application, *, actor=None, amount_pence=None, schedule=None, conditions=None):
    """Approve through the service (in full, or reduced when amount_pence is given)."""
    outcome = decisions.APPROVE_REDUCED if amount_pence is not None else decisions.APPROVE_FULL
    return decisions.decide(application, actor=actor or demo.pcc, outcome=outcome, reasons="Strong, well-evidenced bid",
                            public_summary="Locks and alarms to stop repeat thefts from allotment sheds",
                            amount_pence=amount_pence, schedule=schedule, special_conditions=conditions,
                            no_interest_confirmed=True)


def accept(demo, application, *, user=None, verify: bool = True):
    """Accept with bank details and a statement; finance then verifies them by call-back unless verify=False."""
    first = bank_details.current_for(application.organisation_id) is None
    response = offers.accept_offer(application, actor=user or demo.applicant, signatory_name="Jo Bloggs",
                                   signatory_position="Treasurer", terms_confirmed=True, ip_address="203.0.113.7",
                                   bank=dict(BANK) if first else None, statement=statement() if first else None)
    if verify and bank_details.current_for(application.organisation_id).verified_at is None:
        verify_details(demo, application.organisation_id)
    return response


def make_funded(demo, *, amount_pence: int = 300_000, **fields):
    """An approved and accepted grant (instalments on acceptance released)."""
    application = make_assessed(demo, amount_pence=amount_pence, **fields)
    approve(demo, application)
    accept(demo, application)
    db.session.flush()
    return application


def assign_assessor(demo, application, user, *, conflict: bool = False):
    declaration = ConflictDeclaration(application_id=application.id, user_id=user.id, capacity="assessor",
                                      has_conflict=conflict, nature="Trustee of the group" if conflict else None)
    db.session.add(declaration)
    db.session.flush()
    db.session.add(Assignment(application_id=application.id, assessor_id=user.id, assigned_by_id=demo.officer.id,
                              status="conflicted" if conflict else "submitted", declaration_id=declaration.id))
    db.session.flush()
