"""The working day: staff search and the organisation record, through the test client."""
from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import Assignment, Organisation
from grants.services import search as search_service

from .factories import make_application
from .helpers import text_of


def _org(demo, name: str, **fields) -> Organisation:
    base = demo.applicant.organisation
    organisation = Organisation(legal_name=name, org_type=base.org_type, address_line_1="1 High Street",
                                town="Hartlepool", postcode="TS24 7AA", contact_name="Sam Smith",
                                contact_email="sam@example.org", **fields)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _application(demo, *, summary: str | None = None, **fields):
    application = make_application(demo, **fields)
    if summary is not None:
        application.summary = summary
    return application


@pytest.fixture
def searchable(demo):
    """Three submitted applications from distinct organisations and one draft."""
    cafe = _org(demo, "Café Résistance Youth Club", charity_number="1234567")
    scouts = _org(demo, "Stockton Scouts", company_number="SC012345")
    football = _application(demo, org=cafe, status="submitted", title="Evening football for teenagers",
                                summary="Diversion sessions on Friday nights")
    scams = _application(demo, org=scouts, status="submitted", title="Scam awareness workshops",
                             summary="Talks for older residents about doorstep fraud")
    padlocks = make_application(demo, status="submitted", title="Allotment padlocks")
    draft = make_application(demo, org=scouts, status="draft", title="Secret draft about fraud")
    db.session.commit()
    return {"cafe": cafe, "scouts": scouts, "football": football, "scams": scams, "padlocks": padlocks,
            "draft": draft}


def _found(soup, section: str) -> list[str]:
    heading = soup.find("h2", id=section)
    if heading is None:
        return []
    block = heading.find_next_sibling(["table", "ul", "p"])
    if block is None:
        return []
    if block.name == "table":  # the reference, first in each row
        return [row.find("td").find("a").get_text(strip=True) for row in block.find("tbody").find_all("tr")]
    return [a.get_text(strip=True) for a in block.find_all("a")]


def test_officer_finds_an_application_by_reference_first(as_officer, searchable):
    """Does typing a reference (in any case) put that application first?"""
    reference = searchable["scams"].reference
    soup = as_officer.get_page(f"/staff/search?q={reference.lower()}")
    assert _found(soup, "applications")[0] == reference


def test_organisation_name_ignores_case_and_accents_and_matches_part(as_officer, searchable):
    """Does "cafe resist" find "Café Résistance Youth Club" and its application?"""
    soup = as_officer.get_page("/staff/search?q=CAFE resist")
    assert "Café Résistance Youth Club" in _found(soup, "organisations")
    assert searchable["football"].reference in _found(soup, "applications")
    assert searchable["scams"].reference not in _found(soup, "applications")


def test_charity_and_company_numbers_find_the_organisation(as_officer, searchable):
    """Do a charity number and a company number (spaced, lower case) find their organisations?"""
    assert _found(as_officer.get_page("/staff/search?q=1234567"), "organisations") == ["Café Résistance Youth Club"]
    assert _found(as_officer.get_page("/staff/search?q=sc 012345"), "organisations") == ["Stockton Scouts"]


def test_words_in_title_and_summary_find_applications_but_never_drafts(as_officer, searchable):
    """Do words from a title or a summary find the application, and is a draft never found?"""
    assert _found(as_officer.get_page("/staff/search?q=football"), "applications") == [
        searchable["football"].reference]
    found = _found(as_officer.get_page("/staff/search?q=fraud"), "applications")
    assert found == [searchable["scams"].reference]
    assert searchable["draft"].reference not in found


@pytest.mark.parametrize("hostile", ["%", "_", "'", '"', "' OR 1=1 --", "\\", "a" * 1000, "%_%", "é" * 300])
def test_hostile_search_text_returns_a_page_not_an_error(as_officer, searchable, hostile):
    """Do wildcards, quotes and 1,000 characters come back as a page of (no) results, never an error or everything?"""
    soup = as_officer.get_page("/staff/search", query_string={"q": hostile})
    assert soup.find("h1").get_text(strip=True) == "Search"
    assert _found(soup, "applications") == []
    assert _found(soup, "organisations") == []


