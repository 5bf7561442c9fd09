"""Public summaries and the reviewed register: nothing reaches the public until an officer publishes it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from grants.access import PUBLIC, rule_for_endpoint
from grants.extensions import db
from grants.models import AuditEvent, DecisionRecord, GrantPublication
from grants.services import decisions, offers, opendata, publication
from grants.services.errors import NotPermitted, ValidationFailed

from .factories_decisions import make_assessed
from .factories_reporting import make_decision_record
from .helpers import error_messages, text_of
from .test_opendata import SHARED, assert_valid_package

INTERNAL = "InternalReasonTextZq"
SUMMARY = "Padlocks and alarms for allotment sheds hit by repeated break-ins"
CONDITIONS = "Tools must be property-marked before the alarms are fitted"


def _approve(demo, application, **overrides):
    kwargs = dict(actor=demo.pcc, outcome="approve_full", reasons=f"{INTERNAL} strong bid",
                  public_summary=SUMMARY, special_conditions=CONDITIONS, no_interest_confirmed=True)
    kwargs.update(overrides)
    return decisions.decide(application, **kwargs)


# --- Personal data in public text (each pattern at its boundary) --------------------------------

@pytest.mark.parametrize("text, kind", [
    ("Contact jo@example.org for dates", "an email address"),
    ("write to j.o+grants@mail.example.co.uk", "an email address"),
    ("ring 07700 900123 to book", "a phone number"),
    ("ring 07700900123", "a phone number"),
    ("call +44 7700 900123", "a phone number"),
    ("call +44 (0)1642 301653", "a phone number"),
    ("call (01642) 301653", "a phone number"),
    ("call 01642-301-653 now", "a phone number"),
    ("call 0164 230 165", "a phone number"),  # ten digits: the shortest UK number
    ("meet at TS1 2AB", "a postcode"),
    ("meet at ts1 2ab", "a postcode"),
    ("meet at TS12AB", "a postcode"),
    ("at SW1A 1AA", "a postcode"),
    ("at M1 1AE", "a postcode"),
])
def test_public_text_with_personal_data_is_found(text, kind):
    """Is each kind of personal data (email, phone, postcode) found, in each form it is written?"""
    found = publication.personal_data_in(text)
    assert found and found[0].startswith(kind)


@pytest.mark.parametrize("text", [
    "£3,600 for 20 workshops reaching 200 older people in 2017-18",
    "Registered charity 1133051, company 01234567",  # registration numbers are published anyway
    "Serves objective 4 in Hartlepool (E06000001) and ward E05008942",
    "call 0164 230 16",  # nine digits: too short for a UK number
    "sessions at 3pm and 10am, room 2b",
    "email us via the website, @ClevelandPCC on social media",
])
def test_ordinary_public_text_is_not_mistaken_for_personal_data(text):
    """Do amounts, years, registration numbers, codes and times pass the check?"""
    assert publication.personal_data_in(text) == []


def test_an_approval_needs_a_public_summary(demo):
    """Is an approval without a public summary refused, with a message saying what to write?"""
    with pytest.raises(ValidationFailed) as caught:
        _approve(demo, make_assessed(demo), public_summary="  ")
    assert caught.value.errors["public_summary"].startswith("Enter a public summary")


def test_a_decline_needs_no_public_summary(demo):
    """Is a decline recorded without a public summary (it is never published)?"""
    record = decisions.decide(make_assessed(demo), actor=demo.pcc, outcome="decline", reasons="Weak evidence",
                              no_interest_confirmed=True)
    assert record.public_summary is None


@pytest.mark.parametrize("summary, named", [
    ("Ring Jo on 07700 900123 for details", "a phone number \u201c07700 900123\u201d"),
    ("Write to jo@example.org", "an email address \u201cjo@example.org\u201d"),
    ("Sheds at TS24 9ZZ", "a postcode \u201cTS24 9ZZ\u201d"),
])
def test_a_public_summary_with_personal_data_is_refused_naming_it(demo, summary, named):
    """Is a public summary holding contact details refused, the message naming exactly what to remove?"""
    with pytest.raises(ValidationFailed) as caught:
        _approve(demo, make_assessed(demo), public_summary=summary)
    assert caught.value.errors["public_summary"] == (
        f"Remove {named} from the public summary: it is published, and must not hold anyone's contact details "
        "or address")


def test_special_conditions_are_published_so_are_checked_too(demo):
    """Are special conditions (shown on the register) refused when they hold a phone number?"""
    with pytest.raises(ValidationFailed) as caught:
        _approve(demo, make_assessed(demo), special_conditions="Confirm the start date with Jo on 01642 301653")
    assert "a phone number" in caught.value.errors["special_conditions"]


def test_the_public_summary_is_part_of_the_records_hash(demo):
    """Would changing a record's public summary break its content hash (and an old record keep its own)?"""
    record = _approve(demo, make_assessed(demo))
    assert decisions.record_is_intact(record)
    assert decisions.record_content(record)["public_summary"] == SUMMARY
    record.public_summary = "Something else"
    assert not decisions.record_is_intact(record)
    db.session.expire(record)  # never written: records are immutable
    legacy = make_decision_record(demo, make_assessed(demo), reasons="Before summaries")
    assert "public_summary" not in decisions.record_content(legacy)


