"""Monitoring rules against the database, without HTTP."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import AuditEvent, OutboxEmail, ReminderSent, ReportVersion
from grants.services import budget, monitoring
from grants.services.reporting_schedule import add_months
from grants.services.errors import InvalidTransition, NotPermitted, ValidationFailed

from .factories_monitoring import fill_report, make_funded_grant, make_payment, report_of

BIG = 800_000  # above the CSF round's £5,000 delegated limit: interim report, two payments
SMALL = 200_000  # within it: final report only, paid in full


def at(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc))


# --- Schedule -------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    """Is a final report due 3 calendar months after 30 November on 28 February (29 in a leap year)?"""
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 5, 31), 1) == date(2027, 6, 30)
    assert add_months(date(2027, 10, 15), 3) == date(2028, 1, 15)


def test_award_within_delegated_limit_gets_only_a_final_report(app, demo):
    """Does a small grant get just a final report, due 3 months after the end date?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))
    reports = monitoring.reports_of(grant)
    assert [(r.kind, r.due_on) for r in reports] == [("final", date(2027, 9, 30))]


def test_award_above_delegated_limit_gets_interim_at_midpoint(app, demo):
    """Does a grant above the delegated limit also get an interim report at the project's midpoint?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    assert [(r.kind, r.due_on) for r in monitoring.reports_of(grant)] == [
        ("interim", date(2027, 4, 1)), ("final", date(2027, 9, 30))]


def test_award_paid_after_an_interim_report_gets_one_even_within_the_limit(app, demo):
    """Is an interim report scheduled for a £4,000 grant whose second half waits on it?"""
    grant = make_funded_grant(demo, awarded_pence=400_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    assert grant.awarded_pence <= demo.csf_round.delegated_limit_pence
    assert [r.kind for r in monitoring.reports_of(grant)] == ["interim", "final"]


def test_round_rules_change_the_schedule(app, demo):
    """Do the round's settings (months after end, interim on/off) drive the schedule?"""
    demo.csf_round.final_report_months_after_end = 2
    demo.csf_round.interim_report_rule = "never"
    demo.csf_round.full_payment_threshold_pence = 1_000_000  # paid in full, so no payment waits on an interim
    grant = make_funded_grant(demo, awarded_pence=BIG, end_date=date(2027, 8, 31))
    assert [(r.kind, r.due_on) for r in monitoring.reports_of(grant)] == [("final", date(2027, 10, 31))]