def test_finance_finds_organisations_and_awards_but_not_by_content(as_finance, searchable, demo):
    """Does finance find organisations, and awarded applications by reference, but nothing by summary words?"""
    searchable["scams"].status = "funded"
    searchable["scams"].awarded_pence = 300_000
    db.session.commit()
    assert _found(as_finance.get_page("/staff/search?q=scouts"), "organisations") == ["Stockton Scouts"]
    assert _found(as_finance.get_page("/staff/search?q=scouts"), "applications") == [
        searchable["scams"].reference]
    assert _found(as_finance.get_page("/staff/search?q=fraud"), "applications") == []
    # Submitted, not awarded: finance does not find it even by reference.
    assert _found(as_finance.get_page(f"/staff/search?q={searchable['football'].reference}"), "applications") == []


def test_assessor_finds_only_assigned_applications_and_no_organisations(as_assessor, searchable, demo):
    """Does an assessor find only what they are assigned to (and declared no conflict on)?"""
    db.session.add(Assignment(application=searchable["scams"], assessor=demo.assessor,
                              assigned_by_id=demo.officer.id, status="in_progress"))
    db.session.add(Assignment(application=searchable["football"], assessor=demo.assessor,
                              assigned_by_id=demo.officer.id, status="conflicted"))
    db.session.commit()
    soup = as_assessor.get_page("/staff/search?q=e")
    assert _found(soup, "applications") == [searchable["scams"].reference]
    assert soup.find("h2", id="organisations") is None


def test_applicants_and_administrators_cannot_search(as_applicant, as_admin, searchable):
    """Is the search refused to applicants and administrators?"""
    as_applicant.get_page("/staff/search?q=scouts", status=403)
    as_admin.get_page("/staff/search?q=scouts", status=403)


def test_search_pages_through_many_results(app, demo):
    """With more matches than fit a page, does page 2 show the rest, without repeats?"""
    for n in range(25):
        make_application(demo, status="submitted", title=f"Allotment project {n}")
    db.session.commit()
    first = search_service.search("allotment", viewer=demo.officer, page=1)
    second = search_service.search("allotment", viewer=demo.officer, page=2)
    assert first.application_total == 25 and first.pages == 2
    assert len(first.applications) == 20 and len(second.applications) == 5
    assert not {a.id for a in first.applications} & {a.id for a in second.applications}


def test_staff_header_has_the_search_box_for_searchers_only(as_officer, as_applicant, searchable):
    """Does the header carry the search box for staff who search, and not for applicants?"""
    assert as_officer.get_page("/staff/applications").find("form", attrs={"role": "search"}) is not None
    assert as_applicant.get_page("/apply/").find("form", attrs={"role": "search"}) is None


# --- The organisation record ----------------------------------------------------------


@pytest.fixture
def funded(demo):
    """A funded grant with a payment, an overdue report and a variation, plus a submitted application."""
    from datetime import date, timedelta

    from grants import clock
    from grants.models import Payment, Report, Variation

    grant = make_application(demo, status="funded", title="Allotment padlocks")
    grant.awarded_pence = 300_000
    other = make_application(demo, status="submitted", title="Scam awareness workshops")
    db.session.add(Payment(application=grant, amount_pence=150_000, paid_on=date(2026, 11, 1), reference="BACS-77",
                           recorded_by_id=demo.finance.id))
    db.session.add(Report(application=grant, kind="final", due_on=clock.today() - timedelta(days=10),
                          status="not_started"))
    db.session.add(Variation(application=grant, kind="extend_end_date", details={}, reason="Supplier late",
                             requested_by_id=demo.applicant.id))
    db.session.commit()
    return {"grant": grant, "other": other, "organisation": grant.organisation}


def test_officer_sees_the_whole_organisation_on_one_page(as_officer, funded, demo):
    """Does the record show details, members, every application, the money, the overdue report and variations?"""
    organisation = funded["organisation"]
    soup = as_officer.get_page(f"/staff/organisations/{organisation.id}")
    page = text_of(soup)
    assert soup.find("h1").get_text(strip=True) == organisation.legal_name
    assert demo.applicant.email in soup.find(id="members").get_text()
    rows = soup.find(id="applications").get_text()
    assert funded["grant"].reference in rows and funded["other"].reference in rows
    assert "BACS-77" in page and "£1,500" in page
    assert "1 overdue monitoring report" in page and "Overdue" in page
    assert "Extend the end date" in page
    assert soup.find("a", href=f"/staff/organisations/{organisation.id}/history") is not None


