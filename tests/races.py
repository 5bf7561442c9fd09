"""Running service calls at the same instant on PostgreSQL, for the race tests."""
from __future__ import annotations

import threading
from typing import Callable

import pytest

from grants.extensions import db
from grants.services.errors import DomainError


def skip_unless_postgres() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): SQLite cannot show row-lock behaviour")


def run_at_once(app, jobs: list[tuple], act: Callable[..., None], *, done: str) -> list[str]:
    """Run act(wait, *job) for each job in its own thread, app context and session, then commit.

    `act` loads what it needs, calls wait() so that every thread is released together, then makes its change.
    Each outcome is `done`, the refusal's class name (DomainError), or "error: ..." for anything unexpected.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(*job) -> None:
        with app.app_context():
            try:
                act(lambda: barrier.wait(timeout=10), *job)
                db.session.commit()
                result = done
            except DomainError as exc:
                db.session.rollback()
                result = type(exc).__name__
            except Exception as exc:  # noqa: BLE001 - report anything unexpected as a failure
                db.session.rollback()
                result = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
