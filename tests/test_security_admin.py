"""User administration: roles with an audit trail, deactivation, anonymisation, re-authentication."""
from datetime import timedelta

import pytest

from grants import clock
from grants.extensions import db
from grants.models import AuditEvent, Organisation, Role
from grants.services import admin, audit
from grants.services.errors import NotPermitted, ValidationFailed

from .factories import make_application
from .factories_audit import enrol, next_code
from .helpers import PageClient, error_messages, text_of


def _fresh(user):
    user.last_sign_in_at = clock.now()
    db.session.commit()


def _last_event(action):
    return db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()))


def test_admin_sees_and_searches_users(as_admin):
    """Can an admin find a user by part of their name and see their roles?"""
    soup = as_admin.get_page("/admin/users?q=gemma")
    text = text_of(soup)
    assert "Gemma Wright" in text and "Grants officer" in text and "Janet Armstrong" not in text


def test_role_change_is_audited_with_before_and_after(as_admin, demo):
    """Does changing roles record who, before, after and why?"""
    _fresh(demo.admin)
    as_admin.post_page(f"/admin/users/{demo.assessor.id}/roles",
                       {"roles": ["assessor", "officer"], "authority": "", "reason": "Covering leave"})
    db.session.refresh(demo.assessor)
    assert demo.assessor.role_set == {Role.ASSESSOR, Role.OFFICER}
    event = _last_event("admin.roles_changed")
    assert event.before == {"roles": ["assessor"]} and event.after == {"roles": ["assessor", "officer"]}
    assert event.actor_id == demo.admin.id and event.reason == "Covering leave"


@pytest.fixture
def reauth_on(app):
    app.config["REAUTH_AFTER_MINUTES"] = 15
    yield
    app.config["REAUTH_AFTER_MINUTES"] = 0


def test_role_change_needs_a_recent_sign_in(as_admin, demo, reauth_on):
    """Is an admin whose sign-in is over 15 minutes old sent to confirm it is them, then back?"""
    demo.admin.last_sign_in_at = clock.now() - timedelta(minutes=16)
    db.session.commit()
    url = f"/admin/users/{demo.assessor.id}/roles"
    response = as_admin.post(url, data={"roles": ["admin"], "reason": "x"})
    assert response.status_code == 302 and "/account/confirm-it-is-you" in response.headers["Location"]
    db.session.refresh(demo.assessor)
    assert demo.assessor.role_set == {Role.ASSESSOR}
    wrong = as_admin.post_page("/account/confirm-it-is-you?next=" + url, {"password": "nope"})
    assert "The password is not correct" in error_messages(wrong)
    back = as_admin.post("/account/confirm-it-is-you?next=" + url, data={"password": "demo-password"})
    assert back.status_code == 302 and back.headers["Location"].endswith(url)
    assert as_admin.get(url).status_code == 200
    assert _last_event("auth.reauthenticated").actor_id == demo.admin.id


def test_reauthentication_asks_for_a_code_when_enrolled(as_admin, demo, reauth_on):
    """Does re-authentication need a current code as well as the password for an enrolled user?"""
    from grants.services import two_factor

    totp = enrol(demo.admin)
    with as_admin.session_transaction() as session:
        session["two_factor_ok"] = True
    demo.admin.last_sign_in_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    soup = as_admin.post_page("/account/confirm-it-is-you", {"password": "demo-password", "code": "000000"})
    assert "The code is not correct" in " ".join(error_messages(soup))
    two_factor.confirm_identity(user=demo.admin, password="demo-password", code=next_code(totp))
    db.session.commit()
    from grants.auth.reauth import sign_in_is_fresh

    assert sign_in_is_fresh(demo.admin)


def test_applicant_cannot_be_given_staff_roles(app, demo):
    """Is mixing applicant and staff roles refused?"""
    with pytest.raises(ValidationFailed):
        admin.set_roles(user=demo.applicant, roles={Role.APPLICANT, Role.ASSESSOR}, actor=demo.admin)
    with pytest.raises(ValidationFailed):
        admin.set_roles(user=demo.applicant, roles={Role.DECISION_MAKER}, actor=demo.admin)


def test_last_admin_keeps_admin_role(app, demo):
    """Can the only active administrator remove their own admin role? (No.)"""
    with pytest.raises(NotPermitted):
        admin.set_roles(user=demo.admin, roles={Role.OFFICER}, actor=demo.admin)


def test_decision_authority_is_audited_and_only_for_decision_makers(app, demo):
    """Is decision authority limited to decision makers, and each change audited?"""
    with pytest.raises(ValidationFailed):
        admin.set_decision_authority(user=demo.officer, authority="full", actor=demo.admin)
    admin.set_decision_authority(user=demo.ceo, authority="full", actor=demo.admin, reason="Acting PCC")
    assert demo.ceo.decision_authority == "full"
    assert "admin.decision_authority_changed" in audit.pending_actions()


def test_deactivation_ends_an_open_session_at_once(app, demo, as_officer, as_admin):
    """Is a deactivated user's existing session refused on its very next request?"""
    assert as_officer.get("/account/two-factor").status_code == 200
    _fresh(demo.admin)
    soup = as_admin.post_page(f"/admin/users/{demo.officer.id}/deactivate", {"reason": "Left the OPCC"})
    assert "deactivated" in text_of(soup)
    response = as_officer.get("/account/two-factor")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    event = _last_event("admin.user_deactivated")
    assert event.reason == "Left the OPCC" and event.after == {"active": False}
    # And they cannot sign in again.
    fresh = app.test_client()
    fresh.post("/account/sign-in", data={"email": "officer@example.org", "password": "demo-password"})
    assert fresh.get("/account/two-factor").status_code == 302


