"""The optimised audit hashing gives exactly the hashes of the straightforward implementation."""
import hashlib
import json
import random
from datetime import datetime, timedelta, timezone

from grants.services import audit


def reference_event_hash(prev_hash: str, fields: dict) -> str:
    """The hash as first specified: json.dumps of the 13 fields, sorted keys, no spaces."""
    payload = json.dumps(
        {
            "seq": fields["seq"],
            "occurred_at": fields["occurred_at"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_id": fields["actor_id"],
            "actor_label": fields["actor_label"],
            "ip_address": fields["ip_address"],
            "action": fields["action"],
            "entity_type": fields["entity_type"],
            "entity_id": fields["entity_id"],
            "application_id": fields["application_id"],
            "fund_id": fields["fund_id"],
            "before": fields["before"],
            "after": fields["after"],
            "reason": fields["reason"],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _random_fields(rng: random.Random, seq: int) -> dict:
    zones = [timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
    moment = datetime(2017, 4, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 300_000_000),
                                                                  microseconds=rng.choice([0, 1, 999_999, 123_456]))
    texts = [None, "", "plain", "Ünïcödé £5 — “quoted”", 'back\\slash "quote"\n', "\u2028 \x01 emoji 🙂"]
    nested = [None, {}, {"z": 1, "a": [1, 2, {"b": None, "a": "x"}], "m": "£1"}, {"n": seq, "note": "bench"},
              {"float": repr(1.5), "list": ["b", "a"], "bool": True}]
    return {
        "seq": seq, "occurred_at": moment.astimezone(rng.choice(zones)),
        "actor_id": rng.choice([None, 1, 2**31 - 1]), "actor_label": rng.choice(texts[2:]),
        "ip_address": rng.choice([None, "127.0.0.1", "2001:db8::1"]), "action": rng.choice(["a.b", "decision.recorded"]),
        "entity_type": rng.choice(["Application", "system"]), "entity_id": rng.choice([None, "42", "é"]),
        "application_id": rng.choice([None, 7]), "fund_id": rng.choice([None, 1]),
        "before": rng.choice(nested), "after": rng.choice(nested), "reason": rng.choice(texts),
    }


def test_event_hash_matches_reference_implementation():
    """Does event_hash give the reference hash for varied content, time zones and characters?"""
    rng = random.Random(7)
    prev = audit.GENESIS_HASH
    for seq in range(1, 3001):
        fields = _random_fields(rng, seq)
        expected = reference_event_hash(prev, fields)
        assert audit.event_hash(prev, fields) == expected
        prev = expected


def test_raw_timestamp_text_matches_iso():
    """Does the verifier's timestamp text equal _iso() for aware, offset and naive (UTC) timestamps?"""
    rng = random.Random(11)
    for _ in range(2000):
        moment = datetime(2017, 1, 1, tzinfo=timezone.utc) + timedelta(
            seconds=rng.randint(0, 400_000_000), microseconds=rng.choice([0, 5, 999_999, rng.randint(0, 999_999)]))
        expected = audit._iso(moment)
        assert audit._iso_raw(moment) == expected
        assert audit._iso_raw(moment.astimezone(timezone(timedelta(hours=9, minutes=30)))) == expected
        assert audit._iso_raw(moment.replace(tzinfo=None)) == expected


def test_verify_accepts_chain_written_by_reference_hashes(app):
    """Does verify_chain accept events whose hashes were computed by the reference implementation?"""
    from grants.extensions import db
    from grants.models import AuditEvent, AuditHead

    rng = random.Random(3)
    prev = audit.GENESIS_HASH
    for seq in range(1, 201):
        fields = _random_fields(rng, seq)
        digest = reference_event_hash(prev, fields)
        db.session.add(AuditEvent(**fields, prev_hash=prev, hash=digest))
        prev = digest
    db.session.add(AuditHead(id=1, seq=200, hash=prev))
    db.session.commit()
    report = audit.verify_chain()
    assert report.ok and report.checked == 200


def test_session_writes_normally_after_verifying(app):
    """After verify_chain streams the events, can the same session still record and verify new events?"""
    from grants.extensions import db

    audit.record("test.before", entity_type="Thing")
    db.session.commit()
    assert audit.verify_chain().ok
    audit.record("test.after", entity_type="Thing", after={"n": 1})
    db.session.commit()
    report = audit.verify_chain()
    assert report.ok and report.checked == 2
