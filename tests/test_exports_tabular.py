"""Spreadsheet exports never let a cell run as a formula."""
import csv
import io

from openpyxl import load_workbook

from grants.exports.tabular import csv_bytes, safe_cell, xlsx_bytes


def test_formula_like_text_is_neutralised_but_numbers_are_kept():
    assert [safe_cell(v) for v in ["=1+1", "+44 1642", "-2", "@SUM(A1)", "plain", 125050, None]] == \
        ["'=1+1", "'+44 1642", "'-2", "'@SUM(A1)", "plain", 125050, ""]


def test_csv_and_xlsx_read_back_with_safe_cells():
    data = csv_bytes(["Name", "Amount"], [["=HYPERLINK(\"http://x\")", 12.5]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Amount"], ["'=HYPERLINK(\"http://x\")", "12.5"]]
    workbook = load_workbook(io.BytesIO(xlsx_bytes([("Grants", ["Name"], [["@cmd"]])])))
    # XLSX has cell types: the text is kept exactly, in a text cell that never runs as a formula.
    cell = workbook["Grants"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("@cmd", "s", True)
