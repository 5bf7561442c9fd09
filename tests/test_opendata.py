"""360Giving open data and the public register: valid, complete, and free of personal data."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants.extensions import db
from grants.services import opendata

from .factories import make_application
from .factories_reporting import make_award, make_org, make_payment, make_return
from .helpers import text_of

GRANT_SCHEMA_URL_142 = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"


def _shared_360giving() -> Path | None:
    """The official schema lives in shared/360giving beside the repository (never copied into it)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "360giving"
        if (candidate / "360-giving-package-schema.json").is_file():
            return candidate
    return None


SHARED = _shared_360giving()
needs_schema = pytest.mark.skipif(SHARED is None, reason="shared/360giving (the official 360Giving schema) "
                                  "was not found in any parent directory of the repository")


def package_validator() -> Draft202012Validator:
    """The package schema, with the grant schema mapped from both the URLs it is known by (see SOURCES.md)."""
    package = json.loads((SHARED / "360-giving-package-schema.json").read_text())
    grant = json.loads((SHARED / "360-giving-schema.json").read_text())
    # The files say "$schema": "http://..." which referencing does not detect: name the dialect.
    grant_resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([
        (GRANT_SCHEMA_URL_142, grant_resource),
        (grant["$id"], grant_resource),
        (package["$id"], DRAFT202012.create_resource(package)),
    ])
    return Draft202012Validator(package, registry=registry, format_checker=FormatChecker())


