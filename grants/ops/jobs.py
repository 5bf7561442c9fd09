"""Background work that is safe to run on several servers at once.

* ``send_outbox``: each email is claimed with FOR UPDATE SKIP LOCKED and its
  outcome committed before the next, so two senders never send one email and a
  crash loses or repeats nothing already recorded as sent.
* Daily jobs (lapse-offers, send-reminders, checkpoints, backups) run under
  ``single_run(name)``: a PostgreSQL advisory lock, so only one server runs
  each at a time; a second one says so and does nothing.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import smtplib
from contextlib import contextmanager
from typing import Iterator

from flask import current_app
from sqlalchemy import text

from ..extensions import db


@contextmanager
def single_run(name: str) -> Iterator[bool]:
    """Hold the lock called `name` while the block runs; yields False if another process holds it.

    PostgreSQL: a session-level advisory lock on a connection of its own, so the
    job may commit as often as it likes while the lock is held; it is released
    when the block ends, or by the server if the process dies. SQLite (one
    server by definition): an exclusive lock on a file in instance/.
    """
    if db.engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"grants:{name}".encode()).digest()[:8], "big", signed=True)
        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
        return
    path = os.path.join(current_app.instance_path, f"{name}.lock")
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Smtp:
    """One SMTP connection, opened when the first email needs it."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def send(self, message) -> None:
        if self.connection is None:
            config = self.config
            self.connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
            if config.get("MAIL_USE_TLS"):
                self.connection.starttls()
            if config.get("MAIL_USERNAME"):
                self.connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def send_outbox(limit: int = 200, *, should_stop=lambda: False) -> tuple[int, int]:
    """Send up to `limit` due emails by SMTP, one transaction each. Returns (sent, failed).

    Without MAIL_SERVER nothing is sent. On SQLite (single writer) the whole run
    holds the "send-outbox" lock instead of row locks.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    if db.engine.dialect.name != "postgresql":
        with single_run("send-outbox") as mine:
            return _send(limit, should_stop) if mine else (0, 0)
    return _send(limit, should_stop)


def _send(limit: int, should_stop) -> tuple[int, int]:
    from ..services import outbox

    smtp = _Smtp(current_app.config)
    sent = failed = 0
    try:
        while sent + failed < limit and not should_stop():
            email = outbox.claim_next()
            if email is None:
                db.session.rollback()
                break
            try:
                smtp.send(outbox.as_message(email))
            except (smtplib.SMTPException, OSError) as exc:
                outbox.record_attempt(email, error=f"{type(exc).__name__}: {exc}")
                failed += 1
                smtp.close()  # a broken connection is not reused for the next email
                if not isinstance(exc, smtplib.SMTPException):
                    db.session.commit()
                    break  # the server cannot be reached: leave the rest for the next run
            else:
                outbox.record_attempt(email, error=None)
                sent += 1
            db.session.commit()  # this email's outcome is durable before the next is claimed
    finally:
        db.session.rollback()
        smtp.close()
    return sent, failed


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _lapse_offers() -> str:
    from ..services.offers import lapse_offers

    count = lapse_offers()
    db.session.commit()
    return f"Lapsed {_plural(count, 'offer')}."


def _send_reminders() -> str:
    from ..services import monitoring

    sent = monitoring.send_reminders()
    db.session.commit()
    return f"Sent {_plural(sent, 'report reminder')}."


def _checkpoint_if_due() -> str:
    from ..services import checkpoints

    checkpoint = checkpoints.checkpoint_if_due()
    db.session.commit()
    if checkpoint is None:
        return "No audit checkpoint due."
    return f"Signed audit checkpoint {checkpoint.id}: {checkpoint.seq} events, head {checkpoint.head_hash}."


def checkpoint_now(reason: str) -> str:
    from ..services import checkpoints

    checkpoint = checkpoints.create_checkpoint(reason=reason)
    db.session.commit()
    return f"Signed audit checkpoint {checkpoint.id}: {checkpoint.seq} events, head {checkpoint.head_hash}."


# The scheduled jobs, by the command name that runs each by hand.
JOBS = {
    "lapse-offers": _lapse_offers,
    "send-reminders": _send_reminders,
    "audit-checkpoint": _checkpoint_if_due,
}


def run_locked(name: str, work) -> tuple[bool, str]:
    """Run `work()` under the lock `name`. Returns (ran, message); ran is False if another server holds it."""
    with single_run(name) as mine:
        if not mine:
            return False, f"{name} is already running on another server; nothing done here."
        try:
            return True, work()
        except BaseException:
            db.session.rollback()
            raise
