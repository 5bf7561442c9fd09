"""Money safeguards: signatories, bank details, call-back verification, freezes and payment runs (no HTTP)."""
import csv
import hashlib
import io
import logging

import pytest

from grants import clock
from grants.extensions import db
from grants.models import AuditEvent, BankDetails, MemberRole, OutboxEmail, Payment, PaymentInstalment
from grants.services import accounts, applications, audit, bank_details, offers, organisations, payment_runs, payments
from grants.services.errors import InvalidTransition, NotPermitted, ValidationFailed

from .factories import make_application
from .factories_decisions import accept, approve, make_assessed, make_funded
from .factories_money import ACCOUNT_NUMBER, BANK, colleague, confirm_token, statement, verify


def first_instalment(application) -> PaymentInstalment:
    return db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.application_id == application.id)
                             .order_by(PaymentInstalment.sequence))


def pay(demo, application, reference="BACS-1", amount=10_000):
    return payments.record_payment(first_instalment(application), actor=demo.finance, amount_pence=amount,
                                   paid_on=clock.today(), reference=reference)


# --- Signatories -----------------------------------------------------------------------------------


def test_the_member_who_creates_an_organisation_is_its_signatory(app):
    """Does the first member of a new organisation become its authorised signatory?"""
    user = accounts.register_applicant(email="founder@example.org", full_name="Founder", password="correct horse battery staple")
    organisation = organisations.create_organisation(actor=user, values=dict(
        legal_name="Redcar Street Pastors", org_type="constituted_group", address_line_1="1 High Street",
        town="Redcar", postcode="TS10 1AA", contact_name="Ann Lee", contact_email="ann@example.org"))
    assert [m.user_id for m in organisations.signatories(organisation)] == [user.id]


def test_a_member_cannot_submit_or_accept_but_a_signatory_can(app, demo):
    """Is a plain member refused the declaration and the acceptance, with a message naming signatories?"""
    member = colleague(demo)
    draft = make_application(demo)
    with pytest.raises(NotPermitted, match="authorised signatory"):
        applications.submit(draft, actor=member, declaration_name="Sam", declaration_position="Member", confirmed=True)
    application = make_assessed(demo)
    approve(demo, application)
    with pytest.raises(NotPermitted, match="authorised signatory"):
        offers.accept_offer(application, actor=member, signatory_name="Sam", signatory_position="Member",
                            terms_confirmed=True, ip_address=None, bank=dict(BANK), statement=statement())
    assert application.status == "approved"
    accept(demo, application)
    assert application.status == "funded"


def test_a_signatory_promotes_a_member_with_a_position_and_a_member_cannot(app, demo):
    """Can a signatory make a member a signatory (position required), and is a member refused the same?"""
    member = colleague(demo)
    membership = member.memberships[0]
    with pytest.raises(NotPermitted):
        organisations.set_member_role(membership, actor=member, role="signatory", position="Treasurer")
    with pytest.raises(ValidationFailed) as caught:
        organisations.set_member_role(membership, actor=demo.applicant, role="signatory", position=" ")
    assert "position" in caught.value.errors
    organisations.set_member_role(membership, actor=demo.applicant, role="signatory", position="Treasurer")
    assert membership.is_signatory and membership.position == "Treasurer"
    assert "organisation.member_role_changed" in audit.pending_actions()


def test_the_last_signatory_cannot_be_demoted_but_one_of_two_can(app, demo):
    """Is the organisation's last signatory kept, while one of two signatories may become a member?"""
    own = demo.applicant.memberships[0]
    with pytest.raises(ValidationFailed, match="at least one authorised signatory"):
        organisations.set_member_role(own, actor=demo.applicant, role="member", position=None)
    second = colleague(demo, role=MemberRole.SIGNATORY, position="Treasurer")
    organisations.set_member_role(own, actor=second, role="member", position=None)
    assert not own.is_signatory
    with pytest.raises(ValidationFailed, match="at least one"):
        organisations.set_member_role(second.memberships[0], actor=second, role="member", position=None)


