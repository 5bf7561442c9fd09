"""Organisation profiles and invitations, tested without HTTP."""
from datetime import timedelta

import pytest

from grants import clock
from grants.extensions import db
from grants.models import Invitation, OutboxEmail
from grants.services import accounts, audit, organisations
from grants.services.errors import DomainError, NotPermitted, ValidationFailed

VALID = dict(legal_name="Redcar Street Pastors", org_type="constituted_group", address_line_1="1 High Street",
             town="Redcar", postcode="ts10 1aa", contact_name="Ann Lee", contact_email="Ann@Example.org")


def newcomer(email="new@example.org"):
    user = accounts.register_applicant(email=email, full_name="New Person", password="correct horse battery staple")
    user.email_confirmed_at = clock.now()
    return user


@pytest.mark.parametrize("org_type, charity, company", [
    ("registered_charity", "1165432", ""), ("registered_charity", "216401", ""), ("cio", "1165432-1", ""),
    ("registered_charity", "SC012345", ""), ("registered_charity", "nic100002", ""),
    ("cic", "", "08123456"), ("company_limited_by_guarantee", "", "SC123456"),
    ("company_limited_by_guarantee", "1165432", "NI123456"), ("cic", "", "8123456"), ("school", "", ""),
])
def test_numbers_in_the_right_format_for_the_type_are_accepted(org_type, charity, company, app):
    """Are real-looking charity and company numbers accepted for each type?"""
    data = organisations.clean_values({**VALID, "org_type": org_type, "charity_number": charity,
                                       "company_number": company})
    assert data["org_type"] == org_type
    assert data["postcode"] == "TS10 1AA" and data["contact_email"] == "ann@example.org"


@pytest.mark.parametrize("org_type, charity, company, field, message", [
    ("registered_charity", "", "", "charity_number", "Enter the charity number"),
    ("cio", "12345", "", "charity_number", "correct format"),
    ("registered_charity", "SC12345", "", "charity_number", "correct format"),
    ("registered_charity", "1165432-123", "", "charity_number", "correct format"),
    ("cic", "", "", "company_number", "Enter the company number"),
    ("company_limited_by_guarantee", "", "123456789", "company_number", "correct format"),
    ("cic", "", "S1234567", "company_number", "correct format"),
    ("faith_group", "abc", "", "charity_number", "correct format"),
])
def test_numbers_in_the_wrong_format_for_the_type_are_refused(org_type, charity, company, field, message, app):
    """Is a missing or malformed charity/company number refused with a message beside the field?"""
    with pytest.raises(ValidationFailed) as caught:
        organisations.clean_values({**VALID, "org_type": org_type, "charity_number": charity,
                                    "company_number": company})
    assert message in caught.value.errors[field]


@pytest.mark.parametrize("postcode, expected", [
    ("ts1 2ab", "TS1 2AB"), ("TS181TW", "TS18 1TW"), ("sw1a 1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE"),
    ("TS1", None), ("12345", None), ("TS1 2A", None), ("TS1 2AB X", None),
])
def test_postcodes_are_checked_and_normalised(postcode, expected):
    """Are UK postcodes upper-cased with one space, and non-postcodes refused?"""
    assert organisations.normalise_postcode(postcode) == expected


def test_creating_an_organisation_makes_the_creator_its_member(demo):
    """Does the creator become the one member, and is the creation audited?"""
    user = newcomer()
    org = organisations.create_organisation(actor=user, values=VALID)
    assert user.organisation is org
    assert "organisation.created" in audit.pending_actions()
    with pytest.raises(DomainError, match="already belongs"):
        organisations.create_organisation(actor=user, values=VALID)


def test_editing_is_for_members_only_and_audits_what_changed(demo):
    """Can only members edit the profile, and is each changed field recorded?"""
    org = demo.applicant.organisation
    with pytest.raises(NotPermitted):
        organisations.update_organisation(org, actor=demo.applicant2, values={})
    values = {k: getattr(org, k) for k in organisations.FIELDS}
    organisations.update_organisation(org, actor=demo.applicant, values={**values, "town": "Seaton Carew"})
    db.session.commit()
    assert org.town == "Seaton Carew"


def test_invitation_is_emailed_stored_hashed_and_accepted_once(demo):
    """Does an invited colleague join once, with the token stored only as a hash?"""
    org = demo.applicant.organisation
    invitation = organisations.invite_colleague(org, actor=demo.applicant, email="Colleague@Example.org")
    email = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == "colleague@example.org")).one()
    token = email.body_text.split("/apply/invitations/")[1].split()[0]
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    colleague = newcomer("colleague@example.org")
    organisations.accept_invitation(token, actor=colleague)
    assert colleague.organisation is org and invitation.accepted_by_id == colleague.id
    with pytest.raises(DomainError, match="already been used"):
        organisations.accept_invitation(token, actor=colleague)


def test_expired_or_misaddressed_invitations_are_refused(demo, monkeypatch):
    """Is an invitation refused after 7 days, or when a different account tries to use it?"""
    org = demo.applicant.organisation
    organisations.invite_colleague(org, actor=demo.applicant, email="late@example.org")
    body = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id.desc())).first().body_text
    token = body.split("/apply/invitations/")[1].split()[0]
    stranger = newcomer("stranger@example.org")
    with pytest.raises(NotPermitted, match="different email"):
        organisations.accept_invitation(token, actor=stranger)
    later = clock.now() + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(DomainError, match="expired"):
        organisations.accept_invitation(token, actor=newcomer("late@example.org"))
    assert db.session.scalars(db.select(Invitation)).one().accepted_at is None


def test_members_of_another_organisation_cannot_be_invited(demo):
    """Is an invitation to someone who already belongs to an organisation refused?"""
    with pytest.raises(ValidationFailed, match="another organisation"):
        organisations.invite_colleague(demo.applicant.organisation, actor=demo.applicant,
                                       email="applicant2@example.org")


def test_only_a_signatory_changes_the_phone_number_finance_calls_back(demo):
    """Finance checks bank details by calling the organisation's phone number, so may a plain member change other
    details but not that number, while a signatory may?"""
    from .factories_money import colleague

    org = demo.applicant.organisation
    values = {k: getattr(org, k) for k in organisations.FIELDS}
    member = colleague(demo)
    with pytest.raises(ValidationFailed) as caught:
        organisations.update_organisation(org, actor=member, values={**values, "contact_phone": "07700 900999"})
    assert "authorised signatory" in caught.value.errors["contact_phone"]
    organisations.update_organisation(org, actor=member, values={**values, "town": "Seaton Carew"})
    assert org.town == "Seaton Carew"
    organisations.update_organisation(org, actor=demo.applicant, values={**values, "contact_phone": "07700 900999"})
    assert org.contact_phone == "07700 900999"
