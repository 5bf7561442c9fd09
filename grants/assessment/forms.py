"""Forms for screening, more information, assigning, declaring, scoring and moderating."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..forms import max_length


def screening_form(checks):
    """One pass/fail question and a note per eligibility check (the round decides how many)."""

    class ScreeningForm(FlaskForm):
        overall_note = TextAreaField("Screening note (optional)", validators=[Optional(), max_length(5000)])

    for check in checks:
        setattr(ScreeningForm, f"result_{check.id}", RadioField(
            check.text, choices=[("pass", "Passes"), ("fail", "Fails")], validators=[Optional()],
            validate_choice=False))
        setattr(ScreeningForm, f"note_{check.id}", TextAreaField(
            "Note", validators=[Optional(), max_length(5000, "The note")]))
    return ScreeningForm()


class MoreInfoForm(FlaskForm):
    question = TextAreaField("Your question for the applicant", validators=[Optional()])
    sections = SelectMultipleField("Which sections can the applicant change?", choices=[], validate_choice=False)


class AssignForm(FlaskForm):
    assessor = SelectField("Assessor", coerce=str, validators=[InputRequired("Choose an assessor")],
                           validate_choice=False)


class DeclarationForm(FlaskForm):
    has_conflict = RadioField(
        "Do you have a conflict of interest with this application?",
        choices=[("no", "No, I have no conflict of interest"), ("yes", "Yes, I have a conflict of interest")],
        validators=[Optional()], validate_choice=False,
    )
    nature = TextAreaField("If yes, describe the nature of the conflict",
                           validators=[Optional(), max_length(5000, "The description")])


def score_form(criteria, data=None):
    """A 0-5 (or not applicable) choice and a comment for each criterion of the round."""

    class ScoreForm(FlaskForm):
        pass

    for criterion in criteria:
        choices = [(str(v), f"{v} – {criterion.descriptors[v] if len(criterion.descriptors) > v else ''}")
                   for v in range(0, 6)]
        if criterion.allow_not_applicable:
            choices.append(("na", "Not applicable – leave this criterion out of the score"))
        setattr(ScoreForm, f"score_{criterion.id}", RadioField(criterion.name, choices=choices,
                                                               validators=[Optional()], validate_choice=False))
        setattr(ScoreForm, f"comment_{criterion.id}", TextAreaField("Comment", validators=[Optional()]))
    # On a POST the submitted answers win; otherwise the saved draft fills the form.
    return ScoreForm(data=data or {})


class ModerationForm(FlaskForm):
    note = TextAreaField("Moderation note", validators=[Optional(), max_length(10000, "The note")])
    moderated_score = StringField("Moderated score (optional)", validators=[Optional()])
