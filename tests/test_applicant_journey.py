"""The applicant's journey through the pages (test client; CSRF is off here, on in browser tests)."""
import io
import re

import pytest

from grants.extensions import db
from grants.models import Application, Attachment, MoreInfoRequest, OutboxEmail
from grants.services import accounts, workflow

from .factories_applicant import PDF, make_draft, submit_draft
from .helpers import PageClient, error_messages, text_of


def start(client, demo) -> Application:
    client.post_page(f"/apply/rounds/{demo.csf_round.id}", {})
    return db.session.scalars(db.select(Application).order_by(Application.id.desc())).first()


def section_url(application, slug):
    return f"/apply/applications/{application.id}/sections/{slug}"


def test_dashboard_lists_the_organisations_applications_in_plain_words(as_applicant, demo):
    """Does the dashboard show reference, title, amount and plain-words status, and the open rounds?"""
    draft = make_draft(demo)
    sent = make_draft(demo)
    submit_draft(sent, demo.applicant)
    db.session.commit()
    page = text_of(as_applicant.get_page("/apply/"))
    assert draft.reference in page and "Draft – not submitted" in page
    assert sent.reference in page and "Submitted – being checked" in page and "£3,000" in page
    assert "Community Safety Fund 2026-27" in page and "Police Property Act Fund 2026-27" in page


def test_new_account_is_told_to_confirm_email_and_set_up_organisation_before_starting(app, demo):
    """Does someone without a confirmed email or organisation get a page saying what to do first?"""
    user = accounts.register_applicant(email="new@example.org", full_name="New Person",
                                       password="correct horse battery staple")
    db.session.commit()
    client = PageClient(app)
    client.sign_in_as(user)
    soup = client.get_page(f"/apply/rounds/{demo.csf_round.id}")
    page = text_of(soup)
    assert "confirm your email address" in page and "tell us about your organisation" in page
    assert soup.select_one("button.govuk-button--start") is None
    client.post_page(f"/apply/rounds/{demo.csf_round.id}", {})
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_round_page_shows_its_rules(as_applicant, demo):
    """Does the start page show the round's limits, guidance, eligibility points and objectives?"""
    page = text_of(as_applicant.get_page(f"/apply/rounds/{demo.csf_round.id}"))
    assert "£250 to £10,000" in page and "finish within 12 months" in page
    assert "Has a bank account in the group's name" in page and "Tackling Offending and Re-offending" in page


def test_creating_an_organisation_with_errors_keeps_answers_and_shows_messages(app, demo):
    """Do bad charity numbers and postcodes re-render with the answers kept and messages beside the fields?"""
    user = accounts.register_applicant(email="new@example.org", full_name="New Person",
                                       password="correct horse battery staple")
    db.session.commit()
    client = PageClient(app)
    client.sign_in_as(user)
    soup = client.post_page("/apply/organisation", {
        "legal_name": "Eston <b>Youth</b> Club", "org_type": "registered_charity", "charity_number": "12",
        "address_line_1": "1 High St", "town": "Eston", "postcode": "nonsense", "contact_name": "New Person",
        "contact_email": "new@example.org"})
    assert soup.title.get_text().startswith("Error:")
    assert "Enter a real postcode, like TS1 2AB" in error_messages(soup)
    assert soup.select_one("#charity_number-error") is not None
    assert soup.select_one("#legal_name")["value"] == "Eston <b>Youth</b> Club"
    assert soup.find("b") is None  # typed markup is shown as text, never rendered
    client.post_page("/apply/organisation", {
        "legal_name": "Eston Youth Club", "org_type": "registered_charity", "charity_number": "1165432",
        "address_line_1": "1 High St", "town": "Eston", "postcode": "ts6 9aa", "contact_name": "New Person",
        "contact_email": "new@example.org"})
    db.session.expire_all()
    assert user.organisation.postcode == "TS6 9AA"
    assert "Eston Youth Club" in text_of(client.get_page("/apply/organisation"))


