"""Assessment journeys through the pages: screening, more information, conflicts, scoring, moderation, panel."""
import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import Application, Attachment, OutboxEmail
from grants.services import workflow
from grants.services.applications import SECTION_TITLES

from .factories import make_application
from .factories_assessment import make_assessed, make_assignment, make_version
from .helpers import error_messages, text_of


def switch_user():
    """Tests run inside one app context, which Flask reuses for every request, so Flask-Login's
    cached user (g._login_user) would leak from one client to the next; forget it between clients."""
    from flask import g

    g.pop("_login_user", None)


def screening_data(application, fail: dict | None = None):
    fail = fail or {}
    data = {}
    for i, check in enumerate(application.round.eligibility_checks):
        data[f"result_{check.id}"] = "fail" if i in fail else "pass"
        data[f"note_{check.id}"] = fail.get(i, "")
    return data


def score_data(application, values, comment="Well evidenced", action="submit"):
    data = {"action": action}
    for criterion, value in zip(application.round.criteria, values):
        data[f"score_{criterion.id}"] = value
        data[f"comment_{criterion.id}"] = comment
    return data


# --- Screening ----------------------------------------------------------------------------------


def test_officer_screens_and_passes_an_application(as_officer, demo):
    """Does the officer see the checklist, and passing every check move the application to assign assessors?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    url = f"/assessment/applications/{application.id}/screening"
    soup = as_officer.get_page(url)
    assert "Based in, or delivering to, the Cleveland force area" in text_of(soup)
    assert "This organisation has" not in text_of(soup)
    soup = as_officer.post_page(url, screening_data(application))
    assert f"{application.reference} passed screening" in text_of(soup)
    assert soup.h1.get_text(strip=True) == "Assessors"
    assert db.session.get(Application, application.id).status == "in_assessment"


def test_failing_a_check_needs_a_note_then_makes_it_ineligible(as_officer, demo):
    """Is a fail without a note refused beside the field, and with one does the applicant get the reason?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    url = f"/assessment/applications/{application.id}/screening"
    soup = as_officer.post_page(url, screening_data(application, {1: ""}))
    assert error_messages(soup) == ["Explain why it fails: A constituted not-for-profit group"]
    assert soup.select_one(".govuk-error-summary a")["href"] == f"#note_{application.round.eligibility_checks[1].id}"
    soup = as_officer.post_page(url, screening_data(application, {1: "No constitution was provided"}))
    assert "is ineligible" in text_of(soup)
    assert "No constitution was provided" in text_of(soup)  # shown on the assessment record
    assert db.session.get(Application, application.id).status == "ineligible"
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "applicant@example.org"))
    assert "No constitution was provided" in email.body_text


def test_screening_page_warns_of_overdue_monitoring_report(as_officer, demo, monkeypatch):
    """Does the screening page warn when the organisation has an overdue report from an earlier grant?"""
    from grants.services import monitoring

    application = make_application(demo, status="submitted")
    db.session.commit()
    monkeypatch.setattr(monitoring, "overdue_reports_for", lambda org_id: ["report"] if org_id ==
                        application.organisation_id else [])
    soup = as_officer.get_page(f"/assessment/applications/{application.id}/screening")
    assert "This organisation has 1 overdue monitoring report from an earlier grant." in text_of(soup)