def test_the_form_asks_for_both_and_shows_the_refusal_beside_the_summary(as_pcc, demo):
    """Does the decision page refuse a summary holding an email, beside the field, keeping the answers?"""
    application = make_assessed(demo)
    db.session.commit()
    soup = as_pcc.post_page(f"/decisions/applications/{application.id}", {
        "declaration": "none", "outcome": "approve_full", "reasons": "Good plan",
        "public_summary": "Contact jo@example.org"})
    assert any("Remove an email address \u201cjo@example.org\u201d" in m for m in error_messages(soup))
    assert soup.select_one("#public_summary").get_text() == "Contact jo@example.org"
    assert db.session.scalar(select(DecisionRecord).where(DecisionRecord.application_id == application.id)) is None


# --- Publishing ---------------------------------------------------------------------------------

def _public_bodies(page) -> dict[str, str]:
    return {
        "register": text_of(page.get_page("/grants")),
        "json": page.get("/open-data/360giving.json").get_data(as_text=True),
        "csv": page.get("/open-data/360giving.csv").get_data(as_text=True),
    }


def test_an_unpublished_grant_is_nowhere_public_until_an_officer_publishes_it(page, demo):
    """Is an approved grant absent from /grants and both 360Giving files, then present with its summary
    and conditions once published?"""
    application = make_assessed(demo, title="Allotment alarms")
    _approve(demo, application)
    db.session.commit()
    for name, body in _public_bodies(page).items():
        assert "Allotment alarms" not in body and SUMMARY not in body, name

    publication.publish([application.id], actor=demo.officer)
    db.session.commit()
    bodies = _public_bodies(page)
    for name, body in bodies.items():
        assert "Allotment alarms" in body and SUMMARY in body and CONDITIONS in body, (name, body[-1500:])
        assert INTERNAL not in body, name
    card = text_of(page.get_page("/grants").find(id=application.reference))
    assert "Standard terms of grant, version 1" in card
    assert demo.csf.public_benefit in card
    grant = json.loads(bodies["json"])["grants"][0]
    assert "standard terms of grant, version 1" in grant["description"]


def test_internal_reasons_appear_on_no_public_page(app, page, demo):
    """Walking every public URL, does the internal reason text of a published grant appear nowhere?"""
    application = make_assessed(demo, title="Allotment alarms")
    _approve(demo, application)
    publication.publish([application.id], actor=demo.officer)
    db.session.commit()
    urls = []
    for rule in app.url_map.iter_rules():
        declared = rule_for_endpoint(rule.endpoint)
        if declared is None or declared.kind != PUBLIC or "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.arguments - {"number"}:
            continue
        urls.append(rule.build({"number": 1})[1] if "number" in rule.arguments else rule.rule)
    assert "/grants" in urls and "/open-data/360giving.csv" in urls and "/grants/terms/1" in urls
    seen_summary = False
    for url in urls:
        body = page.get(url).get_data(as_text=True)
        assert INTERNAL not in body, url
        seen_summary = seen_summary or SUMMARY in body
    assert seen_summary


def test_publishing_is_for_officers_audited_and_refuses_what_it_cannot_publish(demo):
    """Can only an officer publish; is each publication audited; is a legacy approval without a summary,
    or one already published, refused by reference?"""
    application = make_assessed(demo)
    _approve(demo, application)
    with pytest.raises(NotPermitted):
        publication.publish([application.id], actor=demo.pcc)
    publication.publish([application.id], actor=demo.officer)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "grant.published")).one()
    assert event.after["public_summary"] == SUMMARY
    with pytest.raises(ValidationFailed) as caught:
        publication.publish([application.id], actor=demo.officer)
    assert application.reference in caught.value.errors["grants"]

    from .factories_reporting import make_award
    legacy = make_award(demo, status="funded", reasons="Before public summaries", published=False)
    with pytest.raises(ValidationFailed) as caught:
        publication.publish([legacy.id], actor=demo.officer)
    assert caught.value.errors["grants"].startswith(f"{legacy.reference}: No public summary was recorded")
    assert db.session.scalar(select(GrantPublication).where(GrantPublication.application_id == legacy.id)) is None