def test_schedule_is_idempotent_and_audited(app, demo):
    """Does calling create_reporting_schedule twice keep one report of each kind, audited once?"""
    grant = make_funded_grant(demo, awarded_pence=BIG)
    again = monitoring.create_reporting_schedule(grant, actor=demo.applicant)
    db.session.commit()
    assert sorted(r.kind for r in again) == ["final", "interim"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.scheduled")).all()
    assert len(events) == 2


# --- Filling in and submitting ------------------------------------------------------


def test_only_the_grant_holder_can_write_or_submit_a_report(app, demo):
    """Is another organisation's member refused when saving or submitting a report?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    with pytest.raises(NotPermitted):
        fill_report(report, actor=demo.applicant2)
    fill_report(report, actor=demo.applicant)
    with pytest.raises(NotPermitted):
        monitoring.submit_report(report, actor=demo.applicant2)


def test_negative_figures_are_refused(app, demo):
    """Are negative actual figures, spend or beneficiaries refused beside the field?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    output, line = grant.planned_outputs[0], grant.budget_lines[0]
    with pytest.raises(ValidationFailed) as caught:
        fill_report(report, actor=demo.applicant, actuals={output.id: -1}, spent={line.id: -5},
                    beneficiaries_reached=-3)
    assert set(caught.value.errors) == {f"actual_{output.id}", f"spend_{line.id}", "beneficiaries_reached"}


def test_incomplete_report_cannot_be_submitted(app, demo):
    """Is a report missing an output figure or spend refused, naming what is missing?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    monitoring.save_report(report, actor=demo.applicant, actuals={}, spend={}, beneficiaries_reached=None)
    with pytest.raises(ValidationFailed) as caught:
        monitoring.submit_report(report, actor=demo.applicant)
    assert f"actual_{grant.planned_outputs[0].id}" in caught.value.errors
    assert f"spend_{grant.budget_lines[0].id}" in caught.value.errors
    assert report.status == "in_progress"


def test_equality_monitoring_keeps_only_known_aggregate_counts(app, demo):
    """Does equality monitoring store counts for the listed groups only, never free text?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    fill_report(report, actor=demo.applicant,
                equality={"age": {"under_18": 5, "name": "Jane"}, "religion": {"x": 1}, "disability": {}})
    assert report.equality_monitoring == {"age": {"under_18": 5}}


def test_submit_freezes_a_version_and_tells_officers(app, demo):
    """Does submitting write version 1 with the figures and email the grants officers?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    fill_report(report, actor=demo.applicant, actual=430)
    version = monitoring.submit_report(report, actor=demo.applicant)
    db.session.commit()
    assert version.number == 1 and report.status == "submitted"
    assert version.data["outputs"] == [{"measure": "padlocks and alarms fitted", "target": 420, "actual": 430}]
    assert version.data["total_spent_pence"] == SMALL and version.data["paid_pence"] == SMALL
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == demo.officer.email,
                                                       OutboxEmail.subject.contains("report received")))
    with pytest.raises(InvalidTransition):
        fill_report(report, actor=demo.applicant)


def test_returned_report_is_answered_and_resubmitted_as_a_new_version(app, demo):
    """After questions, must the applicant answer, and does resubmitting keep both versions?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    report = report_of(grant, "final")
    fill_report(report, actor=demo.applicant)
    monitoring.submit_report(report, actor=demo.applicant)
    with pytest.raises(NotPermitted):
        monitoring.return_report(report, actor=demo.applicant, questions="Why?")
    monitoring.return_report(report, actor=demo.officer, questions="Send receipts for the alarms")
    assert report.status == "returned"
    with pytest.raises(ValidationFailed) as caught:
        monitoring.submit_report(report, actor=demo.applicant)
    assert "applicant_response" in caught.value.errors
    fill_report(report, actor=demo.applicant, applicant_response="Receipts attached")
    monitoring.submit_report(report, actor=demo.applicant)
    db.session.commit()
    versions = db.session.scalars(select(ReportVersion).where(ReportVersion.report_id == report.id)
                                  .order_by(ReportVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].data["staff_questions"] == "Send receipts for the alarms"
    assert versions[1].data["applicant_response"] == "Receipts attached"


# --- Sign-off, payments, clawback -----------------------------------------------------


def test_interim_sign_off_releases_the_second_payment_and_tells_finance(app, demo):
    """Does signing off the interim report release the after-interim instalment for finance?"""
    grant = make_funded_grant(demo, awarded_pence=BIG)
    interim = report_of(grant, "interim")
    fill_report(interim, actor=demo.applicant, spent={grant.budget_lines[0].id: 350_000})
    monitoring.submit_report(interim, actor=demo.applicant)
    result = monitoring.sign_off_report(interim, actor=demo.officer)
    db.session.commit()
    assert [i.sequence for i in result.released] == [2]
    assert monitoring.instalments_of(grant)[1].released_at is not None
    assert grant.status == "funded"
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == demo.finance.email,
                                                       OutboxEmail.subject.contains("Payment released")))


def test_final_cannot_be_signed_off_before_the_interim(app, demo):
    """Is the final report refused sign-off while the interim report is not signed off?"""
    grant = make_funded_grant(demo, awarded_pence=BIG)
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant)
    monitoring.submit_report(final, actor=demo.applicant)
    with pytest.raises(InvalidTransition):
        monitoring.sign_off_report(final, actor=demo.officer)


def test_underspend_raises_a_return_for_the_exact_difference_and_completes(app, demo):
    """Spent £1,987.53 of £2,000 paid: is a £12.47 return raised and the grant completed?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant, spent={grant.budget_lines[0].id: 198_753})
    monitoring.submit_report(final, actor=demo.applicant)
    result = monitoring.sign_off_report(final, actor=demo.officer)
    db.session.commit()
    assert result.grant_return.amount_pence == 1_247
    assert grant.status == "completed" and grant.completed_at is not None
    money = budget.round_money(demo.csf_round)
    assert (money.paid, money.committed, money.returned) == (SMALL, SMALL, 0)


def test_no_return_when_spend_matches_or_exceeds_payment(app, demo):
    """Is no return raised when everything paid was spent (or more)?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant, spent={grant.budget_lines[0].id: SMALL + 5_000})
    monitoring.submit_report(final, actor=demo.applicant)
    assert monitoring.sign_off_report(final, actor=demo.officer).grant_return is None


