"""Jinja filters and globals every page uses."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from . import clock
from .money import format_pence
from .models import Role
from .services.workflow import APPLICANT_LABELS, STAFF_LABELS, Status


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(clock.LONDON).date()
    return f"{value.day} {value:%B %Y}"


def format_time(value: datetime | date | None) -> str:
    """The time of day in the UK, to the second (audit timelines); empty for a bare date."""
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(clock.LONDON).strftime("%H:%M:%S")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(clock.LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")


# Navigation per role: (text, endpoint). Items whose endpoint is not
# registered are left out, so the menu never links to a missing page.
NAV: list[tuple[Role | None, str, str]] = [
    (Role.APPLICANT, "Your applications", "applicant.dashboard"),
    (Role.APPLICANT, "Your reports", "monitoring.my_reports"),
    (Role.APPLICANT, "Your organisation", "applicant.organisation"),
    (Role.OFFICER, "Applications", "staff.applications"),
    (Role.DECISION_MAKER, "Applications", "staff.applications"),
    (Role.FINANCE, "Applications", "staff.applications"),
    (Role.AUDITOR, "Applications", "staff.applications"),
    (Role.OFFICER, "Rounds", "staff.rounds"),
    (Role.OFFICER, "Funds", "staff.funds"),
    (Role.OFFICER, "Monitoring", "monitoring.overdue"),
    (Role.ASSESSOR, "Your assessments", "assessment.queue"),
    (Role.OFFICER, "Panel", "assessment.panels"),
    (Role.DECISION_MAKER, "Panel", "assessment.panels"),
    (Role.DECISION_MAKER, "Decisions", "decisions.queue"),
    (Role.FINANCE, "Payments", "decisions.payments"),
    (Role.FINANCE, "Payment runs", "finance.payment_runs_list"),
    (Role.FINANCE, "Bank details", "finance.bank_details_list"),
    (Role.FINANCE, "Returns", "monitoring.returns"),
    (Role.OFFICER, "Meetings", "publication.meetings"),
    (Role.DECISION_MAKER, "Meetings", "publication.meetings"),
    (Role.OFFICER, "Publish grants", "publication.ready"),
    (Role.OFFICER, "Panel report", "panel_report.page"),
    (Role.OFFICER, "Summaries", "reports.summary"),
    (Role.DECISION_MAKER, "Summaries", "reports.summary"),
    (Role.FINANCE, "Summaries", "reports.summary"),
    (Role.AUDITOR, "Summaries", "reports.summary"),
    (Role.AUDITOR, "Audit", "auditor.index"),
    (Role.ADMIN, "Users", "admin.users"),
    (Role.ADMIN, "Settings", "admin.settings"),
    (Role.ADMIN, "Funds", "staff.funds"),
    (Role.ADMIN, "Plan objectives", "admin.objectives"),
    (Role.ADMIN, "Areas", "admin.areas"),
    (Role.ADMIN, "Output measures", "admin.measures"),
    (Role.ADMIN, "Import grants", "admin.import_grants"),
    (Role.OFFICER, "Email outbox", "staff.outbox"),
    (Role.ADMIN, "Email outbox", "staff.outbox"),
    (None, "Grants awarded", "opendata.register"),
    (None, "Decisions published", "notices.index"),
]


def nav_items() -> list[dict]:
    items, seen = [], set()
    roles = current_user.role_set if current_user.is_authenticated else frozenset()
    for role, text, endpoint in NAV:
        if endpoint in seen:
            continue
        if role is not None and role not in roles:
            continue
        if endpoint == "staff.outbox" and not current_app.config.get("SHOW_OUTBOX"):
            continue
        seen.add(endpoint)
        href = url_for(endpoint)
        items.append({"text": text, "href": href, "active": request.path.startswith(href) and href != "/"})
    return items


def may_search() -> bool:
    """Does the signed-in person get the staff search box in the header?"""
    from .services.search import SEARCH_ROLES

    return current_user.is_authenticated and current_user.has_role(*SEARCH_ROLES)


def link(endpoint: str, **values) -> str:
    """An absolute URL for emails and documents, built without needing a request.

    Uses PUBLIC_BASE_URL rather than SERVER_NAME, so background jobs (reminders,
    lapse notices) write the same links a browser request would.
    """
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def _opcc_details():
    """The OPCC's details for the page footer; the defaults when the database cannot answer (error pages)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db
    from .services import settings

    try:
        return settings.details()
    except SQLAlchemyError:
        db.session.rollback()
        return settings.Details(**settings.DEFAULT_DETAILS)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_pence
    app.jinja_env.filters["pounds_input"] = lambda p: "" if p is None else format_pence(p, symbol=False).replace(",", "")
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["time_uk"] = format_time
    app.jinja_env.filters["applicant_status"] = lambda s: APPLICANT_LABELS[Status(s)]
    app.jinja_env.filters["staff_status"] = lambda s: STAFF_LABELS[Status(s)]
    app.jinja_env.globals["Status"] = Status
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["link"] = link
    app.jinja_env.globals["may_search"] = may_search
    from .services.round_questions import grouped_answers

    app.jinja_env.globals["round_answers"] = grouped_answers
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        return {
            "current_user": current_user,
            "service_name": "Community grants",
            "funder_name": app.config["FUNDER_NAME"],
            "opcc_details": _opcc_details,
            "show_outbox": app.config.get("SHOW_OUTBOX"),
        }