def test_screening_pages_are_for_officers_only(as_assessor, as_applicant, demo):
    """Are screening and more-information pages refused to assessors and applicants?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    for client in (as_assessor, as_applicant):
        switch_user()
        assert client.get(f"/assessment/applications/{application.id}/screening").status_code == 403
        assert client.get(f"/assessment/applications/{application.id}/more-information").status_code == 403


# --- More information round trip --------------------------------------------------------------------


def test_more_information_round_trip_shows_staff_what_changed(as_officer, demo):
    """Can the officer ask a question, and after the applicant resubmits, see accessibly what changed?"""
    application = make_application(demo, status="submitted")
    make_version(application, 1, {"project": {"title": "Allotment security", "summary": "Padlocks for sheds"},
                                  "budget": {"lines": [{"item": "Padlocks", "cost_pence": 300000}]}})
    db.session.commit()
    url = f"/assessment/applications/{application.id}/more-information"
    soup = as_officer.get_page(url)
    labels = [label.get_text(strip=True) for label in soup.select(".govuk-checkboxes__label")]
    # The officer names sections as the applicant's task list does (the two lists used to disagree).
    assert labels == list(SECTION_TITLES.values())
    soup = as_officer.post_page(url, {"question": "", "sections": []})
    assert error_messages(soup) == ["Enter your question for the applicant",
                                    "Select the sections the applicant may change"]
    soup = as_officer.post_page(url, {"question": "Please add quotes for the alarms.",
                                      "sections": ["budget", "attachments"]})
    assert "Your question has been sent" in text_of(soup)
    assert "Sections reopened: Budget, Supporting documents." in text_of(soup)
    application = db.session.get(Application, application.id)
    assert application.status == "more_info_requested"
    # The applicant's side (built elsewhere) stores a new version and resubmits.
    make_version(application, 2, {"project": {"title": "Allotment security", "summary": "Padlocks for sheds"},
                                  "budget": {"lines": [{"item": "Padlocks", "cost_pence": 300000},
                                                       {"item": "Alarms", "cost_pence": 50000}]}})
    workflow.transition(application, "resubmit", actor=demo.applicant, reason="Quotes added")
    db.session.commit()
    soup = as_officer.get_page(f"/assessment/applications/{application.id}")
    link = soup.find("a", string="See what the applicant changed")
    soup = as_officer.get_page(link["href"])
    text = text_of(soup)
    assert "Comparing version 1" in text and "Budget" in text
    assert "Lines › Item 2 › Item" in text and "Added: Alarms" in text
    assert soup.select_one("ins.app-diff__added")


def test_changes_page_with_one_version_says_nothing_to_compare(as_officer, demo):
    """With a single version, does the changes page say there is nothing to compare?"""
    application = make_application(demo, status="submitted")
    make_version(application, 1, {"project": {"title": "x"}})
    db.session.commit()
    soup = as_officer.get_page(f"/assessment/applications/{application.id}/changes")
    assert "nothing to compare" in text_of(soup)


# --- Assessors, conflicts, scoring ----------------------------------------------------------------------


def test_officer_assigns_assessors_and_is_told_how_many_are_needed(as_officer, demo):
    """Does the assessors page say how many are needed, assign one, and refuse a second assignment?"""
    application = make_application(demo, status="in_assessment", amount_pence=600_000)
    db.session.commit()
    url = f"/assessment/applications/{application.id}/assessors"
    soup = as_officer.get_page(url)
    assert "needs at least 2 assessors" in text_of(soup)
    assert "2 more assessors needed" in text_of(soup)
    soup = as_officer.post_page(url, {"assessor": str(demo.assessor.id)})
    assert f"{demo.assessor.full_name} has been asked to assess" in text_of(soup)
    assert "1 more assessor needed" in text_of(soup)
    options = [o.get_text() for o in soup.select("#assessor option")]
    assert not any(demo.assessor.full_name in o for o in options)
    soup = as_officer.post_page(url, {"assessor": str(demo.assessor.id)})
    assert error_messages(soup) == [f"{demo.assessor.full_name} is already assigned to this application"]
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == demo.assessor.email))
    assert "Please assess application" in email.subject


def test_assessor_sees_only_assigned_applications(as_assessor, demo):
    """Does the queue list only the assessor's applications, with 404 on anyone else's?"""
    mine = make_application(demo, status="in_assessment", title="Mine to assess")
    theirs = make_application(demo, status="in_assessment", title="Someone else's")
    make_assignment(mine, demo.assessor, officer=demo.officer, status="in_progress")
    make_assignment(theirs, demo.assessor2, officer=demo.officer)
    db.session.commit()
    soup = as_assessor.get_page("/assessment/")
    assert "Mine to assess" in text_of(soup) and "Someone else's" not in text_of(soup)
    attachment = Attachment(organisation_id=theirs.organisation_id, application_id=theirs.id, kind="quote",
                            original_filename="quote.pdf", stored_name="c" * 32, content_type="application/pdf",
                            size_bytes=10, sha256="0" * 64, uploaded_by_id=demo.applicant.id)
    db.session.add(attachment)
    db.session.commit()
    for path in ("score", "declaration", f"attachments/{attachment.id}"):
        assert as_assessor.get(f"/assessment/applications/{theirs.id}/{path}").status_code == 404
    # Nor can a file of another application be fetched through the assessor's own one.
    assert as_assessor.get(f"/assessment/applications/{mine.id}/attachments/{attachment.id}").status_code == 404
    assert as_assessor.get(f"/assessment/applications/{theirs.id}").status_code == 403


def test_declaration_page_shows_only_reference_organisation_and_title(as_assessor, demo):
    """Before declaring, does the assessor see only the reference, organisation and title, and no content?"""
    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    db.session.commit()
    # Trying to read first leads to the declaration.
    response = as_assessor.get(f"/assessment/applications/{application.id}/score")
    assert response.status_code == 302 and response.headers["Location"].endswith("/declaration")
    soup = as_assessor.get_page(f"/assessment/applications/{application.id}/declaration")
    text = text_of(soup)
    assert application.reference in text and "Hartlepool Allotment Holders Association" in text
    assert "Allotment security" in text
    assert "Sheds broken into 30 times" not in text and "Padlocks and alarms for allotment sheds" not in text
    soup = as_assessor.post_page(f"/assessment/applications/{application.id}/declaration", {})
    assert error_messages(soup) == ["Select whether you have a conflict of interest"]


def test_declared_conflict_removes_access_and_lists_in_register(as_assessor, as_officer, as_auditor, demo, app):
    """After declaring a conflict, is the assessor 404'd on the application and its files, and is it registered?"""
    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    attachment = Attachment(organisation_id=application.organisation_id, application_id=application.id,
                            kind="quote", original_filename="quote.pdf", stored_name="a" * 32,
                            content_type="application/pdf", size_bytes=10, sha256="0" * 64,
                            uploaded_by_id=demo.applicant.id)
    db.session.add(attachment)
    db.session.commit()
    url = f"/assessment/applications/{application.id}/declaration"
    soup = as_assessor.post_page(url, {"has_conflict": "yes", "nature": ""})
    assert error_messages(soup) == ["Describe the nature of your conflict of interest"]
    soup = as_assessor.post_page(url, {"has_conflict": "yes", "nature": "I chair the allotment committee"})
    assert "You declared a conflict of interest and have been removed" in text_of(soup)
    assert "Where you declared a conflict of interest" in text_of(soup)
    for path in ("score", "declaration", f"attachments/{attachment.id}"):
        assert as_assessor.get(f"/assessment/applications/{application.id}/{path}").status_code == 404
    switch_user()
    soup = as_officer.get_page(f"/assessment/rounds/{demo.csf_round.id}/conflicts")
    assert "I chair the allotment committee" in text_of(soup) and demo.assessor.full_name in text_of(soup)
    switch_user()
    soup = as_auditor.get_page(f"/assessment/rounds/{demo.csf_round.id}/conflicts?show=conflicts")
    assert "1 declaration of a conflict" in text_of(soup)
    switch_user()
    soup = as_officer.get_page(f"/assessment/applications/{application.id}/assessors")
    assert "Declared a conflict – removed: I chair the allotment committee" in text_of(soup)
    assert not any(demo.assessor.full_name in o.get_text() for o in soup.select("#assessor option"))


