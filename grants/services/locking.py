"""Row locks: the one way a service serialises people acting on the same thing at once.

On PostgreSQL `lock(row)` takes SELECT ... FOR NO KEY UPDATE on the row for the rest of
the transaction, then re-reads it, so whoever waited sees what the first person committed
and re-checks its rules against that. (FOR NO KEY UPDATE excludes every other state change
as FOR UPDATE does, but not the key-share locks that inserts referring to the row take;
plain FOR UPDATE deadlocked a withdrawal against an approval.) On SQLite (one writer at a time) the lock is a
no-op and the re-read is harmless.

Lock order, everywhere, so two requests queue rather than deadlock: the round's row
(budget) before the application's row (decisions.py gives the full order; a report or
return is locked before its application). Lock before writing anything that refers to
the row, so the second request waits before it has written anything.
"""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from ..extensions import db

T = TypeVar("T")


def lock_id(model, row_id: int) -> None:
    """Lock the row of `model` with primary key `row_id` until the transaction ends."""
    # The bare id: eager joins on the model cannot take FOR UPDATE on PostgreSQL.
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update(key_share=True))


def lock(row: T) -> T:
    """Lock `row` until the transaction ends and re-read it from the database; returns the same object."""
    db.session.flush()
    lock_id(type(row), row.id)
    db.session.refresh(row)
    return row
