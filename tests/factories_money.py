"""Test helpers for money safeguards: bank details, statements, call-back verification."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from grants import clock
from grants.services import bank_details

# A planted account number: tests search every output for it.
ACCOUNT_NUMBER = "73914682"
BANK = {"account_name": "Hartlepool Allotment Holders Assoc", "sort_code": "30-94-30",
        "account_number": ACCOUNT_NUMBER}


def statement(name: str = "statement.pdf") -> FileStorage:
    """A small, real PDF (by its bytes) standing for a bank statement."""
    return FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), filename=name,
                       content_type="application/pdf")


def verify(demo, organisation_id: int, *, actor=None):
    """Finance's call-back on the organisation's details in force."""
    details = bank_details.current_for(organisation_id)
    return bank_details.verify_bank_details(details, actor=actor or demo.finance, spoke_to="Janet Armstrong, chair",
                                            called_on=clock.today(), confirmed=True)


def make_payment_run(demo, application):
    """A run paying `application` (funded, award set) in one released instalment, to verified details."""
    from grants.extensions import db
    from grants.models import PaymentInstalment
    from grants.services import payment_runs

    instalment = PaymentInstalment(application_id=application.id, sequence=1, amount_pence=application.awarded_pence,
                                   trigger="on_acceptance", released_at=clock.now())
    db.session.add(instalment)
    if bank_details.current_for(application.organisation_id) is None:
        signatory = next(m.user for m in application.organisation.memberships if m.is_signatory)
        bank_details.enter_bank_details(application.organisation, actor=signatory,
                                        values={**BANK, "account_name": "=1+2"}, statement=statement())
        verify(demo, application.organisation_id)
    return payment_runs.create_run(actor=demo.finance, instalment_ids=[instalment.id])


def colleague(demo, *, role="member", position=None, email="colleague@example.org"):
    """A second person in the applicant's organisation (a member, or a signatory with a position)."""
    from grants.extensions import db
    from grants.models import OrgMembership
    from grants.services import accounts

    user = accounts.register_applicant(email=email, full_name="Sam Colleague", password="correct horse battery staple")
    user.email_confirmed_at = clock.now()
    db.session.add(OrgMembership(user=user, organisation=demo.applicant.organisation, role=role, position=position))
    db.session.flush()
    db.session.refresh(user, ["memberships"])
    return user


def confirm_token(address: str) -> str:
    """The token in the latest 'confirm bank details' email sent to `address`."""
    from grants.extensions import db
    from grants.models import OutboxEmail

    body = db.session.scalar(db.select(OutboxEmail.body_text).where(
        OutboxEmail.to_address == address, OutboxEmail.subject.contains("confirm")).order_by(OutboxEmail.id.desc()))
    return body.split("/finance/bank-details/confirm/")[1].split()[0]
