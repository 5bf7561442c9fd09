"""The auditor's area: search, timelines, decision packs, exports, conflicts, chain verification."""
import csv
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import text

from grants.extensions import db
from grants.models import AuditEvent
from grants.services import audit

from .factories import make_application
from .factories_audit import make_assessment, make_decision_record, make_letter
from .helpers import error_messages, text_of


@pytest.fixture
def decided(demo):
    """A decided application with scores, a conflict, a letter and events."""
    application = make_application(demo, status="submitted", title="Allotment security")
    audit.record("application.submitted", actor=demo.applicant, entity=application, application=application,
                 before={"status": "draft"}, after={"status": "submitted"}, reason="Ready")
    make_assessment(demo, application)
    make_assessment(demo, application, assessor=demo.assessor2, conflict=True, nature="Trustee of the club")
    record = make_decision_record(demo, application)
    letter = make_letter(demo, application, record)
    audit.record("decision.made", actor=demo.ceo, entity=record, application=application,
                 after={"outcome": "approve_full"})
    db.session.commit()
    return application, record, letter


def test_search_filters_by_action_user_and_reference(as_auditor, demo, decided):
    """Does the search find events by action prefix, by who did it and by application reference?"""
    application, *_ = decided
    soup = as_auditor.get_page("/audit/?action=decision.")
    rows = soup.select("tbody tr")
    assert len(rows) == 1 and "decision.made" in text_of(rows[0])
    soup = as_auditor.get_page("/audit/?user=Janet")
    assert "application.submitted" in text_of(soup) and "decision.made" not in text_of(soup)
    soup = as_auditor.get_page(f"/audit/?reference={application.reference.lower()}")
    assert {"application.submitted", "decision.made"} <= set(text_of(soup).split())


def test_search_by_fund_and_date(as_auditor, demo, decided):
    """Do the fund and date filters narrow the results, and a bad date show an error?"""
    assert "decision.made" in text_of(as_auditor.get_page(f"/audit/?fund={demo.csf.id}"))
    assert "decision.made" not in text_of(as_auditor.get_page(f"/audit/?fund={demo.ppaf.id}"))
    assert "No events match" in text_of(as_auditor.get_page("/audit/?to=2000-01-01"))
    soup = as_auditor.get_page("/audit/?from=2026-02-31")
    assert "Date from must be a real date, like 2026-11-22" in error_messages(soup)


def test_search_pages_newest_first(as_auditor, demo):
    """Are events shown newest first, 50 a page, with a link to older ones?"""
    for i in range(60):
        audit.record("test.event", entity_type="Thing", entity_id=i)
    db.session.commit()
    soup = as_auditor.get_page("/audit/?action=test.")
    seqs = [int(r.select_one("td").get_text()) for r in soup.select("tbody tr")]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    older = soup.select_one(".govuk-pagination__next a")["href"]
    soup = as_auditor.get_page(older)
    rest = [int(r.select_one("td").get_text()) for r in soup.select("tbody tr")]
    assert len(rest) == 10 and max(rest) < min(seqs)


def test_event_details_show_before_and_after(as_auditor, decided):
    """Can the auditor expand an event to see what changed, and why?"""
    soup = as_auditor.get_page("/audit/?action=application.submitted")
    details = soup.select_one("details")
    assert "draft" in text_of(details) and "submitted" in text_of(details) and "Ready" in text_of(details)


def test_timeline_lists_events_and_records_in_order(as_auditor, decided):
    """Does an application's history show audit events, conflicts, the decision and the letter?"""
    application, record, letter = decided
    soup = as_auditor.get_page(f"/audit/applications/{application.id}")
    page = text_of(soup)
    for expected in ("application.submitted", "Declared a conflict of interest", record.number, letter.sha256,
                     "decision.made"):
        assert expected in page


