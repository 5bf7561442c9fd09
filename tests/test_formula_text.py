"""Formula-like text: neutralised in spreadsheets meant for people, published exactly as entered in open data."""
from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from grants.extensions import db

from .factories_reporting import make_award

FORMULA_TITLE = '=HYPERLINK("http://example.net","Click")'
SIGNED_TITLE = "-20% youth crime in Hartlepool"


def _publish(demo):
    make_award(demo, status="funded", title=FORMULA_TITLE, awarded_pence=150_000)
    make_award(demo, status="funded", title=SIGNED_TITLE, awarded_pence=120_000)
    db.session.commit()


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_360giving_csv_and_json_publish_text_exactly_as_entered(page, demo):
    """Does open data carry '=…' and '-…' titles exactly as entered, without an apostrophe?"""
    _publish(demo)
    rows = _csv(page.get("/open-data/360giving.csv"))
    assert sorted(r["Title"] for r in rows) == sorted([FORMULA_TITLE, SIGNED_TITLE])
    grants = json.loads(page.get("/open-data/360giving.json").get_data(as_text=True))["grants"]
    assert sorted(g["title"] for g in grants) == sorted([FORMULA_TITLE, SIGNED_TITLE])


def test_staff_register_csv_is_neutralised(as_finance, demo):
    """Does the grants register CSV (opened by people in a spreadsheet) still neutralise formula-like text?"""
    _publish(demo)
    response = as_finance.get("/reports/grants-register.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "'" + FORMULA_TITLE.replace('"', '""') in text
    assert "'" + SIGNED_TITLE in text


def test_staff_register_xlsx_keeps_the_text_as_a_text_cell(as_finance, demo):
    """In the Excel register, is a formula-like title the original text in a text cell (never a formula)?"""
    _publish(demo)
    response = as_finance.get("/reports/grants-register.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value in (FORMULA_TITLE,
                                                                                             SIGNED_TITLE)}
    assert set(cells) == {FORMULA_TITLE, SIGNED_TITLE}
    for cell in cells.values():
        assert cell.data_type == "s"
        assert cell.quotePrefix
