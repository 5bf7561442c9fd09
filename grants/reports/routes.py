"""Staff summaries and exports: fund summary page, PDF/CSV/XLSX, the grants register.

Auditors may read all of it, so every route is GET-only (read_only=True).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from .. import clock
from ..access import access
from ..documents.summary_pdf import summary_pdf
from ..exports.tabular import csv_rows, xlsx_bytes
from ..extensions import db
from ..models import Fund, Role
from ..services import audit, opendata, summaries

bp = Blueprint("reports", __name__)

READERS = (Role.OFFICER, Role.DECISION_MAKER, Role.FINANCE, Role.AUDITOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope() -> tuple[Fund | None, str | None]:
    """?fund=CSF (blank: all funds) and ?year=2026-27 (blank: this year; 'all': every year)."""
    code = request.args.get("fund", "").strip()
    fund = None
    if code:
        fund = db.session.scalar(select(Fund).where(Fund.code == code))
        if fund is None:
            abort(404)
    year = request.args.get("year", "").strip()
    years = summaries.financial_years()
    if year == "all":
        return fund, None
    if not year:
        return fund, summaries.default_year()
    if year not in years:
        abort(404)
    return fund, year


def _scope_args(fund: Fund | None, year: str | None) -> dict:
    return {"fund": fund.code if fund else "", "year": year or "all"}


def _slug(fund: Fund | None, year: str | None) -> str:
    return f"{fund.code if fund else 'all-funds'}-{year or 'all-years'}".lower()


def _record_export(what: str, fmt: str, **scope) -> None:
    audit.record("report.exported", actor=current_user, entity_type="report", entity_id=what,
                 after={"format": fmt, **scope})
    db.session.commit()


def _attachment(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/summary")
@access(*READERS, read_only=True)
def summary():
    fund, year = _scope()
    result = summaries.fund_summary(fund=fund, year=year)
    return render_template(
        "reports/summary.html", summary=result, funds=db.session.scalars(select(Fund).order_by(Fund.name)).all(),
        years=summaries.financial_years(), scope=_scope_args(fund, year),
    )


@bp.route("/summary.pdf")
@access(*READERS, read_only=True)
def summary_as_pdf():
    fund, year = _scope()
    body = summary_pdf(summaries.fund_summary(fund=fund, year=year))
    _record_export("fund-summary", "pdf", **_scope_args(fund, year))
    return _attachment(body, "application/pdf", f"fund-summary-{_slug(fund, year)}.pdf")


@bp.route("/summary.csv")
@access(*READERS, read_only=True)
def summary_as_csv():
    """Every table in one CSV: a title row, the table, then a blank row."""
    fund, year = _scope()
    tables = summaries.summary_tables(summaries.fund_summary(fund=fund, year=year))
    pieces = ["\ufeff"]
    for title, header, rows in tables:
        pieces.extend(csv_rows([title], []))
        pieces.extend(csv_rows(header, rows))
        pieces.append("\r\n")
    _record_export("fund-summary", "csv", **_scope_args(fund, year))
    return _attachment("".join(pieces).encode("utf-8"), "text/csv", f"fund-summary-{_slug(fund, year)}.csv")


@bp.route("/summary.xlsx")
@access(*READERS, read_only=True)
def summary_as_xlsx():
    """One worksheet per table."""
    fund, year = _scope()
    body = xlsx_bytes(summaries.summary_tables(summaries.fund_summary(fund=fund, year=year)))
    _record_export("fund-summary", "xlsx", **_scope_args(fund, year))
    return _attachment(body, XLSX, f"fund-summary-{_slug(fund, year)}.xlsx")


@bp.route("/grants-register.csv")
@access(*READERS, read_only=True)
def grants_register_csv():
    _record_export("grants-register", "csv")

    def body():
        yield "\ufeff"
        yield from csv_rows(opendata.REGISTER_COLUMNS, opendata.grants_register_rows())

    return _attachment(stream_with_context(body()), "text/csv", f"grants-register-{clock.today():%Y-%m-%d}.csv")


@bp.route("/grants-register.xlsx")
@access(*READERS, read_only=True)
def grants_register_xlsx():
    body = xlsx_bytes([("Grants register", opendata.REGISTER_COLUMNS, opendata.grants_register_rows())])
    _record_export("grants-register", "xlsx")
    return _attachment(body, XLSX, f"grants-register-{clock.today():%Y-%m-%d}.xlsx")
