"""Monitoring journeys through the pages: report, review, payment, clawback, completion."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from flask import g
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import Attachment, GrantReturn, Report, Variation
from grants.services import budget, monitoring

from .factories_monitoring import fill_report, make_funded_grant, make_payment, report_of
from .helpers import PageClient, error_messages, text_of



@pytest.fixture(autouse=True)
def _user_per_request(monkeypatch):
    """Requests share the test's app context, so forget the last client's user between requests."""
    original = PageClient.open

    def open_(self, *args, **kwargs):
        g.pop("_login_user", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PageClient, "open", open_)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc))


def report_form_data(grant, *, actual="400", spent=None, action="continue", **extra):
    data = {f"actual_{o.id}": actual for o in grant.planned_outputs}
    for line in grant.budget_lines:
        data[f"spend_{line.id}"] = spent if spent is not None else f"{line.cost_pence / 100:.2f}"
    data.update(beneficiaries_reached="110", went_well="Thefts stopped", did_not_go_well="Supplier was late",
                case_study="An allotment society has had no break-ins since.", eq_age_65_and_over="60",
                action=action)
    data.update(extra)
    return data


def test_whole_grant_from_interim_report_to_clawback_and_completion(as_applicant, as_officer, as_finance, demo,
                                                                    monkeypatch):
    """Interim report, questions, resubmission, sign-off, second payment, final report, clawback, completion."""
    grant = make_funded_grant(demo, awarded_pence=800_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    db.session.commit()
    interim, final = report_of(grant, "interim"), report_of(grant, "final")
    at(monkeypatch, date(2027, 3, 20))

    soup = as_applicant.get_page("/monitoring/my-reports")
    assert "Interim report" in text_of(soup) and "1 April 2027" in text_of(soup)

    # Save and come back later, then continue to check answers.
    soup = as_applicant.get_page(f"/monitoring/reports/{interim.id}")
    assert "Planned: 420" in text_of(soup)
    as_applicant.post_page(f"/monitoring/reports/{interim.id}",
                           {f"actual_{grant.planned_outputs[0].id}": "150", "action": "save"})
    assert db.session.get(Report, interim.id).status == "in_progress"
    soup = as_applicant.post_page(f"/monitoring/reports/{interim.id}",
                                  report_form_data(grant, actual="210", spent="3,500.00"))
    assert soup.h1.get_text(strip=True) == "Evidence for your interim report"
    page = text_of(as_applicant.get_page(f"/monitoring/reports/{interim.id}/check"))
    assert "You have spent £3,500 . We have paid you £4,000" in page
    assert "£500 of the grant unspent" in page
    soup = as_applicant.post_page(f"/monitoring/reports/{interim.id}/check", {})
    assert "Interim report sent" in text_of(soup)

    # The officer asks a question; the applicant answers and resubmits.
    soup = as_officer.get_page(f"/monitoring/staff/reports/{interim.id}")
    assert "210" in text_of(soup) and "£3,500" in text_of(soup)
    soup = as_officer.post_page(f"/monitoring/staff/reports/{interim.id}/return", {"questions": ""})
    assert error_messages(soup) == ["Enter the questions for the applicant"]
    as_officer.post_page(f"/monitoring/staff/reports/{interim.id}/return",
                         {"questions": "How many alarms are fitted so far?"})
    soup = as_applicant.get_page(f"/monitoring/reports/{interim.id}")
    assert "How many alarms are fitted so far?" in text_of(soup)
    as_applicant.post_page(f"/monitoring/reports/{interim.id}",
                           report_form_data(grant, actual="210", spent="3500", applicant_response="95 alarms"))
    as_applicant.post_page(f"/monitoring/reports/{interim.id}/check", {})
    soup = as_officer.get_page(f"/monitoring/staff/reports/{interim.id}")
    assert "Version 2" in text_of(soup) and "95 alarms" in text_of(soup)

    # Sign-off releases the second payment; finance pays it.
    soup = as_officer.post_page(f"/monitoring/staff/reports/{interim.id}/sign-off", {})
    assert "Finance has been told the next payment can be made" in text_of(soup)
    second = monitoring.instalments_of(grant)[1]
    assert second.released_at is not None
    make_payment(demo, second)
    db.session.commit()

    # Final report: £7,800 spent of £8,000 paid.
    at(monkeypatch, date(2027, 9, 1))
    as_applicant.post_page(f"/monitoring/reports/{final.id}", report_form_data(grant, actual="430", spent="7800"))
    soup = as_applicant.get_page(f"/monitoring/reports/{final.id}/check")
    assert "we will ask you to pay back £200" in text_of(soup)
    as_applicant.post_page(f"/monitoring/reports/{final.id}/check", {})
    soup = as_officer.post_page(f"/monitoring/staff/reports/{final.id}/sign-off", {})
    assert "A return of £200 has been raised" in text_of(soup) and "now completed" in text_of(soup)
    db.session.expire_all()
    assert grant.status == "completed"
    before = budget.round_money(demo.csf_round)

    # Finance records the money coming back; the round's figures reflect it.
    grant_return = db.session.scalar(select(GrantReturn))
    soup = as_finance.get_page("/monitoring/returns")
    assert grant.reference in text_of(soup) and "£200" in text_of(soup)
    soup = as_finance.post_page(f"/monitoring/returns/{grant_return.id}/received",
                                {"received_on-day": "1", "received_on-month": "9", "received_on-year": "2027",
                                 "reference": ""})
    assert error_messages(soup) == ["Enter the payment reference"]
    as_finance.post_page(f"/monitoring/returns/{grant_return.id}/received",
                         {"received_on-day": "1", "received_on-month": "9", "received_on-year": "2027",
                          "reference": "RTN-0001"})
    after = budget.round_money(demo.csf_round)
    assert (before.paid - after.paid, before.committed - after.committed) == (20_000, 20_000)
    soup = as_applicant.get_page(f"/monitoring/grants/{grant.id}")
    assert "We received the return of £200 on 1 September 2027" in text_of(soup)


def test_report_form_keeps_answers_and_shows_errors_beside_fields(as_applicant, demo):
    """Are bad figures shown in the error summary with the typed answers kept?"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    report = report_of(grant, "final")
    db.session.commit()
    output, line = grant.planned_outputs[0], grant.budget_lines[0]
    soup = as_applicant.post_page(f"/monitoring/reports/{report.id}",
                                  report_form_data(grant, actual="-4", spent="lots", went_well="Kept this"))
    assert error_messages(soup) == ["Enter a whole number, like 25",
                                    "Enter an amount in pounds and pence, like 1250 or 1250.50"]
    assert soup.select_one(f"#actual_{output.id}")["value"] == "-4"
    assert soup.select_one(f"#spend_{line.id}")["value"] == "lots"
    assert soup.select_one("#went_well").get_text() == "Kept this"


