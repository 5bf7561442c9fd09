"""Setting a round's reporting schedule on the round pages, following the labels an officer reads, through to the
award letter an applicant downloads."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import Letter, Round

from .factories_decisions import approve, make_assessed
from .helpers import error_messages, text_of
from .test_decision_documents import pdf_text
from .test_decision_pages import decision_form
from .test_rounds_journey import Filler, _round_form


def _new_round_form(as_officer, name: str) -> Filler:
    today = clock.today()
    form = _round_form(as_officer, "/staff/rounds/new", name, today, today + timedelta(days=60))
    return form.select_option("Fund", "Community Safety Fund (CSF)")


def _add_return(as_officer, form: Filler, title: str, due: date) -> Filler:
    """Press 'Add a fixed-date return', then fill the new row by its labels."""
    soup = as_officer.post_page("/staff/rounds/new", {**form.data, "action": "add_return"})
    rows = len(soup.select("fieldset[id^=fixed-return-]"))
    added = Filler(soup)
    added.fill(f"Name of return {rows}", title).date(f"Date return {rows} is due", due)
    return added


def test_new_round_page_sets_final_interim_and_fixed_returns(as_officer, demo):
    """Can an officer set the final report's months, an interim report above £2,500 and two fixed-date returns
    (adding three and removing one, without JavaScript), and does the round page then show that schedule?"""
    today = clock.today()
    form = _new_round_form(as_officer, "Schedule test")
    assert form.data["final_report_months_after_end"] == "3"  # the defaults shown to the officer
    assert form.data["interim_report_rule"] == "above" and form.data["interim_report_threshold_pence"] == "2500"
    form.fill("Months after the project ends that the final report is due", "2")
    form.choose("For awards above an amount").fill("Interim report for awards above", "3,000")
    form = _add_return(as_officer, form, "Budget return", today + timedelta(days=30))
    form = _add_return(as_officer, form, "Mistake", today + timedelta(days=31))
    form = _add_return(as_officer, form, "Outcomes return", today + timedelta(days=40))
    soup = as_officer.post_page("/staff/rounds/new", {**form.data, "remove_return": "1"})
    assert error_messages(soup) == []
    form = Filler(soup)
    assert form.data["fixed_returns-1-title"] == "Outcomes return"  # the later row moved up
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert error_messages(page) == []
    round_ = db.session.scalar(select(Round).where(Round.name == "Schedule test"))
    assert (round_.final_report_months_after_end, round_.interim_report_rule,
            round_.interim_report_threshold_pence) == (2, "above", 300_000)
    assert [(f.title, f.due_on) for f in round_.fixed_returns] == [
        ("Budget return", today + timedelta(days=30)), ("Outcomes return", today + timedelta(days=40))]
    text = text_of(page)
    assert "2 months after the project ends" in text and "For awards above £3,000" in text
    assert "Budget return, due" in text and "Mistake" not in text


def test_round_form_says_how_to_fix_each_schedule_problem(as_officer, demo):
    """Are too many months, an interim threshold left empty and a return without a name or a date shown beside
    their fields and in the summary, with the rest of the form kept?"""
    form = _new_round_form(as_officer, "Bad schedule")
    form.fill("Months after the project ends that the final report is due", "13")
    form.choose("For awards above an amount").fill("Interim report for awards above", "")
    soup = as_officer.post_page("/staff/rounds/new", {**form.data, "action": "add_return"})
    page = as_officer.post_page("/staff/rounds/new", Filler(soup).data)
    assert page.title.get_text().startswith("Error:")
    assert error_messages(page) == [
        "The final report must be due between 0 and 12 months after the project ends",
        "Enter the amount above which an interim report is needed, for example 2500",
        "Enter the return's name, for example Budget return",
        "Enter the date the return is due, for example 30 10 2027"]
    assert page.find(id="fixed_returns-0-title") is not None  # the summary's links land on the fields
    form = Filler(page).fill("Months after the project ends that the final report is due", "99999999999")
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert "Enter a number of 10,000,000 or less" in error_messages(page)
    assert db.session.scalar(select(Round).where(Round.name == "Bad schedule")) is None


def test_schedule_stays_changeable_after_opening_until_an_offer(as_officer, demo):
    """Once a round has opened but made no offer, does its settings page still offer the schedule (and save it);
    once it has made offers, does the page say why the schedule can no longer change?"""
    form = _new_round_form(as_officer, "Opened")
    as_officer.post_page("/staff/rounds/new", form.data)
    round_ = db.session.scalar(select(Round).where(Round.name == "Opened"))
    assert round_.has_opened
    form = Filler(as_officer.get_page(f"/staff/rounds/{round_.id}/settings"))
    form.choose("For every grant")
    page = as_officer.post_page(f"/staff/rounds/{round_.id}/settings", form.data)
    assert "The round's settings have been saved" in text_of(page)
    db.session.refresh(round_)
    assert round_.interim_report_rule == "always"

    approve(demo, make_assessed(demo, amount_pence=100_000))
    db.session.commit()
    soup = as_officer.get_page(f"/staff/rounds/{demo.csf_round.id}/settings")
    assert soup.find(string="When do grants send an interim report?") is None
    assert "This round has made offers, and their letters state its reporting schedule" in text_of(soup)


def test_a_round_set_up_on_the_pages_gives_a_4000_award_a_letter_with_both_reports(as_officer, as_ceo, as_applicant,
                                                                                   demo):
    """From a round set up on the pages with an interim report above £2,500, does a £4,000 award decided on the
    decision page give the applicant a letter listing the interim and the final report?"""
    form = _new_round_form(as_officer, "Letters")
    form.choose("For awards above an amount").fill("Interim report for awards above", "2,500")
    as_officer.post_page("/staff/rounds/new", form.data)
    round_ = db.session.scalar(select(Round).where(Round.name == "Letters"))
    start = clock.today() + timedelta(days=60)
    application = make_assessed(demo, round_=round_, amount_pence=400_000, start_date=start,
                                end_date=start + timedelta(days=180))
    db.session.commit()
    record_page = as_ceo.post_page(f"/decisions/applications/{application.id}", decision_form())
    assert "Approve in full" in text_of(record_page)

    offer = as_applicant.get_page(f"/decisions/offers/{application.id}")
    link = offer.find("a", href=re.compile(r"/letters/\d+$"))
    letter_text = pdf_text(as_applicant.get(link["href"]).data)
    assert "£4,000" in letter_text
    reports = re.search(r"by the dates below: (.*?) (?:Special conditions|Standard terms)", letter_text).group(1)
    assert "Interim report" in reports and "Final report" in reports
    assert db.session.scalar(select(Letter).where(Letter.application_id == application.id)).kind == "award"


def test_a_post_naming_a_huge_row_number_makes_no_huge_form(as_officer, demo):
    """Does a crafted post naming return row 100,000 get the round form with at most 13 rows (the service then says
    a round can have at most 12), rather than a form of 100,000 rows?"""
    form = _new_round_form(as_officer, "Crafted")
    soup = as_officer.post_page("/staff/rounds/new", {**form.data, "fixed_returns-99999-title": "x"})
    assert len(soup.select("fieldset[id^=fixed-return-]")) == 13
    assert "A round can have at most 12 fixed-date returns" in error_messages(soup)
