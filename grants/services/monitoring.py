"""Monitoring: reporting schedules, reports, reminders, returns and variations."""
from __future__ import annotations

from ..models import Application, Report, User


def create_reporting_schedule(application: Application, *, actor: User | None) -> list[Report]:
    """Called when an offer is accepted: the reports this grant must send, with due dates."""
    return []


def overdue_reports_for(organisation_id: int) -> list[Report]:
    """Reports from this organisation's earlier grants that are past due and not in.

    Screening shows these, so an organisation with an overdue report is flagged
    whenever it applies again.
    """
    return []
