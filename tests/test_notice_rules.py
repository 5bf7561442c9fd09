"""Funding meetings and decision notices: who signs, when it is refused, numbering, immutability, integrity."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from grants import clock
from grants.extensions import db
from grants.models import AuditEvent, ConflictDeclaration, DecisionNotice
from grants.services import decisions, integrity, meetings, notices
from grants.services.errors import Immutable, InvalidTransition, NotPermitted, ValidationFailed

from .factories_decisions import approve, make_assessed
from .factories_notices import decided_meeting, make_meeting

SUMMARY = "The PCC agreed two Community Safety Fund grants and declined one application."


@pytest.fixture(autouse=True)
def _in_2026(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 15, 10, 0, tzinfo=timezone.utc))


def test_a_signed_notice_holds_awards_anonymised_declines_budget_power_and_declarations(demo):
    """Does the notice list each award, the declines by organisation and project only, the budget before and
    after, the legal power, attendees and declarations, and the signature?"""
    meeting = decided_meeting(demo)
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    content = notice.content
    assert notice.number == "2026/27-0001"
    assert [a["project"] for a in content["awards"]] == ["Funded project 0", "Funded project 1"]
    assert content["awards"][0]["amount_pence"] == 300_000 and content["awards"][0]["areas"]
    assert content["declined"] == [{"organisation": meeting.applications[2].organisation.legal_name,
                                    "project": "Declined project 0",
                                    "decision_record": content["declined"][0]["decision_record"]}]
    assert content["budget"]["remaining_before_pence"] - content["budget"]["remaining_after_pence"] == 600_000
    assert content["legal_power"] == demo.csf.legal_power and content["legal_power"]
    assert content["attendees"][0]["capacity"] == "Police and Crime Commissioner"
    assert content["declarations"][0]["declaration"].startswith("Trustee")
    assert (notice.signed_by_name, notice.authority) == (demo.pcc.full_name, "Police and Crime Commissioner")


def test_the_number_pattern_is_configurable(app, demo):
    """Does DECISION_NOTICE_NUMBER change how notices are numbered?"""
    app.config["DECISION_NOTICE_NUMBER"] = "OPCC/{fy}/{n:03d}"
    try:
        notice = notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary=SUMMARY)
    finally:
        app.config.pop("DECISION_NOTICE_NUMBER")
    assert notice.number == "OPCC/2026/27/001"


def test_signing_is_refused_naming_each_application_and_why(demo):
    """Is signing refused while an application needs moderation, has no decision, or was decided by someone
    who declared a conflict, naming each?"""
    undecided, moderation, conflicted = (make_assessed(demo, title=t) for t in ("Undecided", "Moderate", "Conflict"))
    meeting = make_meeting(demo, [undecided, moderation, conflicted])
    moderation.needs_moderation = True
    approve(demo, conflicted)
    db.session.add(ConflictDeclaration(application_id=conflicted.id, user_id=demo.pcc.id, capacity="decision_maker",
                                       has_conflict=True, nature="Trustee of the applicant"))
    db.session.flush()
    with pytest.raises(NotPermitted) as caught:
        notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    message = caught.value.message
    assert f"{undecided.reference}: has no decision yet" in message
    assert f"{moderation.reference}: assessors' scores differ and still need moderation" in message
    assert f"{conflicted.reference}: decided by {demo.pcc.full_name}, who declared a conflict" in message
    assert db.session.scalar(select(DecisionNotice)) is None


def test_an_empty_agenda_cannot_be_signed(demo):
    """Is a meeting with nothing on its agenda refused?"""
    from datetime import date

    meeting = meetings.create_meeting(demo.csf_round, actor=demo.officer, held_on=date(2026, 9, 1),
                                      attendees=[{"name": "A", "capacity": "B"}], declarations=[])
    with pytest.raises(NotPermitted, match="no applications on its agenda"):
        notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)


def test_the_chief_executive_signs_only_when_every_award_is_within_delegation(demo):
    """Can the Chief Executive sign a notice of awards within the delegated limit, but not one above it?"""
    within = decided_meeting(demo, approvals=1, declines=0, amount_pence=300_000)
    assert notices.sign_notice(within, actor=demo.ceo, summary=SUMMARY).authority.startswith("Chief Executive")
    above = make_assessed(demo, amount_pence=600_000)
    meeting = make_meeting(demo, [above])
    approve(demo, above)
    with pytest.raises(NotPermitted) as caught:
        notices.sign_notice(meeting, actor=demo.ceo, summary=SUMMARY)
    assert caught.value.message.startswith(f"Only the Police and Crime Commissioner can sign this notice: "
                                           f"{above.reference} is above the delegated limit")
    with pytest.raises(NotPermitted):
        notices.sign_notice(meeting, actor=demo.officer, summary=SUMMARY)


def test_not_for_publication_needs_a_reason(demo):
    """Is a notice withheld from publication refused without a reason, and kept with it?"""
    meeting = decided_meeting(demo)
    with pytest.raises(ValidationFailed) as caught:
        notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY, for_publication=False)
    assert "not_for_publication_reason" in caught.value.errors
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY, for_publication=False,
                                 not_for_publication_reason="Safeguarding: names a refuge's location")
    assert notice.not_for_publication_reason.startswith("Safeguarding")
    assert notices.published_notices(notices.PublishedFilters()) == []


def test_a_summary_with_personal_data_is_refused(demo):
    """Is a notice summary holding a phone number refused (the notice is published)?"""
    with pytest.raises(ValidationFailed) as caught:
        notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary="Queries to 01642 301653")
    assert "a phone number" in caught.value.errors["summary"]


def test_a_notice_is_immutable_and_a_correction_supersedes_it(demo):
    """Is changing a signed notice refused, and does signing again make a new notice superseding it?"""
    meeting = decided_meeting(demo)
    first = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    db.session.commit()
    first.summary = "Rewritten"
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    second = notices.sign_notice(meeting, actor=demo.pcc, summary="Corrects notice 2026/27-0001: a project title.")
    assert second.supersedes_id == first.id and second.number == "2026/27-0002"
    assert notices.current_notice(meeting) == second and notices.superseded_by(first) == second


def test_the_agenda_is_fixed_once_signed(demo):
    """Once a notice is signed, is changing the meeting's agenda refused?"""
    meeting = decided_meeting(demo)
    notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    with pytest.raises(InvalidTransition):
        meetings.set_agenda(meeting, actor=demo.officer, application_ids=[meeting.applications[0].id])


