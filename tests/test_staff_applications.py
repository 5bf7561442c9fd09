"""Staff read submitted applications: a filterable list and a read-only view."""

from grants.extensions import db
from grants.models import Area

from .factories import make_application
from .factories_applicant import PDF, make_draft, submit_draft
from .helpers import text_of


def test_list_shows_submitted_applications_but_never_drafts(as_officer, demo):
    """Does the officer see submitted applications with organisation and amount, and no drafts?"""
    draft = make_draft(demo, complete=False)
    sent = make_draft(demo)
    submit_draft(sent, demo.applicant)
    db.session.commit()
    page = text_of(as_officer.get_page("/staff/applications"))
    assert sent.reference in page and "Hartlepool Allotment Holders Association" in page and "£3,000" in page
    assert draft.reference not in page


def test_filters_by_status_fund_round_and_area(as_officer, demo):
    """Do the status, fund, round and area filters narrow the list?"""
    areas = db.session.scalars(db.select(Area).order_by(Area.name)).all()
    csf = make_application(demo, status="submitted", title="Youth football")
    csf.areas = [areas[1]]
    ppaf = make_application(demo, round_=demo.ppaf_round, status="in_assessment", title="Scam workshops",
                            amount_pence=50_000)
    ppaf.areas = [areas[3]]
    db.session.commit()

    def listed(query):
        page = text_of(as_officer.get_page("/staff/applications" + query))
        return {t for t in ("Youth football", "Scam workshops") if t in page}

    assert listed("") == {"Youth football", "Scam workshops"}
    assert listed("?status=in_assessment") == {"Scam workshops"}
    assert listed("?fund=CSF") == {"Youth football"}
    assert listed(f"?round={demo.ppaf_round.id}") == {"Scam workshops"}
    assert listed(f"?area={areas[1].id}") == {"Youth football"}
    assert listed("?status=nonsense&round=abc") == {"Youth football", "Scam workshops"}


def test_list_is_paginated(as_officer, demo):
    """With more than 25 applications, is there a second page?"""
    for n in range(27):
        make_application(demo, status="submitted", title=f"Project {n:02d}")
    db.session.commit()
    soup = as_officer.get_page("/staff/applications")
    assert len(soup.select("tbody tr")) == 25 and "27 applications" in text_of(soup)
    assert len(as_officer.get_page("/staff/applications?page=2").select("tbody tr")) == 2


def test_total_counts_only_the_filtered_status(as_officer, demo):
    """Does the total say how many match the status filter, and all of them without one?"""
    for status in ("submitted", "submitted", "in_assessment"):
        make_application(demo, status=status)
    db.session.commit()
    assert "3 applications." in text_of(as_officer.get_page("/staff/applications"))
    assert "2 applications." in text_of(as_officer.get_page("/staff/applications?status=submitted"))
    assert "1 application." in text_of(as_officer.get_page("/staff/applications?status=in_assessment"))
    assert "0 applications." in text_of(as_officer.get_page("/staff/applications?status=declined"))


def test_newest_submission_first_and_never_submitted_last(as_officer, demo):
    """Is the list newest submission first, with applications withdrawn before submission at the end?"""
    from datetime import datetime, timezone

    older = make_application(demo, status="submitted", title="Older project")
    never = make_application(demo, status="withdrawn", title="Never sent project")
    newer = make_application(demo, status="submitted", title="Newer project")
    older.submitted_at = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    newer.submitted_at = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    never.submitted_at = None
    db.session.commit()
    page = text_of(as_officer.get_page("/staff/applications"))
    assert page.index("Newer project") < page.index("Older project") < page.index("Never sent project")


def test_many_pages_link_first_last_and_neighbours_only(as_officer, demo, monkeypatch):
    """With many pages, does the pagination link the first, last and neighbouring pages, with ellipses between?"""
    from grants.staff import routes

    monkeypatch.setattr(routes, "PER_PAGE", 1)
    for n in range(9):
        make_application(demo, status="submitted", title=f"Project {n:02d}")
    db.session.commit()
    soup = as_officer.get_page("/staff/applications?page=5")
    numbers = [a.get_text(strip=True) for a in soup.select(".govuk-pagination__list a")]
    assert numbers == ["1", "4", "5", "6", "9"]
    assert len(soup.select(".govuk-pagination__item--ellipses")) == 2
    assert soup.select_one(".govuk-pagination__item--current a")["aria-current"] == "page"
    first = as_officer.get_page("/staff/applications")
    assert [a.get_text(strip=True) for a in first.select(".govuk-pagination__list a")] == ["1", "2", "9"]


def test_staff_view_is_read_only_with_documents_and_versions(as_officer, as_auditor, demo):
    """Does the staff view show every section, download documents and list versions, with no Change links?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    db.session.commit()
    soup = as_officer.get_page(f"/staff/applications/{application.id}")
    page = text_of(soup)
    for heading in ("About the project", "Budget", "Supporting documents", "Submitted versions"):
        assert heading in page
    assert "Change" not in [a.get_text(strip=True)[:6] for a in soup.select("a")]
    link = soup.find("a", string="governing_document.pdf")["href"]
    assert as_officer.get(link).data == PDF
    assert as_auditor.get(link).status_code == 200
    assert as_auditor.get_page(f"/staff/applications/{application.id}").select_one("h1").get_text() == \
        "Allotment security"


def test_applicants_are_refused_and_drafts_are_not_found(as_applicant, as_officer, demo):
    """Does an applicant get 403 on the staff pages, and staff 404 on a draft?"""
    draft = make_draft(demo, complete=False)
    db.session.commit()
    assert as_applicant.get("/staff/applications").status_code == 403
    assert as_applicant.get(f"/staff/applications/{draft.id}").status_code == 403
    assert as_officer.get(f"/staff/applications/{draft.id}").status_code == 404
    assert as_officer.get("/staff/applications/999999").status_code == 404


def test_finance_and_decision_makers_may_read_the_list(as_finance, as_ceo, as_assessor, demo):
    """May finance and decision makers read the list, but not an assessor?"""
    make_application(demo, status="submitted")
    db.session.commit()
    assert as_finance.get("/staff/applications").status_code == 200
    assert as_ceo.get("/staff/applications").status_code == 200
    assert as_assessor.get("/staff/applications").status_code == 403


def test_each_submitted_version_can_be_read_as_it_was_sent(as_officer, demo):
    """Does a version page show the application as sent, even after the organisation changes its name?"""
    application = make_draft(demo)
    submit_draft(application, demo.applicant)
    demo.applicant.organisation.legal_name = "Renamed Group"
    db.session.commit()
    page = text_of(as_officer.get_page(f"/staff/applications/{application.id}/versions/1"))
    assert "Hartlepool Allotment Holders Association" in page and "Renamed Group" not in page
    assert as_officer.get(f"/staff/applications/{application.id}/versions/2").status_code == 404
