"""Every blueprint, one per journey, registered in one place."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Ids are 32-bit integer columns on PostgreSQL: a larger number cannot name a row.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond any id's range does not match, so the answer is 404
    (not a database error for a value the column cannot hold)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from .admin.routes import bp as admin
    from .applicant.routes import bp as applicant
    from .assessment.routes import bp as assessment
    from .auditor.routes import bp as auditor
    from .auth.routes import bp as auth
    from .decisions.routes import bp as decisions
    from .errors.handlers import bp as errors
    from .finance.routes import bp as finance
    from .monitoring.routes import bp as monitoring
    from .opendata.routes import bp as opendata
    from .public.routes import bp as public
    from .panel_report.routes import bp as panel_report
    from .publication.public import bp as notices
    from .publication.routes import bp as publication
    from .reports.routes import bp as reports
    from .staff.routes import bp as staff

    app.register_blueprint(errors)
    app.register_blueprint(public)
    app.register_blueprint(auth, url_prefix="/account")
    app.register_blueprint(applicant, url_prefix="/apply")
    app.register_blueprint(staff, url_prefix="/staff")
    app.register_blueprint(assessment, url_prefix="/assessment")
    app.register_blueprint(decisions, url_prefix="/decisions")
    app.register_blueprint(finance, url_prefix="/finance")
    app.register_blueprint(publication, url_prefix="/decisions")
    app.register_blueprint(monitoring, url_prefix="/monitoring")
    app.register_blueprint(reports, url_prefix="/reports")
    app.register_blueprint(panel_report, url_prefix="/reports")
    app.register_blueprint(opendata)
    app.register_blueprint(notices)
    app.register_blueprint(auditor, url_prefix="/audit")
    app.register_blueprint(admin, url_prefix="/admin")
