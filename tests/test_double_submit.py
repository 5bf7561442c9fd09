"""The same form sent twice (a double click, a resent POST): the second creates nothing and says why."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import (
    ApplicationVersion,
    AuditEvent,
    OfferResponse,
    OutboxEmail,
    Payment,
    PaymentInstalment,
    Screening,
)

from .factories_money import BANK, statement
from .factories import make_application
from .factories_applicant import make_draft
from .factories_decisions import approve, make_assessed, make_funded
from .helpers import count_rows, error_messages, text_of
from .test_assessment_journeys import screening_data


def test_submitting_twice_makes_one_version_one_event_one_email(as_applicant, demo):
    """If the applicant presses submit twice, is there still one version, one submit event and one email?"""
    application = make_draft(demo)
    db.session.commit()
    form = {"declaration_name": "Janet Armstrong", "declaration_position": "Secretary", "confirm": "y"}
    as_applicant.post_page(f"/apply/applications/{application.id}/check", form)
    second = as_applicant.post_page(f"/apply/applications/{application.id}/check", form)
    assert application.reference in text_of(second)
    assert count_rows(ApplicationVersion, application_id=application.id) == 1
    assert count_rows(AuditEvent, action="application.submit") == 1
    assert count_rows(OutboxEmail, application_id=application.id) == 1


def _offer(demo):
    application = make_assessed(demo, amount_pence=200_000)
    approve(demo, application)
    db.session.commit()
    return application


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answering_an_offer_twice_records_one_answer(as_applicant, demo, action):
    """If the signatory presses accept (or decline) twice, is the offer answered once and the second told so?"""
    application = _offer(demo)
    emails = count_rows(OutboxEmail, application_id=application.id)
    def form():
        fields = {"signatory_name": "Jo Bloggs", "signatory_position": "Treasurer", "confirm_terms": "y",
                  "reason": "Found other funding"}
        # Accepting gives the bank details; each post sends its own copy of the statement.
        return {**fields, **BANK, "statement": statement()} if action == "accept" else fields

    as_applicant.post_page(f"/decisions/offers/{application.id}/{action}", form())
    second = as_applicant.post_page(f"/decisions/offers/{application.id}/{action}", form())
    assert f"There is no open offer to {action}" in text_of(second)
    assert count_rows(OfferResponse, application_id=application.id) == 1
    assert count_rows(AuditEvent, action="offer.accepted" if action == "accept" else "offer.declined") == 1
    assert count_rows(OutboxEmail, application_id=application.id) == emails + 1


def test_screening_twice_records_one_screening(as_officer, demo):
    """If the officer sends the screening form twice, is one screening recorded?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    url = f"/assessment/applications/{application.id}/screening"
    as_officer.post_page(url, screening_data(application))
    as_officer.post_page(url, screening_data(application))
    assert count_rows(Screening, application_id=application.id) == 1
    assert count_rows(AuditEvent, action="application.pass_screening") == 1


def test_recording_the_same_payment_twice_is_refused(as_finance, demo):
    """If finance sends the same payment twice, is it recorded once, with the second refused beside the reference?"""
    application = make_funded(demo, amount_pence=400_000)
    instalment = db.session.scalar(select(PaymentInstalment).where(PaymentInstalment.application_id == application.id,
                                                                   PaymentInstalment.sequence == 1))
    db.session.commit()
    today = clock.today()
    form = {"amount": "500", "paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year,
            "reference": "BACS-77"}
    url = f"/decisions/payments/instalments/{instalment.id}"
    as_finance.post_page(url, form)
    second = as_finance.post_page(url, form)
    assert error_messages(second) == ["A payment with the reference BACS-77 is already recorded for this grant; "
                                      "check the payments list before recording it again"]
    assert count_rows(Payment, application_id=application.id) == 1