# --- Bank details ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sort_code, number, field", [
    ("30943", "73914682", "sort_code"), ("3094301", "73914682", "sort_code"), ("30-94-3O", "73914682", "sort_code"),
    ("309430", "7391468", "account_number"), ("309430", "739146821", "account_number"), ("", "73914682", "sort_code"),
])
def test_sort_codes_and_account_numbers_of_the_wrong_length_are_refused(app, sort_code, number, field):
    """Are sort codes that are not 6 digits and account numbers that are not 8 digits refused beside the field?"""
    with pytest.raises(ValidationFailed) as caught:
        bank_details.clean_values({"account_name": "Group", "sort_code": sort_code, "account_number": number})
    assert field in caught.value.errors


def test_spaces_and_dashes_are_accepted_and_normalised(app):
    """Are '30-94-30' and '7391 4682' accepted as 309430 and 73914682?"""
    data = bank_details.clean_values({"account_name": " Group ", "sort_code": "30-94 30", "account_number": "7391 4682"})
    assert data == {"account_name": "Group", "sort_code": "309430", "account_number": "73914682"}


def test_details_are_stored_encrypted_and_shown_masked(app, demo):
    """Is the account number absent from the stored row, readable by decryption, and masked to its last 4 digits?"""
    details = bank_details.enter_bank_details(demo.applicant.organisation, actor=demo.applicant, values=dict(BANK),
                                              statement=statement())
    row = db.session.execute(db.select(BankDetails.__table__)).mappings().one()
    assert not any(ACCOUNT_NUMBER.encode() in bytes(v) for v in row.values() if isinstance(v, (bytes, memoryview)))
    assert bank_details.reveal(details)["account_number"] == ACCOUNT_NUMBER
    assert details.masked_account == "****4682"


def test_a_member_cannot_give_bank_details(app, demo):
    """Is a plain member refused when giving bank details?"""
    with pytest.raises(NotPermitted):
        bank_details.enter_bank_details(demo.applicant.organisation, actor=colleague(demo), values=dict(BANK),
                                        statement=statement())


def test_a_second_signatory_is_emailed_and_must_confirm_before_finance_verifies(app, demo):
    """With two signatories: is the other emailed a link, is the enterer refused, and verification held until then?"""
    second = colleague(demo, role=MemberRole.SIGNATORY, position="Treasurer")
    application = make_assessed(demo)
    approve(demo, application)
    accept(demo, application, verify=False)
    details = bank_details.current_for(application.organisation_id)
    token = confirm_token(second.email)
    with pytest.raises(InvalidTransition, match="not yet confirmed"):
        verify(demo, application.organisation_id)
    with pytest.raises(NotPermitted, match="different signatory"):
        bank_details.confirm_bank_details(token, actor=demo.applicant)
    bank_details.confirm_bank_details(token, actor=second)
    verify(demo, application.organisation_id)
    assert details.is_verified and details.confirmed_by_id == second.id


# --- Verification and freezes -------------------------------------------------------------------------


def test_payment_is_refused_until_finance_verifies_by_call_back(app, demo):
    """Is the first payment refused before the call-back, and the number recorded the one in the organisation's records?"""
    application = make_assessed(demo)
    approve(demo, application)
    accept(demo, application, verify=False)
    with pytest.raises(InvalidTransition, match="not been verified"):
        pay(demo, application)
    with pytest.raises(NotPermitted):
        verify(demo, application.organisation_id, actor=demo.officer)
    details = verify(demo, application.organisation_id)
    assert details.callback_phone == application.organisation.contact_phone
    assert pay(demo, application).amount_pence == 10_000


def test_verification_needs_a_phone_number_in_the_organisations_records(app, demo):
    """With no phone number on the organisation, is the call-back refused (never a number from the form)?"""
    application = make_assessed(demo)
    approve(demo, application)
    accept(demo, application, verify=False)
    application.organisation.contact_phone = None
    with pytest.raises(InvalidTransition, match="no phone number"):
        verify(demo, application.organisation_id)


