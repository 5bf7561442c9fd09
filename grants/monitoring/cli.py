"""Command-line tasks for this area. Registered by grants.cli."""
from __future__ import annotations

import click


def register(app) -> None:
    @app.cli.command("send-reminders")
    def send_reminders_command() -> None:
        """Email report reminders: 14 days before, on, and 7 days after each due date (run daily)."""
        from ..ops.jobs import JOBS, run_locked

        click.echo(run_locked("send-reminders", JOBS["send-reminders"])[1])
