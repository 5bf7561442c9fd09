"""The auditor's area: read-only, GET only, enforced centrally by @access(..., read_only=True).

The one write these views make is an "export.*" (or "audit.chain_verified")
audit event recording that evidence was taken out or the chain was checked:
the trail must show who looked at what it protects.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from ..access import access
from ..extensions import db
from ..models import Application, Role
from ..services import assessment as assessment_service
from ..services import audit, integrity
from . import evidence

bp = Blueprint("auditor", __name__)

AUDITOR = access(Role.AUDITOR, read_only=True)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@AUDITOR
def index():
    filters = evidence.filters_from(request.args)
    before = request.args.get("before", "")
    before_seq = int(before) if before.isdigit() and len(before) < 19 else None
    events, next_seq = ([], None) if filters.errors else evidence.search_events(filters, before_seq=before_seq)
    return render_template(
        "auditor/index.html", filters=filters, events=events, next_seq=next_seq, before_seq=before_seq,
        funds=evidence.funds(), actions=evidence.known_actions(), errors=filters.errors,
        error_title_prefix=bool(filters.errors),
    )


@bp.route("/events.<any(csv, json):fmt>")
@AUDITOR
def events_export(fmt: str):
    filters = evidence.filters_from(request.args)
    if filters.errors:
        abort(400)
    events = evidence.all_matching_events(filters)
    if fmt == "csv":
        data = evidence.events_csv(events)
    else:
        data = evidence._json([evidence.event_dict(e) for e in events])
    evidence.record_export("export.audit_events", actor=current_user,
                           details={"format": fmt, "filters": filters.as_args(), "count": len(events)})
    db.session.commit()
    return _download(data, f"audit-events.{fmt}", "text/csv" if fmt == "csv" else "application/json")


@bp.route("/verify")
@AUDITOR
def verify():
    report = integrity.verify_all()
    audit.record("audit.chain_verified", actor=current_user, entity_type="AuditChain",
                 after={"ok": report.ok, "checked": report.checked, "checkpoints": report.checkpoints,
                        "first_broken_seq": report.first_broken_seq, "failed": report.failed})
    db.session.commit()
    return render_template("auditor/verify.html", report=report)


@bp.route("/applications")
@AUDITOR
def applications():
    query = request.args.get("q", "")[:200]
    return render_template("auditor/applications.html", applications=evidence.find_applications(query), query=query)


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


@bp.route("/applications/<int:application_id>")
@AUDITOR
def timeline(application_id: int):
    application = _application_or_404(application_id)
    from ..services import history

    items = evidence.timeline(application)
    return render_template("auditor/timeline.html", application=application, items=items,
                           days=history.by_uk_day(i for i in items if i["when"] is not None),
                           undated=[i for i in items if i["when"] is None])


@bp.route("/applications/<int:application_id>/decision-pack.zip")
@AUDITOR
def decision_pack(application_id: int):
    application = _application_or_404(application_id)
    filename, data = evidence.decision_pack(application, actor=current_user)
    db.session.commit()
    return _download(data, filename, "application/zip")


@bp.route("/decision-records")
@AUDITOR
def decision_records():
    errors: list = []
    date_from = evidence._parse_date(request.args.get("from"), "Date from", "from", errors)
    date_to = evidence._parse_date(request.args.get("to"), "Date to", "to", errors)
    records = [] if errors else evidence.decision_records_between(date_from, date_to)
    return render_template("auditor/decision_records.html", records=records, errors=errors,
                           error_title_prefix=bool(errors), date_from=date_from, date_to=date_to,
                           args={k: v for k, v in {"from": request.args.get("from", ""),
                                                    "to": request.args.get("to", "")}.items() if v})


@bp.route("/decision-records.<any(csv, json):fmt>")
@AUDITOR
def decision_records_export(fmt: str):
    errors: list = []
    date_from = evidence._parse_date(request.args.get("from"), "Date from", "from", errors)
    date_to = evidence._parse_date(request.args.get("to"), "Date to", "to", errors)
    if errors:
        abort(400)
    records = evidence.decision_records_between(date_from, date_to)
    data = evidence.decision_records_export(records, fmt, actor=current_user, date_from=date_from, date_to=date_to)
    db.session.commit()
    span = f"{date_from or 'start'}-to-{date_to or 'now'}"
    return _download(data, f"decision-records-{span}.{fmt}", "text/csv" if fmt == "csv" else "application/json")


@bp.route("/conflicts")
@AUDITOR
def conflicts():
    round_arg = request.args.get("round", "")
    round_id = int(round_arg) if round_arg.isdigit() and len(round_arg) < 10 else None
    return render_template("auditor/conflicts.html", declarations=assessment_service.conflicts_register(round_id),
                           rounds=evidence.rounds(), round_id=round_id)