def test_changing_bank_details_freezes_payments_and_emails_every_signatory(app, demo):
    """After a change of account: are unpaid instalments frozen until re-verified, and every signatory told?"""
    application = make_funded(demo, amount_pence=400_000)
    pay(demo, application, "BACS-1")
    second = colleague(demo, role=MemberRole.SIGNATORY, position="Treasurer")
    new = bank_details.enter_bank_details(application.organisation, actor=second, values={
        **BANK, "account_number": "11112222"}, statement=statement())
    changed = db.session.scalars(db.select(OutboxEmail.to_address).where(
        OutboxEmail.subject.contains("bank details have changed"))).all()
    assert sorted(changed) == sorted([demo.applicant.email, second.email])
    with pytest.raises(InvalidTransition, match="frozen"):
        pay(demo, application, "BACS-2")
    bank_details.confirm_bank_details(confirm_token(demo.applicant.email), actor=demo.applicant)
    bank_details.verify_bank_details(new, actor=demo.finance, spoke_to="Sam, treasurer", called_on=clock.today(),
                                     confirmed=True)
    assert pay(demo, application, "BACS-2").amount_pence == 10_000


# --- Payment runs ----------------------------------------------------------------------------------


def test_a_run_holds_due_instalments_its_file_has_full_details_and_codes(app, demo):
    """Does a run take only due instalments, and its stored file (with SHA-256) carry details, amount and codes?"""
    demo.csf.ledger_code, demo.csf.cost_centre = "GL-4410", "CC-OPCC-07"
    funded = make_funded(demo, amount_pence=200_000)
    unverified = make_assessed(demo, org=demo.applicant2.organisation, user=demo.applicant2)
    approve(demo, unverified)
    accept(demo, unverified, user=demo.applicant2, verify=False)
    due = payment_runs.due_instalments()
    assert [d.instalment.application_id for d in due] == [funded.id]
    assert [line.instalment.application_id for line, _ in payment_runs.frozen_instalments()] == [unverified.id]
    run = payment_runs.create_run(actor=demo.finance, instalment_ids=[d.instalment.id for d in due])
    assert run.file_sha256 == hashlib.sha256(run.file_content).hexdigest()
    rows = list(csv.DictReader(io.StringIO(run.file_content.decode("utf-8-sig"))))
    assert rows == [{"Payee": funded.organisation.legal_name, "Account name": BANK["account_name"],
                     "Sort code": "309430", "Account number": ACCOUNT_NUMBER, "Amount": "2000.00",
                     "Payment reference": f"{funded.reference}-1", "Ledger code": "GL-4410",
                     "Cost centre": "CC-OPCC-07", "Fund": "CSF", "Grant reference": funded.reference}]
    with pytest.raises(ValidationFailed, match="already in a payment run"):
        payment_runs.create_run(actor=demo.finance, instalment_ids=[due[0].instalment.id])
    with pytest.raises(ValidationFailed, match="not been verified"):
        payment_runs.create_run(actor=demo.finance, instalment_ids=[first_instalment(unverified).id])


def test_marking_a_run_paid_records_payments_and_failed_lines_reconcile(app, demo):
    """Are paid lines recorded as Payments, failed ones not, and do paid + failed equal the run's total?"""
    one = make_funded(demo, amount_pence=200_000)
    two = make_funded(demo, amount_pence=150_000)
    run = payment_runs.create_run(actor=demo.finance, instalment_ids=[first_instalment(one).id,
                                                                       first_instalment(two).id])
    failed = next(line for line in run.lines if line.application_id == two.id)
    with pytest.raises(ValidationFailed):
        payment_runs.fail_line(failed, actor=demo.finance, reason="")
    payment_runs.fail_line(failed, actor=demo.finance, reason="Account closed")
    payment_runs.mark_paid(run, actor=demo.finance, paid_on=clock.today())
    assert payments.paid_on_grant(one) == 200_000 and payments.paid_on_grant(two) == 0
    totals = payment_runs.reconciliation(run)
    assert totals == {"total": 350_000, "paid": 200_000, "failed": 150_000, "pending": 0}
    with pytest.raises(InvalidTransition, match="already been settled"):
        payment_runs.mark_paid(run, actor=demo.finance, paid_on=clock.today())
    # The failed instalment can go in a later run.
    assert [d.instalment.application_id for d in payment_runs.due_instalments()] == [two.id]
    actions = set(audit.pending_actions())
    assert {"payment_run.created", "payment_run.line_failed", "payment_run.paid", "payment.recorded"} <= actions


