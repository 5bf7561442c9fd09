"""Money safeguards through the pages: who can accept, confirming, verifying, payment runs, and no leaks."""
import csv
import io
import zipfile

from grants import clock
from grants.extensions import db
from grants.models import MemberRole, Payment, PaymentInstalment
from grants.services import bank_details

from .factories_decisions import accept, approve, make_assessed, make_funded
from .factories_money import ACCOUNT_NUMBER, colleague, confirm_token
from .helpers import PageClient, error_messages, text_of


def _member(app, demo, *, role=MemberRole.MEMBER):
    """A colleague in the applicant's organisation, signed in."""
    user = colleague(demo, role=role, position="Treasurer" if role == MemberRole.SIGNATORY else None)
    db.session.commit()
    client = PageClient(app)
    client.sign_in_as(user)
    return user, client


def test_the_acceptance_page_names_the_signatories_and_a_member_cannot_accept(app, demo):
    """Does a plain member see who can accept, with no form, and is a post from them refused?"""
    application = make_assessed(demo)
    approve(demo, application)
    db.session.commit()
    _, client = _member(app, demo)
    page = text_of(client.get_page(f"/decisions/offers/{application.id}/accept"))
    assert "Only an authorised signatory" in page and demo.applicant.full_name in page
    assert "you cannot accept this offer" in page and "Account number" not in page
    soup = client.post_page(f"/decisions/offers/{application.id}/accept",
                            {"signatory_name": "Sam", "signatory_position": "Member", "confirm_terms": "y"})
    assert any("authorised signatory" in m for m in error_messages(soup))
    db.session.expire_all()
    assert application.status == "approved"


def test_a_signatory_promotes_a_member_on_the_organisation_page(app, demo, as_applicant):
    """Can a signatory make a colleague a signatory from the organisation page, position required?"""
    user, _ = _member(app, demo)
    membership = user.memberships[0]
    assert "Member" in text_of(as_applicant.get_page("/apply/organisation"))
    soup = as_applicant.post_page(f"/apply/organisation/members/{membership.id}", {"role": "signatory", "position": ""})
    assert error_messages(soup) == ["Enter their position in the organisation, like chair or treasurer"]
    soup = as_applicant.post_page(f"/apply/organisation/members/{membership.id}",
                                  {"role": "signatory", "position": "Treasurer"})
    assert "Sam Colleague is now authorised signatory" in text_of(soup)
    assert "Authorised signatory, Treasurer" in text_of(soup)


def test_second_signatory_confirms_then_finance_verifies_runs_downloads_and_pays(app, demo, as_finance):
    """Second signatory confirms → finance verifies → run → CSV with full details → marked paid: does it all hold?"""
    second, second_client = _member(app, demo, role=MemberRole.SIGNATORY)
    application = make_assessed(demo, amount_pence=200_000)
    approve(demo, application)
    accept(demo, application, verify=False)
    db.session.commit()
    details = bank_details.current_for(application.organisation_id)
    token = confirm_token(second.email)
    page = text_of(second_client.get_page(f"/finance/bank-details/confirm/{token}"))
    assert ACCOUNT_NUMBER in page
    org_page = text_of(second_client.get_page("/apply/organisation"))
    assert "ending 4682" in org_page and ACCOUNT_NUMBER not in org_page
    second_client.post_page(f"/finance/bank-details/confirm/{token}", {})
    soup = as_finance.get_page(f"/finance/bank-details/{details.id}")
    assert ACCOUNT_NUMBER in text_of(soup) and "01429 000111" in text_of(soup)
    today = clock.today()
    soup = as_finance.post_page(f"/finance/bank-details/{details.id}", {
        "spoke_to": "Janet Armstrong, chair", "called_on-day": today.day, "called_on-month": today.month,
        "called_on-year": today.year, "confirm": "y"})
    assert "are verified" in text_of(soup)
    instalment = db.session.scalar(db.select(PaymentInstalment).where(PaymentInstalment.application_id == application.id))
    soup = as_finance.post_page("/finance/payment-runs", {"instalments": [instalment.id]})
    assert "Payment run" in text_of(soup) and "****4682" in text_of(soup)
    run_id = int(soup.select_one("h1").get_text().split()[-1])
    download = as_finance.get(f"/finance/payment-runs/{run_id}/file.csv")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[1][3] == ACCOUNT_NUMBER and rows[1][4] == "2000.00"
    soup = as_finance.post_page(f"/finance/payment-runs/{run_id}", {
        "paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year})
    assert "marked paid" in text_of(soup)
    assert db.session.scalar(db.select(Payment).where(Payment.application_id == application.id)).amount_pence == 200_000


def test_no_export_or_page_for_others_carries_the_account_number(app, demo, as_officer, as_auditor, client):
    """With a planted account number: is it absent from the officer's pages, the auditor's exports and open data?"""
    application = make_funded(demo, amount_pence=200_000)
    application.awarded_pence, application.decided_at = 200_000, clock.now()
    db.session.commit()
    def fetch(who, url):
        response = who.get(url)  # read at once: some downloads stream
        return response.status_code, response.get_data()

    responses = [fetch(as_officer, f"/staff/applications/{application.id}"),
                 fetch(as_officer, "/reports/grants-register.csv"),
                 fetch(as_auditor, f"/audit/applications/{application.id}/decision-pack.zip"),
                 fetch(as_auditor, "/audit/events.csv"), fetch(client, "/open-data/360giving.json"),
                 fetch(client, "/open-data/360giving.csv")]
    assert [status for status, _ in responses] == [200] * len(responses)
    bodies = [body for _, body in responses]
    pack = zipfile.ZipFile(io.BytesIO(bodies[2]))
    bodies += [pack.read(name) for name in pack.namelist()]
    for body in bodies:
        assert ACCOUNT_NUMBER.encode() not in body
    assert len(pack.namelist()) > 0
