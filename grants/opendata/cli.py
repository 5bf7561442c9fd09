"""Command-line tasks for open data. Registered by grants.cli."""
from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("export-360giving")
    @click.argument("output", type=click.Path(dir_okay=False, writable=True))
    def export_360giving(output):
        """Write every awarded grant as a 360Giving JSON data package to OUTPUT ('-' for stdout)."""
        from ..services import opendata

        count = 0
        with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as handle:
            for piece in opendata.iter_360_json():
                handle.write(piece)
                count += piece.startswith(",\n") or piece.startswith("{\"id\"")
        if output != "-":
            click.echo(f"Wrote {count} grant(s) to {output}", err=True)
        if count == 0:
            click.echo("No grants awarded yet: a 360Giving package needs at least one grant, "
                       "so this file is not ready to publish.", err=True)