def test_check_page_lists_missing_answers_and_hides_the_send_button(as_applicant, demo):
    """Can a half-filled report be sent? (No: the check page lists what is missing.)"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    report = report_of(grant, "final")
    db.session.commit()
    as_applicant.post_page(f"/monitoring/reports/{report.id}", {"action": "save", "went_well": "Good"})
    soup = as_applicant.get_page(f"/monitoring/reports/{report.id}/check")
    assert "Enter how many padlocks and alarms fitted you delivered" in text_of(soup)
    assert not soup.find("button", string=lambda s: s and "Send report" in s)
    soup = as_applicant.post_page(f"/monitoring/reports/{report.id}/check", {})
    assert error_messages(soup)[0] == "Enter how many padlocks and alarms fitted you delivered"


def test_another_organisation_cannot_see_or_fill_a_report(as_applicant2, demo):
    """Does another organisation's member get 404 for the grant, report, evidence and variation pages?"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    report = report_of(grant, "final")
    db.session.commit()
    for url in (f"/monitoring/grants/{grant.id}", f"/monitoring/reports/{report.id}",
                f"/monitoring/reports/{report.id}/check", f"/monitoring/reports/{report.id}/evidence",
                f"/monitoring/reports/{report.id}/view", f"/monitoring/grants/{grant.id}/variations/new"):
        assert as_applicant2.get(url).status_code == 404, url
    assert as_applicant2.post(f"/monitoring/reports/{report.id}/check").status_code == 404
    assert db.session.get(Report, report.id).status == "not_started"


