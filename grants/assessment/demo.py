"""Drive a submitted demo application through assessment, using the same services people use.

For grants.demo_applications: make and submit an application through the
applicant services, then call advance() to take it to the stage you want.
"""
from __future__ import annotations

from ..models import Application, User
from ..services import assessment, screening

# What assessors write, so the demo reads like a real round.
_COMMENTS = [
    "Clear local problem with police incident figures to back it up.",
    "Serves the plan's objectives directly.",
    "Experienced group with a named treasurer and a safeguarding lead.",
    "Costs are reasonable and quotes are attached.",
    "Outputs are specific and easy to count.",
]


def advance(application: Application, *, to: str, officer: User, assessors: list[User],
            scores: list[list[int]] | None = None, question: str | None = None,
            conflict: tuple[User, str] | None = None) -> None:
    """Take a submitted application to `to`: "more_info_requested", "ineligible", "in_assessment" or "assessed".

    in_assessment assigns `assessors` (each declares no conflict); `conflict`
    (user, nature) adds one more assessor who declares a conflict. assessed also
    submits `scores` (one list of 0-5 values per assessor, in rubric order).
    """
    if to == "more_info_requested":
        screening.request_more_info(
            application, question=question or "Please attach a quote for the larger items in your budget.",
            sections=["budget", "attachments"], actor=officer)
        return
    checks = application.round.eligibility_checks
    if to == "ineligible":
        answers = [screening.CheckAnswer(check_id=c.id, passed=i != 0,
                                         note="The group is based outside the Cleveland force area" if i == 0 else "")
                   for i, c in enumerate(checks)]
        screening.screen(application, answers=answers, actor=officer)
        return
    screening.screen(application, answers=[screening.CheckAnswer(check_id=c.id, passed=True) for c in checks],
                     actor=officer)
    if conflict is not None:
        person, nature = conflict
        assignment = assessment.assign(application, assessor=person, actor=officer)
        assessment.declare(assignment, has_conflict=True, nature=nature, actor=person)
    assignments = []
    for person in assessors:
        assignment = assessment.assign(application, assessor=person, actor=officer)
        assessment.declare(assignment, has_conflict=False, nature=None, actor=person)
        assignments.append(assignment)
    if to == "in_assessment":
        return
    criteria = application.round.criteria
    for assignment, values in zip(assignments, scores or [[4] * len(criteria)] * len(assignments)):
        entries = {c.id: (str(v), _COMMENTS[i % len(_COMMENTS)]) for i, (c, v) in enumerate(zip(criteria, values))}
        assessment.save_scores(assignment, entries=entries, submit=True, actor=assignment.assessor)