def test_inviting_a_colleague_who_then_joins(app, as_applicant, demo):
    """Can a member invite a colleague by email, who joins by following the link while signed in?"""
    as_applicant.post_page("/apply/organisation/invite", {"email": "colleague@example.org"})
    body = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == "colleague@example.org")).one()
    path = re.search(r"http://localhost(/apply/invitations/\S+)", body.body_text).group(1)
    colleague = accounts.register_applicant(email="colleague@example.org", full_name="Col League",
                                            password="correct horse battery staple")
    db.session.commit()
    client = PageClient(app)
    client.sign_in_as(colleague)
    assert "Join Hartlepool Allotment Holders Association" in text_of(client.get_page(path))
    client.post_page(path, {})
    db.session.expire_all()
    assert colleague.organisation.legal_name == "Hartlepool Allotment Holders Association"
    assert "already been used" in text_of(client.get_page(path, status=400))


def test_section_errors_keep_answers_and_link_from_the_summary(as_applicant, demo):
    """Does a bad date and a bad amount re-render with the error summary, messages and the answers kept?"""
    application = start(as_applicant, demo)
    soup = as_applicant.post_page(section_url(application, "project"), {
        "title": "Scam <script>alert(1)</script> workshops", "summary": "Talks",
        "start_date-day": "31", "start_date-month": "2", "start_date-year": "2027",
        "end_date-day": "1", "end_date-month": "3", "end_date-year": "2027", "completed": "yes"})
    assert "Start date must be a real date" in error_messages(soup)
    assert soup.select_one(".govuk-error-summary a")["href"] == "#start_date-day"
    assert soup.select_one("#title")["value"] == "Scam <script>alert(1)</script> workshops"
    assert soup.select_one("#main-content script") is None
    soup = as_applicant.post_page(section_url(application, "budget"), {
        "item_0": "Hall hire", "cost_0": "-5", "item_1": "Leaflets", "cost_1": "lots", "action": "save",
        "completed": "no"})
    assert error_messages(soup) == ["Cost 1: amount must be more than £0",
                                    "Cost 2: enter an amount in pounds and pence, like 1250 or 1250.50"]
    assert soup.select_one("#cost_1")["value"] == "lots"


@pytest.mark.parametrize("typed, pence", [("£1,250.50", 125_050), ("1250.5", 125_050), ("1250", 125_000)])
def test_budget_accepts_amounts_as_people_type_them(as_applicant, demo, typed, pence):
    """Are '£1,250.50', '1250.5' and '1250' all read correctly, and the total shown on reload?"""
    application = start(as_applicant, demo)
    as_applicant.post_page(section_url(application, "budget"), {
        "item_0": "Alarms", "cost_0": typed, "action": "save", "completed": "yes"})
    db.session.expire_all()
    assert application.amount_requested_pence == pence
    assert application.budget_lines[0].cost_pence == pence
    soup = as_applicant.get_page(section_url(application, "budget"))
    assert "£1,250" in soup.select_one("#budget-total").get_text()


def test_absurd_amount_is_refused(as_applicant, demo):
    """Is £50 million refused with a clear message?"""
    application = start(as_applicant, demo)
    soup = as_applicant.post_page(section_url(application, "budget"), {
        "item_0": "Everything", "cost_0": "50000000", "action": "save", "completed": "yes"})
    assert error_messages(soup) == ["Cost 1: amount must be £10,000,000 or less"]


