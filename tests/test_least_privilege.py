"""Least privilege: administrators manage accounts and finance pays grants; neither reads what applications hold.

The walk covers every GET route in app.url_map that an administrator or a
finance user may reach, with every id the planted demo holds, so routes other
areas add later are covered without editing this file.
"""
from __future__ import annotations

import io
import itertools
import zipfile

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select

from grants import clock
from grants.access import PUBLIC, SIGNED_IN, rule_for_endpoint
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationVersion,
    Attachment,
    DecisionRecord,
    GrantReturn,
    Letter,
    Organisation,
    PaymentInstalment,
    Report,
    Role,
    User,
)

from .helpers import PageClient
from .planted_demo import PLANTED, planted_in, seed_planted_demo
from .route_walk import routes, url_for_rule

# Query strings that change what a list page shows (every page of a list, every filter's "all").
_EXTRA_QUERIES = {
    "staff.applications": ["?page=2", "?page=3"],
    "admin.users": ["?q=example", "?role=officer"],
}


def _reachable(rule, role: Role) -> bool:
    declared = rule_for_endpoint(rule.endpoint)
    if declared is None:
        return False
    return declared.kind in (PUBLIC, SIGNED_IN) or role in declared.roles


def _ids(model) -> list[int]:
    return list(db.session.scalars(select(model.id).order_by(model.id)))


def _argument_sets(rule) -> list[dict]:
    """Every combination of real ids the rule's arguments can take in the planted demo."""
    args = set(rule.arguments)
    if args == {"application_id", "attachment_id"}:
        return [{"application_id": a, "attachment_id": i} for i, a in db.session.execute(
            select(Attachment.id, Attachment.application_id).where(Attachment.application_id.is_not(None)))]
    if args == {"report_id", "attachment_id"}:
        return [{"report_id": r, "attachment_id": i} for i, r in db.session.execute(
            select(Attachment.id, Attachment.report_id).where(Attachment.report_id.is_not(None)))]
    if args == {"application_id", "number"}:
        return [{"application_id": a, "number": n} for a, n in db.session.execute(
            select(ApplicationVersion.application_id, ApplicationVersion.number))]
    by_name = {
        "application_id": lambda: _ids(Application), "user_id": lambda: _ids(User),
        "report_id": lambda: _ids(Report), "record_id": lambda: _ids(DecisionRecord),
        "letter_id": lambda: _ids(Letter), "instalment_id": lambda: _ids(PaymentInstalment),
        "return_id": lambda: _ids(GrantReturn), "attachment_id": lambda: _ids(Attachment),
        "organisation_id": lambda: _ids(Organisation),
    }
    known = [name for name in rule.arguments if name in by_name]
    choices = [by_name[name]() for name in known]
    return [dict(zip(known, combo)) for combo in itertools.product(*choices)]


def _texts(body: bytes) -> list[str]:
    """What a response says, decoded: the raw bytes, PDF text, and every member of a ZIP (XLSX is a ZIP)."""
    found = [body.decode("utf-8", "replace"), body.decode("latin-1")]
    if body.startswith(b"%PDF"):
        try:
            reader = PdfReader(io.BytesIO(body))
            found.append(" ".join(page.extract_text() or "" for page in reader.pages))
        except PdfReadError:  # the demo's stand-in uploads are not whole PDFs; their raw bytes are searched
            pass
    elif body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                found.extend(_texts(archive.read(name)))
    return found


def _walk(app, user, role: Role) -> tuple[dict[str, list[str]], int]:
    """GET every URL the user's role may reach; return {url: planted kinds found} and how many were read."""
    client = PageClient(app)
    client.sign_in_as(user)
    leaks: dict[str, list[str]] = {}
    read = 0
    for rule in routes(app, methods={"GET"}):
        if not _reachable(rule, role) or rule.endpoint in ("auth.sign_out",):
            continue
        urls = [url_for_rule(app, rule, values) for values in _argument_sets(rule)]
        urls += [url_for_rule(app, rule) + query for query in _EXTRA_QUERIES.get(rule.endpoint, [])]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            read += 1
            kinds = sorted({kind for text in _texts(response.data) for kind in planted_in(text)})
            if kinds:
                leaks[url] = kinds
    return leaks, read


def _summary(leaks: dict[str, list[str]]) -> str:
    """One line per leaking route (ids folded), naming the kinds of planted text it showed."""
    by_route: dict[str, set[str]] = {}
    for url, kinds in leaks.items():
        route = "/".join("<id>" if part.split(".")[0].isdigit() else part for part in url.split("?")[0].split("/"))
        by_route.setdefault(route, set()).update(kinds)
    return "planted text shown:\n" + "\n".join(f"{route}: {', '.join(sorted(kinds))}"
                                                for route, kinds in sorted(by_route.items()))


