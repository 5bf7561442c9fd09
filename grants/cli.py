"""Command-line tasks: `flask --app wsgi <command>`."""
from __future__ import annotations

import sys

import click
from flask import Flask

from .extensions import db


def init_app(app: Flask) -> None:
    from .admin import cli as admin_cli
    from .decisions import cli as decisions_cli
    from .monitoring import cli as monitoring_cli
    from .opendata import cli as opendata_cli
    from .ops import cli as ops_cli

    for area in (admin_cli, decisions_cli, monitoring_cli, opendata_cli, ops_cli):
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
        """Send stored emails by SMTP (needs MAIL_SERVER)."""
        from .services.outbox import send_pending

        if not app.config.get("MAIL_SERVER"):
            click.echo("MAIL_SERVER is not set: emails stay in the outbox (readable in the app).")
            return
        sent, failed = send_pending()
        db.session.commit()
        click.echo(f"Sent {sent} email(s), {failed} failed.")
        if failed:
            sys.exit(1)

    @app.cli.command("audit-verify")
    def audit_verify_command():
        """Check the audit trail's hash chain; exit 1 and name the first broken event if tampered."""
        from .services.audit import verify_chain

        report = verify_chain()
        if report.ok:
            click.echo(f"Audit trail intact: {report.checked} events verified.")
            return
        click.echo(
            f"AUDIT TRAIL BROKEN at event {report.first_broken_seq}"
            f"{f' (id {report.first_broken_id})' if report.first_broken_id else ''}: {report.problem}. "
            f"{report.checked} events before it verified.",
            err=True,
        )
        sys.exit(1)

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
