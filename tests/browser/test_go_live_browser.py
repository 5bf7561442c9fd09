"""Go-live in a real browser, from a fresh production-like start: `setup` and `create-user` only (no demo), an
officer sets up a fund and a round with its reporting schedule, a new group registers and applies, and the letter
for a £4,000 award lists the interim and the final report. CI runs this on PostgreSQL as well as SQLite."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from grants import clock
from grants.extensions import db
from grants.models import Application, Fund, Round, User

from .conftest import assert_accessible as _assert_accessible
from .conftest import sign_in
from .test_apply_journey import latest_email_to, open_section, save_section, upload_supporting_documents

STAFF_PASSWORD = "a long staff passphrase 42"
APPLICANT = "secretary@kirkleatham-watch.example.org"
APPLICANT_PASSWORD = "correct horse battery staple"


def assert_accessible(page):
    page.wait_for_load_state("load")
    _assert_accessible(page)


def _fresh_install(runner) -> None:
    """What deploy/README.md step 6 does: reference data and the first accounts, nothing else."""
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0 and "Reference data loaded" in result.output, result.output
    for role, email, extra in (("admin", "admin@opcc.example.org", []), ("officer", "officer@opcc.example.org", []),
                               ("decision_maker", "ceo@opcc.example.org",
                                ["--decision-authority", "delegated", "--job-title", "Chief Executive"])):
        result = runner.invoke(args=["create-user", "--role", role, "--email", email, "--name", f"First {role}",
                                     "--password", STAFF_PASSWORD, *extra])
        assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Round.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 3


def _fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _officer_sets_up_fund_and_round(page, today) -> None:
    sign_in(page, "officer@opcc.example.org", STAFF_PASSWORD)
    page.goto("/staff/funds/new")
    page.get_by_label("Name").fill("Youth Diversion Fund")
    page.get_by_label("Short code").fill("YDF")
    page.get_by_label("Description for applicants").fill("Grants that divert young people from crime")
    page.get_by_label("Legal power").fill("Section 9 of the Police Reform and Social Responsibility Act 2011")
    page.get_by_label("Public benefit").fill("crime and disorder reduction")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("The Youth Diversion Fund has been saved")).to_be_visible()

    page.goto("/staff/rounds/new")
    page.get_by_label("Fund").select_option(label="Youth Diversion Fund (YDF)")
    page.get_by_label("Name", exact=True).fill("First round")
    page.get_by_label("Financial year").fill(clock.financial_year(today))
    _fill_date(page, "Opening date", today)
    _fill_date(page, "Closing date", today + timedelta(days=60))
    for label, value in (("Budget", "20,000"), ("Smallest award", "250"), ("Largest award", "5,000"),
                         ("Delegated limit", "5,000"), ("Full-payment threshold", "2,500")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Months after the project ends that the final report is due").fill("3")
    page.get_by_label("For awards above an amount").check()
    page.get_by_label("Interim report for awards above").fill("2,500")
    page.get_by_role("button", name="Add a fixed-date return").click()
    page.get_by_label("Name of return 1").fill("Budget return")
    _fill_date(page, "Date return 1 is due", today + timedelta(days=100))
    assert_accessible(page)
    page.get_by_role("button", name="Set up round").click()
    expect(page.locator("h1")).to_have_text("Youth Diversion Fund First round")
    expect(page.get_by_text("For awards above £2,500")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out").wait_for()


def _applicant_registers_and_applies(page, today, tmp_path) -> str:
    page.goto("/")
    expect(page.get_by_role("cell", name="Youth Diversion Fund First round")).to_be_visible()
    page.goto("/account/register")
    page.fill("#full_name", "Sam Okafor")
    page.fill("#email", APPLICANT)
    page.fill("#password", APPLICANT_PASSWORD)
    page.fill("#password_again", APPLICANT_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    page.goto(re.search(r"https?://\S+/account/confirm/\S+", latest_email_to(APPLICANT).body_text).group(0))
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()

    page.goto("/apply/organisation")
    page.fill("#legal_name", "Kirkleatham Neighbourhood Watch")
    page.get_by_label("Constituted community group").check()
    page.fill("#address_line_1", "2 Church Lane")
    page.fill("#town", "Redcar")
    page.fill("#postcode", "TS10 4QQ")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("Your organisation has been set up")).to_be_visible()

    page.get_by_role("link", name="Youth Diversion Fund First round").click()
    page.get_by_role("button", name="Start an application").click()
    expect(page.locator("h1")).to_have_text("Your application")
    reference = re.search(r"YDF-\d{4}-\d{4}", page.content()).group(0)
    start, end = today + timedelta(days=45), today + timedelta(days=200)
    open_section(page, "About the project")
    page.fill("#title", "Street safe evenings")
    page.fill("#summary", "Evening activities for young people on the estate")
    for name, day in (("start_date", start), ("end_date", end)):
        page.fill(f"#{name}-day", str(day.day))
        page.fill(f"#{name}-month", str(day.month))
        page.fill(f"#{name}-year", str(day.year))
    save_section(page)
    for section, fields in (
            ("The need for the project", {"#need": "Anti-social behaviour on weekday evenings",
                                          "#evidence": "Thirty incidents reported a month"}),
            ("Organisation details", {}),
            ("What you will do", {"#activities": "Three evening sessions a week"}),
            ("Where and who will benefit", {"Redcar and Cleveland": True, "#beneficiary_count": "80",
                                            "#beneficiaries": "Young people aged 11 to 16"}),
            ("Police and Crime Plan objectives", {"3. Tackling Offending and Re-offending": True,
                                                  "#crime_reduction_reasons": "Gives young people somewhere to be"}),
            ("Planned outputs", {"#measure_0": "evening sessions", "#target_0": "60"}),
            ("Budget", {"#item_0": "Youth workers", "#cost_0": "£4,000"}),
            ("Safeguarding", {"Yes": True, "#safeguarding": "Every youth worker is DBS checked"})):
        open_section(page, section)
        for target, value in fields.items():
            if value is True:
                page.get_by_label(target, exact=True).check()
            else:
                page.fill(target, value)
        save_section(page)
    upload_supporting_documents(page, tmp_path)
    page.get_by_role("link", name="Check your answers and submit").click()
    page.fill("#declaration_position", "Secretary")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Application submitted")
    return reference


def test_fresh_install_to_a_4000_award_letter_listing_both_reports(browser_page, _browser, live_server, runner,
                                                                   tmp_path):
    """From `setup` and `create-user` alone, can an officer set up a fund and a round with an interim report above
    £2,500 and a budget return, a new group register and apply for £4,000, and the award letter then list the
    budget return, the interim and the final report?"""
    _fresh_install(runner)
    today = clock.today()
    page = browser_page
    _officer_sets_up_fund_and_round(page, today)
    assert db.session.scalar(db.select(Fund).where(Fund.code == "YDF")) is not None
    reference = _applicant_registers_and_applies(page, today, tmp_path)

    # Screening and scoring have browser tests of their own: move the application on to the decision.
    db.session.remove()
    application = db.session.scalar(db.select(Application).where(Application.reference == reference))
    assert application.amount_requested_pence == 400_000
    application.status = "assessed"
    db.session.commit()

    context = _browser.new_context(base_url=live_server)
    ceo = context.new_page()
    ceo.set_default_timeout(10_000)
    sign_in(ceo, "ceo@opcc.example.org", STAFF_PASSWORD)
    ceo.goto(f"/decisions/applications/{application.id}")
    ceo.get_by_label("I have no interest to declare").check()
    ceo.get_by_label("Approve in full").check()
    ceo.get_by_label("Reasons for the decision").fill("Clear need, good value")
    ceo.get_by_label("Public summary (approvals only)").fill("Evening street safety sessions for young people")
    ceo.get_by_role("button", name="Record the decision").click()
    assert ceo.locator("h1").inner_text().startswith("Decision record YDF/")
    context.close()

    page.goto(f"/decisions/offers/{application.id}")
    row = page.locator(".govuk-summary-list__row", has_text="Reports due")
    listed = row.locator(".govuk-summary-list__value").inner_text()
    assert [line.split(" by ")[0] for line in listed.splitlines() if line.strip()] == [
        "Budget return", "Interim report", "Final report"]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Award letter").click()
    reader = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "£4,000.00" in text
    reports = re.search(r"by the dates below: (.*?) (?:Special conditions|Standard terms)", text).group(1)
    assert "Interim report" in reports and "Budget return" in reports and "Final report" in reports