def test_finance_sees_awards_and_money_but_not_other_applications(as_finance, funded):
    """Does finance see the award and its payments, but not applications that are not awards, nor documents?"""
    soup = as_finance.get_page(f"/staff/organisations/{funded['organisation'].id}")
    rows = soup.find(id="applications").get_text()
    assert funded["grant"].reference in rows
    assert funded["other"].reference not in rows
    assert "BACS-77" in text_of(soup)
    assert soup.find(id="documents") is None


def test_organisation_record_refused_to_applicants_assessors_and_administrators(as_applicant, as_assessor, as_admin,
                                                                               funded):
    """Is the record closed to everyone but staff readers, including the organisation's own members?"""
    for client in (as_applicant, as_assessor, as_admin):
        client.get_page(f"/staff/organisations/{funded['organisation'].id}", status=403)


def test_staff_application_list_links_the_organisation_record(as_officer, funded):
    """Does the staff application list link each organisation name to its record?"""
    soup = as_officer.get_page("/staff/applications")
    assert soup.find("a", href=f"/staff/organisations/{funded['organisation'].id}") is not None


# --- Exports ------------------------------------------------------------------------


def test_application_list_downloads_with_its_filters_and_neutralised_formulas(as_officer, demo):
    """Do the CSV and XLSX downloads hold the filtered list (all of it), with formula-like text made harmless,
    and is each download recorded in the audit trail?"""
    import csv
    import io

    from openpyxl import load_workbook

    from grants.models import AuditEvent

    hostile = make_application(demo, status="submitted", title="=HYPERLINK(\"http://evil\",\"x\")")
    make_application(demo, status="declined", title="Declined project")
    db.session.commit()
    soup = as_officer.get_page("/staff/applications?status=submitted")
    links = [a["href"] for a in soup.find(id="downloads").find_all("a")]
    assert all("status=submitted" in href for href in links)

    csv_response = as_officer.get(links[0])
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Organisation", "Project"]
    assert [r[0] for r in rows[1:]] == [hostile.reference]
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\",\"x\")"

    sheet = load_workbook(io.BytesIO(as_officer.get(links[1]).data)).active
    cell = sheet.cell(row=2, column=3)
    assert cell.value == "=HYPERLINK(\"http://evil\",\"x\")" and cell.data_type == "s"
    assert sheet.max_row == 2
    exports = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export.applications").order_by(AuditEvent.id)).all()
    assert [e.after["format"] for e in exports] == ["csv", "xlsx"]
    assert exports[0].after["filters"] == {"status": "submitted"}


def _csv(response) -> list[list[str]]:
    import csv
    import io

    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_overdue_list_downloads_and_is_audited(as_officer, funded):
    """Does the overdue list download (CSV and XLSX) with the late report, and is each download audited?"""
    from io import BytesIO

    from openpyxl import load_workbook

    from grants.models import AuditEvent

    soup = as_officer.get_page("/monitoring/overdue")
    links = [a["href"] for a in soup.find(id="downloads").find_all("a")]
    rows = _csv(as_officer.get(links[0]))
    assert rows[1][:2] == [funded["grant"].reference, funded["organisation"].legal_name] and rows[1][5] == "10"
    sheet = load_workbook(BytesIO(as_officer.get(links[1]).data)).active
    assert sheet.cell(row=2, column=1).value == funded["grant"].reference and sheet.cell(row=2, column=6).value == 10
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "export.overdue-reports")) == 2


def test_payments_download_for_finance(as_finance, as_officer, funded):
    """Does finance download each grant's money and its payments, and is it refused to officers?"""
    soup = as_finance.get_page("/decisions/payments")
    rows = _csv(as_finance.get(soup.find(id="downloads").find("a")["href"]))
    grant_row = next(r for r in rows if r[0] == funded["grant"].reference and r[3])
    assert grant_row[3:6] == ["3000.00", "1500.00", "1500.00"]
    assert any(r[8] == "BACS-77" for r in rows)
    assert as_officer.get("/decisions/payments/export.csv").status_code == 403


def test_organisations_download_neutralises_formulas(as_officer, demo):
    """Does the organisations download list every organisation with formula-like names made harmless?"""
    _org(demo, "=cmd|' /C calc'!A0")
    db.session.commit()
    soup = as_officer.get_page("/staff/search")
    rows = _csv(as_officer.get(soup.find(id="downloads").find("a")["href"]))
    assert "'=cmd|' /C calc'!A0" in [r[0] for r in rows]
    assert len(rows) - 1 == db.session.scalar(db.select(db.func.count()).select_from(Organisation))


