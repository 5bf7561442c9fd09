"""make_* helpers for assessment tests: versions, assignments and scored applications, built directly."""
from __future__ import annotations

from grants import clock
from grants.extensions import db
from grants.models import ApplicationVersion, Assignment, ConflictDeclaration, Score


def make_version(application, number: int, data: dict, *, user=None) -> ApplicationVersion:
    version = ApplicationVersion(application_id=application.id, number=number, data=data,
                                 submitted_by_id=(user or application.created_by).id, submitted_at=clock.now())
    db.session.add(version)
    db.session.flush()
    return version


def make_assignment(application, assessor, *, officer=None, status: str = "in_progress",
                    values: list | None = None, comment: str = "Reasoned comment") -> Assignment:
    """An assignment in `status`; with `values` (one per criterion, "na" for not applicable) it has scores."""
    assigned_by = officer or assessor
    assignment = Assignment(application_id=application.id, assessor_id=assessor.id, assigned_by_id=assigned_by.id,
                            status=status)
    db.session.add(assignment)
    db.session.flush()
    if status in ("in_progress", "submitted", "conflicted"):
        declaration = ConflictDeclaration(application_id=application.id, user_id=assessor.id, capacity="assessor",
                                          has_conflict=status == "conflicted",
                                          nature="Trustee of the applicant" if status == "conflicted" else None)
        db.session.add(declaration)
        db.session.flush()
        assignment.declaration_id = declaration.id
    if values is not None:
        for criterion, value in zip(application.round.criteria, values):
            na = value == "na"
            assignment.scores.append(Score(criterion_id=criterion.id, value=None if na else value,
                                           not_applicable=na, comment=comment))
    if status == "submitted":
        assignment.submitted_at = clock.now()
    db.session.flush()
    return assignment


def make_assessed(demo, *, values_by_assessor: list[list], amount_pence: int = 300_000, title="Allotment security",
                  **kwargs):
    """An application in assessment whose assessors (demo.assessor, demo.assessor2, ...) submit the given scores,
    completed through the service so its score and flag are worked out as in real use."""
    from grants.services import assessment

    from .factories import make_application

    application = make_application(demo, status="in_assessment", amount_pence=amount_pence, title=title, **kwargs)
    people = [demo.assessor, demo.assessor2]
    for person, values in zip(people, values_by_assessor):
        make_assignment(application, person, officer=demo.officer, status="submitted", values=values)
    assert assessment._complete_if_all_in(application), "expected the application to complete"
    db.session.flush()
    return application