def test_evidence_upload_checks_content_and_lists_files(as_applicant, as_officer, demo):
    """Is a real PNG accepted as evidence, a fake refused, and can staff download it?"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    report = report_of(grant, "final")
    db.session.commit()
    soup = as_applicant.post_page(f"/monitoring/reports/{report.id}/evidence",
                                  {"file": (io.BytesIO(b"<html>not an image</html>"), "photo.png")},
                                  content_type="multipart/form-data")
    assert "not a real PNG" in error_messages(soup)[0]
    soup = as_applicant.post_page(f"/monitoring/reports/{report.id}/evidence",
                                  {"file": (io.BytesIO(PNG), "new-padlocks.png")}, content_type="multipart/form-data")
    assert "new-padlocks.png has been added" in text_of(soup)
    attachment = db.session.scalar(select(Attachment).where(Attachment.report_id == report.id))
    assert attachment.kind == "evidence" and attachment.application_id == grant.id
    response = as_officer.get(f"/monitoring/reports/{report.id}/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PNG
    as_applicant.post_page(f"/monitoring/reports/{report.id}/evidence/{attachment.id}/remove", {})
    assert monitoring.evidence_of(report) == []


def test_applicant_requests_and_officer_approves_an_extension(as_applicant, as_officer, demo):
    """Can the applicant ask for more time, and does the officer's approval move the report due date?"""
    grant = make_funded_grant(demo, awarded_pence=200_000, end_date=date(2027, 6, 30))
    db.session.commit()
    url = f"/monitoring/grants/{grant.id}/variations/new"
    soup = as_applicant.post_page(url, {"kind": "extend_end_date", "new_end_date-day": "1",
                                        "new_end_date-month": "6", "new_end_date-year": "2027", "reason": "Delay"})
    assert error_messages(soup) == ["The new end date must be after 30 June 2027"]
    soup = as_applicant.post_page(url, {"kind": "extend_end_date", "new_end_date-day": "31",
                                        "new_end_date-month": "8", "new_end_date-year": "2027",
                                        "reason": "Alarm supplier delay"})
    assert "Your request has been sent" in text_of(soup)
    variation = db.session.scalar(select(Variation))
    soup = as_officer.get_page(f"/monitoring/staff/grants/{grant.id}")
    assert "Alarm supplier delay" in text_of(soup)
    soup = as_officer.post_page(f"/monitoring/staff/variations/{variation.id}/decide",
                                {f"v{variation.id}-decision": "approve", f"v{variation.id}-note": "Agreed"})
    assert "The change has been approved" in text_of(soup)
    assert "30 November 2027" in text_of(soup)


def test_officer_records_a_budget_move_on_behalf_of_the_applicant(as_officer, demo):
    """Does the officer's recorded budget move take effect at once, total unchanged?"""
    grant = make_funded_grant(demo, awarded_pence=800_000, two_lines=True)
    db.session.commit()
    alarms, venue = grant.budget_lines
    url = f"/monitoring/staff/grants/{grant.id}/variations/new"
    soup = as_officer.post_page(url, {"kind": "move_budget", "from_line": str(venue.id),
                                      "to_line": str(alarms.id), "amount": "600", "reason": "Phoned"})
    assert error_messages(soup) == ["You cannot move more than the £500 on Workshop venue hire"]
    soup = as_officer.post_page(url, {"kind": "move_budget", "from_line": str(venue.id),
                                      "to_line": str(alarms.id), "amount": "200", "reason": "Phoned"})
    assert "recorded and approved" in text_of(soup)
    db.session.expire_all()
    assert (alarms.cost_pence, venue.cost_pence) == (770_000, 30_000)


def test_overdue_dashboard_lists_late_reports_most_late_first(as_officer, demo, monkeypatch):
    """Does the staff dashboard list every late report with days late, most late first?"""
    late = make_funded_grant(demo, awarded_pence=200_000, end_date=date(2027, 5, 31), title="Scam awareness")
    later = make_funded_grant(demo, awarded_pence=200_000, user=demo.applicant2, end_date=date(2027, 6, 30),
                              title="Youth football")
    db.session.commit()
    at(monkeypatch, date(2027, 10, 10))
    soup = as_officer.get_page("/monitoring/overdue")
    rows = [[c.get_text(" ", strip=True) for c in tr.select("td")] for tr in soup.select("tbody tr")]
    assert [r[0].split()[0] for r in rows] == [late.reference, later.reference]
    assert [r[4] for r in rows] == ["40", "10"]
    assert rows[1][1] == later.organisation.legal_name


