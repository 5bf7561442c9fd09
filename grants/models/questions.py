"""The questions a round asks on top of the fixed application sections, grouped into task-list sections."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .funds import Round


class QuestionKind:
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    YES_NO = "yes_no"
    ONE_CHOICE = "one_choice"
    SEVERAL_CHOICES = "several_choices"
    WHOLE_NUMBER = "whole_number"
    MONEY = "money"
    DATE = "date"
    FILE = "file"
    LABELS = {
        SHORT_TEXT: "Short text", LONG_TEXT: "Long text (with a word limit)", YES_NO: "Yes or no",
        ONE_CHOICE: "One choice from a list", SEVERAL_CHOICES: "Several choices from a list",
        WHOLE_NUMBER: "Whole number", MONEY: "Amount of money", DATE: "Date", FILE: "File upload",
    }
    WITH_OPTIONS = (ONE_CHOICE, SEVERAL_CHOICES)


class QuestionSection(db.Model):
    """An extra task-list section of a round (its slug is questions_<id>)."""

    __tablename__ = "round_question_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    round: Mapped[Round] = relationship(backref=backref(
        "question_sections", order_by="QuestionSection.position", cascade="all, delete-orphan"))
    questions: Mapped[list[RoundQuestion]] = relationship(
        back_populates="section", order_by="RoundQuestion.position", cascade="all, delete-orphan",
        foreign_keys="RoundQuestion.section_id")

    @property
    def slug(self) -> str:
        return f"questions_{self.id}"


class RoundQuestion(db.Model):
    __tablename__ = "round_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("round_question_sections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    options: Mapped[list] = mapped_column(JSON, default=list)
    word_limit: Mapped[int | None] = mapped_column(Integer)
    # Shown only if this (earlier) question is answered condition_value.
    condition_question_id: Mapped[int | None] = mapped_column(ForeignKey("round_questions.id"))
    condition_value: Mapped[str | None] = mapped_column(String(300))

    section: Mapped[QuestionSection] = relationship(back_populates="questions", foreign_keys=[section_id])
    condition_question: Mapped[RoundQuestion | None] = relationship(remote_side=[id])

    @property
    def field_name(self) -> str:
        return f"q{self.id}"

    @property
    def kind_label(self) -> str:
        return QuestionKind.LABELS.get(self.kind, self.kind)
