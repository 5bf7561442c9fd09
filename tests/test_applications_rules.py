"""Rules of the application service, tested without HTTP."""
from datetime import date

import pytest

from grants import clock
from grants.extensions import db
from grants.models import ApplicationVersion, MoreInfoRequest, OutboxEmail
from grants.services import applications, audit, workflow
from grants.services.errors import DomainError, Immutable, NotPermitted, ValidationFailed

from .factories import make_application
from .factories_applicant import make_draft, pdf_upload, submit_draft


def test_reference_is_fund_code_round_year_and_a_gap_free_number(demo):
    """Are references like CSF-2026-0001, numbered per fund and year?"""
    first = applications.start_application(demo.csf_round, actor=demo.applicant)
    second = applications.start_application(demo.csf_round, actor=demo.applicant2)
    ppaf = applications.start_application(demo.ppaf_round, actor=demo.applicant)
    assert (first.reference, second.reference, ppaf.reference) == ("CSF-2026-0001", "CSF-2026-0002", "PPAF-2026-0001")
    assert "application.started" in audit.pending_actions()


def test_starting_needs_confirmed_email_and_an_organisation(demo):
    """Can an applicant without a confirmed email, or without an organisation, start an application?"""
    from grants.services import accounts

    newcomer = accounts.register_applicant(email="new@example.org", full_name="New Person",
                                           password="correct horse battery staple")
    with pytest.raises(NotPermitted, match="Confirm your email"):
        applications.start_application(demo.csf_round, actor=newcomer)
    newcomer.email_confirmed_at = clock.now()
    with pytest.raises(NotPermitted, match="organisation"):
        applications.start_application(demo.csf_round, actor=newcomer)


def test_closed_round_cannot_be_started(demo, monkeypatch):
    """Is a round refused once its closing date has passed?"""
    monkeypatch.setattr(clock, "today", lambda: date(2027, 4, 1))
    with pytest.raises(DomainError, match="not open"):
        applications.start_application(demo.csf_round, actor=demo.applicant)


def test_budget_rows_set_the_amount_requested(demo):
    """Is the amount requested always the total of the budget rows?"""
    application = make_draft(demo, complete=False)
    applications.save_section(application, section="budget", completed=False, actor=demo.applicant, values={
        "rows": [{"item": "Alarms", "cost_pence": 125_050}, {"item": None, "cost_pence": None},
                 {"item": "Padlocks", "cost_pence": 50_000}], "other_funding": ""})
    assert application.amount_requested_pence == 175_050
    assert [(b.position, b.item) for b in application.budget_lines] == [(1, "Alarms"), (2, "Padlocks")]
    assert applications.section_state(application, "budget") == "in_progress"


@pytest.mark.parametrize("total, message", [(10_000, "must be at least £250"), (1_000_100, "£10,000 or less")])
def test_budget_outside_the_rounds_limits_cannot_be_completed(demo, total, message):
    """Can the budget section be marked complete when its total is outside the round's min/max?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(applications.SectionIncomplete) as caught:
        applications.save_section(application, section="budget", completed=True, actor=demo.applicant,
                                  values={"rows": [{"item": "Things", "cost_pence": total}]})
    assert message in caught.value.errors["rows"]
    assert application.amount_requested_pence == total  # the answers were still kept
    assert applications.section_state(application, "budget") == "in_progress"


def test_half_filled_rows_are_refused_with_a_message_for_each(demo):
    """Does a row with a cost but no description (or a measure with no target) get a clear message?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(ValidationFailed) as caught:
        applications.save_section(application, section="budget", completed=False, actor=demo.applicant,
                                  values={"rows": [{"item": None, "cost_pence": 500}]})
    assert caught.value.errors == {"item_0": "Enter what cost 1 is for"}
    with pytest.raises(ValidationFailed) as caught:
        applications.save_section(application, section="outputs", completed=False, actor=demo.applicant,
                                  values={"rows": [{"measure": "workshops", "target": None}]})
    assert caught.value.errors == {"target_0": "Enter a target for output 1"}


def test_end_date_must_be_after_start_date(demo):
    """Is a project that ends before it starts refused?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(ValidationFailed) as caught:
        applications.save_section(application, section="project", completed=False, actor=demo.applicant,
                                  values={"start_date": date(2027, 5, 1), "end_date": date(2027, 4, 1)})
    assert caught.value.errors == {"end_date": "The end date must be after the start date"}


def test_objectives_must_belong_to_the_round(demo):
    """Can an applicant pick an objective id the round does not offer?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(ValidationFailed):
        applications.save_section(application, section="objectives", completed=False, actor=demo.applicant,
                                  values={"objective_ids": [999_999]})


def test_section_save_is_audited_with_the_fields_that_changed(demo):
    """Does saving a section record its slug and what changed?"""
    application = make_draft(demo, complete=False)
    applications.save_section(application, section="need", completed=False, actor=demo.applicant,
                              values={"need": "Thefts", "evidence": None})
    db.session.commit()
    event = [e for e in audit.events_for_application(application.id) if e.action == "application.section_saved"][-1]
    assert event.after["section"] == "need" and event.after["changed"] == ["need"]
    assert event.after["need"] == "Thefts"


def test_safeguarding_yes_needs_arrangements_and_a_policy(demo):
    """If the project works with children or vulnerable adults, are arrangements and a policy required?"""
    application = make_draft(demo)
    with pytest.raises(applications.SectionIncomplete) as caught:
        applications.save_section(application, section="safeguarding", completed=True, actor=demo.applicant,
                                  values={"works_with": True, "safeguarding": ""})
    assert "safeguarding" in caught.value.errors
    applications.save_section(application, section="safeguarding", completed=True, actor=demo.applicant,
                              values={"works_with": True, "safeguarding": "DBS checks for all volunteers"})
    problems = dict(applications.submission_problems(application))
    assert problems["attachments"] == "Upload your safeguarding policy"


