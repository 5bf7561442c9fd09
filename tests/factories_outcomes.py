"""make_* helpers for outcomes: standard measures and signed-off reports with people and equality counts."""
from __future__ import annotations

from datetime import date, datetime, timezone

from grants.extensions import db
from grants.models import OutputMeasure, PlannedOutput, Report, ReportOutputActual


def make_measure(name: str, *, unit: str = "", retired: bool = False) -> OutputMeasure:
    measure = OutputMeasure(name=name, unit=unit,
                            retired_at=datetime(2026, 1, 1, tzinfo=timezone.utc) if retired else None)
    db.session.add(measure)
    db.session.flush()
    return measure


def make_report(application, kind: str, actuals: dict, *, status: str = "signed_off", people: int | None = None,
                equality: dict | None = None, signed_off_at: datetime | None = None) -> Report:
    """A report of `kind` with actual figures keyed by OutputMeasure (a standard measure) or by wording."""
    report = Report(application_id=application.id, kind=kind, due_on=date(2027, 3, 31), status=status,
                    beneficiaries_reached=people, equality_monitoring=equality or {},
                    signed_off_at=(signed_off_at or datetime(2026, 9, 1, 12, tzinfo=timezone.utc))
                    if status == "signed_off" else None)
    db.session.add(report)
    db.session.flush()
    for position, (measure, actual) in enumerate(actuals.items(), start=10):
        standard = measure if isinstance(measure, OutputMeasure) else None
        wording = standard.name if standard else measure
        planned = next((p for p in application.planned_outputs
                        if (standard and p.measure_id == standard.id) or (not standard and p.measure == wording)),
                       None)
        if planned is None:
            planned = PlannedOutput(application_id=application.id, position=position, measure=wording,
                                    target=actual, measure_id=standard.id if standard else None)
            db.session.add(planned)
            db.session.flush()
            db.session.refresh(application)
        db.session.add(ReportOutputActual(report_id=report.id, planned_output_id=planned.id, actual=actual))
    db.session.flush()
    return report
