"""Public pages and open data: the register of awarded grants and 360Giving files. No login."""
from __future__ import annotations

import itertools
import re
from typing import Iterator

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from .. import clock
from ..access import PUBLIC, access
from ..exports.tabular import csv_rows
from ..services import opendata, settings

bp = Blueprint("opendata", __name__)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}-\d{2}$")


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _filters() -> opendata.RegisterFilters:
    """Read the register's filters; anything malformed is ignored rather than an error."""
    month = request.args.get("month", "").strip()
    year = request.args.get("year", "").strip()
    return opendata.RegisterFilters(
        q=request.args.get("q", "").strip()[:100],
        fund=request.args.get("fund", "").strip()[:10],
        year=year if _YEAR.match(year) else "",
        area=_int("area"),
        objective=_int("objective"),
        month=month if _MONTH.match(month) else "",
    )


@bp.route("/grants")
@access(PUBLIC)
def register():
    filters = _filters()
    page = opendata.register_page(filters, page=_int("page") or 1)
    return render_template("opendata/register.html", filters=filters, result=page,
                           choices=opendata.filter_choices(), args=request.args)


@bp.route("/grants/monthly")
@access(PUBLIC)
def monthly():
    filters = _filters()
    return render_template("opendata/monthly.html", months=opendata.register_months(filters), filters=filters,
                           choices=opendata.filter_choices())


@bp.route("/grants/terms/<int:number>")
@access(PUBLIC)
def terms(number: int):
    """A version of the standard terms of grant, as the register's conditions link to it."""
    version = settings.terms_version(number)
    if version is None:
        abort(404)
    return render_template("opendata/terms.html", version=version, lines=settings.terms_lines(version.text))


def _streamed(pieces: Iterator[str], *, mimetype: str, first: int) -> Response:
    """Stream `pieces`, but produce the first few (through the first grant, so the main query has
    run) before the status line: a database that is down gives the 503 page, not a 200 whose
    body stops short."""
    started = list(itertools.islice(pieces, first))
    return Response(stream_with_context(itertools.chain(started, pieces)), mimetype=mimetype)


@bp.route("/open-data/360giving.json")
@access(PUBLIC)
def threesixty_json():
    # Metadata, then the first grant.
    response = _streamed(opendata.iter_360_json(), mimetype="application/json", first=2)
    response.headers["Content-Disposition"] = f'inline; filename="{opendata.prefix()}-grants.json"'
    return response


@bp.route("/open-data/360giving.csv")
@access(PUBLIC)
def threesixty_csv():
    def body():
        yield "\ufeff"
        yield from csv_rows(opendata.CSV_COLUMNS, opendata.iter_360_rows(), neutralise=False)

    # The byte-order mark, the header, then the first grant.
    response = _streamed(body(), mimetype="text/csv", first=3)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{opendata.prefix()}-grants-{clock.today():%Y-%m-%d}.csv"'
    )
    return response
