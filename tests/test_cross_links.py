"""Each role can get from an application to the next thing they need to do with it."""
from grants.extensions import db

from .factories import make_application
from .helpers import text_of


def _links(soup) -> dict[str, str]:
    return {a.get_text(" ", strip=True): a["href"] for a in soup.select("main a[href]")}


def test_officer_sees_screening_on_a_submitted_application(as_officer, demo):
    """Does the staff page of a submitted application lead the officer to screening?"""
    application = make_application(demo, status="submitted")
    from grants.models import ApplicationVersion
    from grants.services.applications import snapshot

    db.session.add(ApplicationVersion(application=application, number=1, submitted_by_id=demo.applicant.id,
                                      data=snapshot(application)))
    db.session.commit()
    links = _links(as_officer.get_page(f"/staff/applications/{application.id}"))
    assert links["Screen for eligibility"] == f"/assessment/applications/{application.id}/screening"
    assert "Make a decision" not in links


def test_decision_maker_is_led_to_decide_an_assessed_application(as_ceo, demo):
    application = make_application(demo, status="assessed")
    db.session.commit()
    links = _links(as_ceo.get_page(f"/staff/applications/{application.id}"))
    assert links["Make a decision"] == f"/decisions/applications/{application.id}"
    assert "Screen for eligibility" not in links


def test_auditor_reaches_timeline_and_decision_pack(as_auditor, demo):
    application = make_application(demo, status="declined")
    db.session.commit()
    links = _links(as_auditor.get_page(f"/staff/applications/{application.id}"))
    assert links["Full history (audit timeline)"] == f"/audit/applications/{application.id}"
    assert links["Download the decision pack (ZIP)"] == f"/audit/applications/{application.id}/decision-pack.zip"


def test_applicant_dashboard_offers_the_next_step_for_each_application(as_applicant, demo):
    """Does the dashboard send an applicant with an offer to accept it, and a funded grant to its reports?"""
    offered = make_application(demo, status="approved", title="Offer waiting", awarded_pence=300_000)
    funded = make_application(demo, status="funded", title="Funded grant", awarded_pence=200_000)
    db.session.commit()
    soup = as_applicant.get_page("/apply/")
    links = _links(soup)
    assert links[f"Accept or decline your offer for {offered.reference}"] == f"/decisions/offers/{offered.id}"
    assert links[f"Reports, payments and letters for {funded.reference}"] == f"/monitoring/grants/{funded.id}"


def test_applicant_is_told_about_reports_to_send(as_applicant, demo):
    from grants.services.monitoring import create_reporting_schedule

    funded = make_application(demo, status="funded", awarded_pence=200_000)
    create_reporting_schedule(funded, actor=demo.officer)
    db.session.commit()
    soup = as_applicant.get_page("/apply/")
    assert "1 monitoring report to send" in text_of(soup)
    assert _links(soup)["See your reports"] == "/monitoring/my-reports"


def test_menus_match_roles(as_finance, as_ceo):
    """Do finance and decision makers get the menus their work needs?"""
    finance_menu = [a.get_text(strip=True) for a in as_finance.get_page("/decisions/payments").select(
        "#navigation a")]
    assert {"Payments", "Returns", "Applications", "Summaries"} <= set(finance_menu)
    ceo_menu = [a.get_text(strip=True) for a in as_ceo.get_page("/decisions/").select("#navigation a")]
    assert {"Panel", "Decisions", "Applications"} <= set(ceo_menu)
