"""The questions a round asks on top of the fixed sections, and the round's own eligibility rules.

Officers group extra questions into task-list sections. Each question section
becomes a services.sections.Section, so applicants fill it in, save and come
back, see it on check-answers and in the frozen version, and staff read it,
exactly like the fixed sections. Answers live in Application.question_answers
(str(question id) -> value: text, True/False, a choice, a list of choices,
a whole number, pence, or an ISO date). A question hidden by its condition is
neither required nor stored.

Questions are frozen once the round opens (copy the round to ask different
ones); the one exception is removing a question asked in error, which needs
confirmation when drafts have answered it and tells those applicants.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Application, QuestionKind, QuestionSection, Round, RoundQuestion, User
from ..money import MoneyError, format_pence, parse_pounds
from . import audit, outbox
from .errors import DomainError, Immutable, ValidationFailed
from .sections import Section, clean_text

MAX_SHORT_TEXT = 300
MAX_LONG_TEXT_WORDS = 2000
MAX_WHOLE_NUMBER = 1_000_000_000
FROZEN = ("The round has opened, so its questions can no longer change. "
          "Copy the round to ask different questions next time")


class NeedsConfirmation(DomainError):
    """The change affects applicants' answers: ask the officer to confirm. `affected` is how many drafts."""

    def __init__(self, message: str, affected: int):
        super().__init__(message)
        self.affected = affected


def word_count(text: str | None) -> int:
    return len((text or "").split())


# --- Answers -------------------------------------------------------------------------------------------


def _answers(application: Application) -> dict:
    return dict(application.question_answers or {})


def is_shown(question: RoundQuestion, answers: dict) -> bool:
    """A question with a condition is shown only while its condition's question is answered that way."""
    if question.condition_question_id is None:
        return True
    answer = answers.get(str(question.condition_question_id))
    if isinstance(answer, list):
        return question.condition_value in answer
    return display_value(question.condition_question, answer) == question.condition_value or (
        answer is not None and str(answer) == question.condition_value)


def display_value(question: RoundQuestion, value) -> str | None:
    """An answer as people read it (and as versions and exports keep it)."""
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return "Yes" if value else "No"
    if kind == QuestionKind.SEVERAL_CHOICES:
        return "; ".join(value)
    if kind == QuestionKind.MONEY:
        return format_pence(value)
    if kind == QuestionKind.WHOLE_NUMBER:
        return f"{value:,}"
    if kind == QuestionKind.DATE:
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    if kind == QuestionKind.FILE:
        return value.get("filename") if isinstance(value, dict) else None
    return str(value)


def _parse(question: RoundQuestion, raw) -> tuple[object, str | None]:
    """(stored value or None, problem or None) for one typed answer."""
    kind, title = question.kind, question.title
    if kind == QuestionKind.SEVERAL_CHOICES:
        chosen = [str(v) for v in (raw or []) if str(v).strip()]
        if any(v not in question.options for v in chosen):
            return None, f"{title}: select options from the list"
        return ([o for o in question.options if o in chosen] or None), None
    if kind == QuestionKind.DATE:
        if raw is None or raw == "":
            return None, None
        return (raw.isoformat() if isinstance(raw, date) else str(raw)), None
    text = clean_text(raw)
    if text is None:
        return None, None
    if kind == QuestionKind.SHORT_TEXT:
        if len(text) > MAX_SHORT_TEXT:
            return None, f"{title}: your answer must be {MAX_SHORT_TEXT} characters or fewer"
        return text, None
    if kind == QuestionKind.LONG_TEXT:
        limit = question.word_limit or MAX_LONG_TEXT_WORDS
        words = word_count(text)
        if words > limit:
            return None, (f"{title}: your answer must be {limit:,} words or fewer; "
                          f"it has {words:,}, so remove {words - limit:,}")
        return text, None
    if kind == QuestionKind.YES_NO:
        if text not in ("yes", "no"):
            return None, f"{title}: select yes or no"
        return text == "yes", None
    if kind == QuestionKind.ONE_CHOICE:
        if text not in question.options:
            return None, f"{title}: select an option from the list"
        return text, None
    if kind == QuestionKind.WHOLE_NUMBER:
        digits = text.replace(",", "")
        if not digits.isdigit():
            return None, f"{title}: enter a whole number using digits only, like 25"
        if int(digits) > MAX_WHOLE_NUMBER:
            return None, f"{title}: enter a number of {MAX_WHOLE_NUMBER:,} or less"
        return int(digits), None
    if kind == QuestionKind.MONEY:
        try:
            return parse_pounds(text, allow_zero=True), None
        except MoneyError as exc:
            return None, f"{title}: {str(exc)[0].lower()}{str(exc)[1:]}"
    return text, None