def test_assessor_declares_no_conflict_then_reads_files(as_assessor, demo, app):
    """After declaring no conflict, can the assessor read the application and download its files?"""
    import os

    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    stored = "b" * 32
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(b"%PDF-1.4 quote")
    attachment = Attachment(organisation_id=application.organisation_id, application_id=application.id,
                            kind="quote", original_filename="quote.pdf", stored_name=stored,
                            content_type="application/pdf", size_bytes=14, sha256="0" * 64,
                            uploaded_by_id=demo.applicant.id)
    db.session.add(attachment)
    db.session.commit()
    soup = as_assessor.post_page(f"/assessment/applications/{application.id}/declaration", {"has_conflict": "no"})
    assert "Sheds broken into 30 times last year" in text_of(soup)
    link = soup.find("a", string="Quote: quote.pdf")
    response = as_assessor.get(link["href"])
    assert response.status_code == 200 and response.data == b"%PDF-1.4 quote"
    assert "attachment" in response.headers["Content-Disposition"]


def test_assessor_scores_saves_draft_and_submits(as_assessor, demo):
    """Can an assessor save a draft, be refused on missing comments or criteria, then submit?"""
    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, officer=demo.officer)
    db.session.commit()
    url = f"/assessment/applications/{application.id}/score"
    soup = as_assessor.get_page(url)
    assert "0 – No evidence: the application does not address this" in text_of(soup)
    soup = as_assessor.post_page(url, score_data(application, ["4", "3", "", "", ""], action="draft"))
    assert "Your draft scores have been saved" in text_of(soup)
    assert soup.select_one(f"#score_{application.round.criteria[0].id}-5")  # the 4 is the 5th option
    assert soup.select_one(f"input[name=score_{application.round.criteria[0].id}][value='4']").has_attr("checked")
    soup = as_assessor.post_page(url, score_data(application, ["4", "3", "", "1", "7"], comment=""))
    assert error_messages(soup) == ["Give a score for Deliverability and governance",
                                    "Explain your score of 1 for Value for money",
                                    "The score for Outcomes and how they will be measured must be from 0 to 5"]
    soup = as_assessor.post_page(url, score_data(application, ["4", "3", "3", "1", "5"]))
    assert "has been submitted" in text_of(soup)
    assert "Your submitted scores" in text_of(soup)
    application = db.session.get(Application, application.id)
    assert application.status == "assessed"
    # (25*4 + 20*3 + 20*3 + 20*1 + 15*5) / 100 / 5 * 100 = 63
    assert application.score_percent == Decimal("63.00")