def test_return_received_reduces_round_paid_and_committed(app, demo):
    """When finance records the return, do the round's paid and committed fall by exactly it?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant, spent={grant.budget_lines[0].id: 150_000})
    monitoring.submit_report(final, actor=demo.applicant)
    grant_return = monitoring.sign_off_report(final, actor=demo.officer).grant_return
    before = budget.round_money(demo.csf_round)
    with pytest.raises(NotPermitted):
        monitoring.record_return_received(grant_return, actor=demo.officer, received_on=clock.today(),
                                          reference="X")
    with pytest.raises(ValidationFailed):
        monitoring.record_return_received(grant_return, actor=demo.finance, received_on=date(2099, 1, 1),
                                          reference="X")
    monitoring.record_return_received(grant_return, actor=demo.finance, received_on=clock.today(),
                                      reference="BACS-RTN-1")
    db.session.commit()
    after = budget.round_money(demo.csf_round)
    assert before.paid - after.paid == 50_000
    assert before.committed - after.committed == 50_000
    assert after.remaining - before.remaining == 50_000
    with pytest.raises(InvalidTransition):
        monitoring.record_return_received(grant_return, actor=demo.finance, received_on=clock.today(),
                                          reference="again")


def test_manual_return_cannot_exceed_paid_less_returns_raised(app, demo):
    """Can an officer raise a return only up to what was paid less returns already raised?"""
    grant = make_funded_grant(demo, awarded_pence=BIG)  # £4,000 paid of £8,000
    monitoring.raise_return(grant, actor=demo.officer, amount_pence=100_000, reason="Equipment not bought")
    with pytest.raises(ValidationFailed) as caught:
        monitoring.raise_return(grant, actor=demo.officer, amount_pence=300_001, reason="More")
    assert "£3,000" in caught.value.errors["amount"]
    monitoring.raise_return(grant, actor=demo.officer, amount_pence=300_000, reason="Project stopped")


def test_final_sign_off_return_allows_for_returns_already_raised(app, demo):
    """If £500 was already asked back, does final sign-off raise only the rest of the underspend?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    monitoring.raise_return(grant, actor=demo.officer, amount_pence=50_000, reason="Alarms not needed")
    final = report_of(grant, "final")
    fill_report(final, actor=demo.applicant, spent={grant.budget_lines[0].id: 120_000})
    monitoring.submit_report(final, actor=demo.applicant)
    assert monitoring.sign_off_report(final, actor=demo.officer).grant_return.amount_pence == 30_000


# --- Variations -----------------------------------------------------------------------


def test_extending_the_end_date_moves_final_and_unsent_interim(app, demo):
    """Does an approved extension move the final and the not-yet-sent interim due dates?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    variation = monitoring.request_variation(grant, actor=demo.applicant, kind="extend_end_date",
                                             reason="Supplier delay", new_end_date=date(2027, 8, 31))
    assert grant.end_date == date(2027, 6, 30)  # nothing changes until approved
    monitoring.approve_variation(variation, actor=demo.officer, note="Agreed")
    db.session.commit()
    assert grant.end_date == date(2027, 8, 31)
    assert report_of(grant, "final").due_on == date(2027, 11, 30)
    assert report_of(grant, "interim").due_on == date(2027, 5, 2)
    assert variation.details["end_date"] == {"before": "2027-06-30", "after": "2027-08-31"}
    assert variation.details["reports"]["final"] == {"before": "2027-09-30", "after": "2027-11-30"}


def test_extension_leaves_a_submitted_interim_where_it_was(app, demo):
    """Is an interim report already sent left at its original due date?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, end_date=date(2027, 6, 30))
    interim = report_of(grant, "interim")
    fill_report(interim, actor=demo.applicant)
    monitoring.submit_report(interim, actor=demo.applicant)
    monitoring.vary_on_behalf(grant, actor=demo.officer, kind="extend_end_date", reason="Phone call",
                              new_end_date=date(2027, 12, 31))
    assert interim.due_on == date(2027, 4, 1)
    assert report_of(grant, "final").due_on == date(2028, 3, 31)


