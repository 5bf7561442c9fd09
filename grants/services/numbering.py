"""Gap-free sequence numbers (application references, decision record numbers)."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Counter


def next_number(key: str) -> int:
    """Take the next number for `key` inside the current transaction.

    The counter row is created if missing (an upsert, safe under concurrency)
    and then incremented with its row locked, so concurrent transactions queue;
    a rollback returns the number, so there are no gaps and no duplicates.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Counter).values(key=key, value=0).on_conflict_do_nothing(index_elements=["key"]))
    value = db.session.execute(
        update(Counter).where(Counter.key == key).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()
    return int(value)
