"""The reporting schedule: one rule for the award letter, the offer page, payments, monitoring and reminders."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, FixedReturn, Letter, OutboxEmail
from grants.services import monitoring, reporting_schedule
from grants.services.errors import InvalidTransition, ValidationFailed
from grants.templating import format_date

from .factories_decisions import accept, approve, make_assessed

START, END = date(2027, 1, 1), date(2027, 6, 30)
FULL_PAYMENT, INTERIM_THRESHOLD, DELEGATED = 250_000, 300_000, 500_000
AMOUNTS = [100_000, FULL_PAYMENT, 260_000, INTERIM_THRESHOLD, INTERIM_THRESHOLD + 1, 400_000, DELEGATED, 600_000]


def _letter_reports(letter: Letter) -> list[str]:
    """The rows of the letter's report table, as the applicant reads them ("Interim report 1 April 2027")."""
    reader = PdfReader(io.BytesIO(letter.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    section = re.search(r"by the dates below: (.*?) (?:Special conditions|Standard terms)", text).group(1)
    assert section.startswith("Report Due by")
    return [row.strip() for row in re.findall(r"(.+? \d{1,2} [A-Z][a-z]+ \d{4})", section.removeprefix("Report Due by"))]


def _set_rules(round_, rule: str, fixed: bool) -> None:
    round_.full_payment_threshold_pence = FULL_PAYMENT
    round_.delegated_limit_pence = DELEGATED
    round_.interim_report_rule = rule
    round_.interim_report_threshold_pence = INTERIM_THRESHOLD
    round_.fixed_returns = [FixedReturn(title="Budget return", due_on=date(2027, 3, 15)),
                            FixedReturn(title="Annual statement", due_on=date(2027, 8, 1))] if fixed else []
    db.session.flush()


@pytest.mark.parametrize("fixed", [False, True], ids=["no-fixed-returns", "fixed-returns"])
@pytest.mark.parametrize("rule", ["never", "above", "always"])
def test_letter_lists_exactly_the_reports_monitoring_creates_on_acceptance(demo, rule, fixed):
    """For every interim rule, award size and fixed-return setting, does the letter list exactly the reports
    created when the offer is accepted, and does every payment wait on a report the grant has?"""
    _set_rules(demo.csf_round, rule, fixed)
    for amount in AMOUNTS:
        application = make_assessed(demo, amount_pence=amount, start_date=START, end_date=END)
        approve(demo, application)
        letter = db.session.scalar(select(Letter).where(Letter.application_id == application.id))
        accept(demo, application)
        created = monitoring.reports_of(application)

        assert _letter_reports(letter) == [f"{r.label} {format_date(r.due_on)}" for r in created], (rule, amount)

        kinds = [r.kind for r in created]
        wants_interim = rule == "always" or (rule == "above" and amount > INTERIM_THRESHOLD)
        paid_in_halves = amount > FULL_PAYMENT
        assert ("interim" in kinds) == wants_interim, (rule, amount)
        assert kinds[-1] == "final"
        assert ("Budget return" in [r.label for r in created]) == fixed  # 15 March falls inside the project
        assert "Annual statement" not in [r.label for r in created]  # 1 August is after it ends
        triggers = [i.trigger for i in monitoring.instalments_of(application)]
        if not paid_in_halves:
            assert triggers == ["on_acceptance"]
        else:
            assert triggers == ["on_acceptance", "after_interim_report" if wants_interim else "after_final_report"]


def test_a_4000_award_under_the_demo_rules_has_an_interim_report_in_its_letter(demo):
    """Does a £4,000 award (between the full-payment threshold and the delegated limit) under the demo round's
    rules have its letter list an interim and a final report, as monitoring then asks for?"""
    application = make_assessed(demo, amount_pence=400_000, start_date=START, end_date=END)
    assert demo.csf_round.full_payment_threshold_pence < 400_000 <= demo.csf_round.delegated_limit_pence
    approve(demo, application)
    letter = db.session.scalar(select(Letter).where(Letter.application_id == application.id))
    assert _letter_reports(letter) == ["Interim report 1 April 2027", "Final report 30 September 2027"]
    accept(demo, application)
    assert [(r.kind, r.due_on) for r in monitoring.reports_of(application)] == [
        ("interim", date(2027, 4, 1)), ("final", date(2027, 9, 30))]


def test_a_payment_set_to_wait_on_an_interim_report_brings_one_into_the_letter(demo):
    """When a decision maker makes an instalment wait on an interim report the rule does not ask for, do the letter
    and monitoring both include that interim report, so the money can be released?"""
    _set_rules(demo.csf_round, "never", False)
    application = make_assessed(demo, amount_pence=200_000, start_date=START, end_date=END)
    approve(demo, application, schedule=[{"amount_pence": 100_000, "trigger": "on_acceptance"},
                                         {"amount_pence": 100_000, "trigger": "after_interim_report"}])
    letter = db.session.scalar(select(Letter).where(Letter.application_id == application.id))
    assert _letter_reports(letter) == ["Interim report 1 April 2027", "Final report 30 September 2027"]
    accept(demo, application)
    assert [r.kind for r in monitoring.reports_of(application)] == ["interim", "final"]


def test_offer_page_lists_the_letters_reports(demo, as_applicant):
    """Does the applicant's offer page list the same reports, fixed-date returns included, as the letter?"""
    _set_rules(demo.csf_round, "above", True)
    application = make_assessed(demo, amount_pence=400_000, start_date=START, end_date=END)
    approve(demo, application)
    db.session.commit()
    soup = as_applicant.get_page(f"/decisions/offers/{application.id}")
    row = next(r for r in soup.select(".govuk-summary-list__row") if "Reports due" in r.get_text())
    listed = list(row.select_one(".govuk-summary-list__value").stripped_strings)
    assert listed == ["Budget return by 15 March 2027", "Interim report by 1 April 2027",
                      "Final report by 30 September 2027"]
    assert "Version 1, set out in the award letter" in soup.get_text()


def test_fixed_return_is_reminded_by_its_name_and_must_be_signed_off_before_the_final(demo, monkeypatch):
    """Is a fixed-date return reminded by its own name, and does it hold the final report's sign-off?"""
    from grants import clock

    _set_rules(demo.csf_round, "never", True)
    application = make_assessed(demo, amount_pence=100_000, start_date=START, end_date=END)
    approve(demo, application)
    accept(demo, application)
    budget_return = next(r for r in monitoring.reports_of(application) if r.title == "Budget return")
    assert budget_return.kind.startswith("return-")
    monkeypatch.setattr(clock, "today", lambda: date(2027, 3, 1))
    assert monitoring.send_reminders() == 1
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert "budget return" in email.subject.lower()


def test_schedule_settings_are_checked_with_messages_a_form_can_show():
    """Does the settings check name each wrong field with a message saying how to fix it?"""
    errors = reporting_schedule.check_settings(
        final_report_months_after_end=13, interim_report_rule="above", interim_report_threshold_pence=None,
        fixed_returns=[("", date(2027, 10, 30)), ("Budget return", None)], opens_on=date(2027, 4, 1))
    assert errors == {
        "final_report_months_after_end": "The final report must be due between 0 and 12 months after the project ends",
        "interim_report_threshold_pence": "Enter the amount above which an interim report is needed, for example 2500",
        "fixed_returns-0-title": "Enter the return's name, for example Budget return",
        "fixed_returns-1-due_on": "Enter the date the return is due, for example 30 10 2027",
    }
    assert reporting_schedule.check_settings(final_report_months_after_end=3, interim_report_rule="sometimes",
                                             interim_report_threshold_pence=0) == {
        "interim_report_rule": "Choose when grants send an interim report"}
    assert reporting_schedule.check_settings(final_report_months_after_end=3, interim_report_rule="never",
                                             interim_report_threshold_pence=None) == {}


def test_changing_a_rounds_schedule_is_validated_and_audited(demo):
    """Does set_schedule refuse bad settings, and record the before and after of a good change?"""
    with pytest.raises(ValidationFailed):
        reporting_schedule.set_schedule(demo.csf_round, actor=demo.officer, final_report_months_after_end=-1,
                                        interim_report_rule="never", interim_report_threshold_pence=None)
    reporting_schedule.set_schedule(demo.csf_round, actor=demo.officer, final_report_months_after_end=2,
                                    interim_report_rule="always", interim_report_threshold_pence=None,
                                    fixed_returns=[("Budget return", date(2099, 10, 30))])
    db.session.commit()
    assert [(f.title, f.due_on) for f in demo.csf_round.fixed_returns] == [("Budget return", date(2099, 10, 30))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.schedule_changed"))
    assert event.before["interim_report_rule"] == "above" and event.after["interim_report_rule"] == "always"
    assert event.after["fixed_returns"] == [{"title": "Budget return", "due_on": "2099-10-30"}]


def test_a_rounds_schedule_cannot_change_once_it_has_made_an_offer(demo):
    """Once a letter has stated a round's schedule, is a change to that schedule refused?"""
    application = make_assessed(demo, amount_pence=100_000, start_date=START, end_date=END)
    approve(demo, application)
    with pytest.raises(InvalidTransition) as refused:
        reporting_schedule.set_schedule(demo.csf_round, actor=demo.officer, final_report_months_after_end=1,
                                        interim_report_rule="never", interim_report_threshold_pence=None)
    assert "already made offers" in refused.value.message
    assert demo.csf_round.final_report_months_after_end == 3