def test_end_date_can_only_move_later(app, demo):
    """Is an extension to a date on or before the current end date refused?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))
    with pytest.raises(ValidationFailed) as caught:
        monitoring.request_variation(grant, actor=demo.applicant, kind="extend_end_date", reason="x",
                                     new_end_date=date(2027, 6, 30))
    assert "new_end_date" in caught.value.errors


def test_moving_budget_keeps_the_total_and_no_line_goes_negative(app, demo):
    """Does a budget move shift exactly the amount, keep the total, and refuse overdrawing a line?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, two_lines=True)
    alarms, venue = grant.budget_lines
    with pytest.raises(ValidationFailed) as caught:
        monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget", reason="x",
                                     from_line_id=venue.id, to_line_id=alarms.id, amount_pence=50_001)
    assert "amount" in caught.value.errors
    with pytest.raises(ValidationFailed):
        monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget", reason="x",
                                     from_line_id=venue.id, to_line_id=venue.id, amount_pence=100)
    variation = monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget",
                                             reason="Venue was free", from_line_id=venue.id,
                                             to_line_id=alarms.id, amount_pence=30_000)
    monitoring.approve_variation(variation, actor=demo.officer)
    assert (alarms.cost_pence, venue.cost_pence) == (780_000, 20_000)
    assert sum(b.cost_pence for b in grant.budget_lines) == BIG
    assert variation.details["lines_before"] == {"Padlocks and alarms": 750_000, "Workshop venue hire": 50_000}


def test_budget_move_is_rechecked_when_approved(app, demo):
    """If an earlier move drained a line, is a later approval that would overdraw it refused?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, two_lines=True)
    alarms, venue = grant.budget_lines
    first = monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget", reason="a",
                                         from_line_id=venue.id, to_line_id=alarms.id, amount_pence=40_000)
    second = monitoring.request_variation(grant, actor=demo.applicant, kind="move_budget", reason="b",
                                          from_line_id=venue.id, to_line_id=alarms.id, amount_pence=40_000)
    monitoring.approve_variation(first, actor=demo.officer)
    with pytest.raises(ValidationFailed):
        monitoring.approve_variation(second, actor=demo.officer)
    assert venue.cost_pence == 10_000


def test_variations_are_decided_by_officers_only_and_audited(app, demo):
    """May only an officer decide a variation, and is every step in the audit trail?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL)
    variation = monitoring.request_variation(grant, actor=demo.applicant, kind="extend_end_date",
                                             reason="Delay", new_end_date=date(2027, 7, 31))
    with pytest.raises(NotPermitted):
        monitoring.approve_variation(variation, actor=demo.applicant)
    with pytest.raises(ValidationFailed):
        monitoring.reject_variation(variation, actor=demo.officer, note="")
    monitoring.reject_variation(variation, actor=demo.officer, note="Project must finish on time")
    db.session.commit()
    assert grant.end_date == date(2027, 6, 30) and variation.status == "rejected"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "Variation")).all()
    assert actions == ["variation.requested", "variation.rejected"]
    with pytest.raises(NotPermitted):
        monitoring.request_variation(grant, actor=demo.applicant2, kind="extend_end_date", reason="x",
                                     new_end_date=date(2027, 9, 1))


# --- Reminders and overdue ------------------------------------------------------------


def _reminders(app) -> list[str]:
    return [e.subject for e in db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("report for"))
                                                  .order_by(OutboxEmail.id))]


def test_reminders_go_14_days_before_on_and_7_days_after_the_due_date_once_each(app, demo, monkeypatch):
    """Is each reminder sent on its day, and never twice when the job runs again?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))  # due 30 Sep 2027
    db.session.commit()
    expected = {date(2027, 9, 15): 0, date(2027, 9, 16): 1, date(2027, 9, 17): 0, date(2027, 9, 29): 0,
                date(2027, 9, 30): 1, date(2027, 10, 6): 0, date(2027, 10, 7): 1, date(2027, 10, 8): 0,
                date(2027, 12, 1): 0}
    for day, count in expected.items():
        at(monkeypatch, day)
        assert monitoring.send_reminders() == count, day
        assert monitoring.send_reminders() == 0, f"re-sent on {day}"
        db.session.commit()
    kinds = db.session.scalars(select(ReminderSent.kind).order_by(ReminderSent.id)).all()
    assert kinds == ["before_14", "due", "after_7"]
    recipients = {e.to_address for e in db.session.scalars(select(OutboxEmail))}
    assert demo.applicant.email in recipients
    assert grant.reference in _reminders(app)[0]


def test_catch_up_sends_only_the_most_recent_reminder(app, demo, monkeypatch):
    """If the job did not run for weeks, does it send just the latest reminder, once?"""
    make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))
    db.session.commit()
    at(monkeypatch, date(2027, 10, 20))
    assert monitoring.send_reminders() == 1
    assert db.session.scalars(select(ReminderSent.kind)).all() == ["after_7"]
    assert monitoring.send_reminders() == 0


def test_no_reminders_for_submitted_reports(app, demo, monkeypatch):
    """Is an organisation that has sent its report left alone?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))
    report = report_of(grant, "final")
    fill_report(report, actor=demo.applicant)
    monitoring.submit_report(report, actor=demo.applicant)
    at(monkeypatch, date(2027, 9, 30))
    assert monitoring.send_reminders() == 0


