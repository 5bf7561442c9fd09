"""CSV and XLSX writers that are safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) is read by Excel and
LibreOffice as a formula; text from the public must never run as one. In CSV such
cells are prefixed with an apostrophe (CSV has no cell types); in XLSX the cell is
written as a text cell with Excel's quote prefix, so it shows the text exactly and
never runs. Numbers stay numbers. Open data (360Giving) is for programs, not
spreadsheets: it is published exactly as entered (csv_rows(..., neutralise=False)).
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


def _exact_cell(value):
    return "" if value is None else value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence], *, neutralise: bool = True) -> Iterator[str]:
    """Yield CSV text line by line, for streaming responses of any size.

    neutralise=False writes text exactly as entered: only for data meant for programs (open data).
    """
    cell = safe_cell if neutralise else _exact_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(h) for h in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate(0)
        writer.writerow([cell(v) for v in row])
        yield buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    # UTF-8 with BOM so Excel opens pound signs and accents correctly.
    return ("\ufeff" + "".join(csv_rows(header, rows))).encode("utf-8")


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, header, rows); write-only mode keeps memory flat."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_xlsx_cell(sheet, h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    """Numbers as numbers; formula-like text as a text cell holding the text unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return safe_cell(value)
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, never a formula
    cell.quotePrefix = True  # and stays text if someone edits it in Excel
    return cell
