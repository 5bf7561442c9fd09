"""Journeys: an officer records a meeting, a decision maker signs its notice, the public reads it."""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from grants.extensions import db
from grants.models import DecisionNotice, FundingMeeting
from grants.services import decisions, notices

from .factories_decisions import approve, make_assessed
from .factories_notices import decided_meeting
from .helpers import error_messages, text_of
from .test_decision_documents import pdf_text

SUMMARY = "Two grants agreed for crime prevention; one application declined."


def test_officer_records_a_meeting_and_its_agenda_from_the_panel(as_officer, demo):
    """Can an officer record a meeting with attendees and declarations, then put panel applications on it?"""
    first, second = make_assessed(demo, title="Scam workshops"), make_assessed(demo, title="Shed alarms")
    db.session.commit()
    soup = as_officer.post_page("/decisions/meetings/new", {
        "round_id": demo.csf_round.id, "held_on-day": "14", "held_on-month": "9", "held_on-year": "2026",
        "attendees": "Steve Turner, Police and Crime Commissioner\nSimon Dennis, Chief Executive",
        "declarations": "Steve Turner, trustee of a youth club that did not apply"})
    assert "Meeting recorded" in text_of(soup)
    meeting = db.session.scalars(select(FundingMeeting)).one()
    assert meeting.attendees[1] == {"name": "Simon Dennis", "capacity": "Chief Executive"}
    soup = as_officer.post_page(f"/decisions/meetings/{meeting.id}/agenda", {"applications": [second.id, first.id]})
    text = text_of(soup)
    assert "Agenda saved" in text and "Scam workshops" in text and "Shed alarms" in text
    assert "has no decision yet" in text


def test_a_meeting_without_attendees_or_a_bad_line_is_refused_with_how_to_fix_it(as_officer, demo):
    """Are a missing round, date and a badly written attendee line shown with how to write them?"""
    soup = as_officer.post_page("/decisions/meetings/new", {"attendees": "Steve Turner"})
    messages = error_messages(soup)
    assert any("Choose the round" in m for m in messages)
    soup = as_officer.post_page("/decisions/meetings/new", {
        "round_id": demo.csf_round.id, "held_on-day": "14", "held_on-month": "9", "held_on-year": "2026",
        "attendees": "Steve Turner"})
    assert any(m.startswith("Line 1 needs a name, a comma, then the capacity they attended in") for m in
               error_messages(soup))


def test_pcc_signs_the_notice_and_the_public_reads_it(as_pcc, page, demo):
    """After every decision, does the PCC's signature make a numbered notice that the public can read as a
    page and a PDF, listing awards and declines without individuals' names?"""
    meeting = decided_meeting(demo)
    db.session.commit()
    staff = as_pcc.get_page(f"/decisions/meetings/{meeting.id}")
    assert "Sign the decision notice" in text_of(staff)
    soup = as_pcc.post_page(f"/decisions/meetings/{meeting.id}/sign", {"summary": SUMMARY})
    notice = db.session.scalars(select(DecisionNotice)).one()
    assert f"Decision notice {notice.number} signed" in text_of(soup)

    listing = page.get_page("/decisions-published")
    assert notice.number in text_of(listing)
    public = text_of(page.get_page(f"/decisions-published/{notice.id}"))
    for expected in (SUMMARY, "Funded project 0", "Declined project 0", demo.csf.legal_power, "Steve Turner",
                     "Trustee of a youth club", demo.pcc.full_name, "Remaining after"):
        assert expected in public, expected
    declined = meeting.applications[2]
    assert declined.organisation.contact_name not in public
    assert "Thin evidence of need" not in public  # a decline's reasons are internal
    pdf = page.get(f"/decisions-published/{notice.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Funded project 1" in pdf_text(pdf.data) and notice.number in pdf_text(pdf.data)


def test_signing_refused_on_the_page_names_the_application(as_pcc, demo):
    """With an undecided application on the agenda, does the meeting page say which one and offer no signing?"""
    meeting = decided_meeting(demo)
    undecided = make_assessed(demo, title="Still waiting")
    meeting.items.append(type(meeting.items[0])(application_id=undecided.id, position=9))
    db.session.commit()
    text = text_of(as_pcc.get_page(f"/decisions/meetings/{meeting.id}"))
    assert f"{undecided.reference}: has no decision yet" in text and "Sign the decision notice" not in text
    soup = as_pcc.post_page(f"/decisions/meetings/{meeting.id}/sign", {"summary": SUMMARY})
    assert any(undecided.reference in m for m in error_messages(soup))


def test_public_list_filters_by_fund_and_year_newest_first(page, demo):
    """Are notices listed newest first, and narrowed by fund and financial year?"""
    first = notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary=SUMMARY)
    second = notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary=SUMMARY)
    db.session.commit()
    rows = [a.get_text(strip=True) for a in page.get_page("/decisions-published").select("tbody a")]
    assert rows == [second.number, first.number]
    assert page.get_page("/decisions-published?fund=PPAF").select("tbody a") == []
    assert len(page.get_page(f"/decisions-published?fund=CSF&year={first.financial_year}").select("tbody a")) == 2


def test_a_notice_not_for_publication_is_hidden_from_the_public_and_its_reason_shown_to_auditors(
        page, as_auditor, demo):
    """Is a notice withheld for safeguarding absent from the public pages, with the reason on the auditor's view?"""
    notice = notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary=SUMMARY, for_publication=False,
                                 not_for_publication_reason="Safeguarding: identifies a refuge")
    db.session.commit()
    assert page.get(f"/decisions-published/{notice.id}").status_code == 404
    assert page.get(f"/decisions-published/{notice.id}.pdf").status_code == 404
    assert notice.number not in text_of(page.get_page("/decisions-published"))
    assert "Safeguarding: identifies a refuge" in text_of(as_auditor.get_page(f"/decisions/notices/{notice.id}"))


def test_each_decision_record_links_to_its_notice_and_the_decision_pack_holds_it(as_auditor, demo):
    """Does a covered decision record link to the notice, and the auditor's decision pack include it?"""
    meeting = decided_meeting(demo)
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    db.session.commit()
    application = meeting.applications[0]
    record = decisions.records_for(application)[-1]
    soup = as_auditor.get_page(f"/decisions/records/{record.id}")
    assert soup.find("a", string=notice.number)["href"] == f"/decisions/notices/{notice.id}"
    response = as_auditor.get(f"/audit/applications/{application.id}/decision-pack.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    safe = notice.number.replace("/", "-")
    assert f"decision-notices/{safe}.json" in names and f"decision-notices/{safe}.pdf" in names


def test_only_officers_record_meetings_and_only_decision_makers_sign(as_finance, as_officer, demo):
    """Are finance kept off meetings, and an officer refused signing?"""
    meeting = decided_meeting(demo)
    db.session.commit()
    assert as_finance.get("/decisions/meetings").status_code == 403
    assert as_officer.post(f"/decisions/meetings/{meeting.id}/sign", data={"summary": SUMMARY}).status_code == 403


def test_ceo_is_told_when_only_the_pcc_can_sign(as_ceo, demo):
    """Does the Chief Executive see why a notice with an award above delegation is the PCC's to sign?"""
    big = make_assessed(demo, amount_pence=600_000)
    from .factories_notices import make_meeting
    meeting = make_meeting(demo, [big])
    approve(demo, big)
    db.session.commit()
    text = text_of(as_ceo.get_page(f"/decisions/meetings/{meeting.id}"))
    assert "Only the Police and Crime Commissioner can sign this notice" in text
