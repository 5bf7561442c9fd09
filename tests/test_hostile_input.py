"""Hostile input: script injection, oversized and malformed values, unicode, formula injection, uploads.

Pages are found by walking app.url_map at run time, so every area's pages are
checked, including ones added after this file was written.
"""
from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage

from grants import clock
from grants.extensions import db
from grants.models import GrantPublication
from grants.services import audit

from .factories import make_application
from .factories_money import make_payment_run
from .factories_audit import make_assessment, make_decision_record
from .helpers import PageClient
from .route_walk import MUTATING, client_name_for, routes, url_for_rule

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
XSS = [SCRIPT, IMG]
UNICODE = "Zoë Ångström 👩‍👩‍👧 \u202eevil\u202c \u0301 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
MALFORMED = ["£1,2,3.456", "-5", "1e9", "NaN", "99999999999999999999", "31/02/2026", "2026-13-45", " ", "0x10"]
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(1)"]


def assert_no_live_markup(body: bytes, where: str) -> None:
    """The payloads must appear only as text: no script running alert, no onerror handler, no src=x image."""
    soup = BeautifulSoup(body, "html.parser")
    for script in soup.find_all("script"):
        assert "alert(1)" not in (script.string or ""), f"live <script> injected on {where}"
    for element in soup.find_all(True):
        assert "onerror" not in element.attrs, f"onerror attribute injected on {where}"
    assert not soup.find("img", src="x"), f"<img> injected on {where}"


def _client(app, demo, name, cache):
    if name is None:
        return app.test_client()
    if name not in cache:
        client = PageClient(app)
        client.sign_in_as(demo.user(name))
        cache[name] = client
    return cache[name]


@pytest.fixture
def hostile_data(demo):
    """An organisation, application, people and audit trail full of markup."""
    for user in demo.users.values():
        user.last_sign_in_at = clock.now()
    org = demo.applicant.organisation
    org.legal_name = f"Kicks {SCRIPT}"
    org.contact_name = IMG
    org.address_line_1 = f"{UNICODE} {IMG}"
    demo.applicant.full_name = f"Janet {IMG}"
    application = make_application(demo, status="submitted", title=f"Sheds {SCRIPT}")
    application.summary, application.need, application.safeguarding = IMG, SCRIPT, SCRIPT
    application.activities, application.beneficiaries = f"{IMG}\n{SCRIPT}", UNICODE
    make_assessment(demo, application, conflict=True, nature=SCRIPT)
    # Records are immutable once written, so the hostile name goes in at creation.
    make_decision_record(demo, application, reasons=f"{SCRIPT} {FORMULAS[0]}", organisation_name=FORMULAS[0])
    audit.record("application.submitted", actor=demo.applicant, entity=application, application=application,
                 before={"title": SCRIPT}, after={"title": IMG, IMG: SCRIPT}, reason=IMG)
    db.session.commit()
    return application


def test_stored_markup_is_escaped_on_every_page(app, demo, hostile_data):
    """On every page any role can open, is markup typed by an applicant shown as text, never run?"""
    application = hostile_data
    values = {"application_id": application.id, "organisation_id": application.organisation_id,
              "user_id": demo.applicant.id, "round_id": application.round_id}
    clients: dict = {}
    checked = 0
    for rule in routes(app, methods={"GET"}):
        if set(rule.arguments) - set(values):
            continue
        names = {client_name_for(rule)}
        if "application_id" in rule.arguments or not rule.arguments:
            names |= {"officer", "auditor", "admin"} if client_name_for(rule) not in (None, "applicant") else set()
        for name in names:
            response = _client(app, demo, name, clients).get(url_for_rule(app, rule, values))
            assert response.status_code < 500, (rule.rule, name, response.status_code)
            if response.status_code == 200 and response.mimetype == "text/html":
                assert_no_live_markup(response.data, f"{rule.rule} as {name}")
                checked += 1
            # Streamed downloads (CSV, JSON) must be finished inside the request's context.
            response.close()
    assert checked >= 5


def _form_fields(body: bytes) -> list[tuple[str, str]]:
    soup = BeautifulSoup(body, "html.parser")
    fields = []
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        for element in form.find_all(["input", "textarea", "select"]):
            name = element.get("name")
            if name and name != "csrf_token" and element.get("type") not in ("submit", "file"):
                fields.append((name, element.get("type") or element.name))
    return fields


@pytest.mark.parametrize("kind", ["script", "oversized", "malformed", "unicode"])
def test_every_form_survives_hostile_values(app, demo, kind):
    """Does every form answer hostile values with a page or redirect, never a server error or live markup?"""
    application = make_application(demo, status="draft")
    for user in demo.users.values():
        user.last_sign_in_at = clock.now()
    db.session.commit()
    values = {"application_id": application.id, "organisation_id": application.organisation_id,
              "user_id": demo.applicant2.id}
    pool = {"script": XSS, "oversized": ["x" * 100_000, "é" * 20_000], "malformed": MALFORMED,
            "unicode": [UNICODE]}[kind]
    posted = 0
    for rule in routes(app, methods={"POST"}):
        if set(rule.arguments) - set(values) or "GET" not in rule.methods:
            continue
        name = client_name_for(rule)
        client = _client(app, demo, name, {})
        url = url_for_rule(app, rule, values)
        page = client.get(url)
        assert page.status_code < 500, (rule.rule, page.status_code)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        fields = _form_fields(page.data)
        if not fields:
            continue
        data = {field: pool[i % len(pool)] for i, (field, _) in enumerate(fields)}
        response = client.post(url, data=data)
        assert response.status_code < 500, (rule.rule, kind, response.status_code)
        if response.mimetype == "text/html":
            assert_no_live_markup(response.data, f"POST {rule.rule}")
        db.session.rollback()
        posted += 1
    assert posted >= 8