def _planted(demo):
    seed_planted_demo(demo)
    for user in demo.users.values():
        user.last_sign_in_at = clock.now()
    db.session.commit()


def _assert_planted_everywhere(app, demo) -> None:
    """The markers really are in the data an officer and auditor can read (else the walk proves nothing)."""
    leaks, read = _walk(app, demo.auditor, Role.AUDITOR)
    seen = {kind for kinds in leaks.values() for kind in kinds}
    assert seen == set(PLANTED), f"planted but never shown to an auditor: {set(PLANTED) - seen}"


def test_no_page_or_download_an_administrator_reaches_shows_application_content(app, demo):
    """Walking every URL an administrator may reach, with every id, does any body show planted sensitive text?"""
    _planted(demo)
    _assert_planted_everywhere(app, demo)
    leaks, read = _walk(app, demo.admin, Role.ADMIN)
    assert read > 50, "the walk read the administrator's pages"
    assert leaks == {}, _summary(leaks)


def test_no_page_or_download_finance_reaches_shows_assessment_or_application_content(app, demo):
    """Walking every URL finance may reach, with every id, does any HTML, CSV, XLSX, PDF or ZIP show planted text?"""
    _planted(demo)
    leaks, read = _walk(app, demo.finance, Role.FINANCE)
    assert read > 30, "the walk read finance's pages"
    assert leaks == {}, _summary(leaks)


def test_no_page_or_download_an_applicant_reaches_shows_a_staff_note_or_another_groups_messages(app, demo):
    """Walking every URL an applicant may reach, with every id, does a staff note or another organisation's
    messages ever show? (Their own organisation's answers and messages are theirs to read.)"""
    _planted(demo)
    assert demo.applicant2.organisation.id != demo.applicant.organisation.id
    for user, never in ((demo.applicant, {"staff note on an application"}),
                        (demo.applicant2, {"staff note on an application", "message between an organisation and staff"})):
        leaks, read = _walk(app, user, Role.APPLICANT)
        assert read > 10, "the walk read the applicant's pages"
        shown = {url: kinds for url, kinds in leaks.items() if never & set(kinds)}
        assert shown == {}, _summary(shown)
    own, _ = _walk(app, demo.applicant, Role.APPLICANT)
    assert any("message between an organisation and staff" in kinds for kinds in own.values()), \
        "the walk reached the applicant's own messages"


# --- One rule at a time ------------------------------------------------------------------------


def _activity_rows(soup) -> list[list[str]]:
    table = soup.find("h2", string="Recent activity").find_next("table")
    return [[" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")]
            for row in table.find("tbody").find_all("tr")]


def test_admin_user_page_shows_account_events_with_what_changed(app, demo, as_admin):
    """Does an administrator see an account event on a user's page with who did it, before, after and why?"""
    from grants.services import admin as admin_service

    admin_service.set_roles(user=demo.assessor, roles={Role.ASSESSOR, Role.OFFICER}, actor=demo.admin,
                            reason="Covering the officer's leave")
    db.session.commit()
    rows = _activity_rows(as_admin.get_page(f"/admin/users/{demo.assessor.id}"))
    change = next(row for row in rows if row[1] == "admin.roles_changed")
    assert demo.admin.full_name in change[2]
    assert "Roles: assessor → assessor, officer" in change[3]
    assert "Reason: Covering the officer's leave" in change[3]


def test_admin_user_page_shows_other_events_only_as_kind_and_time(app, demo, as_admin):
    """Does an officer's work on an application appear on their user page as its kind and time, never its content?"""
    from grants.services import screening

    from .factories import make_application

    application = make_application(demo, status="submitted")
    screening.request_more_info(application, question="Please send the refuge's safeguarding plan",
                                sections=["safeguarding"], actor=demo.officer)
    db.session.commit()
    soup = as_admin.get_page(f"/admin/users/{demo.officer.id}")
    rows = _activity_rows(soup)
    asked = next(row for row in rows if row[1] == "more_info.requested")
    assert asked[0] and asked[2] == "Not an account event: details not shown"
    assert "refuge" not in soup.get_text()


