"""Published decision notices: the public pages (no sign-in)."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request

from ..access import PUBLIC, access
from ..services import notices, opendata
from .routes import notice_pdf_response

bp = Blueprint("notices", __name__)

_YEAR = re.compile(r"^\d{4}-\d{2}$")


@bp.route("/decisions-published")
@access(PUBLIC)
def index():
    """Every signed notice for publication, newest first, by fund and financial year."""
    year = request.args.get("year", "").strip()
    filters = notices.PublishedFilters(fund=request.args.get("fund", "").strip()[:10],
                                       year=year if _YEAR.match(year) else "")
    return render_template("notices/index.html", notice_list=notices.published_notices(filters), filters=filters,
                           choices=opendata.filter_choices())


def _published(notice_id: int):
    notice = notices.published_notice(notice_id)
    if notice is None:
        abort(404)
    return notice


@bp.route("/decisions-published/<int:notice_id>")
@access(PUBLIC)
def notice(notice_id: int):
    notice = _published(notice_id)
    return render_template("notices/notice.html", notice=notice, superseded_by=notices.superseded_by(notice))


@bp.route("/decisions-published/<int:notice_id>.pdf")
@access(PUBLIC)
def notice_pdf(notice_id: int):
    return notice_pdf_response(_published(notice_id), public=True)