def test_nul_bytes_are_refused(app, client):
    """Is a NUL byte in a form or query value refused with 400 rather than reaching the database?"""
    assert client.post("/account/sign-in", data={"email": "a\x00@example.org", "password": "x"}).status_code == 400
    assert client.get("/account/sign-in?next=%00").status_code == 400


def test_oversized_request_is_refused(app, client):
    """Is a request body over the size limit refused with 413?"""
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = client.post("/account/sign-in", data={"file": (io.BytesIO(b"%PDF" + b"0" * 4096), "big.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_uploads_are_sniffed_and_served_as_downloads(app, demo):
    """Is an HTML or SVG file named .pdf refused, and a real file served as an attachment with nosniff?"""
    from grants.services.attachments import send_attachment, store_upload
    from grants.services.errors import ValidationFailed

    org = demo.applicant.organisation
    for disguised in (b"<html><body onload=alert(1)>", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
                      b"%PDF-1.4\n<html><script>alert(1)</script>"):
        with pytest.raises(ValidationFailed):
            store_upload(FileStorage(io.BytesIO(disguised), filename="report.pdf"), organisation=org,
                         kind="other", actor=demo.applicant)
    with pytest.raises(ValidationFailed):
        store_upload(FileStorage(io.BytesIO(b"MZ\x90\x00"), filename="run.exe"), organisation=org, kind="other",
                     actor=demo.applicant)
    stored = store_upload(FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
                                      filename=f"{IMG}.pdf"), organisation=org, kind="other", actor=demo.applicant)
    db.session.commit()
    with app.test_request_context():
        response = send_attachment(stored)
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # The name is quoted (a header, not HTML) and cannot break out into another header.
        assert "\n" not in response.headers["Content-Disposition"] and "\r" not in response.headers["Content-Disposition"]
        response.close()


def test_pdf_text_is_escaped(app):
    """Is markup in user text printed literally in PDFs rather than interpreted by reportlab?"""
    from pypdf import PdfReader

    from grants.documents.common import para, render_pdf

    with app.test_request_context():
        pdf = render_pdf([para(f'<b>bold</b> {SCRIPT} <font color="red">x</font> & {UNICODE[:12]}')], title="Test")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<b>bold</b>" in text and "<script>alert(1)</script>" in text and '<font color="red">' in text


def test_decision_record_pdf_escapes_markup(app, demo, hostile_data):
    """Does the decision record PDF print an organisation's markup as text?"""
    pytest.importorskip("grants.documents.decision_record")
    from pypdf import PdfReader

    from grants.documents.decision_record import decision_record_pdf
    from grants.models import DecisionRecord

    record = db.session.scalar(db.select(DecisionRecord))
    with app.test_request_context():
        pdf = decision_record_pdf(record)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")


def _formula_cells(body: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    bad = []
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


def test_every_csv_export_neutralises_formulas(app, demo, hostile_data):
    """Does every CSV for people prefix cells starting = + - @, and does open data keep them exactly as entered?

    Every CSV route is fetched (routes needing a round get the hostile round) and each must answer 200:
    a 500 or a skipped route fails the test.
    """
    audit.record("test.formula", actor_label=FORMULAS[3], entity_type="Thing", reason=FORMULAS[2],
                 after={"x": FORMULAS[1]})
    # Something on every listing: an assessed application (panel), an award (register, open data).
    make_application(demo, status="assessed", title=FORMULAS[1], score_percent=70)
    award = make_application(demo, status="funded", title=FORMULAS[0])
    award.awarded_pence, award.decided_at = award.amount_requested_pence, clock.now()
    db.session.add(GrantPublication(application_id=award.id, published_at=clock.now(), published_by_id=demo.officer.id))
    # A payment run for the hostile organisation (its name and account name start with '=').
    run = make_payment_run(demo, award)
    db.session.commit()
    values = {"application_id": hostile_data.id, "round_id": hostile_data.round_id, "fmt": "csv", "run_id": run.id}
    clients: dict = {}
    checked = []
    for rule in routes(app, methods={"GET"}):
        probe = url_for_rule(app, rule, {a: values.get(a, 1) for a in rule.arguments})
        if not (probe.endswith(".csv") or "csv" in probe.rsplit("/", 1)[-1]):
            continue
        assert not set(rule.arguments) - set(values), f"{rule.rule}: give the test a value for its arguments"
        response = _client(app, demo, client_name_for(rule), clients).get(probe)
        assert response.status_code == 200 and "csv" in response.mimetype, (rule.rule, response.status_code)
        if rule.endpoint.startswith("opendata."):
            cells = [c for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))) for c in row]
            assert FORMULAS[0] in cells, rule.rule
        else:
            assert _formula_cells(response.data) == [], rule.rule
        checked.append(rule.endpoint)
    assert {"assessment.panel_csv", "reports.grants_register_csv", "opendata.threesixty_csv",
            "auditor.events_export"} <= set(checked)


def test_tabular_writer_prefixes_every_formula_start():
    """Does the shared CSV writer neutralise each formula prefix while keeping numbers as numbers?"""
    from grants.exports.tabular import csv_bytes

    body = csv_bytes(["a", "b"], [[f, -5] for f in FORMULAS])
    assert _formula_cells(body) == []
    assert "-5" in body.decode()