def test_output_rows_can_be_added_and_removed_without_javascript(as_applicant, demo):
    """Does 'Add another output' save and show a new empty row, and 'Remove' take one away?"""
    application = start(as_applicant, demo)
    as_applicant.post_page(section_url(application, "outputs"), {
        "measure_0": "workshops", "target_0": "20", "action": "add"})
    soup = as_applicant.get_page(section_url(application, "outputs") + "?add=1")
    assert soup.select_one("#measure_0")["value"] == "workshops" and soup.select_one("#measure_1")["value"] == ""
    as_applicant.post_page(section_url(application, "outputs"), {
        "measure_0": "workshops", "target_0": "20", "measure_1": "leaflets", "target_1": "1,000", "action": "add"})
    as_applicant.post_page(section_url(application, "outputs"), {
        "measure_0": "workshops", "target_0": "20", "measure_1": "leaflets", "target_1": "1000",
        "measure_2": "", "target_2": "", "remove": "0"})
    db.session.expire_all()
    assert [(o.measure, o.target) for o in application.planned_outputs] == [("leaflets", 1000)]
    assert applications_state(application, "outputs") == "in_progress"


def applications_state(application, slug):
    from grants.services.applications import section_state

    return section_state(application, slug)


def test_marking_a_section_complete_needs_every_answer(as_applicant, demo):
    """Does 'Yes, completed' with a missing answer keep the answers and show what is missing?"""
    application = start(as_applicant, demo)
    soup = as_applicant.post_page(section_url(application, "need"), {"need": "Burglaries", "completed": "yes"})
    assert error_messages(soup) == ["Give evidence of the need"]
    db.session.expire_all()
    assert application.need == "Burglaries"
    assert applications_state(application, "need") == "in_progress"
    soup = as_applicant.post_page(section_url(application, "need"), {"need": "Burglaries", "evidence": "Police data"})
    assert error_messages(soup) == ["Select whether you have completed this section"]


def test_task_list_shows_each_sections_status(as_applicant, demo):
    """Does the task list say Not started / In progress / Completed for each section?"""
    application = start(as_applicant, demo)
    as_applicant.post_page(section_url(application, "need"), {"need": "Burglaries", "completed": "no"})
    as_applicant.post_page(section_url(application, "activities"), {"activities": "Talks", "completed": "yes"})
    soup = as_applicant.get_page(f"/apply/applications/{application.id}")
    status = {li.select_one("a").get_text(strip=True): li.select_one(".govuk-task-list__status").get_text(strip=True)
              for li in soup.select(".govuk-task-list__item") if li.select_one(".govuk-task-list__status")}
    assert status["The need for the project"] == "In progress"
    assert status["What you will do"] == "Completed"
    assert status["Budget"] == "Not started"


def test_upload_download_and_remove_a_document(as_applicant, as_applicant2, as_officer, demo):
    """Can the organisation upload, download and remove a file, while another organisation gets 404?"""
    application = start(as_applicant, demo)
    url = f"/apply/applications/{application.id}/attachments"
    as_applicant.post_page(url, {"kind": "governing_document", "file": (io.BytesIO(PDF), "constitution.pdf")},
                           content_type="multipart/form-data")
    attachment = db.session.scalars(db.select(Attachment)).one()
    response = as_applicant.get(f"{url}/{attachment.id}")
    assert response.data == PDF and "attachment" in response.headers["Content-Disposition"]
    assert as_applicant2.get(f"{url}/{attachment.id}").status_code == 404
    soup = as_applicant.post_page(url, {"kind": "accounts", "file": (io.BytesIO(b"<html>x</html>"), "accounts.pdf")},
                                  content_type="multipart/form-data")
    assert "not a real PDF" in " ".join(error_messages(soup))
    as_applicant.post_page(f"{url}/{attachment.id}/remove", {})
    assert as_applicant.get(f"{url}/{attachment.id}").status_code == 404


