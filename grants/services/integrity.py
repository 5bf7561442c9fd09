"""One check of everything the audit trail vouches for: `audit-verify` and the auditor's page.

In order, naming the first thing that fails:

1. every signed checkpoint (in the database, and any saved elsewhere and passed
   in) verifies with the public key;
2. the chain: each event's hash and link, its seal, and at each checkpoint's
   count the head hash that checkpoint signed (and no shorter than any);
3. every document whose creation event records its hash (decision records,
   stored letters, decision notices; see RECORDED_DOCUMENTS) still matches both its own stored
   hash and the one in that event.

Everything is streamed: the chain through one server-side cursor, documents in
small batches, so a million events need little memory.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import select

from .. import signing
from ..extensions import db
from ..models import AuditCheckpoint, DecisionNotice, DecisionRecord, Letter
from . import audit, checkpoints, decisions, notices


@dataclass
class IntegrityReport:
    ok: bool
    checked: int = 0  # events
    checkpoints: int = 0
    documents: dict[str, int] = field(default_factory=dict)  # kinds checked and how many (kinds with none left out)
    problem: str | None = None
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    failed: str | None = None  # what failed: "event 12", "decision record CSF/2026-27/014", ...


@dataclass(frozen=True)
class RecordedDocument:
    """A kind of stored document whose creation audit event records its hash."""

    label: str
    created_action: str  # the audit action that creates one
    hash_key: str  # where that event's `after` holds the hash
    rows: Callable[[], Iterator[tuple[str, str, str, str]]]  # (entity id, name, stored hash, recomputed hash)


def _decision_records() -> Iterator[tuple[str, str, str, str]]:
    query = select(DecisionRecord).order_by(DecisionRecord.id).execution_options(yield_per=200)
    for record in db.session.scalars(query):
        yield str(record.id), record.number, record.content_hash, decisions.content_hash(record)
        db.session.expunge(record)


def _letters() -> Iterator[tuple[str, str, str, str]]:
    query = select(Letter.id, Letter.filename, Letter.sha256, Letter.content).order_by(Letter.id)
    for row_id, filename, stored, content in db.session.execute(query.execution_options(yield_per=50)):
        yield str(row_id), filename, stored, hashlib.sha256(content).hexdigest()


def _decision_notices() -> Iterator[tuple[str, str, str, str]]:
    query = select(DecisionNotice).order_by(DecisionNotice.id).execution_options(yield_per=200)
    for notice in db.session.scalars(query):
        yield str(notice.id), notice.number, notice.content_hash, notices.content_hash(notice)
        db.session.expunge(notice)


# The one place to add a document the trail vouches for: its creation event records its hash;
# add a RecordedDocument with a rows() like these.
RECORDED_DOCUMENTS: tuple[RecordedDocument, ...] = (
    RecordedDocument("decision record", "decision_record.created", "content_hash", _decision_records),
    RecordedDocument("letter", "letter.issued", "sha256", _letters),
    RecordedDocument("decision notice", "decision_notice.signed", "content_hash", _decision_notices),
)


def _label(item: dict, source: str) -> str:
    return f"the checkpoint signed at {item['signed_at']} ({source})"


def verify_all(*, saved: list[dict] | None = None, public_key=None) -> IntegrityReport:
    """Check checkpoints, the chain and every recorded document; report the first failure.

    Checkpoints are checked with `public_key` if given (one an auditor kept), otherwise with the
    configured key or, for those signed before a rotation, the retired key whose id they carry.
    """
    keys = ({signing.key_id(public_key): public_key} if public_key is not None
            else checkpoints.known_public_keys())
    items = [(checkpoints.as_dict(c), f"checkpoint {c.id} in the database")
             for c in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))]
    items += [(item, "the saved file") for item in saved or []]
    anchors: dict[int, tuple[str, str]] = {}
    for item, source in items:
        key = keys.get(item.get("key_id")) or (None if len(keys) > 1 else next(iter(keys.values())))
        if key is None or not checkpoints.signature_ok(item, key):
            return IntegrityReport(False, checkpoints=len(anchors), failed=source,
                                   problem=f"{_label(item, source)} does not verify with the public key "
                                           "(forged or altered)")
        count, label = int(item["count"]), _label(item, source)
        if count in anchors and anchors[count][0] != item["head_hash"]:
            return IntegrityReport(False, checkpoints=len(anchors), failed=source,
                                   problem=f"{label} and {anchors[count][1]} sign different heads for the same "
                                           "count (the signing key has been misused)")
        anchors.setdefault(count, (item["head_hash"], label))
    collect: dict[str, dict] = {doc.created_action: {} for doc in RECORDED_DOCUMENTS}
    chain = audit.verify_chain(anchors=anchors, seal_keys=audit.accepted_seal_keys(), collect=collect)
    if not chain.ok:
        return IntegrityReport(False, chain.checked, len(items), problem=chain.problem,
                               first_broken_seq=chain.first_broken_seq, first_broken_id=chain.first_broken_id,
                               failed=f"event {chain.first_broken_seq}")
    counts: dict[str, int] = {}
    for doc in RECORDED_DOCUMENTS:
        recorded = collect[doc.created_action]
        for entity_id, name, stored, recomputed in doc.rows():
            failed = f"{doc.label} {name}"
            event_hash = (recorded.get(entity_id) or {}).get(doc.hash_key)
            problem = None
            if recomputed != stored:
                problem = "its content no longer matches its stored hash (altered)"
            elif event_hash is None:
                problem = "no creation event in the audit trail records its hash (inserted outside the service)"
            elif event_hash != stored:
                problem = "its content and hash differ from those recorded when it was created (replaced)"
            if problem:
                return IntegrityReport(False, chain.checked, len(items), dict(counts), problem=problem,
                                       failed=failed)
            counts[doc.label] = counts.get(doc.label, 0) + 1
    return IntegrityReport(True, chain.checked, len(items), counts)


__all__ = ["IntegrityReport", "RECORDED_DOCUMENTS", "verify_all"]
