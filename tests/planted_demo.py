"""The full demo, made through the services, with distinctive text planted in everything sensitive.

Each kind of sensitive text carries its own marker word (e.g. ``PlantedNeedQz``)
so a test that finds one in a response body can say which kind leaked. The
markers go in at the service boundary while the demo is seeded, so they reach
every copy the services make: the row, the submitted version, the audit
event's reason and before/after values, the emails, the decision record and
the letters.
"""
from __future__ import annotations

import dataclasses
import functools

import pytest

from grants.demo_applications import seed_applications
from grants.extensions import db
from grants.models import Application, Report
from grants.services import applications, assessment, conversations, decisions, monitoring, screening

# kind -> marker word (one word, letters only, so PDF text extraction keeps it whole)
PLANTED = {
    "application need": "PlantedNeedQz",
    "application evidence": "PlantedEvidenceQz",
    "application activities": "PlantedActivitiesQz",
    "application beneficiaries": "PlantedBeneficiariesQz",
    "application other funding": "PlantedOtherFundingQz",
    "application safeguarding": "PlantedSafeguardingQz",
    "more-information request": "PlantedMoreInfoQz",
    "screening note": "PlantedScreeningQz",
    "assessor comment": "PlantedCommentQz",
    "moderation note": "PlantedModerationQz",
    "decision reasons (every outcome)": "PlantedReasonsQz",
    "report went well": "PlantedWentWellQz",
    "report did not go well": "PlantedDidNotQz",
    "report case study": "PlantedCaseStudyQz",
    "report questions from staff": "PlantedReportQuestionsQz",
    "staff note on an application": "PlantedStaffNoteQz",
    "message between an organisation and staff": "PlantedMessageQz",
}

# section -> {field: kind}
_ANSWER_FIELDS = {
    "need": {"need": "application need", "evidence": "application evidence"},
    "activities": {"activities": "application activities"},
    "where_and_who": {"beneficiaries": "application beneficiaries"},
    "budget": {"other_funding": "application other funding"},
    "safeguarding": {"safeguarding": "application safeguarding"},
}


def _mark(kind: str, text: str | None) -> str | None:
    if not text:
        return text
    return f"{PLANTED[kind]} {text}"


def _wrap(monkeypatch, module, name: str, change) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def planted(*args, **kwargs):
        change(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, planted)


def _answers(kwargs) -> None:
    fields = _ANSWER_FIELDS.get(kwargs.get("section"), {})
    values = dict(kwargs.get("values") or {})
    for field, kind in fields.items():
        values[field] = _mark(kind, values.get(field))
    kwargs["values"] = values


def _screening(kwargs) -> None:
    kwargs["answers"] = [dataclasses.replace(a, note=_mark("screening note", a.note) or "")
                         for a in kwargs["answers"]]
    kwargs["note"] = _mark("screening note", kwargs.get("note") or "Checked against the round's rules")


def _scores(kwargs) -> None:
    kwargs["entries"] = {cid: (value, _mark("assessor comment", comment or "Scored as shown"))
                         for cid, (value, comment) in kwargs["entries"].items()}


def _report(kwargs) -> None:
    for field, kind in (("went_well", "report went well"), ("did_not_go_well", "report did not go well"),
                        ("case_study", "report case study")):
        kwargs[field] = _mark(kind, kwargs.get(field))


def _decision_reasons(kwargs) -> None:
    # Reasons are internal for every outcome: an approval's public summary is what the register publishes.
    kwargs["reasons"] = _mark("decision reasons (every outcome)", kwargs.get("reasons"))


def _field(name: str, kind: str):
    def change(kwargs) -> None:
        kwargs[name] = _mark(kind, kwargs.get(name))
    return change


def seed_planted_demo(demo) -> list[Application]:
    """Seed every demo story with the markers planted, then add the few sensitive things no story makes."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _seed(demo, monkeypatch)


def _seed(demo, monkeypatch) -> list[Application]:
    _wrap(monkeypatch, applications, "save_section", _answers)
    _wrap(monkeypatch, screening, "request_more_info", _field("question", "more-information request"))
    _wrap(monkeypatch, screening, "screen", _screening)
    _wrap(monkeypatch, assessment, "save_scores", _scores)
    _wrap(monkeypatch, assessment, "moderate", _field("note", "moderation note"))
    _wrap(monkeypatch, decisions, "decide", _decision_reasons)
    _wrap(monkeypatch, monitoring, "save_report", _report)
    _wrap(monkeypatch, monitoring, "return_report", _field("questions", "report questions from staff"))
    made = seed_applications(users=demo.users, orgs=demo.orgs, csf_round=demo.csf_round,
                             ppaf_round=demo.ppaf_round)
    db.session.flush()
    for application in made:
        if application.needs_moderation and not assessment.moderations(application):
            assessment.moderate(application, note="Agreed after discussion", moderated_score=None,
                                actor=demo.officer)
    submitted = db.session.scalars(db.select(Report).where(Report.status == monitoring.SUBMITTED)).first()
    if submitted is not None:
        monitoring.return_report(submitted, actor=demo.officer, questions="How many sessions ran?")
    for application in made:
        if application.status != "draft":
            conversations.add_note(application, actor=demo.officer,
                                   body=_mark("staff note on an application", "Rang the secretary"))
    organisation = demo.applicant.organisation
    conversations.send_message(organisation, actor=demo.applicant,
                               body=_mark("message between an organisation and staff", "When will we hear?"))
    conversations.send_message(organisation, actor=demo.officer,
                               body=_mark("message between an organisation and staff", "Next Tuesday"))
    db.session.commit()
    return made


def planted_in(text: str) -> list[str]:
    """The kinds of planted text found in `text`."""
    return [kind for kind, marker in PLANTED.items() if marker in text]
