"""The staff back office: application lists, reading applications, the email outbox."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import func, select

from ..access import access
from ..extensions import db
from ..models import OutboxEmail, Role

bp = Blueprint("staff", __name__)


@bp.route("/outbox")
@access(Role.OFFICER, Role.ADMIN)
def outbox():
    """Development aid: read every email the system has stored (hidden in production)."""
    if not current_app.config.get("SHOW_OUTBOX"):
        abort(404)
    page = max(1, request.args.get("page", 1, type=int))
    per_page = 50
    total = db.session.scalar(select(func.count(OutboxEmail.id)))
    emails = db.session.scalars(
        select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return render_template("staff/outbox.html", emails=emails, page=page, total=total, per_page=per_page)


from . import rounds  # noqa: E402,F401  (registers the round configuration routes)
