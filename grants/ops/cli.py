"""Operations commands: `flask --app wsgi backup PATH`, `restore PATH` and `worker`."""
from __future__ import annotations

import sys

import click


def register(app) -> None:
    @app.cli.command("backup")
    @click.argument("path")
    def backup_command(path: str) -> None:
        """Write a consistent backup (database + uploaded files + manifest) to PATH (a new directory or .tar.gz)."""
        from .backup import BackupError, create_backup
        from .jobs import run_locked

        try:
            ran, manifest = run_locked("backup", lambda: create_backup(path))
        except BackupError as exc:
            click.echo(f"Backup failed: {exc}", err=True)
            sys.exit(1)
        if not ran:
            click.echo(manifest)
            return
        rows = sum(manifest["tables"].values())
        uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
        click.echo(
            f"Backup written to {path}: {manifest['database']} database, {rows} rows in "
            f"{len(manifest['tables'])} tables, {uploads} uploaded file(s), "
            f"audit chain head {manifest['audit_head']['seq'] if manifest['audit_head'] else 0}."
        )

    @app.cli.command("restore")
    @click.argument("path")
    def restore_command(path: str) -> None:
        """Restore a backup from PATH into this empty installation, then verify counts, files and the audit chain."""
        from .backup import BackupError, restore_backup

        try:
            result = restore_backup(path)
        except BackupError as exc:
            click.echo(f"Restore refused: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Restored {sum(result.tables.values())} rows in {len(result.tables)} tables "
                   f"and {result.files} uploaded file(s).")
        for problem in result.mismatches:
            click.echo(f"MISMATCH: {problem}", err=True)
        if result.audit_ok:
            click.echo(f"Audit trail intact: {result.audit_checked} events verified.")
        else:
            click.echo(f"AUDIT TRAIL BROKEN after {result.audit_checked} events: {result.audit_problem}", err=True)
        if not result.ok:
            sys.exit(1)

    @app.cli.command("worker")
    @click.option("--poll-seconds", default=5.0, show_default=True, help="How often to look for emails to send.")
    def worker_command(poll_seconds: float) -> None:
        """Run background work until stopped: send the outbox within seconds, and the daily jobs at their times."""
        from .worker import Worker

        Worker(app, poll_seconds=poll_seconds).run_until_stopped()