def test_complete_draft_submits_writes_version_1_and_emails(demo):
    """Does submitting freeze version 1 (with the organisation as it stood) and send a confirmation?"""
    application = make_draft(demo)
    version = submit_draft(application, demo.applicant)
    db.session.commit()
    assert application.status == "submitted" and application.submitted_at is not None
    assert version.number == 1 and version.data["project"]["title"] == "Allotment security"
    assert version.data["organisation"]["legal_name"] == "Hartlepool Allotment Holders Association"
    assert version.data["declaration"] == {"name": "Janet Armstrong", "position": "Secretary"}
    subjects = [e.subject for e in db.session.scalars(db.select(OutboxEmail))]
    assert f"Application {application.reference} received" in subjects
    demo.applicant.organisation.legal_name = "Renamed"
    db.session.commit()
    assert db.session.get(ApplicationVersion, version.id).data["organisation"]["legal_name"] != "Renamed"


def test_incomplete_draft_cannot_be_submitted(demo):
    """Is a draft with missing sections refused, naming each one?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(applications.Incomplete) as caught:
        submit_draft(application, demo.applicant)
    sections = {s for s, _ in caught.value.problems}
    assert {"project", "budget", "attachments"} <= sections
    assert application.status == "draft"


def test_declaration_is_required(demo):
    """Can an application be sent without the authorised person's name, position and confirmation?"""
    application = make_draft(demo)
    with pytest.raises(ValidationFailed) as caught:
        applications.submit(application, actor=demo.applicant, declaration_name=" ", declaration_position="",
                            confirmed=False)
    assert set(caught.value.errors) == {"declaration_name", "declaration_position", "confirm"}


def test_start_date_must_be_in_the_future_at_submit(demo, monkeypatch):
    """Is a project whose start date has passed refused at submission?"""
    application = make_draft(demo)
    monkeypatch.setattr(clock, "today", lambda: application.start_date)
    with pytest.raises(applications.Incomplete) as caught:
        submit_draft(application, demo.applicant)
    assert ("project", "The project start date must be in the future") in caught.value.problems


def test_submitted_application_cannot_be_edited_or_have_files_changed(demo):
    """Once submitted, are section saves, uploads and removals all refused?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    with pytest.raises(Immutable):
        applications.save_section(application, section="project", completed=False, actor=demo.applicant,
                                  values={"title": "Changed"})
    with pytest.raises(Immutable):
        applications.add_attachment(application, upload=pdf_upload(), kind="quote", actor=demo.applicant)
    with pytest.raises(Immutable):
        applications.remove_attachment(application, applications.current_attachments(application)[0],
                                       actor=demo.applicant)
    assert application.title == "Allotment security"


def test_another_organisation_cannot_change_an_application(demo):
    """Can a member of another organisation save a section of this one?"""
    application = make_draft(demo, complete=False)
    with pytest.raises(NotPermitted):
        applications.save_section(application, section="need", completed=False, actor=demo.applicant2,
                                  values={"need": "x"})


def test_more_info_reopens_only_the_named_sections_and_resubmit_writes_version_2(demo):
    """When staff ask for more information, can only the named sections change, and does resubmit freeze v2?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    db.session.add(MoreInfoRequest(application_id=application.id, question="Break down the alarm costs",
                                   sections=["budget"], requested_by_id=demo.officer.id))
    workflow.transition(application, "request_more_info", actor=demo.officer, reason="Break down the alarm costs")
    assert applications.editable_sections(application) == ["budget"]
    with pytest.raises(Immutable):
        applications.save_section(application, section="need", completed=True, actor=demo.applicant,
                                  values={"need": "x", "evidence": "y"})
    applications.save_section(application, section="budget", completed=True, actor=demo.applicant, values={
        "rows": [{"item": "Alarms", "cost_pence": 200_000}, {"item": "Padlocks", "cost_pence": 100_000}]})
    version = applications.resubmit(application, actor=demo.applicant)
    db.session.commit()
    assert application.status == "submitted" and version.number == 2
    assert len(version.data["budget"]["rows"]) == 2
    assert applications.open_requests(application) == []
    assert applications.editable_sections(application) == []


def test_withdraw_needs_a_reason_and_is_refused_after_a_decision(demo):
    """Can an applicant withdraw before a decision (with a reason), but not after?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    with pytest.raises(ValidationFailed):
        applications.withdraw(application, actor=demo.applicant, reason="  ")
    applications.withdraw(application, actor=demo.applicant, reason="Funded elsewhere")
    assert application.status == "withdrawn" and application.withdrawn_reason == "Funded elsewhere"
    approved = make_application(demo, status="approved")
    with pytest.raises(DomainError):
        applications.withdraw(approved, actor=demo.applicant, reason="Changed our minds")
    assert approved.status == "approved"


def test_snapshot_is_keyed_by_every_section(demo):
    """Does the snapshot hold every section slug in order, as JSON-able data?"""
    import json

    application = make_draft(demo)
    data = applications.snapshot(application)
    assert list(data)[:len(applications.SECTIONS)] == applications.SECTIONS
    json.dumps(data)
    assert data["budget"]["total_pence"] == 300_000
    assert data["outputs"]["rows"] == [{"measure": "padlocks and alarms fitted", "target": 420}]
