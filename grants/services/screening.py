"""Eligibility screening, asking the applicant for more information, and what changed between versions."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Application, ApplicationVersion, MoreInfoRequest, Screening, ScreeningAnswer, User
from . import audit, locking, sections as section_definitions, workflow
from .errors import InvalidTransition, NotPermitted, ValidationFailed

# Screening names sections exactly as the applicant's task list does: one set of definitions.
SECTIONS = [s.slug for s in section_definitions.FIXED]


def section_choices(application: Application) -> list[tuple[str, str]]:
    """(slug, title) of every section this application has, in task-list order (the round's own ones included)."""
    return [(s.slug, s.title) for s in section_definitions.for_application(application)]


def section_label(slug: str, application: Application | None = None) -> str:
    found = section_definitions.get(application, slug) if application is not None else None
    found = found or section_definitions.FIXED_BY_SLUG.get(slug)
    return found.title if found else slug.replace("_", " ").capitalize()


@dataclass
class CheckAnswer:
    check_id: int
    passed: bool | None
    note: str = ""


def screen(application: Application, *, answers: list[CheckAnswer], actor: User, note: str = "") -> Screening:
    """Record the officer's eligibility screening and move the application on.

    Every check of the round must be answered; a failed check needs a note.
    All passed -> pass_screening (in_assessment). Any failed -> ineligible,
    with the failed checks and their notes as the reason the applicant is sent.
    The check wording is copied so later checklist edits do not rewrite history.
    """
    checks = list(application.round.eligibility_checks)
    by_id = {a.check_id: a for a in answers}
    errors: dict[str, str] = {}
    for i, check in enumerate(checks):
        answer = by_id.get(check.id)
        if answer is None or answer.passed is None:
            errors[f"result_{check.id}"] = f"Select whether the application passes: {check.text}"
        elif not answer.passed and not (answer.note or "").strip():
            errors[f"note_{check.id}"] = f"Explain why it fails: {check.text}"
    # Refuse a wrong state or role before anything is written, under the row lock so that
    # a second screening sent at the same moment (a double click) sees the first.
    locking.lock(application)
    refusal = workflow.refusal(application, "pass_screening", actor)
    if refusal:
        if application.status != workflow.Status.SUBMITTED.value:
            raise InvalidTransition(refusal)
        raise NotPermitted(refusal)
    if errors:
        raise ValidationFailed(errors)
    failed = [(c, by_id[c.id]) for c in checks if not by_id[c.id].passed]
    screening = Screening(application_id=application.id, outcome="failed" if failed else "passed",
                          screened_by_id=actor.id, note=(note or "").strip() or None)
    for position, check in enumerate(checks, start=1):
        a = by_id[check.id]
        screening.answers.append(ScreeningAnswer(check_id=check.id, position=position, check_text=check.text,
                                                 passed=bool(a.passed), note=(a.note or "").strip() or None))
    db.session.add(screening)
    db.session.flush()
    audit.record("screening.recorded", actor=actor, entity=screening, application=application,
                 after={"outcome": screening.outcome,
                        "answers": [{"check": a.check_text, "passed": a.passed, "note": a.note}
                                    for a in screening.answers]})
    if failed:
        reason = "\n".join(f"- {c.text}: {a.note.strip()}" for c, a in failed)
        workflow.transition(application, "mark_ineligible", actor=actor, reason=reason,
                            details={"screening_id": screening.id})
    else:
        workflow.transition(application, "pass_screening", actor=actor, reason="Passed eligibility screening",
                            details={"screening_id": screening.id})
    return screening


def request_more_info(application: Application, *, question: str, sections: list[str], actor: User) -> MoreInfoRequest:
    """Ask the applicant a question and reopen the named sections for them to edit.

    The question goes to the applicant as the transition's reason; the
    submitted version stays as it is, and their resubmission becomes a new one.
    """
    errors = {}
    question = (question or "").strip()
    if not question:
        errors["question"] = "Enter your question for the applicant"
    elif len(question) > 5000:
        errors["question"] = "The question must be 5,000 characters or fewer"
    known = dict(section_choices(application))
    unknown = [s for s in sections if s not in known]
    if not sections or unknown:
        errors["sections"] = "Select the sections the applicant may change"
    if errors:
        raise ValidationFailed(errors)
    ordered = [s for s in known if s in sections]
    workflow.transition(application, "request_more_info", actor=actor, reason=question,
                        details={"sections": ordered},
                        email_context={"sections": [known[s] for s in ordered]})
    request_ = MoreInfoRequest(application_id=application.id, question=question, sections=ordered,
                               requested_by_id=actor.id)
    db.session.add(request_)
    db.session.flush()
    audit.record("more_info.requested", actor=actor, entity=request_, application=application,
                 after={"question": question, "sections": ordered})
    return request_


def more_info_requests(application: Application) -> list[MoreInfoRequest]:
    return list(db.session.scalars(
        select(MoreInfoRequest).where(MoreInfoRequest.application_id == application.id)
        .order_by(MoreInfoRequest.id)
    ))


def screenings(application: Application) -> list[Screening]:
    return list(db.session.scalars(
        select(Screening).where(Screening.application_id == application.id).order_by(Screening.id)
    ))


# --- What changed between two submitted versions ---------------------------------------


@dataclass
class Change:
    """One changed value: where it is (a readable path), and the old and new text."""

    section: str
    path: str
    kind: str  # "added" | "removed" | "changed"
    old: str | None
    new: str | None
    # Word-level pieces of a changed text: (op, text) with op in "same", "removed", "added".
    pieces: list[tuple[str, str]] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _label(key) -> str:
    return str(key).replace("_", " ").capitalize() if isinstance(key, str) else f"Item {key + 1}"


def _word_pieces(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.split(" "), new.split(" ")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                pieces.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                pieces.append(("added", " ".join(b[j1:j2])))
    return pieces


def _walk(section: str, path: list[str], old, new, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            _walk(section, path + [_label(key)], old.get(key), new.get(key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            _walk(section, path + [f"Item {i + 1}"], old[i] if i < len(old) else None,
                  new[i] if i < len(new) else None, out)
        return
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        # A value changed shape (or appeared/disappeared): compare the parts that exist.
        if old is None or new is None:
            empty = {} if isinstance(old if old is not None else new, dict) else []
            _walk(section, path, old if old is not None else empty, new if new is not None else empty, out)
            return
        out.append(Change(section, " › ".join(path), "changed", _text(old), _text(new)))
        return
    if old == new:
        return
    old_t, new_t = _text(old), _text(new)
    if old is None or old_t == "":
        out.append(Change(section, " › ".join(path), "added", None, new_t))
    elif new is None or new_t == "":
        out.append(Change(section, " › ".join(path), "removed", old_t, None))
    else:
        out.append(Change(section, " › ".join(path), "changed", old_t, new_t, _word_pieces(old_t, new_t)))


def diff(old: dict, new: dict) -> list[Change]:
    """Every value that differs between two ApplicationVersion.data dicts, section by section.

    Generic over nested dicts and lists, so it follows whatever the snapshot holds.
    """
    out: list[Change] = []
    old, new = old or {}, new or {}
    known = list(SECTIONS) + [k for k in list(old) + list(new) if k.startswith("questions_")]
    order = list(dict.fromkeys(s for s in known if s in old or s in new)) + sorted(
        k for k in set(old) | set(new) if k not in known
    )
    for section in order:
        _walk(section, [], old.get(section), new.get(section), out)
    return out


def versions(application: Application) -> list[ApplicationVersion]:
    return list(db.session.scalars(
        select(ApplicationVersion).where(ApplicationVersion.application_id == application.id)
        .order_by(ApplicationVersion.number)
    ))
