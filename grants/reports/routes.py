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
from ..forms import show_refusal
from ..models import Fund, Role
from ..services import audit, opendata, periods, summaries
from ..services.errors import ValidationFailed
from ..services.periods import Period
from .forms import PeriodForm

bp = Blueprint("reports", __name__)

READERS = (Role.OFFICER, Role.DECISION_MAKER, Role.FINANCE, Role.AUDITOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fund() -> Fund | None:
    """?fund=CSF (blank: all funds); an unknown code is a 404."""
    code = request.args.get("fund", "").strip()
    if not code:
        return None
    fund = db.session.scalar(select(Fund).where(Fund.code == code))
    if fund is None:
        abort(404)
    return fund


def _period(form: PeriodForm | None = None) -> Period:
    """The period asked for (see services.periods.from_query, or the page's From/To date boxes).

    Blank: this financial year. A year with no rounds is a 404. On the page an
    invalid period is shown beside its field (with this year's figures); a
    download with one is refused (400).
    """
    default = summaries.default_year()
    try:
        if form is not None and form.dates_given():
            form.validate()
            if form.start.errors or form.end.errors:
                raise ValidationFailed({"start": (form.start.errors or [""])[0]} if form.start.errors
                                       else {"end": form.end.errors[0]})
            period = Period.between(form.start.data, form.end.data)
        else:
            period = periods.from_query(request.args, default_year=default)
    except ValidationFailed as exc:
        if form is None:
            abort(400)
        form.start.errors, form.end.errors = [], []
        show_refusal(form, exc)
        period = Period.financial_year(default) if default else Period.all_years()
    if period.year and period.year not in summaries.financial_years():
        abort(404)
    return period


def _scope_args(fund: Fund | None, period: Period) -> dict:
    return {"fund": fund.code if fund else "", **period.query_args()}


def _slug(fund: Fund | None, period: Period) -> str:
    return f"{fund.code if fund else 'all-funds'}-{period.slug}".lower()


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
    fund = _fund()
    form = PeriodForm(request.args)
    form.fund.choices = [("", "All funds")] + [
        (f.code, f.name) for f in db.session.scalars(select(Fund).order_by(Fund.name))]
    form.year.choices = [(y, y) for y in summaries.financial_years()] + [("all", "All years")]
    period = _period(form)
    form.fund.data = fund.code if fund else ""
    form.year.data = period.year or ("all" if period.kind == "all" else "")
    form.quarter.data = str(period.quarter or "")
    result = summaries.fund_summary(fund=fund, period=period)
    return render_template("reports/summary.html", summary=result, form=form, scope=_scope_args(fund, period),
                           period_args=period.query_args())


@bp.route("/summary.pdf")
@access(*READERS, read_only=True)
def summary_as_pdf():
    fund, period = _fund(), _period()
    body = summary_pdf(summaries.fund_summary(fund=fund, period=period))
    _record_export("fund-summary", "pdf", **_scope_args(fund, period))
    return _attachment(body, "application/pdf", f"fund-summary-{_slug(fund, period)}.pdf")


def _csv_tables(tables) -> bytes:
    """Every table in one CSV: a title row, the table, then a blank row."""
    pieces = ["\ufeff"]
    for title, header, rows in tables:
        pieces.extend(csv_rows([title], []))
        pieces.extend(csv_rows(header, rows))
        pieces.append("\r\n")
    return "".join(pieces).encode("utf-8")


# name in the URL -> (what the audit calls it, the tables function, the file name's start)
_DOWNLOADS = {
    "summary": ("fund-summary", summaries.summary_tables, "fund-summary"),
    "outcomes": ("fund-outcomes", summaries.outcome_tables, "fund-outcomes"),
}


def _table_download(name: str, fmt: str) -> Response:
    what, tables_of, stem = _DOWNLOADS[name]
    fund, period = _fund(), _period()
    tables = tables_of(summaries.fund_summary(fund=fund, period=period))
    _record_export(what, fmt, **_scope_args(fund, period))
    if fmt == "csv":
        return _attachment(_csv_tables(tables), "text/csv", f"{stem}-{_slug(fund, period)}.csv")
    return _attachment(xlsx_bytes(tables), XLSX, f"{stem}-{_slug(fund, period)}.xlsx")


@bp.route("/summary.csv")
@access(*READERS, read_only=True)
def summary_as_csv():
    return _table_download("summary", "csv")


@bp.route("/summary.xlsx")
@access(*READERS, read_only=True)
def summary_as_xlsx():
    """One worksheet per table."""
    return _table_download("summary", "xlsx")


@bp.route("/outcomes.csv")
@access(*READERS, read_only=True)
def outcomes_as_csv():
    """Outputs reported so far, people reached and equality monitoring (small numbers suppressed)."""
    return _table_download("outcomes", "csv")


@bp.route("/outcomes.xlsx")
@access(*READERS, read_only=True)
def outcomes_as_xlsx():
    return _table_download("outcomes", "xlsx")


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