def test_reminder_timing_rule():
    """Given the reminders already sent, which one (if any) is due today?"""
    class R:
        due_on = date(2027, 9, 30)
    assert monitoring.reminder_due(R, set(), date(2027, 9, 15)) is None
    assert monitoring.reminder_due(R, set(), date(2027, 9, 16)) == "before_14"
    assert monitoring.reminder_due(R, {"before_14"}, date(2027, 9, 20)) is None
    assert monitoring.reminder_due(R, {"before_14"}, date(2027, 9, 30)) == "due"
    assert monitoring.reminder_due(R, set(), date(2027, 10, 1)) == "due"
    assert monitoring.reminder_due(R, {"due"}, date(2027, 10, 7)) == "after_7"
    assert monitoring.reminder_due(R, {"after_7"}, date(2028, 1, 1)) is None


def test_moved_due_date_gets_fresh_reminders(app, demo, monkeypatch):
    """After an extension, are reminders sent again for the new due date?"""
    grant = make_funded_grant(demo, awarded_pence=SMALL, end_date=date(2027, 6, 30))
    at(monkeypatch, date(2027, 9, 16))
    assert monitoring.send_reminders() == 1
    monitoring.vary_on_behalf(grant, actor=demo.officer, kind="extend_end_date", reason="Delay",
                              new_end_date=date(2027, 7, 31))
    at(monkeypatch, date(2027, 10, 17))
    assert monitoring.send_reminders() == 1


def test_overdue_reports_for_an_organisation(app, demo, monkeypatch):
    """Are only that organisation's unsent, past-due reports listed (not submitted ones)?"""
    grant = make_funded_grant(demo, awarded_pence=BIG, end_date=date(2027, 6, 30))
    other = make_funded_grant(demo, awarded_pence=SMALL, user=demo.applicant2, end_date=date(2027, 6, 30))
    at(monkeypatch, date(2027, 4, 1))
    assert monitoring.overdue_reports_for(grant.organisation_id) == []  # due today is not late
    at(monkeypatch, date(2027, 4, 2))
    assert [r.kind for r in monitoring.overdue_reports_for(grant.organisation_id)] == ["interim"]
    interim = report_of(grant, "interim")
    fill_report(interim, actor=demo.applicant)
    monitoring.submit_report(interim, actor=demo.applicant)
    assert monitoring.overdue_reports_for(grant.organisation_id) == []
    at(monkeypatch, date(2027, 10, 5))
    assert [r.kind for r in monitoring.overdue_reports_for(grant.organisation_id)] == ["final"]
    assert [r.application_id for r in monitoring.overdue_reports_for(other.organisation_id)] == [other.id]
    assert [monitoring.days_late(r) for r in monitoring.overdue_reports()] == [5, 5]


def test_outputs_add_up_across_signed_off_final_reports(app, demo):
    """Do delivered outputs roll up across grants by measure, from signed-off final reports only?"""
    for delivered in (250, 180):
        grant = make_funded_grant(demo, awarded_pence=SMALL)
        final = report_of(grant, "final")
        fill_report(final, actor=demo.applicant, actual=delivered)
        monitoring.submit_report(final, actor=demo.applicant)
        monitoring.sign_off_report(final, actor=demo.officer)
    unsigned = make_funded_grant(demo, awarded_pence=SMALL)
    fill_report(report_of(unsigned, "final"), actor=demo.applicant, actual=999)
    assert monitoring.outputs_delivered() == [("padlocks and alarms fitted", 840, 430)]