def test_other_organisations_ids_are_not_found(as_applicant2, demo):
    """Does guessing another organisation's application id give 404 on every applicant page?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    db.session.commit()
    base = f"/apply/applications/{application.id}"
    for url in [base, f"{base}/sections/project", f"{base}/check", f"{base}/submitted", f"{base}/withdraw"]:
        assert as_applicant2.get(url).status_code == 404, url
    for url in [f"{base}/sections/project", f"{base}/resubmit", f"{base}/withdraw", f"{base}/attachments"]:
        assert as_applicant2.post(url, data={"title": "Hijack"}).status_code == 404, url


def test_check_answers_lists_what_is_missing_and_blocks_submit(as_applicant, demo):
    """Does check answers link each missing section from the error summary and refuse to submit?"""
    application = start(as_applicant, demo)
    soup = as_applicant.get_page(f"/apply/applications/{application.id}/check")
    links = [a["href"] for a in soup.select(".govuk-error-summary a")]
    assert "#section-project" in links and "#section-attachments" in links
    as_applicant.post_page(f"/apply/applications/{application.id}/check", {
        "declaration_name": "Janet Armstrong", "declaration_position": "Secretary", "confirm": "y"})
    db.session.expire_all()
    assert application.status == "draft"


def test_submit_shows_reference_and_freezes_the_application(as_applicant, demo):
    """After submitting, does the panel show the reference, and is every later edit refused server-side?"""
    application = make_draft(demo)
    db.session.commit()
    soup = as_applicant.post_page(f"/apply/applications/{application.id}/check", {
        "declaration_name": "Janet Armstrong", "declaration_position": "Secretary", "confirm": "y"})
    assert soup.select_one(".govuk-panel__body strong").get_text() == application.reference
    db.session.expire_all()
    assert application.status == "submitted"
    as_applicant.post_page(section_url(application, "project"), {"title": "Changed", "completed": "yes"})
    db.session.expire_all()
    assert application.title == "Allotment security"
    page = text_of(as_applicant.get_page(f"/apply/applications/{application.id}"))
    assert "You can no longer change this application" in page and "Allotment security" in page


def test_declaration_errors_are_shown_beside_the_fields(as_applicant, demo):
    """Does a missing declaration re-render with messages and keep the typed name?"""
    application = make_draft(demo)
    db.session.commit()
    soup = as_applicant.post_page(f"/apply/applications/{application.id}/check", {
        "declaration_name": "Janet", "declaration_position": ""})
    assert error_messages(soup) == ["Enter their position in the organisation",
                                    "Confirm the declaration to submit the application"]
    assert soup.select_one("#declaration_name")["value"] == "Janet"


def test_more_information_request_flow(as_applicant, demo):
    """Does the task list show the question, open only the named section, and send the answers back?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    db.session.add(MoreInfoRequest(application_id=application.id, question="Which allotments?",
                                   sections=["where_and_who"], requested_by_id=demo.officer.id))
    workflow.transition(application, "request_more_info", actor=demo.officer, reason="Which allotments?")
    db.session.commit()
    soup = as_applicant.get_page(f"/apply/applications/{application.id}")
    assert "Which allotments?" in text_of(soup)
    links = [a.get_text(strip=True) for a in soup.select(".govuk-task-list__link")]
    assert links == ["Where and who will benefit"]
    area_id = application.areas[0].id
    as_applicant.post_page(section_url(application, "where_and_who"), {
        "areas": str(area_id), "ward": "Burn Valley", "beneficiaries": "Plot holders", "beneficiary_count": "150",
        "completed": "yes"})
    as_applicant.post_page(f"/apply/applications/{application.id}/resubmit", {})
    db.session.expire_all()
    assert application.status == "submitted" and application.ward == "Burn Valley"
    assert [v.number for v in application.versions] == [1, 2]


def test_withdraw_through_a_confirmation_page(as_applicant, demo):
    """Does withdrawing ask for a reason on a confirmation page, then show 'Withdrawn'?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    db.session.commit()
    url = f"/apply/applications/{application.id}/withdraw"
    assert "Are you sure" in text_of(as_applicant.get_page(url))
    soup = as_applicant.post_page(url, {"reason": ""})
    assert error_messages(soup) == ["Tell us why you are withdrawing the application"]
    page = text_of(as_applicant.post_page(url, {"reason": "Funded by the council"}))
    assert "has been withdrawn" in page
    db.session.expire_all()
    assert application.status == "withdrawn"
