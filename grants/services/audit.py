"""The audit trail: one function records what happened; a chain makes tampering visible.

record() queues an event on the session. Just before the transaction commits,
the queued events are appended to the chain: the chain's head row is locked,
each event's hash is computed over its content and the previous hash, and the
head moves on. Doing this last, at commit, means the head lock is always the
final lock a transaction takes (no deadlocks with round or counter locks) and
is held only for an instant.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Iterator

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import DateTime, event, select, type_coerce
from sqlalchemy.orm import Session

from .. import clock, signing
from ..extensions import db
from ..models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
_PENDING_KEY = "grants_audit_pending"


def _plain(value: Any) -> Any:
    """Make a value JSON-stable, so the hash computed now can be recomputed later."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(
    action: str,
    *,
    actor=None,
    entity=None,
    entity_type: str | None = None,
    entity_id: Any = None,
    application=None,
    fund_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    actor_label: str | None = None,
) -> None:
    """Record that `actor` did `action` to `entity`, with what changed and why.

    Every mutating service calls this. The event is written when the
    transaction commits and disappears with it on rollback.
    """
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    if application is not None and fund_id is None:
        fund_id = application.round.fund_id if application.round else None
    label = actor_label or (
        f"{actor.full_name} <{actor.email}>" if actor is not None else "system"
    )
    # Begin the transaction now, so a rollback (which fires only when one is
    # open) always discards the queued event with the change it describes.
    db.session.connection()
    pending = db.session.info.setdefault(_PENDING_KEY, [])
    pending.append(
        {
            "occurred_at": clock.now(),
            "actor_id": getattr(actor, "id", None),
            "actor_label": label,
            "ip_address": request.remote_addr if has_request_context() else None,
            "action": action,
            "entity_type": entity_type or "system",
            "entity_id": None if entity_id is None else str(entity_id),
            "application_id": getattr(application, "id", None),
            "fund_id": fund_id,
            "before": _plain(before) if before is not None else None,
            "after": _plain(after) if after is not None else None,
            "reason": reason,
        }
    )


def pending_actions(session: Session | None = None) -> list[str]:
    """Actions queued in this transaction (for tests of 'every service audits')."""
    session = session or db.session
    return [e["action"] for e in session.info.get(_PENDING_KEY, [])]


# One encoder, reused: json.dumps() with these options builds a new JSONEncoder on every
# call, which is a noticeable share of verifying a million events. The output is the same.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(prev_hash: str, seq, occurred_at: str, actor_id, actor_label, ip_address, action, entity_type,
            entity_id, application_id, fund_id, before, after, reason) -> str:
    payload = _ENCODER.encode({
        "seq": seq,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "ip_address": ip_address,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "application_id": application_id,
        "fund_id": fund_id,
        "before": before,
        "after": after,
        "reason": reason,
    })
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, fields: dict) -> str:
    """SHA-256 of the previous hash and the event's content as canonical JSON (sorted keys, no spaces)."""
    return _digest(prev_hash, fields["seq"], _iso(fields["occurred_at"]), fields["actor_id"], fields["actor_label"],
                   fields["ip_address"], fields["action"], fields["entity_type"], fields["entity_id"],
                   fields["application_id"], fields["fund_id"], fields["before"], fields["after"], fields["reason"])


def event_seal_key() -> bytes | None:
    """The key that seals events, derived from the audit signing key (None outside an app)."""
    if not has_app_context():
        return None
    return signing.seal_key(signing.app_signing_key(current_app))


def accepted_seal_keys() -> list[bytes]:
    """The current seal key first, then those of retired signing keys (events sealed before a rotation)."""
    current = event_seal_key()
    if current is None:
        return []
    return [current, *(signing.seal_key(key) for key in signing.retired_keys(current_app.config))]