def test_staff_only_pages_refuse_applicants_and_finance_only_records_returns(as_applicant, as_officer, demo):
    """Are review and overdue pages closed to applicants, and return recording to officers?"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    grant_return = monitoring.raise_return(grant, actor=demo.officer, amount_pence=1_000, reason="x")
    db.session.commit()
    report = report_of(grant, "final")
    assert as_applicant.get("/monitoring/overdue").status_code == 403
    assert as_applicant.get(f"/monitoring/staff/reports/{report.id}").status_code == 403
    assert as_officer.get(f"/monitoring/returns/{grant_return.id}/received").status_code == 403


def test_send_reminders_command(runner, demo, monkeypatch):
    """Does `flask send-reminders` send due reminders once and say how many?"""
    make_funded_grant(demo, awarded_pence=200_000, end_date=date(2027, 6, 30))
    db.session.commit()
    at(monkeypatch, date(2027, 9, 30))
    assert "Sent 1 report reminder." in runner.invoke(args=["send-reminders"]).output
    assert "Sent 0 report reminders." in runner.invoke(args=["send-reminders"]).output


def test_applicant_sees_due_reports_and_a_flag_when_overdue(as_applicant, demo, monkeypatch):
    """Does the applicant's report list show the due date and mark an overdue report?"""
    grant = make_funded_grant(demo, awarded_pence=200_000, end_date=date(2027, 6, 30))
    fill_report(report_of(grant, "final"), actor=demo.applicant)
    db.session.commit()
    at(monkeypatch, date(2027, 10, 3))
    soup = as_applicant.get_page("/monitoring/my-reports")
    assert "Overdue" in text_of(soup) and "3 days late" in text_of(soup)


def test_every_monitoring_page_is_well_formed(as_applicant, as_officer, as_finance, as_auditor, demo):
    """Does every monitoring page render valid HTML with one h1 for the people who use it?"""
    grant = make_funded_grant(demo, awarded_pence=800_000, two_lines=True)
    interim = report_of(grant, "interim")
    fill_report(interim, actor=demo.applicant)
    monitoring.submit_report(interim, actor=demo.applicant)
    monitoring.request_variation(grant, actor=demo.applicant, kind="extend_end_date", reason="Delay",
                                 new_end_date=date(2027, 9, 30))
    monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget", reason="Venue free",
                                 from_line_id=grant.budget_lines[1].id, to_line_id=grant.budget_lines[0].id,
                                 amount_pence=10_000)
    grant_return = monitoring.raise_return(grant, actor=demo.officer, amount_pence=5_000, reason="Not spent")
    db.session.commit()
    for url in ("/monitoring/my-reports", f"/monitoring/grants/{grant.id}", f"/monitoring/reports/{interim.id}/view",
                f"/monitoring/grants/{grant.id}/variations/new"):
        as_applicant.get_page(url)
    soup = as_officer.get_page(f"/monitoring/staff/grants/{grant.id}")
    assert "Extend the end date" in text_of(soup) and "30 September 2027" in text_of(soup)
    assert "£100 from Workshop venue hire to Padlocks and alarms" in text_of(soup)
    for url in ("/monitoring/overdue", "/monitoring/reviews", f"/monitoring/staff/reports/{interim.id}",
                f"/monitoring/staff/reports/{interim.id}?version=1", f"/monitoring/staff/grants/{grant.id}/returns/new",
                f"/monitoring/staff/grants/{grant.id}/variations/new", "/monitoring/returns"):
        as_officer.get_page(url)
    as_finance.get_page(f"/monitoring/returns/{grant_return.id}/received")
    soup = as_auditor.get_page(f"/monitoring/staff/reports/{interim.id}")
    assert not soup.find("form", attrs={"action": f"/monitoring/staff/reports/{interim.id}/sign-off"})
    assert as_auditor.post(f"/monitoring/staff/reports/{interim.id}/sign-off").status_code == 403


def test_decision_with_errors_stays_on_the_grant_page(as_officer, demo):
    """Does refusing a change without a note show the error on the officer's grant page?"""
    grant = make_funded_grant(demo, awarded_pence=200_000)
    variation = monitoring.request_variation(grant, actor=demo.applicant, kind="extend_end_date", reason="Delay",
                                             new_end_date=date(2027, 9, 30))
    db.session.commit()
    soup = as_officer.post_page(f"/monitoring/staff/variations/{variation.id}/decide",
                                {f"v{variation.id}-decision": "reject", f"v{variation.id}-note": ""})
    assert error_messages(soup) == ["Enter why the change is refused"]
    assert soup.title.get_text().startswith("Error:")