def test_other_assessors_scores_hidden_until_own_submitted(as_assessor, demo):
    """Are another assessor's scores hidden before the assessor submits, and shown after?"""
    application = make_application(demo, status="in_assessment", amount_pence=600_000)
    make_assignment(application, demo.assessor2, officer=demo.officer, status="submitted", values=[1, 1, 1, 1, 1],
                    comment="Aisha's unique remark")
    make_assignment(application, demo.assessor, officer=demo.officer)
    db.session.commit()
    url = f"/assessment/applications/{application.id}/score"
    soup = as_assessor.get_page(url)
    assert "Aisha's unique remark" not in text_of(soup) and demo.assessor2.full_name not in text_of(soup)
    soup = as_assessor.post_page(url, score_data(application, ["4"] * 5))
    assert "Aisha's unique remark" in text_of(soup) and demo.assessor2.full_name in text_of(soup)


# --- Moderation --------------------------------------------------------------------------------------


def test_officer_moderates_a_flagged_application(as_officer, demo):
    """Does the officer see the disagreement, need a note, and record a moderated score beside the originals?"""
    application = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]])
    db.session.commit()
    soup = as_officer.get_page(f"/assessment/applications/{application.id}")
    assert "Moderation Needed" in text_of(soup) and "Differ by 3" in text_of(soup)
    url = f"/assessment/applications/{application.id}/moderation"
    soup = as_officer.post_page(url, {"note": "", "moderated_score": "120"})
    assert error_messages(soup) == ["Enter the moderated score as a number from 0 to 100, with no more than "
                                    "2 decimal places"]
    soup = as_officer.post_page(url, {"note": "", "moderated_score": ""})
    assert error_messages(soup) == ["Enter a moderation note"]
    soup = as_officer.post_page(url, {"note": "Panel agreed 3 for need", "moderated_score": "58.5"})
    text = text_of(soup)
    assert "Moderation of" in text and "Moderation Moderated" in text
    assert "Moderated score 58.50%" in text and f"Calculated score {application.score_percent}%" in text
    assert "Panel agreed 3 for need" in text


def test_auditor_reads_the_assessment_record_without_actions(as_auditor, demo):
    """Can an auditor read an application's scores and declarations, with no officer actions offered?"""
    application = make_assessed(demo, values_by_assessor=[[1, 3, 3, 3, 3], [4, 3, 3, 3, 3]])
    db.session.commit()
    soup = as_auditor.get_page(f"/assessment/applications/{application.id}")
    text = text_of(soup)
    assert "Scores by criterion" in text and f"{demo.assessor.full_name} (assessor): no conflict" in text
    assert "What to do next" not in text
    assert as_auditor.post(f"/assessment/applications/{application.id}/moderation", data={"note": "x"}).status_code == 403


# --- Panel -----------------------------------------------------------------------------------------------


