"""Command-line tasks for decisions. Registered by grants.cli."""
from __future__ import annotations

import click



def register(app) -> None:
    @app.cli.command("lapse-offers")
    def lapse_offers_command():
        """Lapse grant offers not accepted by their deadline and release their budget (run daily from cron)."""
        from ..ops.jobs import JOBS, run_locked

        click.echo(run_locked("lapse-offers", JOBS["lapse-offers"])[1])
