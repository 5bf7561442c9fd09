"""An insider with database access, who recomputes every hash, still cannot hide a change.

Each attack here is made the way someone with write access to the database
(but not the signing key) would make it: the row is changed, every later hash
is recomputed so the chain links up again, and the chain's head is moved on.
The plain hash chain accepts all of these; the signed checkpoints, the seals
and the cross-checks against creation events do not.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, select, update

from grants import signing
from grants.extensions import db
from grants.models import AuditCheckpoint, AuditEvent, AuditHead, DecisionRecord, Letter, OutboxEmail
from grants.services import audit, checkpoints, decisions, integrity

from .factories import make_application
from .factories_audit import make_decision_record, make_letter
from .helpers import text_of

EVENT_FIELDS = ("seq", "occurred_at", "actor_id", "actor_label", "ip_address", "action", "entity_type",
                "entity_id", "application_id", "fund_id", "before", "after", "reason")


@pytest.fixture
def trail(demo):
    """A decided application with its record and letter, ten more events, then a signed checkpoint."""
    application = make_application(demo, status="submitted", title="Allotment security")
    record = make_decision_record(demo, application)
    letter = make_letter(demo, application, record, content=b"%PDF-1.4 the award letter as sent")
    for i in range(10):
        audit.record("application.note", actor=demo.officer, entity=application, application=application,
                     after={"note": f"note {i}"})
    db.session.commit()
    checkpoint = checkpoints.create_checkpoint(reason="test")
    db.session.commit()
    return application, record, letter, checkpoint


def _events() -> list[dict]:
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    events = [{name: getattr(e, name) for name in (*EVENT_FIELDS, "id", "hash", "prev_hash", "seal")} for e in rows]
    for e in rows:
        db.session.expunge(e)
    return events


def _rechain(events: list[dict], *, strip_seals: bool = True) -> None:
    """The attacker's tool: write these events back with every hash recomputed, and move the head."""
    table = AuditEvent.__table__
    db.session.execute(delete(table))
    prev = audit.GENESIS_HASH
    for position, event in enumerate(events, start=1):
        event = {**event, "seq": position, "prev_hash": prev}
        event["hash"] = audit.event_hash(prev, event)
        if strip_seals:
            event["seal"] = None  # the attacker cannot make a seal without the key
        db.session.execute(table.insert().values(**event))
        prev = event["hash"]
    db.session.execute(update(AuditHead.__table__).where(AuditHead.id == 1).values(seq=len(events), hash=prev))
    db.session.commit()


def _plain_chain_accepts() -> bool:
    return audit.verify_chain().ok


def test_an_honest_database_verifies_clean(app, trail, runner):
    """With nothing changed, do the chain, checkpoint, decision record and letter all verify, by page and command?"""
    report = integrity.verify_all()
    assert report.ok, report.problem
    assert report.checkpoints == 1 and report.documents == {"decision record": 1, "letter": 1}
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "against 1 signed checkpoint(s); 1 decision record(s), 1 letter(s)" in result.output


def test_rewriting_an_old_event_and_every_later_hash_is_detected(app, trail):
    """Does a rewritten early event, with all later hashes recomputed, fail at the checkpoint it contradicts?"""
    *_, checkpoint = trail
    events = _events()
    events[2]["after"] = {"note": "a different story"}
    _rechain(events)
    assert _plain_chain_accepts()  # the hash chain alone is fooled
    report = integrity.verify_all()
    assert not report.ok
    assert report.failed == f"event {checkpoint.seq}" and "no longer has the head hash signed" in report.problem


def test_rewriting_but_keeping_the_old_seals_is_detected_at_the_rewritten_event(app, trail):
    """If the attacker keeps the old seals, does verification stop at the very event rewritten?"""
    events = _events()
    events[2]["reason"] = "rewritten"
    _rechain(events, strip_seals=False)
    report = integrity.verify_all()
    assert not report.ok and report.failed == "event 3" and "seal" in report.problem


def test_deleting_the_last_events_is_detected(app, trail):
    """Does cutting events off the end (head moved back to match) fail against the checkpoint's count?"""
    *_, checkpoint = trail
    _rechain(_events()[: checkpoint.seq - 3])
    assert _plain_chain_accepts()
    report = integrity.verify_all()
    assert not report.ok
    assert f"holds {checkpoint.seq - 3} events but" in report.problem and f"signed {checkpoint.seq}" in report.problem


