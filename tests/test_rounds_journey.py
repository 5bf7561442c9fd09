"""Setting up funds, rounds, objectives and areas through the pages, following what the pages say."""
from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from grants import clock
from grants.extensions import db
from grants.models import Area, Fund, Objective, OutboxEmail, Round

from .factories import make_application
from .factories_decisions import approve, make_assessed
from .helpers import error_messages, text_of
from .test_decision_documents import pdf_text


class Filler:
    """Builds a form post as a browser would: what the page already holds, changed by the labels a person reads."""

    def __init__(self, soup: BeautifulSoup):
        self.soup = soup
        self.data: dict[str, object] = {}
        form = soup.find("main").find("form", method="post")
        for element in form.find_all(["input", "textarea", "select"]):
            name = element.get("name")
            if not name or name == "csrf_token":
                continue
            if element.name == "textarea":
                self.data[name] = element.get_text()
            elif element.name == "select":
                chosen = element.find("option", selected=True)
                if chosen is not None:
                    self.data[name] = chosen["value"]
            elif element.get("type") == "checkbox":
                if element.has_attr("checked"):
                    self.data.setdefault(name, []).append(element["value"])  # type: ignore[union-attr]
            elif element.get("type") == "radio":
                if element.has_attr("checked"):
                    self.data[name] = element["value"]
            elif element.get("type") not in ("file", "submit"):
                self.data[name] = element.get("value", "")

    def _by_label(self, text: str):
        label = self.soup.find("label", string=lambda s: s is not None and s.strip() == text)
        assert label is not None, f"no label {text!r}"
        return self.soup.find(id=label["for"])

    def fill(self, label: str, value: str) -> Filler:
        self.data[self._by_label(label)["name"]] = value
        return self

    def select_option(self, label: str, option_text: str) -> Filler:
        select_ = self._by_label(label)
        option = select_.find("option", string=lambda s: s is not None and s.strip() == option_text)
        assert option is not None, f"no option {option_text!r} in {label!r}"
        self.data[select_["name"]] = option["value"]
        return self

    def choose(self, label: str) -> Filler:
        radio = self._by_label(label)
        self.data[radio["name"]] = radio["value"]
        return self

    def tick(self, label: str) -> Filler:
        box = self._by_label(label)
        values = self.data.setdefault(box["name"], [])
        if box["value"] not in values:
            values.append(box["value"])  # type: ignore[union-attr]
        return self

    def date(self, legend: str, day) -> Filler:
        fieldset = self.soup.find("legend", string=lambda s: s is not None and s.strip() == legend).parent
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
            self.data[fieldset.find("input", id=lambda i: i and i.endswith(f"-{part}"))["name"]] = str(value)
        return self


def _round_form(as_officer, url: str, name: str, opens, closes) -> BeautifulSoup:
    form = Filler(as_officer.get_page(url))
    form.fill("Name", name).fill("Financial year", clock.financial_year(opens))
    form.date("Opening date", opens).date("Closing date", closes)
    form.fill("Guidance for applicants", "Projects must finish within a year.")
    form.fill("Budget", "£20,000").fill("Smallest award", "250").fill("Largest award", "5,000")
    form.fill("Delegated limit", "5000").fill("Full-payment threshold", "2500")
    form.fill("Days to accept an offer", "28").fill("Assessors needed above the delegated limit", "2")
    form.fill("Assessors needed up to the delegated limit", "1").fill("Pass mark (%)", "50")
    return form


