"""The benchmark's data generator, at a tiny scale, so it cannot silently rot."""
from __future__ import annotations

from sqlalchemy import func, select

from bench.generate import Plan, generate
from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    AuditHead,
    DecisionRecord,
    Payment,
    PlannedOutput,
    Report,
    ReportOutputActual,
    Round,
)
from grants.services.audit import record, verify_chain


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_generated_dataset_has_the_planned_volumes_and_a_valid_audit_chain(app, demo):
    """Does the generator write the planned applications, awards, reports and a verifiable audit chain?"""
    before_apps = _count(Application)
    result = generate(Plan(applications=200, awards=60, reports=120, audit_events=1_000, organisations=20),
                      progress=None)

    assert _count(Application) - before_apps == 200
    awarded = db.session.scalars(select(Application).where(Application.awarded_pence.is_not(None))).all()
    assert len(awarded) == 60
    assert {a.status for a in awarded} <= {"approved", "funded", "completed"}
    assert _count(DecisionRecord) == 60
    assert _count(Report) == 120
    assert _count(ReportOutputActual) == 240
    assert _count(PlannedOutput) == 400
    assert _count(Payment) > 0
    # Ten financial years of both funds.
    years = set(db.session.scalars(select(Round.financial_year)))
    assert {"2017-18", "2026-27"} <= years and len(years) == 10
    fund_ids = set(db.session.scalars(select(Round.fund_id).join(Application, Application.round_id == Round.id)))
    assert len(fund_ids) == 2

    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == _count(AuditEvent) >= 1_000
    assert db.session.get(AuditHead, 1).seq == report.checked
    assert result.bench_application_id and result.bench_round_id
    # Every generated decision record has the creation event audit-verify checks it against.
    from grants.services.integrity import verify_all

    full = verify_all()
    assert full.ok, full.problem
    assert full.documents["decision record"] == 60

    # The app carries on the chain after the generated events.
    record("bench.checked", entity_type="system")
    db.session.commit()
    assert verify_chain().ok