def test_appending_a_forged_event_is_detected(app, trail, demo):
    """Does an event appended with a correct hash, but no seal from the signing key, fail?"""
    events = _events()
    forged = {**events[-1], "action": "decision.made", "reason": "approved by the PCC", "id": events[-1]["id"] + 1,
              "seal": None}
    _rechain([*events, forged], strip_seals=False)
    assert _plain_chain_accepts()
    report = integrity.verify_all()
    assert not report.ok and report.failed == f"event {len(events) + 1}" and "no seal" in report.problem
    # A made-up seal does no better.
    db.session.execute(update(AuditEvent.__table__).where(AuditEvent.seq == len(events) + 1).values(seal="ab" * 32))
    db.session.commit()
    report = integrity.verify_all()
    assert not report.ok and "not made with the signing key" in report.problem


def test_changing_a_decision_amount_and_its_content_hash_is_detected(app, trail):
    """Does a decision record with a new amount and a recomputed content hash fail against its creation event?"""
    _, record, _, _ = trail
    changed = db.session.get(DecisionRecord, record.id)
    db.session.expunge(changed)
    changed.amount_awarded_pence = 999_999
    new_hash = decisions.content_hash(changed)
    db.session.execute(update(DecisionRecord.__table__).where(DecisionRecord.id == record.id)
                       .values(amount_awarded_pence=999_999, content_hash=new_hash))
    db.session.commit()
    assert decisions.record_is_intact(db.session.get(DecisionRecord, record.id))  # its own hash is fooled
    report = integrity.verify_all()
    assert not report.ok
    assert report.failed == f"decision record {record.number}" and "recorded when it was created" in report.problem


def test_swapping_a_letters_bytes_and_its_sha256_is_detected(app, trail):
    """Does a letter whose bytes and SHA-256 were both replaced fail against its creation event?"""
    _, _, letter, _ = trail
    forged = b"%PDF-1.4 a kinder letter"
    db.session.execute(update(Letter.__table__).where(Letter.id == letter.id)
                       .values(content=forged, sha256=hashlib.sha256(forged).hexdigest()))
    db.session.commit()
    report = integrity.verify_all()
    assert not report.ok and report.failed == f"letter {letter.filename}"
    assert "recorded when it was created" in report.problem


def test_a_letter_whose_bytes_alone_changed_is_detected(app, trail):
    """Does the nightly check (not only the record's page) notice altered letter bytes?"""
    _, _, letter, _ = trail
    db.session.execute(update(Letter.__table__).where(Letter.id == letter.id).values(content=b"%PDF-1.4 other"))
    db.session.commit()
    report = integrity.verify_all()
    assert not report.ok and "no longer matches its stored hash" in report.problem


def test_a_document_with_no_creation_event_is_detected(app, trail):
    """Is a decision record inserted outside the service (no creation event holds its hash) reported?"""
    _, record, _, _ = trail
    table = DecisionRecord.__table__
    row = dict(db.session.execute(select(table).where(table.c.id == record.id)).mappings().one())
    del row["id"]
    row.update(number="CSF/2026-27/999", sequence=999)
    row["content_hash"] = decisions.content_hash(DecisionRecord(**row))  # a self-consistent record
    db.session.execute(table.insert().values(**row))
    db.session.commit()
    report = integrity.verify_all()
    assert not report.ok and report.failed == "decision record CSF/2026-27/999"
    assert "no creation event" in report.problem


def test_altering_a_checkpoint_row_is_detected(app, trail):
    """Does a checkpoint whose head hash was changed in the database fail its signature?"""
    *_, checkpoint = trail
    db.session.execute(update(AuditCheckpoint.__table__).where(AuditCheckpoint.id == checkpoint.id)
                       .values(head_hash="0" * 64))
    db.session.commit()
    report = integrity.verify_all()
    assert not report.ok and "does not verify with the public key" in report.problem