def test_officer_adds_a_fund_then_a_round_that_applicants_see_open(as_officer, as_applicant, demo):
    """Can an officer add a fund and open a round in it from the pages, and does an applicant then see it open?"""
    funds = as_officer.get_page("/staff/funds")
    assert "Community Safety Fund" in text_of(funds)
    form = Filler(as_officer.get_page("/staff/funds/new"))
    form.fill("Name", "Youth Diversion Fund").fill("Short code", "YDF")
    form.fill("Description for applicants", "Grants for youth diversion")
    form.fill("Legal power", "Section 9 of the Police Reform and Social Responsibility Act 2011")
    form.fill("Public benefit", "crime and disorder reduction").tick("Open for new rounds")
    listing = as_officer.post_page("/staff/funds/new", form.data)
    assert "The Youth Diversion Fund has been saved" in text_of(listing)
    fund = db.session.scalar(select(Fund).where(Fund.code == "YDF"))

    today = clock.today()
    form = _round_form(as_officer, f"/staff/rounds/new?fund={fund.id}", "Autumn", today, today + timedelta(days=60))
    form.select_option("Fund", "Youth Diversion Fund (YDF)")
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert error_messages(page) == []
    assert "The Youth Diversion Fund Autumn round has been set up" in text_of(page)
    round_ = db.session.scalar(select(Round).where(Round.fund_id == fund.id))
    assert (round_.budget_pence, round_.max_award_pence) == (2_000_000, 500_000)
    assert len(round_.objectives) == 5 and len(round_.allowed_org_types) == 8

    dashboard = text_of(as_applicant.get_page("/apply/"))
    assert "Youth Diversion Fund Autumn" in dashboard


def test_round_form_says_how_to_fix_each_problem(as_officer, demo):
    """Does the round form show, beside each field and in the summary, why a round closing before it opens and a
    smallest award above the largest were refused, and money typed wrongly?"""
    today = clock.today()
    form = _round_form(as_officer, "/staff/rounds/new", "Bad", today + timedelta(days=10), today + timedelta(days=5))
    form.select_option("Fund", "Community Safety Fund (CSF)").fill("Smallest award", "5,000.01")
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert page.title.get_text().startswith("Error:")
    assert error_messages(page) == ["The closing date must be after the opening date",
                                    "The smallest award must be no more than the largest award (£5,000)"]
    form.fill("Smallest award", "12.345")
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert "Enter an amount in pounds and pence, like 1250 or 1250.50" in error_messages(page)
    form.fill("Smallest award", "250").fill("Name", demo.csf_round.name)
    form.date("Closing date", today + timedelta(days=50))
    page = as_officer.post_page("/staff/rounds/new", form.data)
    assert error_messages(page) == [
        f"The Community Safety Fund already has a round called ‘{demo.csf_round.name}’. "
        "Give this round a different name"]


def test_an_open_round_offers_only_what_may_still_change(as_officer, demo):
    """Once a round is open, does its settings page offer only the closing date, guidance and budget, and save them?"""
    round_ = demo.csf_round
    assert round_.has_opened
    soup = as_officer.get_page(f"/staff/rounds/{round_.id}/settings")
    labels = {label.get_text(strip=True) for label in soup.select("label.govuk-label")}
    assert "Budget" in labels and "Smallest award" not in labels and "Name" not in labels
    form = Filler(soup)
    form.fill("Budget", "160000").fill("Guidance for applicants", "Updated guidance")
    page = as_officer.post_page(f"/staff/rounds/{round_.id}/settings", form.data)
    assert "The round's settings have been saved" in text_of(page)
    db.session.refresh(round_)
    assert (round_.budget_pence, round_.guidance) == (16_000_000, "Updated guidance")


def test_copy_this_round_button_makes_next_years_round(as_officer, demo):
    """Does the round page's 'Copy this round' lead to a copy a year on, named for the next financial year?"""
    round_page = as_officer.get_page(f"/staff/rounds/{demo.csf_round.id}")
    link = round_page.find("a", string="Copy this round")
    soup = as_officer.get_page(link["href"])
    page = as_officer.post_page(link["href"], Filler(soup).data)
    copy = db.session.scalar(select(Round).where(Round.id != demo.csf_round.id, Round.fund_id == demo.csf.id))
    assert copy.opens_on.year == demo.csf_round.opens_on.year + 1
    assert f"The {copy.title} round has been set up as a copy" in text_of(page)


def test_close_early_page_emails_drafts(as_officer, demo):
    """Does closing a round early from its page email organisations with drafts and show the round as closed?"""
    make_application(demo, round_=demo.csf_round, status="draft")
    db.session.commit()
    url = f"/staff/rounds/{demo.csf_round.id}/close"
    page = as_officer.post_page(url, {"reason": ""})
    assert error_messages(page) == ["Say why the round is closing early (applicants with drafts are told)"]
    page = as_officer.post_page(url, {"reason": "The budget is spent"})
    assert "1 organisation with a draft application were emailed" in text_of(page)
    assert "closed early" in text_of(page)
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.subject.like("%closed early%"))) is not None