# --- Staff notes and messages -------------------------------------------------------------


def test_officer_adds_a_note_that_staff_read_and_the_applicant_never_does(as_officer, as_auditor, as_finance,
                                                                          as_applicant, demo):
    """Does a note show to officers and auditors, not to finance, and never on the applicant's pages?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    soup = as_officer.post_page(f"/staff/applications/{application.id}/notes",
                                {"body": "PlantedStaffNoteQz rang about the shed"})
    assert "PlantedStaffNoteQz rang about the shed" in soup.find(id="note-list").get_text()
    assert "PlantedStaffNoteQz" in text_of(as_auditor.get_page(f"/staff/applications/{application.id}"))
    assert "PlantedStaffNoteQz" not in as_finance.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    for url in ("/apply/", f"/apply/applications/{application.id}", "/apply/messages"):
        assert "PlantedStaffNoteQz" not in as_applicant.get(url, follow_redirects=True).get_data(as_text=True)


def test_an_empty_note_is_refused_beside_the_box(as_officer, demo):
    """Does an empty note come back with an error saying what to enter?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    soup = as_officer.post_page(f"/staff/applications/{application.id}/notes", {"body": "  "}, status=400)
    assert "Enter the note" in soup.find(class_="govuk-error-summary").get_text()


def test_finance_and_auditors_cannot_add_notes(as_finance, as_auditor, demo):
    """Are notes written only by officers and decision makers?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    assert as_finance.post(f"/staff/applications/{application.id}/notes", data={"body": "x"}).status_code == 403
    assert as_auditor.post(f"/staff/applications/{application.id}/notes", data={"body": "x"}).status_code in (403, 405)


def test_messages_go_both_ways_with_emails_that_link_but_do_not_quote(as_applicant, as_officer, demo):
    """Does a member's message reach staff (officers emailed a link), and a reply reach the members by email?"""
    from grants.models import OutboxEmail

    organisation = demo.applicant.organisation
    as_applicant.post_page("/apply/messages", {"body": "When will we hear about the padlocks?"})
    to_staff = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == demo.officer.email)).all()
    assert len(to_staff) == 1 and f"/staff/organisations/{organisation.id}/messages" in to_staff[0].body_text
    assert "padlocks" not in to_staff[0].body_text

    soup = as_officer.get_page(f"/staff/organisations/{organisation.id}/messages")
    assert "When will we hear about the padlocks?" in soup.find(id="messages").get_text()
    as_officer.post_page(f"/staff/organisations/{organisation.id}/messages", {"body": "Next Tuesday."})
    to_member = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == demo.applicant.email)
                                   .order_by(OutboxEmail.id.desc())).first()
    assert "/apply/messages" in to_member.body_text and "Tuesday" not in to_member.body_text
    thread = as_applicant.get_page("/apply/messages").find(id="messages").get_text()
    assert "When will we hear" in thread and "Next Tuesday." in thread


def test_applicants_see_only_their_own_organisations_thread(as_applicant, as_applicant2, as_admin, as_finance, demo):
    """Does another organisation's member, an administrator or finance never see the thread?"""
    as_applicant.post_page("/apply/messages", {"body": "PlantedMessageQz about our grant"})
    assert "PlantedMessageQz" not in as_applicant2.get_page("/apply/messages").get_text()
    organisation = demo.applicant.organisation
    assert as_admin.get(f"/staff/organisations/{organisation.id}/messages").status_code == 403
    assert as_finance.get(f"/staff/organisations/{organisation.id}/messages").status_code == 403


# --- Bulk actions ------------------------------------------------------------------------


