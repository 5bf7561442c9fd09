"""Backups: `flask backup PATH` then `flask restore PATH` into an empty installation."""
from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Application, AuditEvent, User

from .ops_support import backends, installation, scratch_database


def _fill(app) -> dict:
    """Demo accounts, an application and audit events, and one uploaded file."""
    from grants import seed
    from grants.services import audit

    from .conftest import seed_namespace
    from .factories import make_application

    with app.app_context():
        db.create_all()
        seed.seed_reference()
        csf, ppaf = seed.seed_funds()
        csf_round, ppaf_round = seed.seed_rounds(csf, ppaf)
        users = seed.seed_accounts()
        orgs = seed.seed_organisations(users)
        db.session.commit()
        demo = seed_namespace(users, orgs, csf, ppaf, csf_round, ppaf_round)
        application = make_application(demo, status="submitted")
        audit.record("application.submitted", actor=demo.applicant, entity=application, application=application)
        audit.record("application.note", actor=demo.officer, entity=application, application=application,
                     after={"note": "Checked – £1,000 “quoted”"})
        db.session.commit()
        with open(os.path.join(app.config["UPLOAD_FOLDER"], "a1b2c3.pdf"), "wb") as handle:
            handle.write(b"%PDF-1.4 evidence")
        return {
            "users": db.session.scalar(select(func.count(User.id))),
            "applications": db.session.scalar(select(func.count(Application.id))),
            "audit_events": db.session.scalar(select(func.count(AuditEvent.id))),
        }


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("archive", [False, True], ids=["directory", "tar.gz"])
def test_backup_restores_into_an_empty_installation_with_an_intact_audit_trail(tmp_path, backend, archive):
    """Does a backup restored into an empty installation hold the same rows, files and a verifiable audit chain?"""
    with scratch_database(backend, tmp_path) as source_url, scratch_database(backend, tmp_path) as target_url:
        source = installation(source_url, str(tmp_path / "source-uploads"))
        counts = _fill(source)
        path = str(tmp_path / ("backup.tar.gz" if archive else "backup"))

        result = source.test_cli_runner().invoke(args=["backup", path])
        assert result.exit_code == 0, result.output
        assert "Backup written" in result.output
        if not archive:
            manifest = json.loads(open(os.path.join(path, "manifest.json")).read())
            assert manifest["tables"]["applications"] == counts["applications"]
            assert manifest["audit_head"]["seq"] == counts["audit_events"]
            assert "uploads/a1b2c3.pdf" in manifest["files"]

        target = installation(target_url, str(tmp_path / "target-uploads"))
        result = target.test_cli_runner().invoke(args=["restore", path])
        assert result.exit_code == 0, result.output
        assert f"Audit trail intact: {counts['audit_events']} events verified." in result.output

        with target.app_context():
            assert db.session.scalar(select(func.count(User.id))) == counts["users"]
            assert db.session.scalar(select(func.count(Application.id))) == counts["applications"]
            note = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.note")).one()
            assert note.after == {"note": "Checked – £1,000 “quoted”"}
            db.session.remove()
        with open(tmp_path / "target-uploads" / "a1b2c3.pdf", "rb") as handle:
            assert handle.read() == b"%PDF-1.4 evidence"
        verify = target.test_cli_runner().invoke(args=["audit-verify"])
        assert verify.exit_code == 0 and "intact" in verify.output

        # A second restore would mix two installations: refused, nothing changed.
        again = target.test_cli_runner().invoke(args=["restore", path])
        assert again.exit_code == 1
        assert "Restore needs an empty installation" in again.output
        for app in (source, target):
            with app.app_context():
                db.engine.dispose()


def test_restore_refuses_a_damaged_backup(tmp_path):
    """Is a backup whose files no longer match the manifest refused before anything is loaded?"""
    with scratch_database("sqlite", tmp_path) as source_url, scratch_database("sqlite", tmp_path) as target_url:
        source = installation(source_url, str(tmp_path / "source-uploads"))
        _fill(source)
        path = tmp_path / "backup"
        assert source.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
        with open(path / "uploads" / "a1b2c3.pdf", "ab") as handle:
            handle.write(b"tampered")

        target = installation(target_url, str(tmp_path / "target-uploads"))
        result = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 1
        assert "does not match its checksum" in result.output
        assert not os.listdir(tmp_path / "target-uploads")


def test_backup_never_overwrites_an_existing_backup(tmp_path):
    """Does backup refuse a path that already holds something?"""
    with scratch_database("sqlite", tmp_path) as url:
        source = installation(url, str(tmp_path / "uploads"))
        _fill(source)
        (tmp_path / "old").mkdir()
        (tmp_path / "old" / "manifest.json").write_text("{}")
        result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "old")])
        assert result.exit_code == 1
        assert "already exists" in result.output