def assert_valid_package(data: dict) -> None:
    errors = sorted(package_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture
def published(demo):
    """Awards to an unregistered group, an E&W charity, a Scottish charity and a company; plus unpublished ones."""
    group = make_org("Grangetown Street Watch", org_type="constituted_group")
    scottish = make_org("Borders Youth Trust", org_type="registered_charity", charity_number="SC012345",
                        town="Galashiels")
    company = make_org("Teesside Safe Homes CIC", org_type="cic", company_number="9876543", town="Redcar")
    grants = {
        "group": make_award(demo, org=group, status="funded", awarded_pence=150_050, areas=("Redcar and Cleveland",),
                            objectives=(4, 5), title="Street watch radios", public_summary="Visible patrols deter theft"),
        "charity": make_award(demo, org=demo.orgs["Middlesbrough Football Club Foundation"], user=demo.user("kicks"),
                              status="completed", awarded_pence=360_000, areas=("Middlesbrough", "Hartlepool"),
                              objectives=(3,), title="Kicks football", decided_at=datetime(2026, 8, 3, tzinfo=timezone.utc)),
        "scottish": make_award(demo, org=scottish, status="approved", awarded_pence=100_000, title="Youth diversion"),
        "company": make_award(demo, org=company, status="funded", awarded_pence=200_000, round_=demo.ppaf_round,
                              title="Door alarms"),
    }
    make_payment(demo, grants["charity"], 360_000)
    make_return(demo, grants["charity"], 20_000)
    make_award(demo, status="declined", title="Declined project")
    make_award(demo, status="offer_lapsed", awarded_pence=50_000, title="Lapsed offer")
    make_application(demo, status="in_assessment", title="Undecided project")
    db.session.commit()
    return grants


def _json(page) -> dict:
    response = page.get("/open-data/360giving.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


@needs_schema
def test_360giving_package_validates_against_the_official_schema(page, published):
    """Does the public JSON validate against the shared 360Giving package schema, community group included?"""
    data = _json(page)
    assert_valid_package(data)
    assert len(data["grants"]) == 4


@needs_schema
def test_360giving_package_with_one_grant_to_an_unregistered_group_validates(page, demo):
    """Is a lone grant to a group with no charity or company number valid, with a 360G- organisation id?"""
    group = make_org("Park Lane Residents Group")
    make_award(demo, org=group, status="funded", awarded_pence=90_000)
    db.session.commit()
    data = _json(page)
    assert_valid_package(data)
    assert data["grants"][0]["recipientOrganization"][0]["id"] == f"360G-clevelandopcc-org-{group.id}"


def test_360giving_grant_fields(page, published):
    """Does each grant carry the identifiers, money, dates, location, programme and classification required?"""
    grants = {g["title"]: g for g in _json(page)["grants"]}
    assert set(grants) == {"Street watch radios", "Kicks football", "Youth diversion", "Door alarms"}
    charity = grants["Kicks football"]
    assert charity["id"] == f"360G-clevelandopcc-{published['charity'].reference}"
    assert charity["recipientOrganization"][0]["id"] == "GB-CHC-1133051"
    assert charity["recipientOrganization"][0]["charityNumber"] == "1133051"
    assert (charity["amountAwarded"], charity["amountDisbursed"], charity["currency"]) == (3600, 3400, "GBP")
    assert charity["awardDate"] == "2026-08-03T00:00:00+01:00"
    assert charity["plannedDates"] == [{"startDate": "2027-01-01T00:00:00+00:00",
                                        "endDate": "2027-06-30T00:00:00+01:00"}]
    assert [(loc["name"], loc["geoCode"], loc["geoCodeType"]) for loc in charity["beneficiaryLocation"]] == [
        ("Hartlepool", "E06000001", "UA"), ("Middlesbrough", "E06000002", "UA")]
    assert charity["grantProgramme"] == [{"code": "CSF/2026-27", "title": "Community Safety Fund 2026-27"}]
    assert charity["classifications"][0]["title"] == "Tackling Offending and Re-offending"
    assert charity["fundingOrganization"] == [
        {"id": "GB-GOR-PC000055", "name": "Office of the Police and Crime Commissioner for Cleveland"}]
    assert charity["dataSource"] == "http://localhost/open-data/360giving.json"
    assert "dateModified" in charity
    assert grants["Street watch radios"]["amountAwarded"] == 1500.5
    assert grants["Youth diversion"]["recipientOrganization"][0]["id"] == "GB-SC-SC012345"
    assert grants["Door alarms"]["recipientOrganization"][0]["id"] == "GB-COH-09876543"
    assert grants["Door alarms"]["grantProgramme"][0]["title"] == "Police Property Act Fund 2026-27"


def test_grant_identifier_prefix_is_configurable(app, page, published, monkeypatch):
    """Does changing THREESIXTY_PREFIX change every grant and unregistered organisation identifier?"""
    monkeypatch.setitem(app.config, "THREESIXTY_PREFIX", "360G-testfunder")
    grants = _json(page)["grants"]
    assert all(g["id"].startswith("360G-testfunder-") for g in grants)
    group = next(g for g in grants if g["title"] == "Street watch radios")
    assert group["recipientOrganization"][0]["id"].startswith("360G-testfunder-org-")


@pytest.mark.parametrize("charity, company, expected", [
    ("1133051", None, "GB-CHC-1133051"),
    (" 1133051 ", "01234567", "GB-CHC-1133051"),
    ("sc 012345", None, "GB-SC-SC012345"),
    ("NIC100002", None, "GB-NIC-100002"),
    (None, "1234567", "GB-COH-01234567"),
    (None, "SC123456", "GB-COH-SC123456"),
    (None, None, "360G-clevelandopcc-org-42"),
])
def test_organisation_identifiers_follow_org_id_lists(app, charity, company, expected):
    """Is each kind of registration number turned into the right org-id.guide identifier?"""
    from grants.models import Organisation

    org = Organisation(id=42, legal_name="X", org_type="other", charity_number=charity, company_number=company,
                       address_line_1="", town="", postcode="", contact_name="", contact_email="")
    assert opendata.organisation_identifier(org) == expected


def test_360giving_csv_uses_the_standard_column_titles(page, published):
    """Does the CSV have one row per grant under the 360Giving template's column titles?"""
    response = page.get("/open-data/360giving.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4
    if SHARED is not None:
        template = next(csv.reader(io.StringIO((SHARED / "flattentool-template-main-sheet-headers.csv").read_text())))
        standard = [c for c in opendata.CSV_COLUMNS if not c.startswith("Classifications:")]
        assert set(standard) <= set(template)
        assert standard == [c for c in template if c in standard]  # in the template's order
    charity = next(r for r in rows if r["Title"] == "Kicks football")
    assert charity["Recipient Org:Identifier"] == "GB-CHC-1133051"
    assert charity["Amount Awarded"] == "3600"
    assert (charity["Award Date"], charity["Planned Dates:Start Date"]) == ("2026-08-03", "2027-01-01")
    assert charity["Beneficiary Location:Name"] == "Hartlepool; Middlesbrough"
    assert charity["Beneficiary Location:Geographic Code"] == "E06000001; E06000002"
    assert charity["Classifications:Title"] == "Tackling Offending and Re-offending"


def test_open_data_responses_are_streamed(page, published):
    """Are the 360Giving JSON and CSV generated in pieces rather than built whole?"""
    for url in ("/open-data/360giving.json", "/open-data/360giving.csv"):
        response = page.get(url, buffered=False)
        assert response.is_streamed
        response.close()
    pieces = list(opendata.iter_360_json())
    assert len(pieces) == 2 + 4  # header, one piece per grant, footer


PERSONAL = ["Winifred", "Quartermaine", "winifred.q@example.net", "07700 900123", "7 Privet Close", "TS24 9ZZ",
            "Daniel Reed", "kicks@example.org", "TS3 6RS", "Riverside Stadium", "Janet Armstrong",
            "applicant@example.org", "01429 000111", "Simon Dennis", "ceo@example.org", "Secretary"]


def test_no_personal_data_in_open_data_or_the_register(page, published):
    """Do contact names, emails, phones, street addresses, postcodes and staff names stay out of everything public?"""
    outputs = {
        "json": page.get("/open-data/360giving.json").get_data(as_text=True),
        "csv": page.get("/open-data/360giving.csv").get_data(as_text=True),
        "register": text_of(page.get_page("/grants")),
        "monthly": text_of(page.get_page("/grants/monthly")),
    }
    for name, body in outputs.items():
        for personal in PERSONAL:
            assert personal not in body, f"{personal!r} leaked into {name}"
    grant_keys = {k for g in json.loads(outputs["json"])["grants"] for o in g["recipientOrganization"] for k in o}
    assert not grant_keys & {"contactName", "email", "telephone", "streetAddress", "postalCode"}


@needs_schema
def test_cli_writes_the_same_valid_package(app, runner, published, tmp_path):
    """Does `flask export-360giving OUTPUT.json` write a valid package with every awarded grant?"""
    output = tmp_path / "grants.json"
    result = runner.invoke(args=["export-360giving", str(output)])
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text())
    assert_valid_package(data)
    assert len(data["grants"]) == 4
    assert "Wrote 4 grant(s)" in result.output


# --- The public register -----------------------------------------------------

def test_register_lists_awarded_grants_with_reasons_and_no_login(page, published):
    """Can anyone see each awarded grant with organisation, amount, area, objective, fund and reasons?"""
    soup = page.get_page("/grants")
    text = text_of(soup)
    assert "4 grants found, totalling £8,100.50" in text
    titles = [h.get_text(strip=True) for h in soup.select(".govuk-summary-card__title")]
    assert titles[0] == "Kicks football"  # newest award first
    assert "Declined project" not in text and "Lapsed offer" not in text and "Undecided project" not in text
    card = soup.find(id=published["group"].reference)
    card_text = text_of(card)
    for expected in ("Grangetown Street Watch", "£1,500.50", "15 July 2026", "Redcar and Cleveland",
                     "4. Working Together to Make Cleveland Safer", "Community Safety Fund 2026-27",
                     "Visible patrols deter theft", "Fewer thefts and less damage at allotments"):
        assert expected in card_text


def test_register_search_and_filters(page, published, demo):
    """Do search text, fund, year, area, objective and month narrow the register?"""
    def titles(url):
        return sorted(h.get_text(strip=True) for h in page.get_page(url).select(".govuk-summary-card__title"))

    assert titles("/grants?q=street+WATCH") == ["Street watch radios"]
    assert titles("/grants?q=borders") == ["Youth diversion"]
    assert titles("/grants?fund=PPAF") == ["Door alarms"]
    assert titles("/grants?year=2026-27&fund=CSF") == ["Kicks football", "Street watch radios", "Youth diversion"]
    from .factories_reporting import area, objective
    assert titles(f"/grants?area={area('Middlesbrough').id}") == ["Kicks football"]
    assert titles(f"/grants?objective={objective(5).id}") == ["Street watch radios"]
    assert titles("/grants?month=2026-08") == ["Kicks football"]
    assert titles("/grants?month=2026-13&q=kicks") == ["Kicks football"]  # a bad month is ignored


def test_register_paginates(page, demo):
    """Does a long register split into pages with next and previous links?"""
    for n in range(27):
        make_award(demo, status="funded", awarded_pence=10_000, title=f"Project {n:02d}")
    db.session.commit()
    first = page.get_page("/grants")
    assert len(first.select(".govuk-summary-card")) == 25
    assert first.select_one("a[rel=next]")["href"].endswith("page=2")
    second = page.get_page("/grants?page=2")
    assert len(second.select(".govuk-summary-card")) == 2
    assert "Page 2 of 2" in text_of(second)
    assert second.select_one("a[rel=prev]") is not None


def test_monthly_view_counts_grants_per_month(page, published):
    """Does the monthly view give each month's number and value of grants, linking to that month's grants?"""
    soup = page.get_page("/grants/monthly")
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in soup.select("tbody tr")]
    assert rows == [["August 2026", "1", "£3,600"], ["July 2026", "3", "£4,500.50"]]
    assert "month=2026-08" in soup.select_one("tbody a")["href"]


def test_register_page_is_in_the_public_navigation(page, published):
    """Is 'Grants awarded' in the menu for someone not signed in?"""
    soup = page.get_page("/")
    assert any(a.get_text(strip=True) == "Grants awarded" for a in soup.select(".govuk-service-navigation__link"))



def test_cli_warns_when_there_is_nothing_to_publish(app, runner, demo, tmp_path):
    """With no awards yet, does the command say the file is not ready to publish?"""
    output = tmp_path / "grants.json"
    result = runner.invoke(args=["export-360giving", str(output)])
    assert result.exit_code == 0
    assert json.loads(output.read_text())["grants"] == []
    assert "not ready to publish" in result.output
