"""Command-line tasks for decisions. Registered by grants.cli."""
from __future__ import annotations

import click

from ..extensions import db


def register(app) -> None:
    @app.cli.command("lapse-offers")
    def lapse_offers_command():
        """Lapse grant offers not accepted by their deadline and release their budget (run daily from cron)."""
        from ..services.offers import lapse_offers

        count = lapse_offers()
        db.session.commit()
        click.echo(f"Lapsed {count} offer{'' if count == 1 else 's'}.")