def test_event_content_follows_each_role_held(app, demo):
    """Per role held: does an administrator read event content only once they are also an auditor?"""
    from grants.services import admin as admin_service
    from grants.services import permissions, screening

    from .factories import make_application

    application = make_application(demo, status="submitted")
    screening.request_more_info(application, question="Please send the refuge's safeguarding plan",
                                sections=["safeguarding"], actor=demo.officer)
    db.session.commit()
    plain = admin_service.account_activity(user=demo.officer, viewer=demo.admin)
    assert [e for e in plain if e.action == "more_info.requested"][0].withheld
    demo.admin.roles.append(type(demo.admin.roles[0])(role=Role.AUDITOR.value))
    db.session.commit()
    assert permissions.may_read(demo.admin, permissions.Info.AUDIT_CONTENT)
    full = admin_service.account_activity(user=demo.officer, viewer=demo.admin)
    shown = [e for e in full if e.action == "more_info.requested"][0]
    assert not shown.withheld and ("question", None, "Please send the refuge's safeguarding plan") in shown.changes


def test_outbox_shows_an_administrator_account_emails_but_not_emails_about_applications(app, demo, as_admin,
                                                                                      as_officer):
    """In the development outbox, does an administrator read account emails but not emails about applications?"""
    from grants.services import accounts, screening

    from .factories import make_application

    app.config["SHOW_OUTBOX"] = True
    try:
        application = make_application(demo, status="submitted")
        screening.request_more_info(application, question="Please send the refuge's safeguarding plan",
                                    sections=["safeguarding"], actor=demo.officer)
        accounts.request_password_reset(demo.assessor.email)
        db.session.commit()
        admin_text = " ".join(as_admin.get_page("/staff/outbox").get_text().split())
        officer_text = " ".join(as_officer.get_page("/staff/outbox").get_text().split())
    finally:
        app.config["SHOW_OUTBOX"] = False
    assert "refuge" not in admin_text and "An email about an application" in admin_text
    assert "reset-password" in admin_text or "reset your password" in admin_text.lower()
    assert "refuge" in officer_text


def test_readme_states_the_matrix_the_code_enforces():
    """Does the README's "Who can see what" table say exactly what permissions.READ says?"""
    from pathlib import Path

    from grants.services import permissions

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Who can see what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| kind")]
    assert rows == [f"| {info.value} | {', '.join(who)} |" for info, who in permissions.matrix()]


def test_finance_reads_the_award_but_not_the_assessment_or_a_decline(app, demo, as_finance):
    """On decision records and letters, does finance see the award and schedule but no scores, decline reasons or PDF?"""
    _planted(demo)
    records = db.session.scalars(select(DecisionRecord).order_by(DecisionRecord.id)).all()
    approval = next(r for r in records if r.outcome.startswith("approve") and r.scores.get("assessors"))
    decline = next(r for r in records if r.outcome == "decline")
    page = " ".join(as_finance.get_page(f"/decisions/records/{approval.id}").get_text().split())
    assert approval.number in page and "Payment schedule" in page
    assert "Assessment scores" not in page and "Conflicts of interest declared" not in page
    assert as_finance.get(f"/decisions/records/{approval.id}.pdf").status_code == 404
    assert "Not shown to you" in as_finance.get_page(f"/decisions/records/{decline.id}").get_text()
    letters = db.session.scalars(select(Letter)).all()
    award = next(letter for letter in letters if letter.kind == "award")
    refused = next(letter for letter in letters if letter.kind == "decline")
    assert as_finance.get(f"/decisions/letters/{award.id}").status_code == 200
    assert as_finance.get(f"/decisions/letters/{refused.id}").status_code == 404


def test_finance_reads_a_reports_figures_but_not_its_narrative(app, demo, as_finance, as_officer):
    """On a submitted monitoring report, does finance see spend against budget but not what the group wrote?"""
    _planted(demo)
    report = db.session.scalars(select(Report).where(Report.case_study.is_not(None)).order_by(Report.id)).first()
    finance_text = " ".join(as_finance.get_page(f"/monitoring/staff/reports/{report.id}").get_text().split())
    officer_text = " ".join(as_officer.get_page(f"/monitoring/staff/reports/{report.id}").get_text().split())
    assert "Difference (paid less spent)" in finance_text
    assert PLANTED["report case study"] not in finance_text and "not shown to you" in finance_text
    assert PLANTED["report case study"] in officer_text


def test_finance_sees_an_applications_award_but_not_its_answers_documents_or_versions(app, demo, as_finance):
    """On a funded application's staff page, does finance see the organisation and decisions but no answers?"""
    _planted(demo)
    application = db.session.scalars(select(Application).where(Application.status == "funded")
                                     .order_by(Application.id)).first()
    text = " ".join(as_finance.get_page(f"/staff/applications/{application.id}").get_text().split())
    assert application.organisation.legal_name in text and "Decision records" in text
    assert not planted_in(text) and "Submitted versions" not in text
    assert as_finance.get(f"/staff/applications/{application.id}/versions/1").status_code == 404
    document = application.attachments[0]
    assert as_finance.get(f"/staff/applications/{application.id}/attachments/{document.id}").status_code == 404
