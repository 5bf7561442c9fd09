"""Signed checkpoints: the audit chain's length and head hash, anchored outside the database.

The chain alone stops someone who edits a row; it does not stop someone with
database access who recomputes every later hash. A checkpoint signs (count,
head hash, time) with the Ed25519 key from configuration. A database writer
without that key cannot make a new checkpoint, nor change one, and copies of
every checkpoint leave the database: the auditors' email, the backup manifest
and the public transparency page. Anyone with the public key can check them.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from .. import clock, signing
from ..extensions import db
from ..models import AuditCheckpoint, AuditHead, Role
from . import audit, outbox

FORMAT = "grants-audit-checkpoints/1"
DAILY = timedelta(hours=24)


def signing_key():
    return signing.app_signing_key(current_app)


def public_key():
    return signing_key().public_key()


def public_key_pem() -> str:
    return signing.public_pem(public_key())


def known_public_keys() -> dict:
    """{key id: public key} for the current key and every retired one."""
    keys = [public_key(), *(k.public_key() for k in signing.retired_keys(current_app.config))]
    return {signing.key_id(k): k for k in keys}


def latest() -> AuditCheckpoint | None:
    return db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def newest_first(limit: int | None = None) -> list[AuditCheckpoint]:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as published: everything needed to check it with the public key alone."""
    return {"count": checkpoint.seq, "head_hash": checkpoint.head_hash,
            "signed_at": audit._iso(checkpoint.signed_at), "key_id": checkpoint.key_id,
            "signature": checkpoint.signature}


def published(checkpoints: list[AuditCheckpoint]) -> dict[str, Any]:
    return {"format": FORMAT, "public_key": public_key_pem(), "key_id": signing.key_id(public_key()),
            "retired_public_keys": {key_id: signing.public_pem(key) for key_id, key in known_public_keys().items()
                                    if key_id != signing.key_id(public_key())},
            "checkpoints": [as_dict(c) for c in checkpoints]}


def published_json(checkpoints: list[AuditCheckpoint]) -> str:
    return json.dumps(published(checkpoints), indent=2, sort_keys=True) + "\n"


def create_checkpoint(*, actor=None, reason: str = "scheduled") -> AuditCheckpoint:
    """Sign the chain's committed head now; record it, and email it to every auditor.

    The head row is locked first, so the count and hash signed are exactly the
    committed chain's (no event can be appended in between). The checkpoint's
    own audit event follows it in the chain, sealed, so removing the checkpoint
    row later leaves a trace.
    """
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    seq, head_hash = (head.seq, head.hash) if head is not None else (0, audit.GENESIS_HASH)
    key = signing_key()
    signed_at = clock.now()
    checkpoint = AuditCheckpoint(
        seq=seq, head_hash=head_hash, signed_at=signed_at, key_id=signing.key_id(key.public_key()),
        signature=signing.sign(key, signing.checkpoint_message(seq, head_hash, audit._iso(signed_at))),
    )
    db.session.add(checkpoint)
    db.session.flush()
    audit.record("audit.checkpoint_signed", actor=actor, entity=checkpoint, reason=reason,
                 after=as_dict(checkpoint))
    outbox.notify_role(Role.AUDITOR, "audit_checkpoint", checkpoint=as_dict(checkpoint),
                       checkpoint_json=json.dumps(as_dict(checkpoint), sort_keys=True),
                       public_key=public_key_pem())
    return checkpoint


def due(now=None) -> bool:
    """Is a checkpoint due: AUDIT_CHECKPOINT_EVERY events since the last one, or a day since it?"""
    now = now or clock.now()
    last = latest()
    if last is None:
        return True
    if now - last.signed_at >= DAILY:
        return True
    count = db.session.scalar(select(func.coalesce(func.max(AuditHead.seq), 0))) or 0
    # The last checkpoint's own event is one of the new ones; it alone does not make another due.
    return count - (last.seq + 1) >= max(1, int(current_app.config["AUDIT_CHECKPOINT_EVERY"]))


def checkpoint_if_due() -> AuditCheckpoint | None:
    return create_checkpoint() if due() else None


class CheckpointFileError(ValueError):
    """A saved checkpoint file that cannot be read; the message says what was expected."""


def read_saved(text: str) -> list[dict]:
    """Checkpoints saved elsewhere: the public page's JSON, or one checkpoint from an email."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CheckpointFileError("not JSON: save the JSON download or the JSON block from the email") from exc
    items = data.get("checkpoints") if isinstance(data, dict) and "checkpoints" in data else [data]
    if not isinstance(items, list) or not items:
        raise CheckpointFileError("it holds no checkpoints")
    wanted = ("count", "head_hash", "signed_at", "signature")
    for item in items:
        if not isinstance(item, dict) or any(k not in item for k in wanted):
            raise CheckpointFileError(f"each checkpoint needs {', '.join(wanted)}")
    return items


def signature_ok(item: dict, key) -> bool:
    try:
        message = signing.checkpoint_message(int(item["count"]), str(item["head_hash"]), str(item["signed_at"]))
    except (ValueError, UnicodeEncodeError):
        return False
    return signing.verify(key, message, str(item["signature"]))
