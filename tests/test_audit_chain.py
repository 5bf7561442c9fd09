"""The audit trail is append-only and any tampering is detected."""
import pytest
from sqlalchemy import text

from grants.extensions import db
from grants.models import AuditEvent
from grants.services import audit


def _write_events(n: int) -> None:
    for i in range(n):
        audit.record("test.event", entity_type="Thing", entity_id=i, after={"n": i, "money": 125050},
                     reason=f"because {i}")
    db.session.commit()


def test_events_are_chained_in_order(app):
    """Does each event link to the previous one's hash, starting from the genesis hash?"""
    _write_events(3)
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit.verify_chain().ok


def test_rolled_back_events_are_not_written(app):
    audit.record("test.event", entity_type="Thing")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_altered_event_is_detected(app):
    """Does verify name the event whose content was changed directly in the database?"""
    _write_events(5)
    db.session.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3"))
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.first_broken_seq == 3 and "altered" in report.problem


def test_removed_event_is_detected(app):
    _write_events(5)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.first_broken_seq == 3


def test_removed_last_event_is_detected(app):
    _write_events(4)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    db.session.commit()
    assert not audit.verify_chain().ok


def test_inserted_event_is_detected(app):
    _write_events(3)
    db.session.execute(text("UPDATE audit_events SET seq = seq + 10 WHERE seq >= 2"))
    db.session.execute(text(
        "INSERT INTO audit_events (seq, occurred_at, actor_label, action, entity_type, prev_hash, hash) "
        "VALUES (2, CURRENT_TIMESTAMP, 'forger', 'test.event', 'Thing', :p, :h)"),
        {"p": "0" * 64, "h": "f" * 64})
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.first_broken_seq == 2


def test_app_refuses_to_update_or_delete_events(app):
    _write_events(1)
    event = db.session.scalar(db.select(AuditEvent))
    event.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalar(db.select(AuditEvent))
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_audit_verify_command_exit_codes(app, runner):
    """Does `flask audit-verify` exit 0 when intact and non-zero, naming the event, when not?"""
    _write_events(3)
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0 and "3 events verified" in ok.output
    db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE seq = 2"))
    db.session.commit()
    broken = runner.invoke(args=["audit-verify"])
    assert broken.exit_code == 1 and "event 2" in broken.output
