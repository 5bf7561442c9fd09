"""Error pages. A 500 rolls back so a failed request leaves nothing half-written."""
from __future__ import annotations

from flask import Blueprint, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError

from ..extensions import db

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(403)
def forbidden(error):
    return render_template("errors/error.html", code=403, title="You do not have permission to see this page",
                           message="If you think you should, ask a grants officer."), 403


@bp.app_errorhandler(404)
def not_found(error):
    return render_template("errors/error.html", code=404, title="Page not found",
                           message="If you typed the web address, check it is correct."), 404


@bp.app_errorhandler(405)
def method_not_allowed(error):
    return render_template("errors/error.html", code=405, title="That action is not allowed here",
                           message="This page can only be read."), 405


@bp.app_errorhandler(413)
def too_large(error):
    return render_template("errors/error.html", code=413, title="The file is too large",
                           message="Files must be 10MB or smaller. Go back and choose a smaller file."), 413


@bp.app_errorhandler(429)
def too_many(error):
    return render_template("errors/error.html", code=429, title="Too many attempts",
                           message="Wait a few minutes, then try again."), 429


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return render_template("errors/error.html", code=400, title="Your session has expired",
                           message="Go back, reload the page and try again. Nothing was saved."), 400


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return render_template("errors/error.html", code=500, title="Sorry, there is a problem with the service",
                           message="Try again later. Nothing you entered on the last page was saved."), 500


@bp.app_errorhandler(OverflowError)
@bp.app_errorhandler(DataError)
def number_out_of_range(error):
    """A number in the address beyond what any column holds names nothing: 404, not a 500.

    (SQLite raises OverflowError past 64 bits; PostgreSQL a DataError past its column's range.)
    Any other DataError is a fault and answers 500.
    """
    db.session.rollback()
    if isinstance(error, DataError) and "out of range" not in str(error.orig):
        return server_error(error)
    return not_found(error)


@bp.app_errorhandler(503)
@bp.app_errorhandler(OperationalError)
def unavailable(error):
    """The database cannot be reached (or a 503 was raised): a plain page, never a traceback.

    The page is drawn without the database: the signed-in user is not loaded for it.
    """
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing to undo
        pass
    if "_login_user" not in g:
        g._login_user = current_app.login_manager.anonymous_user()
    return render_template("errors/error.html", code=503, title="Sorry, the service is unavailable",
                           message="Try again in a few minutes. Nothing you entered on the last page was saved."), 503
