"""CSV and XLSX writers that are safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) is read by Excel and
LibreOffice as a formula; text from the public must never run as one, so such
cells are prefixed with an apostrophe. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Iterable, Iterator, Sequence

from openpyxl import Workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_rows(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """Yield CSV text line by line, for streaming responses of any size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate(0)
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    # UTF-8 with BOM so Excel opens pound signs and accents correctly.
    return ("\ufeff" + "".join(csv_rows(header, rows))).encode("utf-8")


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, header, rows); write-only mode keeps memory flat."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
