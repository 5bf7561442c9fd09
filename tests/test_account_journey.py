"""Registering, confirming an email address, signing out and resetting a forgotten password."""
import re

from grants.extensions import db
from grants.models import OutboxEmail
from grants.services import accounts

from .helpers import error_messages, text_of

PASSWORD = "correct horse battery staple"


def link_in_latest_email(to: str) -> str:
    email = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == to)
                               .order_by(OutboxEmail.id.desc())).first()
    return re.search(r"http://localhost(/\S+)", email.body_text).group(1)


def test_weak_or_mismatched_passwords_are_refused_with_answers_kept(page, demo):
    """Does registration refuse a short, common or mismatched password, keeping the name and email?"""
    soup = page.post_page("/account/register", {"full_name": "Asha Patel", "email": "asha@example.org",
                                                 "password": "short", "password_again": "short"})
    assert error_messages(soup) == ["Password must be 12 characters or more"]
    assert soup.select_one("#email")["value"] == "asha@example.org"
    soup = page.post_page("/account/register", {"full_name": "Asha Patel", "email": "asha@example.org",
                                                 "password": "password1234", "password_again": "password1234"})
    assert "too easy to guess" in error_messages(soup)[0]
    soup = page.post_page("/account/register", {"full_name": "Asha Patel", "email": "asha@example.org",
                                                 "password": PASSWORD, "password_again": PASSWORD + "x"})
    assert error_messages(soup) == ["Passwords must match"]
    soup = page.post_page("/account/register", {"full_name": "Someone", "email": "applicant@example.org",
                                                 "password": PASSWORD, "password_again": PASSWORD})
    assert error_messages(soup) == ["An account already exists for this email address"]


def test_register_then_confirm_through_the_emailed_link(page, demo):
    """Does a new account get a confirmation link by email that confirms the address once followed?"""
    page.post_page("/account/register", {"full_name": "Asha Patel", "email": "Asha@Example.org",
                                          "password": PASSWORD, "password_again": PASSWORD})
    user = accounts.find_user("asha@example.org")
    assert user.email_confirmed_at is None and user.has_role(accounts.Role.APPLICANT)
    soup = page.get_page(link_in_latest_email("asha@example.org"), follow_redirects=True)
    assert "Your email address is confirmed" in text_of(soup)
    db.session.expire_all()
    assert user.email_confirmed_at is not None
    assert page.get("/account/confirm/not-a-token").status_code == 400


def test_forgotten_password_reset_works_once(page, demo):
    """Does the reset link change the password, end other sessions, and then stop working?"""
    soup = page.post_page("/account/forgot-password", {"email": "applicant@example.org"})
    assert "If there is an account for applicant@example.org" in text_of(soup)
    path = link_in_latest_email("applicant@example.org")
    soup = page.post_page(path, {"password": "short", "password_again": "short"})
    assert error_messages(soup) == ["Password must be 12 characters or more"]
    soup = page.post_page(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert "Your password has been changed" in text_of(soup)
    assert page.get(path).status_code == 400
    response = page.post("/account/sign-in", data={"email": "applicant@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/apply/")


def test_unknown_email_gets_the_same_answer_and_no_email(page, demo):
    """Does asking to reset an unknown address reveal nothing and send nothing?"""
    soup = page.post_page("/account/forgot-password", {"email": "nobody@example.org"})
    assert "If there is an account for nobody@example.org" in text_of(soup)
    assert db.session.scalar(db.select(db.func.count(OutboxEmail.id))) == 0


def test_sign_out_ends_the_session(as_applicant, demo):
    """After signing out, is the dashboard no longer reachable?"""
    as_applicant.post("/account/sign-out")
    response = as_applicant.get("/apply/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_invited_newcomer_registers_and_comes_back_to_the_invitation(page, demo):
    """Does someone who opens an invitation before having an account get back to it after registering?"""
    from grants.services import organisations

    organisations.invite_colleague(demo.applicant.organisation, actor=demo.applicant, email="new@example.org")
    db.session.commit()
    body = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == "new@example.org")).one()
    path = re.search(r"http://localhost(/apply/invitations/\S+)", body.body_text).group(1)
    response = page.get(path)
    assert "/account/sign-in" in response.headers["Location"]
    sign_in_page = page.get_page(response.headers["Location"])
    register_href = sign_in_page.find("a", string="Create an account")["href"]
    response = page.post(register_href, data={"full_name": "New Colleague", "email": "new@example.org",
                                              "password": PASSWORD, "password_again": PASSWORD})
    assert response.headers["Location"] == path
    page.post_page(path, {})
    assert accounts.find_user("new@example.org").organisation == demo.applicant.organisation
