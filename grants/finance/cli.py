"""Command-line tasks for bank details. Registered by grants.cli."""
from __future__ import annotations

import click


def register(app) -> None:
    @app.cli.command("rotate-bank-key")
    @click.option("--new-key-only", is_flag=True, help="Only print a new key (for a first install); change nothing.")
    def rotate_bank_key_command(new_key_only: bool):
        """Re-encrypt every stored bank detail with the first key of BANK_DETAILS_KEY.

        To rotate: run with --new-key-only, put the new key first in BANK_DETAILS_KEY (keep the
        old one after a comma), restart, run this command, then remove the old key.
        """
        from .. import bank_keys

        if new_key_only:
            click.echo(f"BANK_DETAILS_KEY={bank_keys.new_key()}")
            return
        from ..extensions import db
        from ..services import bank_details

        count = bank_details.rotate_key()
        db.session.commit()
        click.echo(f"Re-encrypted {count} sets of bank details with the first key in BANK_DETAILS_KEY.")
