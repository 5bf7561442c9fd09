"""Command-line tasks: `flask --app wsgi <command>`."""
from __future__ import annotations

import sys

import click
from flask import Flask

from .extensions import db


def init_app(app: Flask) -> None:
    from .admin import cli as admin_cli
    from .decisions import cli as decisions_cli
    from .finance import cli as finance_cli
    from .monitoring import cli as monitoring_cli
    from .opendata import cli as opendata_cli
    from .ops import cli as ops_cli

    for area in (admin_cli, decisions_cli, finance_cli, monitoring_cli, opendata_cli, ops_cli):
        area.register(app)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo: the OPCC's funds, open rounds, accounts for every role, sample applications."""
        from .seed import seed_demo

        if app.config.get("GRANTS_ENV") == "production":
            # Demo accounts share one published password: they must never exist in production.
            click.echo("seed-demo refuses to run with GRANTS_ENV=production: it creates demo accounts with a "
                       "published password. Use `create-user` for real accounts.", err=True)
            sys.exit(2)
        seed_demo()
        db.session.commit()
        click.echo("Demo data ready. Every demo account's password is: demo-password")

    @app.cli.command("setup")
    def setup_command():
        """Load the reference data a new install needs: areas, the current plan's objectives, the two funds.

        Creates no rounds and no accounts; safe to run again (it changes nothing the second time).
        """
        from .services.setup import load_reference_data

        added = load_reference_data()
        db.session.commit()
        if not any(added.values()):
            click.echo("Reference data already present: nothing changed.")
            return
        click.echo("Reference data loaded: " + ", ".join(f"{n} {what.replace('_', ' ')}"
                                                          for what, n in added.items() if n) + ".")

    @app.cli.command("seed-demo-history")
    def seed_demo_history_command():
        """Add the demo's historic years (imported 2017-18 and 2018-19 grants); run after seed-demo."""
        from .demo_outcomes import seed_history
        from .services.accounts import find_user

        admin = find_user("admin@example.org")
        if admin is None:
            click.echo("Run seed-demo first: the history is imported as the demo administrator.", err=True)
            sys.exit(2)
        plan = seed_history(admin=admin)
        db.session.commit()
        click.echo(f"Demo history ready: {plan.written} grant(s) imported, {len(plan.already_imported)} already there.")

    @app.cli.command("send-outbox")
    def send_outbox_command():
        """Send stored emails by SMTP (needs MAIL_SERVER); safe to run on several servers at once."""
        from .ops.jobs import send_outbox

        if not app.config.get("MAIL_SERVER"):
            click.echo("MAIL_SERVER is not set: emails stay in the outbox (readable in the app).")
            return
        sent, failed = send_outbox()
        click.echo(f"Sent {sent} email(s), {failed} failed.")
        if failed:
            sys.exit(1)

    @app.cli.command("audit-verify")
    @click.option("--against", "against", type=click.Path(exists=True, dir_okay=False),
                  help="A checkpoint file saved elsewhere (the transparency page's JSON, or the JSON in an email).")
    @click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False),
                  help="PEM public key to check signatures with (default: the configured signing key's).")
    def audit_verify_command(against, public_key_file):
        """Check the audit trail, its signed checkpoints, decision records and letters; exit 1 naming the first failure."""
        from . import signing
        from .services import checkpoints, integrity

        saved = key = None
        try:
            if against:
                saved = checkpoints.read_saved(open(against, encoding="utf-8").read())
        except checkpoints.CheckpointFileError as exc:
            click.echo(f"Cannot read {against}: {exc}", err=True)
            sys.exit(2)
        try:
            if public_key_file:
                key = signing.load_public_key(open(public_key_file, encoding="utf-8").read())
        except ValueError as exc:  # SigningKeyError, or PEM the cryptography library cannot parse
            click.echo(f"Cannot read {public_key_file}: it is not an Ed25519 public key in PEM ({exc})", err=True)
            sys.exit(2)
        report = integrity.verify_all(saved=saved, public_key=key)
        if report.ok:
            documents = ", ".join(f"{count} {label}(s)" for label, count in report.documents.items()) or "no documents"
            click.echo(f"Audit trail intact: {report.checked} events verified against {report.checkpoints} signed "
                       f"checkpoint(s); {documents} match the hashes recorded when they were made.")
            return
        click.echo(f"AUDIT TRAIL BROKEN at {report.failed}"
                   f"{f' (id {report.first_broken_id})' if report.first_broken_id else ''}: {report.problem}. "
                   f"{report.checked} events verified before it.", err=True)
        sys.exit(1)

    @app.cli.command("audit-checkpoint")
    @click.option("--if-due", is_flag=True, help="Only if AUDIT_CHECKPOINT_EVERY events or a day have passed.")
    def audit_checkpoint_command(if_due):
        """Sign a checkpoint of the audit trail now (count, head hash, time) and email it to the auditors."""
        from .ops.jobs import JOBS, checkpoint_now, run_locked

        work = JOBS["audit-checkpoint"] if if_due else (lambda: checkpoint_now("made by hand"))
        click.echo(run_locked("audit-checkpoint", work)[1])

    @app.cli.command("audit-keygen")
    def audit_keygen_command():
        """Make an Ed25519 key pair for signing audit checkpoints: the private key for the settings file, and the public key."""
        import base64

        from . import signing

        key = signing.generate()
        private = signing.private_pem(key)
        click.echo("# Private key: put this line in the settings file (readable by root and grants only).")
        click.echo(f"AUDIT_SIGNING_KEY={base64.b64encode(private.encode()).decode()}")
        click.echo("# Or store the PEM below in a file and set AUDIT_SIGNING_KEY_FILE to its path:")
        click.echo(private.rstrip())
        click.echo(f"# Public key (key id {signing.key_id(key.public_key())}): give it to the auditors; "
                   "it is also shown on /transparency/audit-checkpoints.")
        click.echo(signing.public_pem(key.public_key()).rstrip())

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", "full_name", prompt="Full name")
    @click.option("--role", "roles", multiple=True, required=True,
                  type=click.Choice([r.value for r in __import__("grants.models", fromlist=["Role"]).Role]))
    @click.option("--job-title", default=None)
    @click.option("--decision-authority", type=click.Choice(["delegated", "full"]), default=None)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_user_command(email, full_name, roles, job_title, decision_authority, password):
        """Create an account (the first admin, or staff) with the strong-password rule."""
        from .models import Role
        from .services import accounts
        from .services.errors import ValidationFailed

        try:
            accounts.create_user(email=email, full_name=full_name, password=password,
                                 roles=[Role(r) for r in roles], job_title=job_title,
                                 decision_authority=decision_authority, confirmed=True)
        except ValidationFailed as exc:
            for message in exc.errors.values():
                click.echo(f"Error: {message}", err=True)
            sys.exit(2)
        db.session.commit()
        click.echo(f"Created {email} with role(s): {', '.join(roles)}")