def _append_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    seal_key = event_seal_key()
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    for fields in pending:
        fields["seq"] = head.seq + 1
        fields["prev_hash"] = head.hash
        fields["hash"] = event_hash(head.hash, fields)
        fields["seal"] = signing.seal(seal_key, fields["hash"]) if seal_key else None
        session.add(AuditEvent(**fields))
        head.seq, head.hash = fields["seq"], fields["hash"]
    session.flush()


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(_PENDING_KEY):
        session.flush()
        _append_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING_KEY, None)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise RuntimeError("Audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise RuntimeError("Audit events are append-only")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    problem: str | None = None


_UTC_OFFSET = timezone.utc.utcoffset(None)


def _iso_raw(moment: datetime) -> str:
    """_iso() for a timestamp read without the UTCDateTime type: naive means UTC (SQLite)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    elif moment.utcoffset() != _UTC_OFFSET:
        moment = moment.astimezone(timezone.utc)
    if moment.year < 1000:  # strftime does not zero-pad such years; keep _iso's exact text
        return _iso(moment)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _rows(session: Session, batch: int = 10_000) -> Iterator[tuple]:
    """Every event as a plain tuple, in chain order, streamed from one server-side cursor.

    Plain tuples, not ORM objects or mappings: a million events must neither fill
    the identity map nor pay for per-row dictionaries. occurred_at is read as a
    plain timestamp (the UTCDateTime conversion is done by _iso_raw instead).
    """
    table = AuditEvent.__table__
    c = table.c
    query = select(
        c.id, c.seq, c.prev_hash, c.hash, c.actor_id, c.actor_label, c.ip_address, c.action, c.entity_type,
        c.entity_id, c.application_id, c.fund_id, c.before, c.after, c.reason,
        type_coerce(c.occurred_at, DateTime(timezone=True)), c.seal,
    ).order_by(c.seq)
    # Options on the statement, not the connection: on a connection they would outlive this
    # query and put the session's later INSERTs on server-side cursors too.
    result = session.connection().execute(query.execution_options(stream_results=True, yield_per=batch))
    try:
        for partition in result.partitions():
            yield from partition
    finally:
        result.close()


def verify_chain(session: Session | None = None, *, anchors: dict[int, tuple[str, str]] | None = None,
                 seal_keys: list[bytes] | None = None, collect: dict[str, dict] | None = None) -> ChainReport:
    """Walk every event in order; report the first one whose hash or link is wrong.

    Catches an event altered (hash mismatch), removed (sequence gap or broken
    link) or inserted (link or hash mismatch), and a tail cut off (head differs).
    Those alone stop only someone who cannot recompute hashes. Against an
    insider who can, the caller passes:

    * ``anchors``: {count: (head hash, what signed it)} from verified signed
      checkpoints; the chain must still have that head hash at that count, and
      still be at least that long;
    * ``seal_keys``: every event after the first sealed one must carry a seal
      made with one of these keys (the current one first, then retired ones),
      so an event appended without the signing key shows;
    * ``collect``: {action: {}} filled with {entity_id: after} for those actions,
      so records can be checked against the hashes their creation events hold.
    """
    session = session or db.session
    anchors = anchors or {}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    digest = _digest
    # Seals began with signed checkpoints: events after the first sealed one, or after the first
    # checkpoint, must all be sealed (stripping every seal does not make a chain "legacy").
    sealed_from: int | None = min(anchors) + 1 if anchors else None
    sealers = [signing.Sealer(key) for key in seal_keys or []]
    sealer = sealers[0] if sealers else None
    for (row_id, seq, prev_hash, stored_hash, actor_id, actor_label, ip_address, action, entity_type, entity_id,
         application_id, fund_id, before, after, reason, occurred_at, seal) in _rows(session):
        if seq != expected_seq:
            return ChainReport(False, checked, seq, row_id,
                               f"expected event {expected_seq}, found {seq} (an event is missing or was inserted)")
        if prev_hash != expected_prev:
            return ChainReport(False, checked, seq, row_id, "link to the previous event is broken")
        if digest(prev_hash, seq, _iso_raw(occurred_at), actor_id, actor_label, ip_address, action, entity_type,
                  entity_id, application_id, fund_id, before, after, reason) != stored_hash:
            return ChainReport(False, checked, seq, row_id, "content does not match its hash (altered)")
        if sealer is not None:
            if seal is not None:
                sealed_from = min(sealed_from or seq, seq)
                if sealer(stored_hash) != seal and not any(other(stored_hash) == seal for other in sealers[1:]):
                    return ChainReport(False, checked, seq, row_id,
                                       "its seal was not made with the signing key (forged or altered)")
            elif sealed_from is not None and seq >= sealed_from:
                return ChainReport(False, checked, seq, row_id,
                                   f"it carries no seal, but every event from {sealed_from} on must (forged)")
        if seq in anchors and anchors[seq][0] != stored_hash:
            return ChainReport(False, checked, seq, row_id,
                               f"the chain here no longer has the head hash signed in {anchors[seq][1]} "
                               "(rewritten since)")
        if collect is not None and action in collect:
            collect[action][entity_id] = after
        expected_prev = stored_hash
        expected_seq += 1
        checked += 1
    beyond = [seq for seq in anchors if seq > checked]
    if beyond:
        seq = min(beyond)
        return ChainReport(False, checked, checked + 1, None,
                           f"the trail holds {checked} events but {anchors[seq][1]} signed {seq} "
                           "(events removed from the end)")
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return ChainReport(False, checked, checked + 1, None, "events after the last one found are missing")
    return ChainReport(True, checked)


def events_for_application(application_id: int) -> Iterable[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.seq)
    ).all()