def _missing_message(question: RoundQuestion) -> str:
    if question.kind == QuestionKind.FILE:
        return f"Upload a file for ‘{question.title}’"
    if question.kind in (QuestionKind.YES_NO, QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        return f"Select an answer for ‘{question.title}’"
    return f"Answer ‘{question.title}’"


class QuestionsSection(Section):
    """An extra task-list section built from a round's questions."""

    template = "questions"
    extra = True

    def __init__(self, question_section: QuestionSection):
        self.source = question_section
        self.slug = question_section.slug
        self.title = question_section.title
        self.questions = list(question_section.questions)
        # Titles of the questions conditions depend on (they may sit in an earlier section).
        self.condition_titles = {q.id: q.title for q in _round_questions(question_section.round)}

    @property
    def has_files(self) -> bool:
        return any(q.kind == QuestionKind.FILE for q in self.questions)

    def shown(self, answers: dict) -> list[RoundQuestion]:
        return [q for q in self.questions if is_shown(q, answers)]

    def data(self, application):
        answers = _answers(application)
        return {"answers": [{"question": q.title, "answer": display_value(q, answers.get(str(q.id)))}
                            for q in self.shown(answers)]}

    def problems(self, application):
        answers = _answers(application)
        return {q.field_name: _missing_message(q) for q in self.shown(answers)
                if q.required and answers.get(str(q.id)) in (None, "", [])}

    def apply(self, application, values):
        """values: question field name (q<id>) -> what was typed or chosen.

        File answers are uploaded separately (applications.answer_with_file) and kept here as they are.
        """
        answers = _answers(application)
        errors: dict[str, str] = {}
        for q in self.questions:
            if q.kind == QuestionKind.FILE:
                continue
            answers.pop(str(q.id), None)
            value, problem = _parse(q, values.get(q.field_name))
            if problem:
                errors[q.field_name] = problem
            elif value is not None:
                answers[str(q.id)] = value
        # Hidden questions are neither required nor kept (conditions follow the new answers, in order).
        for q in self.questions:
            if not is_shown(q, answers):
                answers.pop(str(q.id), None)
                errors.pop(q.field_name, None)
        if errors:
            raise ValidationFailed(errors)
        application.question_answers = answers


def sections_for(round_: Round) -> list[Section]:
    """The round's extra task-list sections, in order."""
    return [QuestionsSection(s) for s in round_.question_sections]


def grouped_answers(application: Application) -> list[tuple[str, list[dict]]]:
    """(section title, [{question, answer}]) for each of the round's sections: what staff and assessors read."""
    return [(section.title, section.data(application)["answers"]) for section in sections_for(application.round)]


def export_headers(round_: Round) -> list[str]:
    """One column per question the round asks (for the panel CSV and other tables)."""
    return [f"{s.title}: {q.title}" for s in round_.question_sections for q in s.questions]


def export_values(application: Application) -> list[str]:
    """The application's answers in export_headers' order; empty where not answered or hidden."""
    answers = _answers(application)
    return [(display_value(q, answers.get(str(q.id))) or "") if is_shown(q, answers) else ""
            for s in application.round.question_sections for q in s.questions]


def answer_columns(applications: list[Application]) -> tuple[list[str], list[list[str]]]:
    """Question columns for a list that may span rounds: every round's questions, in the order the rounds first
    appear, and each application's answers in its own round's columns (empty in the other rounds')."""
    rounds: dict[int, Round] = {}
    for application in applications:
        rounds.setdefault(application.round_id, application.round)
    several = len([r for r in rounds.values() if r.question_sections]) > 1
    headers: list[str] = []
    offsets: dict[int, int] = {}
    for round_id, round_ in rounds.items():
        offsets[round_id] = len(headers)
        headers += [f"{round_.title}: {h}" if several else h for h in export_headers(round_)]
    rows = []
    for application in applications:
        row = [""] * len(headers)
        values = export_values(application)
        start = offsets[application.round_id]
        row[start:start + len(values)] = values
        rows.append(row)
    return headers, rows


# --- Building a round's questions ---------------------------------------------------------------------


@dataclass
class QuestionInput:
    kind: str = ""
    title: str = ""
    hint: str = ""
    required: bool = True
    options: list[str] = field(default_factory=list)
    word_limit: int | None = None
    condition_question_id: int | None = None
    condition_value: str | None = None


def _check_not_frozen(round_: Round) -> None:
    if round_.has_opened:
        raise Immutable(FROZEN)


def _section_title_errors(title: str | None) -> dict[str, str]:
    title = (title or "").strip()
    if not title:
        return {"title": "Enter a title for the section, like ‘Your premises’"}
    if len(title) > 200:
        return {"title": "The section title must be 200 characters or fewer"}
    return {}


def add_section(round_: Round, *, title: str, actor: User) -> QuestionSection:
    """Add an extra task-list section at the end of the round's own sections."""
    _check_not_frozen(round_)
    errors = _section_title_errors(title)
    if errors:
        raise ValidationFailed(errors)
    section = QuestionSection(title=title.strip(), position=len(round_.question_sections) + 1)
    round_.question_sections.append(section)
    db.session.flush()
    audit.record("round.question_section_added", actor=actor, entity=section, fund_id=round_.fund_id,
                 after={"round_id": round_.id, "title": section.title})
    return section


def rename_section(section: QuestionSection, *, title: str, actor: User) -> None:
    _check_not_frozen(section.round)
    errors = _section_title_errors(title)
    if errors:
        raise ValidationFailed(errors)
    before = section.title
    section.title = title.strip()
    db.session.flush()
    audit.record("round.question_section_renamed", actor=actor, entity=section, fund_id=section.round.fund_id,
                 before={"title": before}, after={"title": section.title})


def remove_section(section: QuestionSection, *, actor: User) -> None:
    """Remove an empty section (remove its questions first)."""
    round_ = section.round
    _check_not_frozen(round_)
    if section.questions:
        raise DomainError("Remove the section’s questions first", field="section")
    audit.record("round.question_section_removed", actor=actor, entity=section, fund_id=round_.fund_id,
                 before={"title": section.title})
    round_.question_sections.remove(section)
    db.session.flush()
    for n, s in enumerate(round_.question_sections, 1):
        s.position = n


def _round_questions(round_: Round) -> list[RoundQuestion]:
    return [q for s in round_.question_sections for q in s.questions]


def _question_errors(section: QuestionSection, values: QuestionInput,
                     question: RoundQuestion | None) -> tuple[dict[str, str], QuestionInput]:
    errors: dict[str, str] = {}
    v = QuestionInput(kind=values.kind, title=(values.title or "").strip(), hint=(values.hint or "").strip(),
                      required=bool(values.required),
                      options=list(dict.fromkeys(o.strip() for o in values.options if o and o.strip())),
                      word_limit=values.word_limit, condition_question_id=values.condition_question_id,
                      condition_value=(values.condition_value or "").strip() or None)
    if v.kind not in QuestionKind.LABELS:
        errors["kind"] = "Select the type of answer"
    if not v.title:
        errors["title"] = "Enter the question, like ‘Do you own your premises?’"
    elif len(v.title) > 300:
        errors["title"] = "The question must be 300 characters or fewer"
    if len(v.hint) > 1000:
        errors["hint"] = "The hint must be 1,000 characters or fewer"
    if v.kind in QuestionKind.WITH_OPTIONS:
        if len(v.options) < 2:
            errors["options"] = "Enter at least 2 options, one on each line"
        elif any(len(o) > 300 for o in v.options):
            errors["options"] = "Each option must be 300 characters or fewer"
    else:
        v.options = []
    if v.kind == QuestionKind.LONG_TEXT:
        if v.word_limit is None or not 1 <= v.word_limit <= MAX_LONG_TEXT_WORDS:
            errors["word_limit"] = f"Enter a word limit from 1 to {MAX_LONG_TEXT_WORDS:,}, like 250"
    else:
        v.word_limit = None
    if v.condition_question_id is not None:
        earlier = _round_questions(section.round)
        if question is not None and question in earlier:
            earlier = earlier[:earlier.index(question)]
        condition = next((q for q in earlier if q.id == v.condition_question_id), None)
        if condition is None:
            errors["condition_question_id"] = "Choose an earlier question for the condition"
        elif condition.kind not in (QuestionKind.YES_NO, *QuestionKind.WITH_OPTIONS):
            errors["condition_question_id"] = "A condition can only depend on a yes/no or choice question"
        else:
            allowed = ["Yes", "No"] if condition.kind == QuestionKind.YES_NO else condition.options
            if v.condition_value not in allowed:
                errors["condition_value"] = f"Choose the answer that shows this question: {', '.join(allowed)}"
    else:
        v.condition_value = None
    return errors, v


def _snapshot(q: RoundQuestion) -> dict:
    return {"kind": q.kind, "title": q.title, "hint": q.hint, "required": q.required, "options": list(q.options),
            "word_limit": q.word_limit, "condition_question_id": q.condition_question_id,
            "condition_value": q.condition_value}


def add_question(section: QuestionSection, *, values: QuestionInput, actor: User) -> RoundQuestion:
    _check_not_frozen(section.round)
    errors, v = _question_errors(section, values, None)
    if errors:
        raise ValidationFailed(errors)
    question = RoundQuestion(position=len(section.questions) + 1, kind=v.kind, title=v.title, hint=v.hint,
                             required=v.required, options=v.options, word_limit=v.word_limit,
                             condition_question_id=v.condition_question_id, condition_value=v.condition_value)
    section.questions.append(question)
    db.session.flush()
    audit.record("round.question_added", actor=actor, entity=question, fund_id=section.round.fund_id,
                 after={"round_id": section.round_id, "section": section.title, **_snapshot(question)})
    return question


def drafts_answering(question: RoundQuestion) -> list[Application]:
    """Draft applications (or ones reopened for more information) holding an answer to this question."""
    from .workflow import Status

    live = (Status.DRAFT.value, Status.MORE_INFO_REQUESTED.value)
    drafts = db.session.scalars(select(Application).where(Application.round_id == question.section.round_id,
                                                          Application.status.in_(live)))
    return [a for a in drafts if str(question.id) in (a.question_answers or {})]


def update_question(question: RoundQuestion, *, values: QuestionInput, actor: User) -> None:
    """Change a question. Its type cannot change once a draft has answered it."""
    if values.kind != question.kind and drafts_answering(question):
        raise ValidationFailed({"kind": "Applicants have already answered this question, so its type cannot "
                                        "change. Add a new question instead"})
    _check_not_frozen(question.section.round)
    errors, v = _question_errors(question.section, values, question)
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(question)
    for name in ("kind", "title", "hint", "required", "options", "word_limit", "condition_question_id",
                 "condition_value"):
        setattr(question, name, getattr(v, name))
    db.session.flush()
    audit.record("round.question_changed", actor=actor, entity=question, fund_id=question.section.round.fund_id,
                 before=before, after=_snapshot(question))


def move_question(question: RoundQuestion, *, direction: str, actor: User) -> None:
    """Move a question one place up or down its section (a condition must stay after its question)."""
    section = question.section
    _check_not_frozen(section.round)
    items = list(section.questions)
    i = items.index(question)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(items):
        return
    first, second = sorted((items[i], items[j]), key=lambda q: q.position)
    if second.condition_question_id == first.id:
        raise DomainError(f"‘{second.title}’ depends on ‘{first.title}’, so it must stay after it")
    items[i].position, items[j].position = items[j].position, items[i].position
    db.session.flush()
    db.session.expire(section, ["questions"])
    audit.record("round.question_moved", actor=actor, entity=question, fund_id=section.round.fund_id,
                 before={"position": i + 1}, after={"position": j + 1})


def remove_question(question: RoundQuestion, *, actor: User, confirmed: bool = False) -> int:
    """Remove a question. When drafts have answered it, only once confirmed: their answers go and each
    organisation is emailed. Allowed after the round opens (a question asked in error). Returns drafts told."""
    section = question.section
    round_ = section.round
    dependants = [q for q in _round_questions(round_) if q.condition_question_id == question.id]
    if dependants:
        raise DomainError(f"‘{dependants[0].title}’ is shown depending on this question: "
                          "remove or change that question first")
    drafts = drafts_answering(question)
    if drafts and not confirmed:
        raise NeedsConfirmation(f"{len(drafts)} draft application{'s have' if len(drafts) != 1 else ' has'} "
                                "answered this question. Removing it deletes their answers and tells them",
                                affected=len(drafts))
    for application in drafts:
        answers = dict(application.question_answers)
        answers.pop(str(question.id), None)
        application.question_answers = answers
        body = (f"The {round_.title} round no longer asks ‘{question.title}’, so your answer to it has been "
                f"removed from application {application.reference}. You do not need to do anything.")
        for address in outbox.organisation_recipients(application):
            outbox.queue_email(address, f"A question has been removed from your application "
                                        f"{application.reference}", body, application=application)
    audit.record("round.question_removed", actor=actor, entity=question, fund_id=round_.fund_id,
                 before={"round_id": round_.id, **_snapshot(question)},
                 after={"drafts_told": [a.id for a in drafts]})
    section.questions.remove(question)
    db.session.flush()
    for n, q in enumerate(section.questions, 1):
        q.position = n
    return len(drafts)


def copy_questions(source: Round, target: Round) -> None:
    """Carry a round's question sections over to its copy (part of the audited copy_round).

    A condition always depends on an earlier question, so its copy already exists when it is needed.
    """
    copies: dict[int, RoundQuestion] = {}
    for s in source.question_sections:
        new_section = QuestionSection(position=s.position, title=s.title)
        target.question_sections.append(new_section)
        for q in s.questions:
            copies[q.id] = RoundQuestion(
                position=q.position, kind=q.kind, title=q.title, hint=q.hint, required=q.required,
                options=list(q.options), word_limit=q.word_limit, condition_value=q.condition_value,
                condition_question=copies.get(q.condition_question_id) if q.condition_question_id else None)
            new_section.questions.append(copies[q.id])