def _panel_setup(demo):
    demo.csf_round.budget_pence = 600_000
    high = make_assessed(demo, values_by_assessor=[[5] * 5], amount_pence=400_000, title="Youth football")
    low = make_assessed(demo, values_by_assessor=[[2] * 5], amount_pence=300_000, title="Scam workshops")
    db.session.commit()
    return high, low


def test_panel_ranks_with_running_total_and_budget_line(as_officer, demo):
    """Does the panel rank by score, show the running total and the budget line, and mark below pass mark?"""
    high, low = _panel_setup(demo)
    soup = as_officer.get_page(f"/assessment/panels/{demo.csf_round.id}")
    rows = [" ".join(tr.get_text(" ").split()) for tr in soup.select("tbody tr")]
    assert rows[0].startswith("1 " + high.reference) and "£4,000 £4,000" in rows[0]
    assert rows[1].startswith("Budget line: the remaining £6,000 runs out here")
    assert rows[2].startswith("2 " + low.reference) and "£3,000 £7,000" in rows[2]
    assert "Below pass mark" in rows[2] and "Beyond budget" in rows[2]
    assert "Below pass mark" not in rows[0]


def test_panel_filters_and_decision_makers_can_see_it(as_ceo, demo):
    """Can a decision maker read the panel, filtered by area?"""
    from grants.models import Area

    high, low = _panel_setup(demo)
    other_area = db.session.scalars(select(Area).order_by(Area.id)).all()[1]
    soup = as_ceo.get_page(f"/assessment/panels/{demo.csf_round.id}?area={other_area.id}")
    assert "No applications have been assessed for these filters yet" in text_of(soup)
    soup = as_ceo.get_page(f"/assessment/panels/{demo.csf_round.id}")
    assert high.reference in text_of(soup)


