"""The Police and Crime Panel report: a page and a PDF for any two dates."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..access import access
from ..extensions import db
from ..models import Role
from ..services import panel_report
from ..services.errors import ValidationFailed
from ..services.periods import Period

bp = Blueprint("panel_report", __name__)

READERS = (Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)


def _period() -> tuple[Period, dict[str, str]]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD; neither: since the last report generated. Bad dates: the default, and why."""
    start, end = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    if not start and not end:
        return panel_report.default_period(), {}
    try:
        return Period.between(date.fromisoformat(start) if start else None,
                              date.fromisoformat(end) if end else None), {}
    except ValueError:
        return panel_report.default_period(), {"from": "Enter both dates as real dates, like 2026-04-01"}
    except ValidationFailed as exc:
        return panel_report.default_period(), exc.errors


@bp.route("/panel")
@access(*READERS)
def page():
    """The report between two dates (default: since the last one generated)."""
    period, errors = _period()
    return render_template("reports/panel.html", report=panel_report.panel_report(period), errors=errors,
                           last=panel_report.last_generated_to())


@bp.route("/panel.pdf")
@access(*READERS)
def pdf():
    """The report as a PDF; producing it is recorded, so the next report starts the day after it ends."""
    from ..documents.panel_report import panel_report_pdf

    period, _errors = _period()
    body = panel_report_pdf(panel_report.panel_report(period))
    panel_report.record_generated(period, actor=current_user)
    db.session.commit()
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="panel-report-{period.start.isoformat()}-to-{period.end.isoformat()}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
