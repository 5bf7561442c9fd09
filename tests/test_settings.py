"""Organisation settings and versioned terms of grant: letters, footers and acceptances read them."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Letter, OfferResponse, TermsVersion
from grants.services import decisions, settings
from grants.services.errors import Immutable, NotPermitted, ValidationFailed

from .factories_decisions import accept, approve, make_assessed
from .helpers import error_messages, text_of

DETAILS = dict(name="Office of the Police, Fire and Crime Commissioner for Testshire",
               address="Testshire Police HQ\n1 High Street\nTestford TS1 1AA",
               contact_email="grants@testshire.example", contact_phone="01234 567890",
               signatory_name="Alex Morgan", signatory_title="Chief Executive and Monitoring Officer")


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _award_letter(application) -> Letter:
    return db.session.scalars(select(Letter).where(Letter.application_id == application.id, Letter.kind == "award")
                              .order_by(Letter.id.desc())).first()


def test_letters_use_saved_details_and_a_new_terms_version_never_changes_a_sent_letter(demo):
    """Does an award letter print the saved OPCC details, signatory and terms version, record that version, keep
    its bytes and hash when the terms change later, and does the acceptance record the version accepted?"""
    first = make_assessed(demo, amount_pence=200_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    approve(demo, first)
    default_letter = _award_letter(first)
    assert default_letter.terms_version_id is not None
    assert db.session.get(TermsVersion, default_letter.terms_version_id).text == settings.DEFAULT_TERMS

    settings.save_details(actor=demo.admin, **DETAILS)
    v2 = settings.save_terms(actor=demo.admin, text="Use the grant only for the project.\nRepay anything unspent.")
    assert v2.number == 2
    second = make_assessed(demo, amount_pence=200_000, start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    approve(demo, second)
    letter = _award_letter(second)
    text = _pdf_text(letter.content)
    for expected in ("Testshire Police HQ", "grants@testshire.example", "01234 567890", "Alex Morgan",
                     "Chief Executive and Monitoring Officer", "1. Use the grant only for the project.",
                     "2. Repay anything unspent."):
        assert expected in text
    assert "must be repaid to the Office" not in text  # the old terms are not in the new letter
    assert letter.terms_version_id == v2.id

    sha_before, content_before = letter.sha256, letter.content
    settings.save_terms(actor=demo.admin, text="Version three wording.")
    settings.save_details(actor=demo.admin, **{**DETAILS, "contact_phone": "09999 000000"})
    db.session.commit()
    db.session.refresh(letter)
    assert (letter.sha256, letter.content) == (sha_before, content_before)
    check = decisions.verify_letter(letter)
    assert check.intact and check.reproducible  # regenerates with the details and terms it was sent with
    assert decisions.verify_letter(default_letter).reproducible

    accept(demo, second)
    response = db.session.scalar(select(OfferResponse).where(OfferResponse.application_id == second.id))
    assert response.terms_version_id == v2.id


def test_terms_versions_are_kept_and_cannot_be_edited(demo):
    """Is each save a new numbered version, with the old one kept unchanged and the same text refused?"""
    v1 = settings.save_terms(actor=demo.admin, text="First wording.")
    v2 = settings.save_terms(actor=demo.admin, text="Second wording.")
    assert [v.number for v in settings.terms_versions()] == [2, 1]
    assert settings.terms_version(1).text == "First wording."
    with pytest.raises(ValidationFailed) as same:
        settings.save_terms(actor=demo.admin, text="Second wording.")
    assert "same as the current version" in same.value.errors["terms"]
    v1.text = "Rewritten"
    with pytest.raises(Immutable):
        db.session.flush()
    db.session.rollback()
    assert v2.number == 2


def test_only_admins_change_settings_and_every_change_is_audited_before_and_after(demo):
    """Are the details and terms refused to a non-admin, and audited with before/after values for an admin?"""
    with pytest.raises(NotPermitted):
        settings.save_details(actor=demo.officer, **DETAILS)
    with pytest.raises(NotPermitted):
        settings.save_terms(actor=demo.officer, text="Anything")
    settings.save_details(actor=demo.admin, **DETAILS)
    settings.save_terms(actor=demo.admin, text="New terms.")
    db.session.commit()
    changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert changed.before["contact_email"] == settings.DEFAULT_DETAILS["contact_email"]
    assert changed.after["contact_email"] == "grants@testshire.example"
    saved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "terms.version_saved"))
    assert saved.before["text"] == settings.DEFAULT_TERMS and saved.after == {"number": 1, "text": "New terms."}


def test_details_are_checked_with_messages_that_say_how_to_fix_them(demo):
    """Does saving refuse a missing name, a bad email and phone, and a signatory name without a title?"""
    with pytest.raises(ValidationFailed) as caught:
        settings.save_details(actor=demo.admin, name=" ", address="1 Road", contact_email="not-an-email",
                              contact_phone="call us", signatory_name="Alex Morgan", signatory_title="")
    assert caught.value.errors == {
        "name": "Enter the organisation's name",
        "contact_email": "Enter an email address in the correct format, like grants@example.org",
        "contact_phone": "Enter a phone number, like 01642 301653",
        "signatory_title": "Enter both the signatory's name and their title, or leave both empty",
    }


def test_admin_settings_page_saves_details_shown_in_every_footer(demo, as_admin, page):
    """Can an admin save the details on /admin/settings, see errors beside fields, and then find them in the
    footer of a public page?"""
    soup = as_admin.post_page("/admin/settings", {**DETAILS, "contact_email": "bad"})
    assert "Enter an email address in the correct format, like grants@example.org" in error_messages(soup)
    as_admin.post_page("/admin/settings", DETAILS)
    as_admin.post_page("/admin/settings/terms", {"terms": "Term one.\nTerm two."})
    settings_page = text_of(as_admin.get_page("/admin/settings"))
    assert "Version 1" in settings_page and "Sam Okafor" in settings_page
    assert "Term two." in text_of(as_admin.get_page("/admin/settings/terms/1"))
    footer = text_of(page.get_page("/grants").select_one("footer"))
    for expected in ("Office of the Police, Fire and Crime Commissioner for Testshire",
                     "Testshire Police HQ, 1 High Street, Testford TS1 1AA", "grants@testshire.example",
                     "01234 567890"):
        assert expected in footer


def test_settings_page_is_for_admins_only(demo, as_officer):
    """Is /admin/settings refused to a grants officer?"""
    assert as_officer.get("/admin/settings").status_code == 403
    assert as_officer.post("/admin/settings/terms", data={"terms": "x"}).status_code == 403