def test_bulk_assignment_assigns_each_pair_and_reports_each_refusal(as_officer, demo):
    """Does assigning two assessors to three applications make every allowed pair, and say which were refused
    and why (a declared conflict, already assigned), without stopping the rest?"""
    from grants.models import ConflictDeclaration, OutboxEmail

    first, second, third = (make_application(demo, status="in_assessment", title=f"Project {n}") for n in range(3))
    db.session.add(ConflictDeclaration(application_id=second.id, user_id=demo.assessor.id, has_conflict=True, capacity="assessor",
                                       nature="Trustee of the group"))
    db.session.add(Assignment(application=third, assessor=demo.assessor2, assigned_by_id=demo.officer.id,
                              status="in_progress"))
    db.session.commit()
    soup = as_officer.get_page("/assessment/bulk-assign")
    boxes = {i["value"] for i in soup.find_all("input", attrs={"name": "applications"})}
    assert {str(first.id), str(second.id), str(third.id)} <= boxes
    soup = as_officer.post_page("/assessment/bulk-assign", {
        "applications": [first.id, second.id, third.id], "assessors": [demo.assessor.id, demo.assessor2.id]})
    rows = {r.find("td").get_text(strip=True): r.get_text(" ", strip=True)
            for r in soup.find(id="outcomes").find("tbody").find_all("tr")}
    assert "declared a conflict" in rows[second.reference]
    assert "already assigned" in rows[third.reference]
    pairs = set(db.session.execute(db.select(Assignment.application_id, Assignment.assessor_id)).all())
    assert pairs == {(first.id, demo.assessor.id), (first.id, demo.assessor2.id), (second.id, demo.assessor2.id),
                     (third.id, demo.assessor.id), (third.id, demo.assessor2.id)}
    emails = db.session.scalars(db.select(OutboxEmail.to_address)).all()
    assert emails.count(demo.assessor.email) == 2 and emails.count(demo.assessor2.email) == 2


def test_bulk_assignment_without_a_choice_says_what_to_select(as_officer, demo):
    """Does sending nothing ticked come back with errors saying to select applications and assessors?"""
    make_application(demo, status="in_assessment")
    db.session.commit()
    soup = as_officer.post_page("/assessment/bulk-assign", {}, status=400)
    summary = soup.find(class_="govuk-error-summary").get_text()
    assert "Select at least one application" in summary and "Select at least one assessor" in summary


def test_all_checks_pass_records_every_check_and_moves_on(as_officer, demo):
    """Does "All checks pass" record each of the round's checks as passed and put the application in assessment?"""
    from grants.models import Screening

    application = make_application(demo, status="submitted")
    db.session.commit()
    checks = list(application.round.eligibility_checks)
    assert checks, "the demo round has a checklist"
    soup = as_officer.get_page(f"/assessment/applications/{application.id}/screening")
    assert soup.find("form", action=f"/assessment/applications/{application.id}/screening/all-pass") is not None
    as_officer.post(f"/assessment/applications/{application.id}/screening/all-pass")
    screening = db.session.scalars(db.select(Screening).where(Screening.application_id == application.id)).one()
    assert screening.outcome == "passed"
    assert [a.passed for a in screening.answers] == [True] * len(checks)
    db.session.refresh(application)
    assert application.status == "in_assessment"


# --- Decision makers' queue ----------------------------------------------------------------


def test_queue_marks_applications_above_the_viewers_limit_and_names_who_can_decide(as_ceo, as_pcc, demo):
    """Before opening anything, does the Chief Executive see which applications are above their delegated limit,
    and who can decide them; and does the PCC see no such mark?"""
    from .factories_assessment import make_assessed

    limit = demo.csf_round.delegated_limit_pence
    small = make_assessed(demo, values_by_assessor=[[4] * 5, [4] * 5], amount_pence=limit, title="Small project")
    large = make_assessed(demo, values_by_assessor=[[4] * 5, [4] * 5], amount_pence=limit + 100, title="Large project")
    db.session.commit()
    rows = {r.find("a").get_text(strip=True).split(":")[0]: r.get_text(" ", strip=True)
            for r in as_ceo.get_page("/decisions/").select("tbody tr")}
    assert "Above your limit" in rows[large.reference] and f"Can decide it: {demo.pcc.full_name}" in rows[large.reference]
    assert "Above your limit" not in rows[small.reference]
    pcc_rows = " ".join(r.get_text(" ", strip=True) for r in as_pcc.get_page("/decisions/").select("tbody tr"))
    assert "Above your limit" not in pcc_rows