def test_a_published_grant_that_lapses_or_is_corrected_stays_with_its_current_state(page, demo):
    """After publication, does a correction show the new amount, and a lapsed offer stay listed as such?"""
    corrected, lapsed = make_assessed(demo, title="Corrected grant"), make_assessed(demo, title="Lapsed grant")
    first = _approve(demo, corrected)
    _approve(demo, lapsed)
    publication.publish([corrected.id, lapsed.id], actor=demo.officer)
    decisions.correct_decision(first, actor=demo.pcc, reasons="Lower quote", amount_pence=250_000,
                               no_interest_confirmed=True, public_summary="Alarms for the two worst-hit sites")
    offers.decline_offer(lapsed, actor=demo.applicant, signatory_name="Jo Bloggs", signatory_position="Treasurer",
                         reason="", ip_address="203.0.113.7")
    db.session.commit()
    register = page.get_page("/grants")
    corrected_card = text_of(register.find(id=corrected.reference))
    assert "£2,500 (corrected after the first decision)" in corrected_card
    assert "Alarms for the two worst-hit sites" in corrected_card and SUMMARY not in corrected_card
    assert "Offer declined or lapsed: nothing was paid" in text_of(register.find(id=lapsed.reference))
    assert "1 grant" not in text_of(register) and "2 grants found, totalling £2,500" in text_of(register)
    data = json.loads(page.get("/open-data/360giving.json").get_data(as_text=True))
    lapsed_grant = next(g for g in data["grants"] if g["title"] == "Lapsed grant")
    assert "Status: Offer declined or lapsed" in lapsed_grant["description"]
    if SHARED is not None:
        assert_valid_package(data)


def test_imported_public_grants_stay_published(demo):
    """Does an imported historic grant marked public count as published without an officer's publication?"""
    from grants.models import ImportedGrant

    from .factories_reporting import make_award
    imported = make_award(demo, status="completed", published=False)
    db.session.add(ImportedGrant(import_id="hist-1", application_id=imported.id, public=True,
                                 imported_by_id=demo.admin.id))
    hidden = make_award(demo, status="completed", published=False)
    db.session.add(ImportedGrant(import_id="hist-2", application_id=hidden.id, public=False,
                                 imported_by_id=demo.admin.id))
    db.session.flush()
    assert publication.is_published(imported) and not publication.is_published(hidden)


# --- The officers' page ---------------------------------------------------------------------------

def test_officer_previews_a_months_grants_and_publishes_them_in_bulk(as_officer, page, demo):
    """Does the publication page preview exactly the public card, and publish the ticked grants at once?"""
    first, second = make_assessed(demo, title="Alarms one"), make_assessed(demo, title="Alarms two")
    _approve(demo, first)
    _approve(demo, second, public_summary="Door chains for older residents")
    db.session.commit()
    soup = as_officer.get_page("/decisions/publication")
    preview = text_of(soup.find(id=first.reference))
    assert SUMMARY in preview and CONDITIONS in preview and INTERNAL not in text_of(soup)
    as_officer.post("/decisions/publication", data={"grants": [first.id, second.id]})
    titles = text_of(page.get_page("/grants"))
    assert "Alarms one" in titles and "Door chains for older residents" in titles
    assert "No approved grants are waiting" in text_of(as_officer.get_page("/decisions/publication"))


def test_publishing_nothing_shows_an_error(as_officer, demo):
    """Does pressing publish with nothing ticked say what to do?"""
    _approve(demo, make_assessed(demo))
    db.session.commit()
    soup = as_officer.post_page("/decisions/publication", {})
    assert "Choose at least one grant to publish" in error_messages(soup)


def test_only_officers_reach_the_publication_page(as_pcc, as_finance, demo):
    """Are decision makers and finance kept off the publication page?"""
    assert as_pcc.get("/decisions/publication").status_code == 403
    assert as_finance.get("/decisions/publication").status_code == 403


def test_finance_no_longer_reads_an_approvals_internal_reasons(as_finance, demo):
    """On a decision record, does finance see the public summary but not the approval's internal reasons?"""
    record = _approve(demo, make_assessed(demo))
    db.session.commit()
    text = text_of(as_finance.get_page(f"/decisions/records/{record.id}"))
    assert SUMMARY in text and INTERNAL not in text and "Not shown to you" in text