def test_only_finance_makes_runs(app, demo):
    """Is anyone but finance refused a payment run?"""
    funded = make_funded(demo)
    with pytest.raises(NotPermitted):
        payment_runs.create_run(actor=demo.officer, instalment_ids=[first_instalment(funded).id])


def test_hostile_payee_names_are_formula_neutralised_in_the_run_file(app, demo):
    """Is a payee or account name starting with '=' written so a spreadsheet never runs it?"""
    demo.applicant.organisation.legal_name = '=HYPERLINK("http://evil.example","x")'
    application = make_assessed(demo)
    approve(demo, application)
    offers.accept_offer(application, actor=demo.applicant, signatory_name="Jo", signatory_position="Chair",
                        terms_confirmed=True, ip_address=None,
                        bank={**BANK, "account_name": "=1+2"}, statement=statement())
    verify(demo, application.organisation_id)
    run = payment_runs.create_run(actor=demo.finance, instalment_ids=[first_instalment(application).id])
    row = list(csv.reader(io.StringIO(run.file_content.decode("utf-8-sig"))))[1]
    assert row[0].startswith("'=") and row[1] == "'=1+2"


# --- Key rotation, and nothing leaks ----------------------------------------------------------------


def test_rotate_bank_key_re_encrypts_with_the_new_key(app, demo, runner):
    """After rotate-bank-key with a new key first, can the details be read with the new key alone?"""
    from cryptography.fernet import Fernet

    from grants import bank_keys

    details = bank_details.enter_bank_details(demo.applicant.organisation, actor=demo.applicant, values=dict(BANK),
                                              statement=statement())
    db.session.commit()
    old = app.config.get("BANK_DETAILS_KEY") or bank_keys._development_key(app.instance_path)
    new = Fernet.generate_key().decode()
    saved = app.config.get("BANK_DETAILS_KEY")
    try:
        app.config["BANK_DETAILS_KEY"] = f"{new},{old}"
        app.extensions.pop("grants_bank_cipher", None)
        result = runner.invoke(args=["rotate-bank-key"])
        assert "Re-encrypted 1" in result.output
        db.session.expire_all()
        app.config["BANK_DETAILS_KEY"] = new
        app.extensions.pop("grants_bank_cipher", None)
        assert bank_details.reveal(db.session.get(BankDetails, details.id))["account_number"] == ACCOUNT_NUMBER
    finally:
        app.config["BANK_DETAILS_KEY"] = saved
        app.extensions.pop("grants_bank_cipher", None)


def test_the_account_number_appears_in_no_log_email_or_audit_value(app, demo, caplog):
    """With a planted account number: is it absent from logs, the outbox and every audit before/after value?"""
    caplog.set_level(logging.DEBUG)
    second = colleague(demo, role=MemberRole.SIGNATORY, position="Treasurer")
    application = make_assessed(demo)
    approve(demo, application)
    accept(demo, application, verify=False)
    bank_details.confirm_bank_details(confirm_token(second.email), actor=second)
    verify(demo, application.organisation_id)
    run = payment_runs.create_run(actor=demo.finance, instalment_ids=[first_instalment(application).id])
    payment_runs.mark_paid(run, actor=demo.finance, paid_on=clock.today())
    assert ACCOUNT_NUMBER.encode() in run.file_content  # the one place it belongs
    db.session.commit()
    assert ACCOUNT_NUMBER not in caplog.text
    for body in db.session.scalars(db.select(OutboxEmail.body_text)):
        assert ACCOUNT_NUMBER not in body
    for event in db.session.scalars(db.select(AuditEvent)):
        assert ACCOUNT_NUMBER not in repr(event.before) + repr(event.after) + repr(event.reason)
    assert db.session.scalar(db.select(Payment).where(Payment.application_id == application.id)) is not None
