"""`flask --app wsgi worker`: one long-running process for background work, instead of cron.

Every few seconds it sends the outbox and signs an audit checkpoint if one is
due (AUDIT_CHECKPOINT_EVERY events, or a day). Once a day, at the London times
in DAILY, it runs each daily job; a job whose time has passed when the worker
starts runs straight away (they are all safe to repeat). Any number of workers,
on any number of servers, can run: emails are claimed row by row and each daily
job holds an advisory lock, so nothing is done twice at once.

A plain loop rather than a scheduling library: three daily times and a poll
need no job store or cron syntax, and the loop's one wait is an Event that
SIGTERM sets, so the worker stops within moments, after the email in hand.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import date, datetime, time

from .. import clock
from ..extensions import db
from . import jobs

log = logging.getLogger("grants.worker")

# Europe/London wall-clock times of the daily jobs (the same as deploy/grants.cron).
DAILY: dict[str, time] = {
    "lapse-offers": time(6, 0),
    "send-reminders": time(6, 15),
}


class Worker:
    def __init__(self, app, *, poll_seconds: float = 5.0):
        self.app = app
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.last_run: dict[str, date] = {}

    def stop(self, *_args) -> None:
        self.stopping.set()

    def due_jobs(self, now: datetime) -> list[str]:
        local = now.astimezone(clock.LONDON)
        return [name for name, at in DAILY.items()
                if local.time() >= at and self.last_run.get(name) != local.date()]

    def tick(self) -> None:
        """One round of work: the outbox, a checkpoint if due, and any daily job whose time has come."""
        with self.app.app_context():
            try:
                jobs.send_outbox(should_stop=self.stopping.is_set)
                ran, message = jobs.run_locked("audit-checkpoint", jobs.JOBS["audit-checkpoint"])
                if ran and not message.startswith("No "):
                    log.info(message)
                now = clock.now()
                for name in self.due_jobs(now):
                    if self.stopping.is_set():
                        break
                    _ran, message = jobs.run_locked(name, jobs.JOBS[name])
                    log.info(message)
                    # Run here, or being run by another server right now: either way, done for today.
                    self.last_run[name] = now.astimezone(clock.LONDON).date()
            finally:
                db.session.remove()

    def run_until_stopped(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("worker started")
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:  # one failed round must not stop background work for good
                log.exception("worker round failed")
            self.stopping.wait(self.poll_seconds)
        log.info("worker stopped")
