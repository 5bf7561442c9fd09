"""A round's own questions: officers add, change, reorder and remove them, and preview the applicant's pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from ..access import access
from ..applicant.forms import questions_form_class
from ..extensions import db
from ..forms import WholeNumberField, max_length, show_refusal
from ..models import QuestionKind, QuestionSection, Role, RoundQuestion
from ..services import round_questions as question_service
from ..services.errors import DomainError
from .routes import bp
from .rounds import _round


class SectionTitleForm(FlaskForm):
    title = StringField("Section title", validators=[max_length(200, "The section title")])


class QuestionForm(FlaskForm):
    title = StringField("Question", validators=[max_length(300, "The question")])
    hint = TextAreaField("Hint (optional)", validators=[max_length(1000, "The hint")])
    kind = RadioField("Type of answer", choices=list(QuestionKind.LABELS.items()), validate_choice=False)
    options = TextAreaField("Options, one on each line", validators=[max_length(10000, "The options")])
    word_limit = WholeNumberField("Word limit")
    required = RadioField("Must applicants answer it?", validate_choice=False,
                          choices=[("yes", "Yes, it is required"), ("no", "No, it is optional")])
    condition = SelectField("When to show it", validate_choice=False)


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _section(round_, section_id: int) -> QuestionSection:
    section = db.session.get(QuestionSection, section_id)
    if section is None or section.round_id != round_.id:
        abort(404)
    return section


def _question(round_, question_id: int) -> RoundQuestion:
    question = db.session.get(RoundQuestion, question_id)
    if question is None or question.section.round_id != round_.id:
        abort(404)
    return question


def _condition_choices(round_, question: RoundQuestion | None) -> list[tuple[str, str]]:
    """'Always', then every (earlier question, answer) that could show this one."""
    choices = [("", "Always show it")]
    for section in round_.question_sections:
        for q in section.questions:
            if question is not None and q.id == question.id:
                return choices
            if q.kind == QuestionKind.YES_NO:
                answers = ["Yes", "No"]
            elif q.kind in QuestionKind.WITH_OPTIONS:
                answers = q.options
            else:
                continue
            choices += [(f"{q.id}|{a}", f"Only if ‘{q.title}’ is answered ‘{a}’") for a in answers]
    return choices


def _input(form: QuestionForm) -> question_service.QuestionInput:
    condition_id, _, condition_value = (form.condition.data or "").partition("|")
    return question_service.QuestionInput(
        kind=form.kind.data or "", title=form.title.data or "", hint=form.hint.data or "",
        required=form.required.data != "no", options=(form.options.data or "").splitlines(),
        word_limit=form.word_limit.data,
        condition_question_id=int(condition_id) if condition_id.isdigit() else None,
        condition_value=condition_value or None)


def _back(round_):
    return redirect(url_for("staff.round_questions", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/questions", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_questions(round_id: int):
    """The round's own sections and questions: add a section, move or remove questions."""
    round_ = _round(round_id)
    form = SectionTitleForm()
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "add_section":
                if not form.validate_on_submit():
                    abort(400)
                question_service.add_section(round_, title=form.title.data or "", actor=current_user)
                message = f"The section ‘{(form.title.data or '').strip()}’ has been added. Now add its questions."
            elif action in ("up", "down"):
                question = _question(round_, request.form.get("question", type=int) or 0)
                question_service.move_question(question, direction=action, actor=current_user)
                message = "The question has been moved."
            elif action == "remove_section":
                section = _section(round_, request.form.get("section", type=int) or 0)
                question_service.remove_section(section, actor=current_user)
                message = f"The section ‘{section.title}’ has been removed."
            else:
                abort(400)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return _back(round_)
    return render_template("staff/round_questions.html", round=round_, form=form,
                           frozen=round_.has_opened, labels=QuestionKind.LABELS)


@bp.route("/rounds/<int:round_id>/questions/sections/<int:section_id>/new", methods=["GET", "POST"])
@bp.route("/rounds/<int:round_id>/questions/<int:question_id>", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_question(round_id: int, section_id: int | None = None, question_id: int | None = None):
    """Add a question to a section, or change one."""
    round_ = _round(round_id)
    question = _question(round_, question_id) if question_id is not None else None
    section = question.section if question is not None else _section(round_, section_id or 0)
    if question is not None and request.method == "GET":
        form = QuestionForm(data={
            "title": question.title, "hint": question.hint, "kind": question.kind,
            "options": "\n".join(question.options), "word_limit": question.word_limit,
            "required": "yes" if question.required else "no",
            "condition": (f"{question.condition_question_id}|{question.condition_value}"
                          if question.condition_question_id else "")})
    else:
        form = QuestionForm(data={"required": "yes"} if request.method == "GET" else None)
    form.condition.choices = _condition_choices(round_, question)
    if form.validate_on_submit():
        try:
            if question is None:
                question_service.add_question(section, values=_input(form), actor=current_user)
            else:
                question_service.update_question(question, values=_input(form), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("The question has been saved.", "success")
            return _back(round_)
    return render_template("staff/round_question.html", round=round_, section=section, question=question,
                           form=form, frozen=round_.has_opened)


@bp.route("/rounds/<int:round_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_question_remove(round_id: int, question_id: int):
    """Remove a question; when drafts have answered it, say how many and ask again before telling them."""
    round_ = _round(round_id)
    question = _question(round_, question_id)
    form = ConfirmForm()
    affected = len(question_service.drafts_answering(question))
    problem = None
    if form.validate_on_submit():
        try:
            told = question_service.remove_question(question, actor=current_user,
                                                    confirmed=request.form.get("confirmed") == "yes")
        except question_service.NeedsConfirmation as exc:
            db.session.rollback()
            affected = exc.affected
        except DomainError as exc:
            db.session.rollback()
            problem = exc.message
        else:
            db.session.commit()
            flash(f"‘{question.title}’ has been removed." + (f" {told} applicant organisation"
                  f"{'s have' if told != 1 else ' has'} been told." if told else ""), "success")
            return _back(round_)
    return render_template("staff/round_question_remove.html", round=round_, question=question, form=form,
                           affected=affected, problem=problem, error_title_prefix=bool(problem))


@bp.route("/rounds/<int:round_id>/questions/preview")
@access(Role.OFFICER)
def round_questions_preview(round_id: int):
    """The round's own sections exactly as applicants will see them (nothing can be saved here)."""
    round_ = _round(round_id)
    pages = [(section, questions_form_class(section.questions)(formdata=None, prefix=f"preview{section.slug}"))
             for section in question_service.sections_for(round_)]
    return render_template("staff/round_questions_preview.html", round=round_, pages=pages)


@bp.route("/rounds/<int:round_id>/questions/sections/<int:section_id>", methods=["GET", "POST"])
@access(Role.OFFICER)
def round_question_section(round_id: int, section_id: int):
    """Rename one of the round's own sections."""
    round_ = _round(round_id)
    section = _section(round_, section_id)
    form = SectionTitleForm(data={"title": section.title} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            question_service.rename_section(section, title=form.title.data or "", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The section is now called ‘{section.title}’.", "success")
            return _back(round_)
    return render_template("staff/round_question_section.html", round=round_, section=section, form=form)