def test_reactivation_lets_them_sign_in(app, demo):
    """Can a deactivated account be reactivated, with a reason?"""
    admin.deactivate(user=demo.officer, actor=demo.admin, reason="On leave")
    admin.reactivate(user=demo.officer, actor=demo.admin, reason="Back")
    db.session.commit()
    client = app.test_client()
    client.post("/account/sign-in", data={"email": "officer@example.org", "password": "demo-password"})
    assert client.get("/account/two-factor").status_code == 200


def test_admin_cannot_deactivate_themselves(app, demo):
    with pytest.raises(NotPermitted):
        admin.deactivate(user=demo.admin, actor=demo.admin, reason="oops")


def test_admin_can_reset_two_factor(app, as_admin, demo):
    """Can an admin reset a user's lost two-factor, ending their sessions, with a reason?"""
    enrol(demo.officer)
    _fresh(demo.admin)
    officer = PageClient(app)
    officer.sign_in_as(demo.officer)
    as_admin.post_page(f"/admin/users/{demo.officer.id}/reset-two-factor", {"reason": "Lost phone, checked by call"})
    db.session.refresh(demo.officer)
    assert demo.officer.totp_enabled_at is None and officer.get("/staff/applications").status_code == 302
    assert _last_event("admin.two_factor_reset").reason == "Lost phone, checked by call"


def test_admin_adds_a_staff_account_and_a_reset_link_is_sent(as_admin, demo):
    """Does adding a staff account create it with its roles and email a set-your-password link?"""
    from grants.models import OutboxEmail, User

    _fresh(demo.admin)
    as_admin.post_page("/admin/users/new", {"full_name": "Nadia Ali", "email": "nadia@example.org",
                                            "roles": ["assessor"], "authority": ""})
    user = db.session.scalar(db.select(User).where(User.email == "nadia@example.org"))
    assert user.role_set == {Role.ASSESSOR}
    assert db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.to_address == "nadia@example.org")) is not None
    assert _last_event("user.created").actor_id == demo.admin.id


def test_anonymising_an_applicant_removes_personal_data_but_keeps_records(app, demo):
    """Are names and contact details gone while applications, amounts and audit events stay?"""
    application = make_application(demo, status="submitted", amount_pence=450_000)
    db.session.commit()
    events_before = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    user, org = demo.applicant, demo.applicant.organisation
    org.contact_email = user.email
    db.session.commit()
    with pytest.raises(ValidationFailed):
        admin.anonymise_applicant(user=user, actor=demo.admin, retention_confirmed=False, reason="DSAR 12")
    admin.anonymise_applicant(user=user, actor=demo.admin, retention_confirmed=True, reason="DSAR 12")
    db.session.commit()
    db.session.refresh(user)
    assert user.email == f"anonymised-{user.id}@invalid" and user.full_name == "Anonymised user"
    assert user.anonymised_at is not None and not user.check_password("demo-password") and not user.is_active
    org = db.session.get(Organisation, org.id)
    assert org.contact_name == "Anonymised" and "@invalid" in org.contact_email and org.contact_phone is None
    assert application.amount_requested_pence == 450_000 and application.declaration_name == "Anonymised"
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events_before + 1
    event = _last_event("admin.user_anonymised")
    assert "Janet" not in str(event.after) and "applicant@example.org" not in str(event.after)
    assert audit.verify_chain().ok


def test_staff_accounts_cannot_be_anonymised(as_admin, demo):
    """Is anonymising a staff account refused, with the reason shown?"""
    with pytest.raises(NotPermitted):
        admin.anonymise_applicant(user=demo.ceo, actor=demo.admin, retention_confirmed=True, reason="x")
    _fresh(demo.admin)
    soup = as_admin.get_page(f"/admin/users/{demo.ceo.id}/anonymise")
    assert "Only applicant accounts can be anonymised" in text_of(soup)


def test_anonymise_page_needs_the_retention_confirmation(as_admin, demo):
    """Does the anonymise page refuse without the retention tick and say why?"""
    _fresh(demo.admin)
    soup = as_admin.post_page(f"/admin/users/{demo.applicant2.id}/anonymise", {"reason": "Request 7"})
    assert "Confirm the retention period has passed" in error_messages(soup)
    assert "privacy notice" in text_of(soup)


def test_every_admin_change_page_asks_for_a_recent_sign_in(app, demo, as_admin, reauth_on):
    """Are all of the admin's change pages behind re-authentication when the sign-in is stale?"""
    demo.admin.last_sign_in_at = None
    db.session.commit()
    for endpoint in ("admin.user_roles", "admin.deactivate", "admin.reactivate", "admin.anonymise",
                     "admin.reset_two_factor"):
        response = as_admin.get(f"/admin/users/{demo.officer.id}/" + {
            "admin.user_roles": "roles", "admin.deactivate": "deactivate", "admin.reactivate": "reactivate",
            "admin.anonymise": "anonymise", "admin.reset_two_factor": "reset-two-factor"}[endpoint])
        assert "/account/confirm-it-is-you" in response.headers.get("Location", ""), endpoint
    assert "/account/confirm-it-is-you" in as_admin.get("/admin/users/new").headers["Location"]
