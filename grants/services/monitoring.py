"""Monitoring: reporting schedules, reports, reminders, returns and variations."""
from __future__ import annotations

from ..models import Application, Report, User


def create_reporting_schedule(application: Application, *, actor: User | None) -> list[Report]:
    """Called when an offer is accepted: the reports this grant must send, with due dates."""
    return []
