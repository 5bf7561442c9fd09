"""Journeys through the decision, record, offer and payment pages."""
from grants import clock
from grants.extensions import db
from grants.models import ConflictDeclaration, DecisionRecord, Letter, Payment, PaymentInstalment

from .factories_money import BANK, statement
from .factories_decisions import approve, make_assessed, make_funded
from .helpers import error_messages, text_of


def decision_form(**overrides):
    data = {"declaration": "none", "outcome": "approve_full", "reasons": "Clear need, good value",
            "public_summary": "Scam awareness workshops for older people"}
    data.update(overrides)
    return data


def test_queue_lists_assessed_applications_with_remaining_budget(as_ceo, demo):
    """Does the decision queue show assessed and deferred applications and each round's remaining budget?"""
    assessed = make_assessed(demo, title="Scam awareness workshops")
    make_assessed(demo, title="Youth football").status = "deferred"
    make_assessed(demo, title="Still in assessment").status = "in_assessment"
    approve(demo, make_assessed(demo, amount_pence=100_000))
    db.session.commit()
    text = text_of(as_ceo.get_page("/decisions/"))
    assert "Scam awareness workshops" in text and "Youth football" in text
    assert "Still in assessment" not in text
    assert "Remaining £149,000" in text
    assert assessed.reference in text
    assert "Over remaining budget" not in text


def test_queue_flags_where_the_running_total_passes_the_remaining_budget(as_pcc, demo):
    """Does the queue mark the applications whose running total is beyond the remaining budget?"""
    demo.csf_round.budget_pence = 500_000
    make_assessed(demo, amount_pence=300_000, title="First")
    make_assessed(demo, amount_pence=300_000, title="Second")
    db.session.commit()
    rows = as_pcc.get_page("/decisions/").select("tbody tr")
    assert [("Over remaining budget" in row.get_text()) for row in rows] == [False, True]


def test_queue_ranks_exactly_as_the_panel_so_the_budget_line_falls_in_the_same_place(as_pcc, demo):
    """With equal scores, does the queue rank the smaller request first, as the panel does?

    The queue used to re-rank in the view (ties by reference), so with £5,500 left the decision maker saw
    the £5,000 bid within budget while the panel showed the £1,000 bid within and the £5,000 bid over.
    """
    from decimal import Decimal

    from grants.services import assessment

    demo.csf_round.budget_pence = 550_000
    larger = make_assessed(demo, amount_pence=500_000, title="Larger bid", score_percent=Decimal("70.00"))
    smaller = make_assessed(demo, amount_pence=100_000, title="Smaller bid", score_percent=Decimal("70.00"))
    db.session.commit()
    panel_order = [row.application.id for row in assessment.panel(demo.csf_round).rows]
    assert panel_order == [smaller.id, larger.id]
    rows = as_pcc.get_page("/decisions/").select("tbody tr")
    assert [("Smaller bid" in row.get_text(), "Over remaining budget" in row.get_text()) for row in rows] == [
        (True, False), (False, True)]


def test_decision_page_shows_remaining_budget_and_approves(as_ceo, demo):
    """Can the Chief Executive approve from the decide page, landing on the numbered record with its letter?"""
    application = make_assessed(demo, amount_pence=300_000)
    db.session.commit()
    page = as_ceo.get_page(f"/decisions/applications/{application.id}")
    assert "Remaining budget in this round: £150,000" in text_of(page)
    soup = as_ceo.post_page(f"/decisions/applications/{application.id}",
                            decision_form(special_conditions="Fit alarms by March"))
    text = text_of(soup)
    assert "Decision record CSF/" in text and "Approve in full" in text
    assert "Chief Executive, under delegation (awards up to £5,000)" in text
    assert "Verified" in text and "Fit alarms by March" in text
    assert db.session.scalar(db.select(Letter)).kind == "award"


def test_approval_above_the_limit_shows_who_can_decide(as_ceo, demo):
    """Does the Chief Executive see, beside the form, that only the PCC can approve above £5,000?"""
    application = make_assessed(demo, amount_pence=600_000)
    db.session.commit()
    soup = as_ceo.post_page(f"/decisions/applications/{application.id}", decision_form())
    assert error_messages(soup) == ["Only the Police and Crime Commissioner can approve awards above £5,000"]
    db.session.expire_all()
    assert application.status == "assessed"


def test_missing_reasons_and_declaration_show_errors_and_keep_answers(as_pcc, demo):
    """Are missing reasons and declaration shown in the error summary with other answers kept?"""
    application = make_assessed(demo)
    db.session.commit()
    soup = as_pcc.post_page(f"/decisions/applications/{application.id}",
                            {"outcome": "approve_reduced", "amount": "2000", "reasons": ""})
    messages = error_messages(soup)
    assert "Say whether you have an interest to declare" in messages
    assert soup.select_one("#amount")["value"] == "2000"


