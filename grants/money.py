"""Money: always integer pence inside the system, pounds only at the edges."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# £10 million is far beyond any grant or round budget this system will see;
# anything larger is a typing mistake, not a request.
MAX_PENCE = 10_000_000 * 100

_ALLOWED = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")


class MoneyError(ValueError):
    """A human-readable reason an amount could not be read."""


def parse_pounds(text: str | None, *, allow_zero: bool = False) -> int:
    """Read an amount typed by a person ("£1,250.50", "1250.5", "1250") as pence."""
    if text is None or not str(text).strip():
        raise MoneyError("Enter an amount")
    cleaned = str(text).strip().replace(",", "").replace(" ", "")
    if cleaned.startswith("£"):
        cleaned = cleaned[1:]
    if cleaned.startswith("-"):
        raise MoneyError("Amount must be £0 or more" if allow_zero else "Amount must be more than £0")
    if not _ALLOWED.match(cleaned):
        raise MoneyError("Enter an amount in pounds and pence, like 1250 or 1250.50")
    try:
        pence = int((Decimal(cleaned) * 100).to_integral_exact())
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise MoneyError("Enter an amount in pounds and pence, like 1250 or 1250.50") from exc
    if pence > MAX_PENCE:
        raise MoneyError("Amount must be £10,000,000 or less")
    if pence == 0 and not allow_zero:
        raise MoneyError("Amount must be more than £0")
    return pence


def format_pence(pence: int | None, *, symbol: bool = True, always_pence: bool = False) -> str:
    """1250050 -> '£12,500.50'; whole pounds drop the pence unless asked."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(int(pence)), 100)
    text = f"{pounds:,}" if rem == 0 and not always_pence else f"{pounds:,}.{rem:02d}"
    return f"{sign}{'£' if symbol else ''}{text}"


def pence_to_decimal_pounds(pence: int) -> Decimal:
    """For open data and spreadsheets, which want pounds as a number."""
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))
