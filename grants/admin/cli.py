"""Command-line tasks for administrators. Registered by grants.cli."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("import-grants")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check every row and say what would happen; write nothing.")
    @click.option("--by", "by_email", default=None,
                  help="Email of the staff account recorded as importing (default: the first active admin).")
    def import_grants_command(file, dry_run, by_email):
        """Bring in grants awarded before this service from a CSV FILE (see README: Historic grants)."""
        from sqlalchemy import select

        from ..extensions import db
        from ..models import Role, User, UserRole
        from ..services.grant_import import ImportRefused, import_file
        from ..money import format_pence as pounds_text

        if by_email:
            actor = db.session.scalar(select(User).where(User.email == by_email.strip().lower()))
        else:
            actor = db.session.scalar(select(User).join(UserRole).where(
                UserRole.role == Role.ADMIN.value, User.is_active_account.is_(True)).order_by(User.id).limit(1))
        if actor is None or not actor.has_role(Role.ADMIN):
            click.echo("Error: name an administrator's account with --by EMAIL (create one with create-user).",
                       err=True)
            sys.exit(2)
        try:
            plan = import_file(Path(file).read_bytes(), actor=actor, source_name=Path(file).name, dry_run=dry_run)
        except ImportRefused as refused:
            db.session.rollback()
            for problem in refused.plan.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(refused.plan.problems)} problem(s) found. Nothing was imported: correct the file "
                       "and run the command again.", err=True)
            sys.exit(1)
        for line, import_id in plan.already_imported:
            click.echo(f"Line {line}: {import_id} was imported before; skipped.")
        if dry_run:
            db.session.rollback()
            click.echo(f"Dry run: {len(plan.rows)} grant(s) worth {pounds_text(plan.total_pence)} would be "
                       f"imported; {len(plan.already_imported)} already imported. Nothing was written.")
            return
        db.session.commit()
        click.echo(f"Imported {plan.written} grant(s) worth {pounds_text(plan.total_pence)}; "
                   f"{len(plan.already_imported)} already imported and skipped.")