def test_declaring_an_interest_blocks_the_decision(as_ceo, demo):
    """Does declaring an interest record it and stop the Chief Executive deciding?"""
    application = make_assessed(demo)
    db.session.commit()
    as_ceo.post_page(f"/decisions/applications/{application.id}",
                     decision_form(declaration="conflict", conflict_nature="I am a trustee"))
    assert db.session.scalar(db.select(ConflictDeclaration)).nature == "I am a trustee"
    page = as_ceo.get_page(f"/decisions/applications/{application.id}")
    assert "declared a conflict of interest" in text_of(page)
    assert page.select_one("main form[method=post]") is None


def test_decline_from_the_page_writes_a_decline_letter(as_pcc, demo):
    """Does a decline with feedback produce a record and a decline letter?"""
    application = make_assessed(demo)
    db.session.commit()
    as_pcc.post_page(f"/decisions/applications/{application.id}",
                     decision_form(outcome="decline", reasons="Low score", feedback="Add evidence"))
    record = db.session.scalar(db.select(DecisionRecord))
    assert (record.outcome, record.feedback) == ("decline", "Add evidence")
    assert db.session.scalar(db.select(Letter)).kind == "decline"


def test_record_pdf_and_letter_downloads(as_auditor, demo):
    """Can an auditor read a record and download its PDF and letter?"""
    record = approve(demo, make_assessed(demo))
    letter = db.session.scalar(db.select(Letter))
    db.session.commit()
    assert record.number in text_of(as_auditor.get_page(f"/decisions/records/{record.id}"))
    pdf = as_auditor.get(f"/decisions/records/{record.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert as_auditor.get(f"/decisions/letters/{letter.id}").data == letter.content


def test_correction_page_supersedes_the_record(as_pcc, demo):
    """Can the PCC correct an approval's amount from the record page, creating a superseding record?"""
    record = approve(demo, make_assessed(demo, amount_pence=400_000))
    db.session.commit()
    soup = as_pcc.post_page(f"/decisions/records/{record.id}/correct",
                            {"amount": "3500", "reasons": "Lower quote", "declaration": "y"})
    assert "supersedes" in text_of(soup)
    old = as_pcc.get_page(f"/decisions/records/{record.id}")
    assert "This record has been superseded by" in text_of(old)


def test_applicant_accepts_offer_and_downloads_letter(as_applicant, demo):
    """Can the applicant read the offer, download the letter and accept it, becoming funded?"""
    application = make_assessed(demo, amount_pence=200_000)
    approve(demo, application)
    letter = db.session.scalar(db.select(Letter))
    db.session.commit()
    page = as_applicant.get_page(f"/decisions/offers/{application.id}")
    assert "Your grant offer" in text_of(page) and "£2,000" in text_of(page)
    assert as_applicant.get(f"/decisions/offers/{application.id}/letters/{letter.id}").data == letter.content
    soup = as_applicant.post_page(f"/decisions/offers/{application.id}/accept", {"signatory_name": "Jo Bloggs"})
    assert error_messages(soup) == ["Enter your position in the organisation",
                                    "Confirm that your organisation accepts the terms of the offer"]
    soup = as_applicant.post_page(f"/decisions/offers/{application.id}/accept",
                                  {"signatory_name": "Jo Bloggs", "signatory_position": "Chair", "confirm_terms": "y"})
    assert "Enter the account number" in error_messages(soup)
    soup = as_applicant.post_page(f"/decisions/offers/{application.id}/accept",
                                  {"signatory_name": "Jo Bloggs", "signatory_position": "Chair", "confirm_terms": "y",
                                   **BANK, "statement": statement()}, content_type="multipart/form-data")
    assert "Offer accepted" in text_of(soup)
    db.session.expire_all()
    assert application.status == "funded"


def test_other_organisation_gets_not_found(as_applicant2, demo):
    """Does another organisation's member get 404 for the offer, its letter and acceptance?"""
    application = make_assessed(demo)
    approve(demo, application)
    letter = db.session.scalar(db.select(Letter))
    db.session.commit()
    for url in (f"/decisions/offers/{application.id}", f"/decisions/offers/{application.id}/letters/{letter.id}",
                f"/decisions/offers/{application.id}/accept"):
        assert as_applicant2.get(url).status_code == 404


def test_applicant_declines_offer(as_applicant, demo):
    """Can the applicant decline the offer, releasing it?"""
    application = make_assessed(demo)
    approve(demo, application)
    db.session.commit()
    soup = as_applicant.post_page(f"/decisions/offers/{application.id}/decline",
                                  {"signatory_name": "Jo Bloggs", "signatory_position": "Chair"})
    assert "You have declined the offer" in text_of(soup)
    db.session.expire_all()
    assert application.status == "offer_lapsed"


def test_finance_records_a_payment_and_sees_outstanding(as_finance, demo):
    """Can finance pay a released instalment and see paid and outstanding for the grant?"""
    application = make_funded(demo, amount_pence=400_000)
    instalment = db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.sequence == 1))
    db.session.commit()
    listing = text_of(as_finance.get_page("/decisions/payments"))
    assert "Ready to pay" in listing and application.reference in listing
    today = clock.today()
    soup = as_finance.post_page(f"/decisions/payments/instalments/{instalment.id}", {
        "amount": "2000", "paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year,
        "reference": "BACS-77"})
    text = text_of(soup)
    assert "Payment of £2,000.00" in text
    assert "No instalments are waiting to be paid" in text
    assert db.session.scalar(db.select(Payment)).reference == "BACS-77"