def test_notes_and_messages_reach_the_auditors_timeline_and_decision_pack(as_officer, as_applicant, as_auditor, demo):
    """Do a staff note and the organisation's messages appear in the auditor's timeline and the decision pack?"""
    import io
    import json
    import zipfile

    application = make_application(demo, status="submitted")
    db.session.commit()
    as_officer.post_page(f"/staff/applications/{application.id}/notes", {"body": "Checked the constitution"})
    as_applicant.post_page("/apply/messages", {"body": "Our treasurer has changed"})
    page = text_of(as_auditor.get_page(f"/audit/applications/{application.id}"))
    assert "Staff note" in page and "Checked the constitution" in page
    assert "Message from the organisation" in page and "Our treasurer has changed" in page
    pack = zipfile.ZipFile(io.BytesIO(as_auditor.get(f"/audit/applications/{application.id}/decision-pack.zip").data))
    assert json.loads(pack.read("staff-notes.json"))[0]["note"] == "Checked the constitution"
    assert json.loads(pack.read("messages.json"))[0]["message"] == "Our treasurer has changed"


# --- Readable history ----------------------------------------------------------------------


def test_auditor_timeline_names_events_in_plain_english_grouped_by_uk_day(as_applicant, as_auditor, demo):
    """Does the auditor's timeline say "Section saved: Budget" and "Application submitted", grouped under the UK
    day they happened (an event at 23:30 UTC in summer belongs to the next UK day)?"""
    from datetime import datetime, timezone

    from grants.models import AuditEvent
    from grants.services import audit

    application = make_application(demo, status="submitted")
    audit.record("application.section_saved", actor=demo.applicant, entity=application, application=application,
                 after={"section": "budget", "status": "completed", "changed": []})
    audit.record("application.submit", actor=demo.applicant, entity=application, application=application)
    db.session.commit()
    late = datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc)
    db.session.execute(db.update(AuditEvent).where(AuditEvent.action == "application.submit")
                       .values(occurred_at=late))
    db.session.commit()
    soup = as_auditor.get_page(f"/audit/applications/{application.id}")
    page = text_of(soup)
    assert "Section saved: Budget" in page and "Application submitted" in page
    days = {c.get_text(strip=True): c.find_parent("table") for c in soup.select("table.app-timeline-day caption")}
    july = days["Thursday 2 July 2026"]
    assert "Application submitted" in july.get_text() and "00:30:00" in july.get_text()


def test_a_message_carries_a_file_under_the_upload_rules(as_applicant, as_officer, as_applicant2, demo):
    """Does a member's file reach staff as a download, is a disguised file refused with the reason, and is the
    file closed to another organisation's member?"""
    import io

    from grants.models import Message

    organisation = demo.applicant.organisation
    soup = as_applicant.post_page("/apply/messages", {"body": "Our accounts", "file": (io.BytesIO(b"<html>x</html>"),
                                                                                       "accounts.pdf")},
                                  content_type="multipart/form-data", status=400)
    assert "is not a real PDF file" in soup.find(class_="govuk-error-summary").get_text()
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0
    as_applicant.post_page("/apply/messages", {"body": "Our accounts",
                                               "file": (io.BytesIO(b"%PDF-1.4 accounts"), "accounts.pdf")},
                           content_type="multipart/form-data")
    message = db.session.scalars(db.select(Message)).one()
    soup = as_officer.get_page(f"/staff/organisations/{organisation.id}/messages")
    link = soup.find("a", string="accounts.pdf")["href"]
    response = as_officer.get(link)
    assert response.status_code == 200 and response.data == b"%PDF-1.4 accounts"
    assert "attachment" in response.headers["Content-Disposition"]
    assert as_applicant.get(f"/apply/messages/{message.id}/file").status_code == 200
    assert as_applicant2.get(f"/apply/messages/{message.id}/file").status_code == 404


def test_finance_who_is_also_an_assessor_finds_awards_by_content_only_where_assigned(app, demo, searchable):
    """For someone who is both finance and assessor, do summary words find only the applications they assess,
    not awards they merely pay?"""
    from grants.models import UserRole

    searchable["scams"].status = "funded"
    db.session.add(UserRole(user_id=demo.finance.id, role="assessor"))
    db.session.add(Assignment(application=searchable["football"], assessor=demo.finance,
                              assigned_by_id=demo.officer.id, status="in_progress"))
    db.session.commit()
    db.session.refresh(demo.finance)
    assert [a.id for a in search_service.search("fraud", viewer=demo.finance).applications] == []
    assert [a.id for a in search_service.search("friday", viewer=demo.finance).applications] == [
        searchable["football"].id]
    assert [a.id for a in search_service.search("scouts", viewer=demo.finance).applications] == [
        searchable["scams"].id]
