"""The working day: staff search and the organisation record."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from ..access import STAFF_READERS, access
from ..extensions import db
from ..models import Organisation
from ..services import search as search_service
from .routes import bp


@bp.route("/search")
@access(*search_service.SEARCH_ROLES, read_only=True)
def search():
    """Applications and organisations matching one box of text, grouped, best match first, 20 a page."""
    text = request.args.get("q", "")
    page = max(1, request.args.get("page", 1, type=int))
    results = search_service.search(text, viewer=current_user, page=page)
    return render_template("staff/search.html", results=results)


@bp.route("/organisations/<int:organisation_id>")
@access(*STAFF_READERS, read_only=True)
def organisation(organisation_id: int):
    """One organisation: details, documents, members, applications, awards, money, reports and variations."""
    from ..services import monitoring, organisation_record

    organisation_ = db.session.get(Organisation, organisation_id)
    if organisation_ is None:
        abort(404)
    return render_template("staff/organisation.html",
                           record=organisation_record.record_for(organisation_, viewer=current_user),
                           report_labels=monitoring.STATUS_LABELS, variation_labels=monitoring.VARIATION_LABELS)
