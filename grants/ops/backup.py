"""Consistent backups of the database and the uploaded files, and restoring them.

A backup is a directory (or the same packed as .tar.gz) holding:

* ``database.sqlite`` (SQLite's online backup API: a consistent copy while the
  app runs) or ``database.pgdump`` (``pg_dump --format=custom``, taken inside an
  exported snapshot so the row counts in the manifest describe exactly the dump);
* ``uploads/``: every uploaded file;
* ``manifest.json``: app version, Alembic revision, row count per table, the
  audit chain's head, the newest signed audit checkpoint (with the public key),
  and the SHA-256 of every file above.

Restoring refuses a database that already holds rows, checks every file
against the manifest first, and after loading compares row counts and walks
the audit chain.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

from ..extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class RestoreResult:
    tables: dict[str, int]
    files: int
    audit_ok: bool
    audit_checked: int
    audit_problem: str | None = None
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.mismatches


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_archive(path: str) -> bool:
    return path.endswith((".tar.gz", ".tgz"))


def _app_version() -> str:
    try:
        return metadata.version("grants")
    except metadata.PackageNotFoundError:  # running from a plain checkout
        return "unknown"


def _table_names(conn: Connection) -> list[str]:
    known = set(inspect(conn).get_table_names())
    # The models' tables plus Alembic's; other tables in the database are not ours.
    names = [t.name for t in db.metadata.sorted_tables if t.name in known]
    if "alembic_version" in known:
        names.append("alembic_version")
    return names


def _counts(conn: Connection) -> dict[str, int]:
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in _table_names(conn)}


def _revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _audit_head(conn: Connection) -> dict | None:
    if "audit_head" not in inspect(conn).get_table_names():
        return None
    row = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    return {"seq": row.seq, "hash": row.hash} if row else None


def _audit_checkpoint(conn: Connection) -> dict | None:
    """The newest signed checkpoint, so a copy of it lives with every backup, outside the database."""
    if "audit_checkpoints" not in inspect(conn).get_table_names():
        return None
    row = conn.execute(text("SELECT id FROM audit_checkpoints ORDER BY id DESC LIMIT 1")).first()
    if row is None:
        return None
    from ..models import AuditCheckpoint
    from ..services import checkpoints

    with db.session.no_autoflush:
        checkpoint = db.session.get(AuditCheckpoint, row.id)
        return {**checkpoints.as_dict(checkpoint), "public_key": checkpoints.public_key_pem()}


def _pg_env(url: str) -> dict[str, str]:
    """libpq settings from DATABASE_URL, passed in the environment so no password shows in `ps`."""
    parsed = make_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                       ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database)):
        if value not in (None, ""):
            env[key] = str(value)
    for key, value in (parsed.query or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (apt install postgresql-client)")
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def _copy_uploads(source: Path, target: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not source.is_dir():
        return files
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source).as_posix()
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            files[f"{UPLOADS}/{relative}"] = {"sha256": _sha256(destination), "bytes": destination.stat().st_size}
    return files


def create_backup(destination: str) -> dict:
    """Write a backup to `destination` (a new directory, or a .tar.gz file); return its manifest."""
    if os.path.exists(destination) and (not os.path.isdir(destination) or os.listdir(destination)):
        raise BackupError(f"{destination} already exists: choose a new path so no backup is overwritten")
    if _is_archive(destination):
        with tempfile.TemporaryDirectory(prefix="grants-backup-") as work:
            manifest = _write_backup(Path(work))
            with tarfile.open(destination, "w:gz") as archive:
                for name in sorted(os.listdir(work)):
                    archive.add(os.path.join(work, name), arcname=name)
        return manifest
    os.makedirs(destination, exist_ok=True)
    return _write_backup(Path(destination))


def _write_backup(target: Path) -> dict:
    engine = db.engine
    dialect = engine.dialect.name
    files: dict[str, dict] = {}
    if dialect == "sqlite":
        database_file = target / SQLITE_FILE
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(database_file)
        try:
            source.backup(copy)  # online: readers and writers carry on meanwhile
        finally:
            copy.close()
            source.close()
        # Count from the copy itself, so the manifest describes exactly what was saved.
        from sqlalchemy import create_engine

        copy_engine = create_engine(f"sqlite:///{database_file}")
        with copy_engine.connect() as conn:
            counts, revision, head = _counts(conn), _revision(conn), _audit_head(conn)
            checkpoint = _audit_checkpoint(conn)
        copy_engine.dispose()
        files[SQLITE_FILE] = {"sha256": _sha256(database_file), "bytes": database_file.stat().st_size}
    elif dialect == "postgresql":
        database_file = target / PG_FILE
        # One snapshot for both the counts and pg_dump: they agree even while the app writes.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revision, head = _counts(conn), _revision(conn), _audit_head(conn)
            checkpoint = _audit_checkpoint(conn)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={database_file}"], _pg_env(engine.url.render_as_string(hide_password=False)))
            conn.rollback()
        files[PG_FILE] = {"sha256": _sha256(database_file), "bytes": database_file.stat().st_size}
    else:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {dialect}")
    files.update(_copy_uploads(Path(current_app.config["UPLOAD_FOLDER"]), target / UPLOADS))
    manifest = {
        "format": FORMAT_VERSION,
        "app": "grants",
        "app_version": _app_version(),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": dialect,
        "alembic_revision": revision,
        "tables": counts,
        "audit_head": head,
        "audit_checkpoint": checkpoint,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _safe_extract(archive_path: str, into: str) -> None:
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            resolved = os.path.realpath(os.path.join(into, member.name))
            if not resolved.startswith(os.path.realpath(into) + os.sep) or not (member.isfile() or member.isdir()):
                raise BackupError(f"Refusing unsafe archive entry {member.name!r}")
        archive.extractall(into)  # noqa: S202 - every member was checked above


def _load_manifest(source: Path) -> dict:
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a grants backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("app") != "grants" or manifest.get("format") != FORMAT_VERSION:
        raise BackupError("This backup was not written by a compatible version of grants")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {name} is missing")
        if _sha256(path) != expected["sha256"]:
            raise BackupError(f"The backup is damaged: {name} does not match its checksum")
    return manifest


def _refuse_unless_empty() -> None:
    with db.engine.connect() as conn:
        counts = _counts(conn)
    filled = sorted(name for name, count in counts.items() if count and name != "alembic_version")
    if filled:
        raise BackupError(
            "Restore needs an empty installation, but the database already holds data "
            f"(in {', '.join(filled[:5])}{'...' if len(filled) > 5 else ''}). "
            "Create a new, empty database, point DATABASE_URL at it, and restore there."
        )
    upload_dir = Path(current_app.config["UPLOAD_FOLDER"])
    if upload_dir.is_dir() and any(p.is_file() for p in upload_dir.rglob("*")):
        raise BackupError(f"Restore needs an empty upload folder, but {upload_dir} holds files.")


def restore_backup(source: str) -> RestoreResult:
    """Load a backup into this (empty) installation, then check counts, files and the audit chain."""
    if _is_archive(source):
        if not os.path.isfile(source):
            raise BackupError(f"{source} does not exist")
        with tempfile.TemporaryDirectory(prefix="grants-restore-") as work:
            _safe_extract(source, work)
            return _restore_from(Path(work))
    if not os.path.isdir(source):
        raise BackupError(f"{source} does not exist")
    return _restore_from(Path(source))


def _restore_from(source: Path) -> RestoreResult:
    manifest = _load_manifest(source)
    dialect = db.engine.dialect.name
    if manifest["database"] != dialect:
        raise BackupError(f"This is a {manifest['database']} backup; this installation uses {dialect}")
    _refuse_unless_empty()
    db.session.remove()
    if dialect == "sqlite":
        db.engine.dispose()
        backup_copy = sqlite3.connect(source / SQLITE_FILE)
        target = sqlite3.connect(db.engine.url.database)
        try:
            backup_copy.backup(target)
        finally:
            target.close()
            backup_copy.close()
    else:
        with db.engine.connect() as conn:
            present = _table_names(conn)
        db.engine.dispose()
        env = _pg_env(db.engine.url.render_as_string(hide_password=False))
        # Tables made by `db upgrade` are empty (checked above), so replacing them loses nothing.
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
              *(["--clean", "--if-exists"] if present else []), f"--dbname={env.get('PGDATABASE', '')}",
              str(source / PG_FILE)], env)
    upload_dir = Path(current_app.config["UPLOAD_FOLDER"])
    restored = _copy_uploads(source / UPLOADS, upload_dir)
    mismatches = [f"{name}: file differs after copying" for name, info in restored.items()
                  if manifest["files"].get(name, {}).get("sha256") != info["sha256"]]
    with db.engine.connect() as conn:
        counts = _counts(conn)
    for name, expected in manifest["tables"].items():
        if counts.get(name) != expected:
            mismatches.append(f"table {name}: {counts.get(name)} rows, backup had {expected}")
    from ..services.audit import verify_chain

    report = verify_chain(db.session)
    db.session.remove()
    return RestoreResult(tables=counts, files=len(restored), audit_ok=report.ok, audit_checked=report.checked,
                         audit_problem=report.problem, mismatches=mismatches)