def test_a_saved_checkpoint_catches_an_insider_who_also_deleted_the_checkpoints(app, trail, runner, tmp_path):
    """If the attacker also deletes checkpoint rows and strips seals, does a copy saved from the public page catch it?"""
    saved = tmp_path / "checkpoints.json"
    saved.write_bytes(app.test_client().get("/transparency/audit-checkpoints.json").data)
    events = _events()
    events[1]["reason"] = "nothing happened"
    db.session.execute(delete(AuditCheckpoint.__table__))
    _rechain(events)
    assert integrity.verify_all().ok  # the database alone can now be fooled: why copies are kept elsewhere
    result = runner.invoke(args=["audit-verify", "--against", str(saved)])
    assert result.exit_code == 1
    assert "AUDIT TRAIL BROKEN" in result.output and "(the saved file)" in result.output


def test_a_saved_checkpoint_detects_truncation_since(app, trail, runner, tmp_path):
    """Does one checkpoint saved from an auditor's email detect events removed since?"""
    signed_count = trail[3].seq
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.like("Audit checkpoint%"))).first()
    line = next(line for line in email.body_text.splitlines() if line.startswith("{"))
    saved = tmp_path / "checkpoint.json"
    saved.write_text(line)
    result = runner.invoke(args=["audit-verify", "--against", str(saved)])
    assert result.exit_code == 0, result.output
    db.session.execute(delete(AuditCheckpoint.__table__))
    _rechain(_events()[:-4])
    result = runner.invoke(args=["audit-verify", "--against", str(saved)])
    assert result.exit_code == 1 and f"signed {signed_count}" in result.output


def test_a_forged_saved_file_is_refused(app, trail, runner, tmp_path):
    """Is a 'checkpoint' file whose signature was not made with the key rejected?"""
    *_, checkpoint = trail
    item = checkpoints.as_dict(checkpoint) | {"count": checkpoint.seq - 1}
    saved = tmp_path / "forged.json"
    saved.write_text(json.dumps(item))
    result = runner.invoke(args=["audit-verify", "--against", str(saved)])
    assert result.exit_code == 1 and "does not verify with the public key" in result.output


def test_checkpoints_reach_the_public_page_the_auditors_and_verify_with_the_public_key_alone(app, trail, demo,
                                                                                            page):
    """Is each checkpoint on the public page (newest first, no sign-in) and emailed to auditors, verifiable offline?"""
    *_, first = trail
    second = checkpoints.create_checkpoint(reason="test")
    db.session.commit()
    soup = page.get_page("/transparency/audit-checkpoints")  # valid HTML, one <h1>, a <title>
    rows = [row.get_text() for row in soup.select("#checkpoints tbody tr")]
    assert second.head_hash in rows[0] and first.head_hash in rows[1]
    assert "BEGIN PUBLIC KEY" in soup.select_one("#public-key").get_text()
    data = app.test_client().get("/transparency/audit-checkpoints.json").get_json()
    key = signing.load_public_key(data["public_key"])
    assert [c["count"] for c in data["checkpoints"]] == [second.seq, first.seq]
    assert all(signing.verify(key, signing.checkpoint_message(c["count"], c["head_hash"], c["signed_at"]),
                              c["signature"]) for c in data["checkpoints"])
    to = db.session.scalars(select(OutboxEmail.to_address).where(OutboxEmail.subject.like("Audit checkpoint%"))).all()
    assert demo.auditor.email in to


def test_the_auditors_page_names_the_first_failure(app, trail, as_auditor):
    """Does 'Verify the chain' list what it checked, then name a forged letter?"""
    soup = as_auditor.get_page("/audit/verify")
    assert "The audit trail is intact" in text_of(soup)
    assert "1 signed checkpoint" in text_of(soup) and "1 letter" in text_of(soup)
    _, _, letter, _ = trail
    forged = b"%PDF-1.4 forged"
    db.session.execute(update(Letter.__table__).where(Letter.id == letter.id)
                       .values(content=forged, sha256=hashlib.sha256(forged).hexdigest()))
    db.session.commit()
    soup = as_auditor.get_page("/audit/verify")
    assert soup.select_one("#first-broken").get_text() == f"letter {letter.filename}"


def test_checkpoint_is_due_after_n_events_or_a_day(app, trail):
    """Is a checkpoint due only after AUDIT_CHECKPOINT_EVERY new events, or a day after the last?"""
    from datetime import timedelta

    from grants import clock

    app.config["AUDIT_CHECKPOINT_EVERY"] = 3
    try:
        assert not checkpoints.due()
        for i in range(3):
            audit.record("test.event", entity_type="Thing", entity_id=i)
        db.session.commit()
        assert checkpoints.due()
        app.config["AUDIT_CHECKPOINT_EVERY"] = 1000
        assert not checkpoints.due()
        assert checkpoints.due(clock.now() + timedelta(hours=25))
    finally:
        app.config["AUDIT_CHECKPOINT_EVERY"] = 1000


