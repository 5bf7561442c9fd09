"""Forms for bank-detail checks and payment runs."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField

from ..forms import GovDateField, max_length


class VerifyForm(FlaskForm):
    spoke_to = StringField("Who did you speak to?")
    called_on = GovDateField("When did you call?")
    confirm = BooleanField("I rang the number in the organisation's records (not one given with the bank details) "
                           "and the person I spoke to read back the same account name, sort code and account number")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the second signatory's confirmation button."""


class NewRunForm(FlaskForm):
    instalments = SelectMultipleField("Instalments to pay", coerce=int, validate_choice=False)


class MarkPaidForm(FlaskForm):
    paid_on = GovDateField("When did the bank pay the run?")


class FailLineForm(FlaskForm):
    reason = TextAreaField("Why did the bank reject this payment?", validators=[max_length(2000, "The reason")])
