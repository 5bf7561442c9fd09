"""The minimal financial assistance declaration (Subsidy Control Act 2022) a round may ask for."""
from datetime import date

import pytest

from grants.extensions import db
from grants.models import Letter
from grants.services import applications, minimal_assistance
from grants.services.errors import ValidationFailed

from .factories import make_application
from .factories_applicant import make_draft, submit_draft
from .factories_decisions import approve, make_assessed
from .helpers import error_messages, text_of
from .test_decision_documents import pdf_text

SLUG = "minimal_assistance"


def _declare(draft, user, received=True, rows=()):
    applications.save_section(draft, section=SLUG, values={"received": received, "rows": list(rows)},
                              completed=True, actor=user)


def test_the_threshold_is_the_acts_315000_pounds():
    """Is the legal threshold £315,000, in pence, in one place?"""
    assert minimal_assistance.THRESHOLD_PENCE == 31_500_000


def test_the_years_are_this_financial_year_and_the_two_before():
    """Are the years offered the current financial year and the two previous ones?"""
    assert minimal_assistance.financial_years(date(2027, 2, 1)) == ["2026-27", "2025-26", "2024-25"]
    assert minimal_assistance.financial_years(date(2027, 4, 1)) == ["2027-28", "2026-27", "2025-26"]


def test_a_round_that_asks_adds_the_section_and_requires_it(demo):
    """When the round asks for the declaration, is it a task-list section that must be answered to submit?"""
    draft = make_draft(demo)
    assert SLUG not in applications.editable_sections(draft)
    demo.csf_round.minimal_assistance_declaration = True
    assert applications.editable_sections(draft)[-1] == SLUG
    assert (SLUG, "Select yes if your organisation has received other minimal financial assistance in the last "
                  "three financial years") in applications.submission_problems(draft)
    _declare(draft, demo.applicant, received=False)
    assert applications.submission_problems(draft) == []
    version = submit_draft(draft, demo.applicant)
    assert version.data[SLUG] == {"received": False, "rows": [], "total_pence": 0}


def test_each_amount_needs_a_giver_a_year_in_range_and_an_amount(demo):
    """Are rows missing a giver, with a year outside the three, or without an amount refused, saying which row?"""
    demo.csf_round.minimal_assistance_declaration = True
    draft = make_draft(demo)
    with pytest.raises(ValidationFailed) as caught:
        _declare(draft, demo.applicant, rows=[{"giver": None, "financial_year": "2019-20", "amount_pence": None}])
    years = ", ".join(minimal_assistance.financial_years())
    assert caught.value.errors == {"giver_0": "Enter who gave assistance 1",
                                   "year_0": f"Select the financial year of assistance 1: {years}",
                                   "amount_0": "Enter the amount of assistance 1, like 12500"}
    with pytest.raises(applications.SectionIncomplete):
        _declare(draft, demo.applicant, rows=[])


def test_a_total_over_the_threshold_is_flagged_to_the_screening_officer(as_officer, demo):
    """Is declared assistance plus the amount requested over £315,000 flagged on the screening page, and not at
    or under it?"""
    demo.csf_round.minimal_assistance_declaration = True
    year = minimal_assistance.financial_years()[1]
    application = make_application(demo, status="submitted", amount_pence=300_000, minimal_assistance={
        "received": True, "rows": [{"giver": "Hartlepool Borough Council", "financial_year": year,
                                    "amount_pence": 31_200_000}]})
    db.session.commit()
    assert not minimal_assistance.over_threshold(application)  # exactly £315,000
    url = f"/assessment/applications/{application.id}/screening"
    assert "Minimal financial assistance" not in text_of(as_officer.get_page(url))
    application.minimal_assistance = {"received": True, "rows": [
        {"giver": "Hartlepool Borough Council", "financial_year": year, "amount_pence": 31_200_001}]}
    db.session.commit()
    page = text_of(as_officer.get_page(url))
    assert ("Minimal financial assistance: the organisation declared £312,000.01 in the last three financial years. "
            "With the £3,000 requested that is over the £315,000 the Subsidy Control Act 2022 allows.") in page


def test_the_award_letter_carries_the_subsidy_control_statement_only_when_asked(demo):
    """Does the award letter of a round that asks carry the statement, and another round's letter not?"""
    plain = approve(demo, make_assessed(demo))
    text = pdf_text(db.session.scalar(db.select(Letter).where(Letter.application_id == plain.application_id)).content)
    assert "Subsidy Control Act 2022" not in text
    demo.csf_round.minimal_assistance_declaration = True
    record = approve(demo, make_assessed(demo))
    text = pdf_text(db.session.scalar(db.select(Letter).where(Letter.application_id == record.application_id)).content)
    assert "Minimal Financial Assistance under section 36 of the Subsidy Control Act 2022" in text
    assert "must not exceed £315,000" in text


def test_applicant_declares_amounts_on_the_page(as_applicant, demo):
    """Can the applicant add an amount on the section page (errors name the row), and see it on check-answers?"""
    demo.csf_round.minimal_assistance_declaration = True
    draft = make_draft(demo)
    db.session.commit()
    url = f"/apply/applications/{draft.id}/sections/{SLUG}"
    year = minimal_assistance.financial_years()[0]
    page = as_applicant.post_page(url, {"received": "yes", "giver_0": "Hartlepool Borough Council",
                                        "year_0": year, "amount_0": "12.345", "completed": "yes"})
    assert error_messages(page)[0].startswith("Assistance 1:")
    as_applicant.post_page(url, {"received": "yes", "giver_0": "Hartlepool Borough Council", "year_0": year,
                                 "amount_0": "£12,500", "completed": "yes"})
    check = text_of(as_applicant.get_page(f"/apply/applications/{draft.id}/check"))
    assert f"Hartlepool Borough Council ({year}) £12,500" in check