def test_only_panel_applications_go_on_the_agenda_and_only_officers_record_meetings(demo):
    """Is an application outside the panel ranking refused for the agenda, and a decision maker refused
    recording a meeting?"""
    assessed = make_assessed(demo)
    draft = make_assessed(demo)
    draft.status = "draft"
    with pytest.raises(ValidationFailed):
        make_meeting(demo, [assessed, draft])
    with pytest.raises(NotPermitted):
        meetings.create_meeting(demo.csf_round, actor=demo.pcc, held_on=None, attendees=[], declarations=[])


def test_notice_hash_is_in_its_audit_event_and_audit_verify_checks_it(demo):
    """Is the notice's hash recorded when signed, and does verification name a notice altered in the database?"""
    notice = notices.sign_notice(decided_meeting(demo), actor=demo.pcc, summary=SUMMARY)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "decision_notice.signed")).one()
    assert event.after["content_hash"] == notice.content_hash == notices.content_hash(notice)
    report = integrity.verify_all()
    assert report.ok and report.documents["decision notice"] == 1
    db.session.execute(text("UPDATE decision_notices SET summary = 'Nothing was decided' WHERE id = :id"),
                       {"id": notice.id})
    db.session.commit()
    db.session.expire_all()
    report = integrity.verify_all()
    assert not report.ok and report.failed == f"decision notice {notice.number}"


def test_decision_records_link_to_the_notice_covering_them(demo):
    """Does each decision record of the meeting find the notice that covers it?"""
    meeting = decided_meeting(demo)
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    for application in meeting.applications:
        assert notices.notices_for_record(decisions.records_for(application)[-1]) == [notice]


def test_a_long_notice_pdf_splits_its_tables_across_pages(demo):
    """With 80 awards and long names, does the notice PDF run over several pages with every award in it?"""
    import io

    from pypdf import PdfReader

    from grants.documents.notice import notice_pdf

    meeting = decided_meeting(demo, approvals=1, declines=0)
    notice = notices.sign_notice(meeting, actor=demo.pcc, summary=SUMMARY)
    content = dict(notice.content)
    content["awards"] = [dict(content["awards"][0], organisation=f"Organisation number {n} " + "long name " * 8,
                              project=f"Project {n:03d}") for n in range(80)]
    long_notice = DecisionNotice(number=notice.number, summary=notice.summary, content=content,
                                 signed_by_name=notice.signed_by_name, authority=notice.authority,
                                 signed_at=notice.signed_at)  # never added: only rendered
    reader = PdfReader(io.BytesIO(notice_pdf(long_notice)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 3
    assert "Project 000" in text and "Project 079" in text