def test_decision_pack_holds_letters_exactly_with_hashes(as_auditor, demo, decided):
    """Does the pack hold the letter byte for byte, its hash, scores, conflicts and audit events?"""
    application, record, letter = decided
    response = as_auditor.get(f"/audit/applications/{application.id}/decision-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    letter_name = next(n for n in names if n.startswith("letters/") and n.endswith(".pdf"))
    assert archive.read(letter_name) == letter.content
    hashes = archive.read("hashes.txt").decode()
    assert f"{letter.sha256}  {letter_name}" in hashes and "Audit chain: intact" in hashes
    scores = json.loads(archive.read("scores.json"))
    assert len(scores["assessments"]) == 2 and scores["assessments"][0]["scores"]
    conflicts = json.loads(archive.read("conflicts.json"))
    assert any(c["has_conflict"] and c["nature"] == "Trustee of the club" for c in conflicts)
    events = json.loads(archive.read("audit-events.json"))
    assert [e["action"] for e in events][:1] == ["application.submitted"] and all(len(e["hash"]) == 64 for e in events)
    assert json.loads(archive.read(f"decision-records/{record.number.replace('/', '-')}.json"))["content_hash"] == record.content_hash
    export = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.decision_pack"))
    assert export.actor_id == demo.auditor.id and export.application_id == application.id


def test_decision_pack_includes_the_decision_record_pdf(as_auditor, decided):
    """When the decision record document exists, is its PDF in the pack?"""
    pytest.importorskip("grants.documents.decision_record")
    application, record, _ = decided
    archive = zipfile.ZipFile(io.BytesIO(as_auditor.get(f"/audit/applications/{application.id}/decision-pack.zip").data))
    pdf = archive.read(f"decision-records/{record.number.replace('/', '-')}.pdf")
    assert pdf.startswith(b"%PDF")


def test_decision_records_export_csv_and_json_with_hashes(as_auditor, demo, decided):
    """Do the decision-record exports for a date range carry each record's hash, and are they audited?"""
    _, record, _ = decided
    day = record.decided_at.date().isoformat()
    soup = as_auditor.get_page(f"/audit/decision-records?from={day}&to={day}")
    assert record.number in text_of(soup) and record.content_hash in text_of(soup)
    response = as_auditor.get(f"/audit/decision-records.csv?from={day}&to={day}")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0]["number"] == record.number and rows[0]["content_hash"] == record.content_hash
    data = json.loads(as_auditor.get(f"/audit/decision-records.json?from={day}").data)
    assert data["decision_records"][0]["content_hash"] == record.content_hash
    assert json.loads(as_auditor.get("/audit/decision-records.json?to=2000-01-01").data)["decision_records"] == []
    exports = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export.decision_records")
                               .order_by(AuditEvent.seq)).all()
    assert len(exports) == 3 and exports[0].after["sha256"] == hashlib.sha256(response.data).hexdigest()


def test_audit_events_export(as_auditor, decided):
    """Can the auditor download the matching events as CSV and JSON?"""
    data = json.loads(as_auditor.get("/audit/events.json?action=decision.").data)
    assert [e["action"] for e in data] == ["decision.made"]
    body = as_auditor.get("/audit/events.csv").data.decode("utf-8-sig")
    assert "application.submitted" in body
    assert as_auditor.get("/audit/events.csv?from=nonsense").status_code == 400


def test_conflicts_register_across_rounds_with_filter(as_auditor, demo, decided):
    """Does the register list every declaration, and filter by round?"""
    soup = as_auditor.get_page("/audit/conflicts")
    assert "Trustee of the club" in text_of(soup) and "Aisha Khan" in text_of(soup)
    soup = as_auditor.get_page(f"/audit/conflicts?round={demo.ppaf_round.id}")
    assert "Trustee of the club" not in text_of(soup)


def test_verify_page_reports_intact_then_names_the_broken_event(as_auditor, decided):
    """Does the auditor's check show the chain intact, then name the first altered event?"""
    soup = as_auditor.get_page("/audit/verify")
    assert "The audit trail is intact" in text_of(soup)
    db.session.execute(text("UPDATE audit_events SET reason = 'rewritten' WHERE seq = 1"))
    db.session.commit()
    soup = as_auditor.get_page("/audit/verify")
    assert soup.select_one("#first-broken").get_text() == "event 1"


def test_auditor_views_write_only_audit_events(as_auditor, decided):
    """Apart from audit events, does browsing and exporting in the auditor's area change nothing?"""
    application, *_ = decided
    before = {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
              for t in db.metadata.sorted_tables if t.name not in ("audit_events", "audit_head")}
    for url in ("/audit/", "/audit/verify", "/audit/applications", f"/audit/applications/{application.id}",
                f"/audit/applications/{application.id}/decision-pack.zip", "/audit/decision-records",
                "/audit/decision-records.csv", "/audit/conflicts", "/audit/events.json"):
        assert as_auditor.get(url).status_code == 200, url
    after = {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
             for t in db.metadata.sorted_tables if t.name not in ("audit_events", "audit_head")}
    assert before == after


def test_other_roles_cannot_open_the_audit_area(as_officer, as_admin, as_applicant):
    """Is the audit area refused to everyone but auditors?"""
    for client in (as_officer, as_admin, as_applicant):
        assert client.get("/audit/").status_code == 403
