"""Column types and mixins shared by every model."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, types
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock


class UTCDateTime(types.TypeDecorator):
    """Timestamps are stored and returned as aware UTC, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC was expected")
        value = value.astimezone(timezone.utc)
        # SQLite keeps the text as given; store it without offset so ordering works.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Money is integer pence; BigInteger so fund-wide sums never overflow.
Pence = BigInteger


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, nullable=False)