def test_panel_exports_csv_and_pdf(as_officer, demo):
    """Do the CSV and PDF panel pack carry the ranking, amounts, scores and conflicts?"""
    high, low = _panel_setup(demo)
    response = as_officer.get(f"/assessment/panels/{demo.csf_round.id}/panel.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rank,Reference,Organisation")
    assert lines[1].startswith(f"1,{high.reference},") and ",4000.00,4000.00,Yes" in lines[1]
    assert lines[2].startswith(f"2,{low.reference},") and ",3000.00,7000.00,No" in lines[2]
    response = as_officer.get(f"/assessment/panels/{demo.csf_round.id}/panel-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Panel pack: Community Safety Fund 2026-27" in text
    assert "Budget line" in text and "Youth football" in text and "Scam workshops" in text
    assert "Declarations of interest" in text and demo.assessor.full_name in text
    assert len(pdf.pages) == 4


def test_panel_is_refused_to_assessors_and_applicants(as_assessor, as_applicant, demo):
    """Are panel pages refused to assessors and applicants?"""
    for client in (as_assessor, as_applicant):
        switch_user()
        assert client.get(f"/assessment/panels/{demo.csf_round.id}").status_code == 403
        assert client.get(f"/assessment/panels/{demo.csf_round.id}/panel.csv").status_code == 403


# --- Round configuration ------------------------------------------------------------------------------------


def test_rounds_list_and_round_page(as_officer, demo):
    """Does the officer see the rounds and each round's checklist, rubric and work queues?"""
    make_application(demo, status="submitted", title="Needs screening")
    short = make_application(demo, status="in_assessment", title="Lost an assessor", amount_pence=600_000)
    make_assignment(short, demo.assessor, officer=demo.officer, status="conflicted")
    make_assignment(short, demo.assessor2, officer=demo.officer)
    db.session.commit()
    soup = as_officer.get_page("/staff/rounds")
    link = soup.find("a", string="Community Safety Fund 2026-27")
    soup = as_officer.get_page(link["href"])
    text = text_of(soup)
    assert "Waiting for screening (1)" in text and "Needs screening" in text
    assert "Lost an assessor Needs 1 more assessor" in text
    assert "Need and evidence 25%" in text and "Pass mark 50%" in text


def test_rubric_weights_not_100_refused_on_the_page(as_officer, demo):
    """Is a rubric whose weights do not add up to 100 refused with a clear message, keeping the answers?"""
    url = f"/staff/rounds/{demo.csf_round.id}/rubric"
    soup = as_officer.get_page(url)
    data = {i["name"]: i.get("value", "") for i in soup.select("form input") if i.get("type") != "checkbox"}
    data.update({t["name"]: t.get_text() for t in soup.select("form textarea")})
    data["criteria-0-weight_percent"] = "30"
    soup = as_officer.post_page(url, data)
    assert error_messages(soup) == ["The weights must add up to 100%. They add up to 105%"]
    assert soup.select_one("#criteria-0-weight_percent")["value"] == "30"
    data["criteria-1-weight_percent"] = "15"
    data["criteria-4-remove"] = "y"
    data["criteria-0-weight_percent"] = "45"
    soup = as_officer.post_page(url, data)
    assert "The scoring rubric has been saved" in text_of(soup)
    assert [c.weight_percent for c in db.session.get(type(demo.csf_round), demo.csf_round.id).criteria] == [
        45, 15, 20, 20]


def test_rubric_add_criterion_and_locked_after_scoring(as_officer, demo):
    """Does 'Add another criterion' add a blank one, and is the rubric locked once scored?"""
    url = f"/staff/rounds/{demo.csf_round.id}/rubric"
    soup = as_officer.get_page(url)
    data = {i["name"]: i.get("value", "") for i in soup.select("form input") if i.get("type") != "checkbox"}
    data.update({t["name"]: t.get_text() for t in soup.select("form textarea")})
    data["action"] = "add"
    soup = as_officer.post_page(url, data)
    assert soup.select_one("#criteria-5-name") is not None
    application = make_application(demo, status="in_assessment")
    make_assignment(application, demo.assessor, values=[3])
    db.session.commit()
    soup = as_officer.get_page(url)
    assert "cannot be changed because applications in this round have already been scored" in text_of(soup)
    data.pop("action")
    soup = as_officer.post_page(url, data)
    assert error_messages(soup) == ["The rubric cannot be changed because applications in this round have "
                                    "already been scored"]


def test_checklist_editing_pages(as_officer, demo):
    """Can the officer add, reword, move and remove eligibility checks?"""
    base = f"/staff/rounds/{demo.ppaf_round.id}/checklist"
    soup = as_officer.post_page(base + "/new", {"text": ""})
    assert error_messages(soup) == ["Enter the eligibility check"]
    soup = as_officer.post_page(base + "/new", {"text": "For charitable purposes", "guidance": "Check the aims"})
    assert "8. For charitable purposes" in text_of(soup)
    round_ = db.session.get(type(demo.ppaf_round), demo.ppaf_round.id)
    new = round_.eligibility_checks[-1]
    soup = as_officer.post_page(base, {"check": new.id, "action": "up"})
    assert "7. For charitable purposes" in text_of(soup)
    soup = as_officer.post_page(f"{base}/{new.id}", {"text": "Only for charitable purposes"})
    assert "7. Only for charitable purposes" in text_of(soup)
    soup = as_officer.post_page(base, {"check": new.id, "action": "remove"})
    assert "Only for charitable purposes" in text_of(soup)  # in the confirmation
    assert "7. Only for charitable purposes" not in text_of(soup)


def test_assessor_numbers_form(as_officer, demo):
    """Can the officer set how many assessors each application needs, with a clear refusal if inconsistent?"""
    url = f"/staff/rounds/{demo.csf_round.id}"
    soup = as_officer.post_page(url, {"above_limit": "1", "within_limit": "2"})
    assert error_messages(soup) == ["Awards above the delegated limit need at least as many assessors as those "
                                    "within it"]
    soup = as_officer.post_page(url, {"above_limit": "3", "within_limit": "2"})
    assert "The number of assessors has been saved" in text_of(soup)


def test_queue_shows_withdrawn_applications_need_no_action(as_assessor, demo):
    """If the applicant withdraws, does the assessor's queue say so instead of asking them to score?"""
    application = make_application(demo, status="withdrawn", title="Withdrawn project")
    make_assignment(application, demo.assessor, officer=demo.officer, status="awaiting_declaration")
    db.session.commit()
    soup = as_assessor.get_page("/assessment/")
    assert "Withdrawn project Withdrawn by the applicant No action needed" in text_of(soup)
    assert not soup.find("a", string=lambda s: s and "Declare interests" in s)