def test_charities_only_round_refuses_other_organisations_with_a_reason(as_applicant, demo):
    """Does an applicant from a constituted group see why a charities-only round will not let them start?"""
    demo.ppaf_round.allowed_org_types = ["registered_charity"]
    db.session.commit()
    page = as_applicant.post_page(f"/apply/rounds/{demo.ppaf_round.id}", {})
    assert "Only these types of organisation may apply" in text_of(page)
    assert "Registered charity" in text_of(page)


def test_who_may_reach_funds_rounds_objectives_and_areas(as_officer, as_admin, as_applicant, as_finance, demo):
    """Officers and admins set up funds and rounds; only admins change objectives and areas; others are refused."""
    for url in ("/staff/funds", "/staff/funds/new", "/staff/rounds/new"):
        assert as_officer.get(url).status_code == 200, url
        assert as_admin.get(url).status_code == 200, url
        assert as_applicant.get(url).status_code == 403, url
        assert as_finance.get(url).status_code == 403, url
    for url in ("/admin/objectives", "/admin/areas", "/admin/areas/new", "/admin/objectives/plans/new"):
        assert as_admin.get(url).status_code == 200, url
        assert as_officer.get(url).status_code == 403, url


def test_admin_adds_an_area_a_ward_and_an_objective(as_admin, demo):
    """Can an admin add an area (a bad GSS code is explained), a ward, and an objective to the plan?"""
    form = Filler(as_admin.get_page("/admin/areas/new")).fill("Name", "County Durham").fill("GSS code", "E0600047")
    page = as_admin.post_page("/admin/areas/new", form.data)
    assert error_messages(page) == ["Enter the GSS code as a capital letter followed by 8 digits, like E06000001"]
    form.fill("GSS code", "E06000047")
    assert "County Durham" in text_of(as_admin.post_page("/admin/areas/new", form.data))
    area = db.session.scalar(select(Area).where(Area.gss_code == "E06000047"))
    form = Filler(as_admin.get_page(f"/admin/areas/{area.id}/wards/new")).fill("Ward name", "Seaham")
    assert "Seaham" in text_of(as_admin.post_page(f"/admin/areas/{area.id}/wards/new", form.data))
    plan_id = db.session.scalar(select(Objective.plan_id))
    url = f"/admin/objectives/plans/{plan_id}/new"
    form = Filler(as_admin.get_page(url)).fill("Number", "6").fill("Objective", "Tackling violence against women")
    assert "Tackling violence against women" in text_of(as_admin.post_page(url, form.data))


def test_legal_power_on_the_record_and_letter_and_public_benefit_on_the_register(as_auditor, page, demo):
    """Do the decision record and award letter name the fund's legal power, and the register its public benefit?"""
    from grants.models import Letter

    from grants.services import publication

    record = approve(demo, make_assessed(demo))
    publication.publish([record.application_id], actor=demo.officer)  # only published grants reach the register
    db.session.commit()
    assert "Section 9 of the Police Reform and Social Responsibility Act 2011" in text_of(
        as_auditor.get_page(f"/decisions/records/{record.id}"))
    letter = db.session.scalar(select(Letter))
    assert "Police Reform and Social Responsibility Act 2011" in " ".join(pdf_text(letter.content).split())
    register = text_of(page.get_page("/grants"))
    assert "How it serves crime and disorder reduction" in register


def test_the_area_question_offers_the_rounds_areas_and_their_wards(as_applicant, demo):
    """Where a round names its areas and they have wards, does the application's area question offer just those
    areas and name their wards?"""
    from grants.models import Ward

    hartlepool = db.session.scalar(select(Area).where(Area.name == "Hartlepool"))
    db.session.add(Ward(area=hartlepool, name="Headland and Harbour", gss_code="E05008942"))
    demo.csf_round.areas = [hartlepool]
    application = make_application(demo, round_=demo.csf_round, status="draft")
    db.session.commit()
    soup = as_applicant.get_page(f"/apply/applications/{application.id}/sections/where_and_who")
    boxes = [label.get_text(strip=True) for label in soup.select(".govuk-checkboxes__label")]
    assert boxes == ["Hartlepool"]
    assert "Wards: Hartlepool: Headland and Harbour" in text_of(soup)
