"""The start page, privacy notice, accessibility statement and health check."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import select, text

from ..access import PUBLIC, access
from ..extensions import db
from ..models import Fund, Round

bp = Blueprint("public", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    funds = db.session.scalars(select(Fund).order_by(Fund.id)).all()
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on)).all()
    open_rounds = [r for r in rounds if r.is_open]
    return render_template("public/home.html", funds=funds, open_rounds=open_rounds)


@bp.route("/privacy")
@access(PUBLIC)
def privacy():
    return render_template("public/privacy.html")


@bp.route("/accessibility")
@access(PUBLIC)
def accessibility():
    return render_template("public/accessibility.html")


@bp.route("/transparency/audit-checkpoints")
@access(PUBLIC)
def audit_checkpoints():
    """Signed checkpoints of the audit trail, newest first, for anyone to check and archive."""
    from ..services import checkpoints

    published = checkpoints.published([])
    return render_template("public/audit_checkpoints.html", checkpoints=checkpoints.newest_first(),
                           public_key=published["public_key"], retired_keys=published["retired_public_keys"])


@bp.route("/transparency/audit-checkpoints.json")
@access(PUBLIC)
def audit_checkpoints_json():
    from ..services import checkpoints

    response = Response(checkpoints.published_json(checkpoints.newest_first()), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-checkpoints.json"'
    return response


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """For the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