def test_payment_over_outstanding_is_shown_beside_the_amount(as_finance, demo):
    """Is an overpayment refused with a message on the amount field?"""
    make_funded(demo, amount_pence=100_000)
    instalment = db.session.scalar(db.select(PaymentInstalment))
    db.session.commit()
    soup = as_finance.post_page(f"/decisions/payments/instalments/{instalment.id}", {
        "amount": "1000.01", "paid_on-day": "1", "paid_on-month": "4", "paid_on-year": "2026", "reference": "X"})
    assert error_messages(soup) == ["The payment cannot be more than the £1,000.00 outstanding on this instalment"]


def test_payment_before_acceptance_is_refused_on_the_page(as_finance, demo):
    """Does finance see a clear refusal when paying an offer that is not yet accepted?"""
    approve(demo, make_assessed(demo, amount_pence=100_000))
    instalment = db.session.scalar(db.select(PaymentInstalment))
    db.session.commit()
    soup = as_finance.post_page(f"/decisions/payments/instalments/{instalment.id}", {
        "amount": "1000", "paid_on-day": "1", "paid_on-month": "4", "paid_on-year": "2026", "reference": "X"})
    assert error_messages(soup) == ["No payment can be made before the applicant has accepted the offer"]


def test_roles_are_kept_apart(as_applicant, as_finance, demo):
    """Are applicants kept out of decisions and finance out of deciding?"""
    application = make_assessed(demo)
    db.session.commit()
    assert as_applicant.get("/decisions/").status_code == 403
    assert as_finance.get(f"/decisions/applications/{application.id}").status_code == 403
    assert as_applicant.get("/decisions/payments").status_code == 403


def test_adjusted_schedule_on_the_page_must_add_up(as_pcc, demo):
    """Is an adjusted schedule that does not add up refused on the page, and an exact one recorded?"""
    application = make_assessed(demo, amount_pence=300_000)
    db.session.commit()
    rows = {"instalment_1_amount": "1000", "instalment_1_trigger": "on_acceptance",
            "instalment_2_amount": "1999.99", "instalment_2_trigger": "after_final_report"}
    soup = as_pcc.post_page(f"/decisions/applications/{application.id}", decision_form(**rows))
    assert error_messages(soup) == ["The instalments add up to £2,999.99 but the award is £3,000.00; "
                                    "they must add up exactly"]
    assert soup.select_one("#schedule-error") is not None
    rows["instalment_2_amount"] = "2000"
    as_pcc.post_page(f"/decisions/applications/{application.id}", decision_form(**rows))
    instalments = db.session.scalars(db.select(PaymentInstalment).order_by(PaymentInstalment.sequence)).all()
    assert [(i.amount_pence, i.trigger) for i in instalments] == [(100_000, "on_acceptance"),
                                                                  (200_000, "after_final_report")]


def test_record_page_detects_tampering_done_outside_the_app(as_auditor, demo):
    """If someone edits a record or letter directly in the database, does the record page say it no longer matches?"""
    from sqlalchemy import text

    record = approve(demo, make_assessed(demo))
    db.session.commit()
    db.session.execute(text("UPDATE decision_records SET amount_awarded_pence = 999999 WHERE id = :id"),
                       {"id": record.id})
    db.session.execute(text("UPDATE letters SET content = :c"), {"c": b"%PDF-1.4 forged"})
    db.session.commit()
    page = text_of(as_auditor.get_page(f"/decisions/records/{record.id}"))
    assert "Does not match the record's content has changed" in page
    assert "Does not match the stored letter has been altered" in page
