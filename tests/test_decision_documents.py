"""Letters and decision-record PDFs, read back as text."""
import hashlib
import io
from datetime import date

from pypdf import PdfReader

from grants.documents.decision_record import decision_record_pdf
from grants.documents.letters import render_letter
from grants.extensions import db
from grants.models import Letter
from grants.services import decisions

from .factories_decisions import approve, make_assessed


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_award_letter_states_amount_reference_schedule_reports_conditions_and_terms(demo):
    """Does the award letter carry the amount, reference, payments, report dates, conditions, terms and deadline?"""
    application = make_assessed(demo, amount_pence=600_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    record = approve(demo, application, conditions="Send us a copy of your <b>safeguarding</b> policy")
    letter = db.session.scalar(db.select(Letter))
    text = pdf_text(letter.content)
    assert "Offer of a grant" in text
    assert record.number in text and application.reference in text
    assert "£6,000.00" in text and "£3,000.00" in text
    assert "Interim report" in text and "1 April 2027" in text
    assert "Final report" in text and "30 September 2027" in text
    assert "Send us a copy of your <b>safeguarding</b> policy" in text  # user text escaped, not markup
    assert "Standard terms" in text and "must be repaid" in text
    assert f"by {application.offer_expires_on.day} " in text
    assert application.organisation.postcode in text


def test_decline_letter_gives_reasons_and_feedback(demo):
    """Does the decline letter state the reasons and the feedback?"""
    application = make_assessed(demo)
    record = decisions.decide(application, actor=demo.pcc, outcome="decline", reasons="Evidence of need was thin",
                              feedback="Include local crime figures next time", no_interest_confirmed=True)
    text = pdf_text(db.session.scalar(db.select(Letter)).content)
    assert "Evidence of need was thin" in text and "Include local crime figures" in text
    assert record.number in text


def test_stored_letter_hash_matches_and_regenerates_identically(demo):
    """Is each letter stored with the SHA-256 of its bytes, and does regenerating give the very same bytes?"""
    record = approve(demo, make_assessed(demo))
    letter = db.session.scalar(db.select(Letter))
    assert letter.sha256 == hashlib.sha256(letter.content).hexdigest()
    assert render_letter(record, kind="award") == letter.content
    check = decisions.verify_letter(letter)
    assert check.intact and check.reproducible


def test_decision_record_pdf_holds_the_record(demo):
    """Does the decision record PDF show number, organisation, amounts, authority, declaration and hash?"""
    record = approve(demo, make_assessed(demo, amount_pence=450_000), actor=demo.ceo)
    text = pdf_text(decision_record_pdf(record))
    for expected in [record.number, record.organisation_name, "£4,500.00", "Chief Executive, under delegation",
                     "I have no interest to declare", record.content_hash[:32]]:
        assert expected in text
