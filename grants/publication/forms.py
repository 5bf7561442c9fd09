"""Forms for publishing grants, recording funding meetings and signing decision notices."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, TextAreaField

from ..forms import GovDateField, max_length


class PublishForm(FlaskForm):
    grants = SelectMultipleField("Grants to publish", coerce=int, validate_choice=False)


class MeetingForm(FlaskForm):
    round_id = SelectField("Round", coerce=int, validate_choice=False)
    held_on = GovDateField("Date of the meeting")
    attendees = TextAreaField("Who attended", validators=[max_length(5000, "Who attended")])
    declarations = TextAreaField("Declarations of interest made at the meeting",
                                 validators=[max_length(5000, "The declarations")])


class AgendaForm(FlaskForm):
    applications = SelectMultipleField("Applications on the agenda", coerce=int, validate_choice=False)


class SignForm(FlaskForm):
    summary = TextAreaField("Summary of the decisions", validators=[max_length(5000, "The summary")])
    not_for_publication = BooleanField("This notice is not for publication")
    not_for_publication_reason = TextAreaField("Why it is not for publication",
                                               validators=[max_length(2000, "The reason")])
