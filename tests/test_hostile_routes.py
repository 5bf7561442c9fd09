"""Hostile requests against every route that exists: auditors posting, CSRF-less posts, other organisations' ids.

These walk app.url_map at run time, so routes added by any area are covered
without editing this file.
"""
from __future__ import annotations

import pytest

from grants import clock
from grants.access import rule_for_endpoint
from grants.extensions import db
from grants.models import Attachment, Role

from .factories import make_application
from .helpers import PageClient
from .route_walk import MUTATING, reachable_by_applicants, routes, row_counts, url_for_rule


def _signed_in(app, user) -> PageClient:
    client = PageClient(app)
    client.sign_in_as(user)
    return client


def test_auditor_area_refuses_every_mutating_method(app, demo, as_auditor):
    """Does every route in the auditor's area refuse POST, PUT, PATCH and DELETE from an auditor?"""
    area = [r for r in routes(app) if r.endpoint.startswith("auditor.")]
    assert area, "the auditor area has routes"
    for rule in area:
        assert rule_for_endpoint(rule.endpoint).read_only, rule.rule
        url = url_for_rule(app, rule)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = as_auditor.open(url, method=method)
            assert response.status_code == 405, (method, rule.rule, response.status_code)


def test_auditor_cannot_post_to_any_mutating_route(app, demo, as_auditor):
    """Is every role-protected mutating route refused to an auditor, with nothing written?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    demo.auditor.last_sign_in_at = clock.now()
    db.session.commit()
    before = row_counts(db)
    checked = 0
    for rule in routes(app, methods=MUTATING):
        declared = rule_for_endpoint(rule.endpoint)
        if declared.kind != "roles":
            continue  # the auditor's own account pages (sign out, two-factor) are not "changes" to audit data
        url = url_for_rule(app, rule, {"application_id": application.id} if "application_id" in rule.arguments else None)
        for method in sorted(rule.methods & MUTATING):
            response = as_auditor.open(url, method=method, data={"reason": "x", "confirm": "y"})
            assert response.status_code in (403, 405), (method, rule.rule, response.status_code)
            checked += 1
    assert checked, "expected some mutating role routes"
    assert row_counts(db) == before


def test_read_only_is_enforced_for_auditors_even_on_shared_routes(app, demo, monkeypatch):
    """If a mutating route ever admitted auditors, would the central check still refuse them?"""
    from flask_login import login_user
    from werkzeug.exceptions import Forbidden

    from grants import security
    from grants.access import AccessRule

    shared = AccessRule(kind="roles", roles=frozenset({Role.OFFICER, Role.AUDITOR}))
    monkeypatch.setattr(security, "rule_for_endpoint", lambda endpoint: shared)
    with app.test_request_context("/staff/anything", method="POST"):
        login_user(demo.auditor)
        with pytest.raises(Forbidden):
            security.refuse_auditor_changes()
    with app.test_request_context("/staff/anything", method="GET"):
        login_user(demo.auditor)
        assert security.refuse_auditor_changes() is None
    with app.test_request_context("/staff/anything", method="POST"):
        login_user(demo.officer)
        assert security.refuse_auditor_changes() is None


def test_posts_without_a_csrf_token_are_refused(app, demo):
    """With CSRF protection on, is every POST route refused (400) without a token, signed in or not?"""
    admin = _signed_in(app, demo.admin)
    applicant = _signed_in(app, demo.applicant)
    anonymous = app.test_client()
    before = row_counts(db)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        post_routes = routes(app, methods={"POST"})
        assert post_routes
        for rule in post_routes:
            url = url_for_rule(app, rule)
            for client in (anonymous, applicant, admin):
                response = client.post(url, data={"email": "applicant@example.org", "password": "demo-password"})
                assert response.status_code == 400, (rule.rule, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert row_counts(db) == before


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_another_organisations_ids_are_not_found(app, demo, status):
    """For every applicant-reachable route with an id, does another organisation's id give 404?"""
    mine = make_application(demo, status=status)
    attachment = Attachment(organisation_id=mine.organisation_id, application_id=mine.id, kind="other",
                            original_filename="a.pdf", stored_name=f"probe-{status}.pdf",
                            content_type="application/pdf", size_bytes=1, sha256="0" * 64,
                            uploaded_by_id=demo.applicant.id)
    db.session.add(attachment)
    db.session.commit()
    ids = {"application_id": mine.id, "organisation_id": mine.organisation_id, "attachment_id": attachment.id}
    intruder = _signed_in(app, demo.applicant2)
    before = row_counts(db)
    for rule in routes(app):
        if not reachable_by_applicants(rule) or not (set(rule.arguments) & set(ids)):
            continue
        url = url_for_rule(app, rule, {k: v for k, v in ids.items() if k in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = intruder.open(url, method=method, data={})
            assert response.status_code == 404, (method, rule.rule, response.status_code)
    assert row_counts(db) == before


# An id that could exist, the first beyond a 32-bit column, beyond 64 bits, and far beyond.
UNKNOWN_IDS = [987654, 2**31, 2**63, 99999999999999999999]


@pytest.mark.parametrize("unknown_id", UNKNOWN_IDS)
@pytest.mark.parametrize("methods", [{"GET"}, MUTATING], ids=["GET", "POST"])
def test_staff_pages_with_unknown_ids_are_not_found(app, demo, unknown_id, methods):
    """Does every route with an id answer 404 (never 500) for an id that does not exist, however large?"""
    from .route_walk import ROLE_CLIENT, client_name_for

    clients = {}
    for user in demo.users.values():
        user.last_sign_in_at = clock.now()
    db.session.commit()
    checked = 0
    for rule in routes(app, methods=methods):
        int_args = [a for a in rule.arguments if a.endswith("_id")]
        if not int_args:
            continue
        name = client_name_for(rule)
        if name is None:
            client = app.test_client()
        else:
            if name not in clients:
                clients[name] = _signed_in(app, demo.user(name))
            client = clients[name]
        url = url_for_rule(app, rule, {a: 987654 for a in int_args}).replace("987654", str(unknown_id))
        for method in sorted(rule.methods & methods):
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (method, rule.rule, unknown_id, response.status_code)
            checked += 1
    assert checked > 10
    assert set(ROLE_CLIENT.values()) >= set(clients)


@pytest.mark.parametrize("huge", [2**31, 99999999999999999999])
def test_huge_numbers_in_query_strings_are_not_a_server_error(app, demo, huge):
    """Do numbers in query strings beyond any column's range answer 404 or the page, never 500?"""
    application = make_application(demo, status="submitted")
    db.session.commit()
    officer = _signed_in(app, demo.officer)
    urls = [f"/staff/applications?page={huge}", f"/staff/applications?round={huge}",
            f"/assessment/panels/{demo.csf_round.id}?objective={huge}&area={huge}",
            f"/assessment/applications/{application.id}/changes?from={huge}&to={huge}",
            f"/staff/outbox?page={huge}"]
    for url in urls:
        response = officer.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