def test_keygen_prints_a_usable_key_pair(app, runner, monkeypatch):
    """Does audit-keygen print a private key the settings accept, and its public key?"""
    result = runner.invoke(args=["audit-keygen"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("AUDIT_SIGNING_KEY="))
    key = signing.load_private_key(line.split("=", 1)[1])
    assert signing.public_pem(key.public_key()).strip() in result.output


def test_the_checkpoint_command_signs_one_now(app, trail, runner):
    """Does `audit-checkpoint` sign the current head?"""
    count = db.session.get(AuditHead, 1).seq
    result = runner.invoke(args=["audit-checkpoint"])
    assert result.exit_code == 0 and f"{count} events" in result.output
    assert db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).seq == count


def test_the_backup_manifest_carries_the_newest_checkpoint(app, trail, tmp_path):
    """Does every backup hold a copy of the newest signed checkpoint, with the public key?"""
    from grants.ops.backup import create_backup

    *_, checkpoint = trail
    manifest = create_backup(str(tmp_path / "backup"))
    copy = manifest["audit_checkpoint"]
    assert copy["count"] == checkpoint.seq and copy["signature"] == checkpoint.signature
    assert checkpoints.signature_ok(copy, signing.load_public_key(copy["public_key"]))



def test_the_fast_sealer_is_exactly_hmac_sha256():
    """Does the precomputed sealer that audit-verify uses give the same seal as HMAC-SHA256?"""
    key = signing.seal_key(signing.generate())
    for event_hash in ("0" * 64, hashlib.sha256(b"x").hexdigest()):
        assert signing.Sealer(key)(event_hash) == signing.seal(key, event_hash)


def test_verify_against_a_kept_public_key_and_refuses_unreadable_files(app, trail, runner, tmp_path):
    """Can an auditor check with the public key they kept, and is a file that is not a checkpoint refused clearly?"""
    kept = tmp_path / "key.pem"
    kept.write_text(checkpoints.public_key_pem())
    result = runner.invoke(args=["audit-verify", "--public-key", str(kept)])
    assert result.exit_code == 0, result.output
    other = tmp_path / "other.pem"
    other.write_text(signing.public_pem(signing.generate().public_key()))
    result = runner.invoke(args=["audit-verify", "--public-key", str(other)])
    assert result.exit_code == 1 and "does not verify with the public key" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    result = runner.invoke(args=["audit-verify", "--against", str(junk)])
    assert result.exit_code == 2 and "Cannot read" in result.output and "not JSON" in result.output


def test_after_a_key_rotation_what_the_old_key_signed_and_sealed_still_verifies(app, trail):
    """With the old key retired (not removed), do old checkpoints and seals verify, and new ones use the new key?"""
    import base64

    old = signing.app_signing_key(app)
    new = signing.generate()
    saved = {k: app.config.get(k) for k in ("AUDIT_SIGNING_KEY", "AUDIT_RETIRED_SIGNING_KEYS")}
    try:
        app.config["AUDIT_SIGNING_KEY"] = signing.private_pem(new)
        app.extensions.pop("grants_audit_signing_key")
        audit.record("test.after_rotation", entity_type="Thing")
        db.session.commit()
        checkpoint = checkpoints.create_checkpoint(reason="test")
        db.session.commit()
        assert checkpoint.key_id == signing.key_id(new.public_key())
        report = integrity.verify_all()
        assert not report.ok  # the old key's work is unknown until it is listed as retired
        app.config["AUDIT_RETIRED_SIGNING_KEYS"] = base64.b64encode(signing.private_pem(old).encode()).decode()
        report = integrity.verify_all()
        assert report.ok and report.checkpoints == 2, report.problem
        listed = app.test_client().get("/transparency/audit-checkpoints.json").get_json()["retired_public_keys"]
        assert listed == {signing.key_id(old.public_key()): signing.public_pem(old.public_key())}
    finally:
        app.config.update(saved)
        app.extensions["grants_audit_signing_key"] = old
