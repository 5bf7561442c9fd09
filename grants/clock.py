"""The one source of 'now', so tests can move time (offer lapse, reminders)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in the UK, where deadlines are set."""
    return now().astimezone(LONDON).date()


def financial_year(day: date) -> str:
    """'2026-27' for any date from 1 April 2026 to 31 March 2027."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def financial_year_bounds(label: str) -> tuple[date, date]:
    start = int(label[:4])
    return date(start, 4, 1), date(start + 1, 3, 31)
