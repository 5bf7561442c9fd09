"""Forms for deciding, correcting, responding to offers and recording payments."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms import GovDateField, MoneyField, max_length
from ..services.decisions import OUTCOMES, TRIGGERS

DECLARATION_CHOICES = [("none", "I have no interest to declare"),
                       ("conflict", "I have an interest to declare (I will not decide this application)")]
TRIGGER_CHOICES = [("", "Choose when")] + list(TRIGGERS.items())
SCHEDULE_ROWS = 3


class _ScheduleMixin:
    schedule_error: str | None = None

    def schedule_rows(self) -> list[tuple]:
        return [(getattr(self, f"instalment_{i}_amount"), getattr(self, f"instalment_{i}_trigger"))
                for i in range(1, SCHEDULE_ROWS + 1)]

    def schedule_data(self) -> list[dict] | None:
        """The adjusted schedule, or None to use the round's proposal."""
        rows = [{"amount_pence": amount.data, "trigger": trigger.data}
                for amount, trigger in self.schedule_rows() if amount.data is not None or trigger.data]
        return rows or None


def _add_schedule_fields(cls):
    for i in range(1, SCHEDULE_ROWS + 1):
        setattr(cls, f"instalment_{i}_amount", MoneyField(f"Instalment {i} amount", validators=[Optional()]))
        setattr(cls, f"instalment_{i}_trigger", SelectField(f"Instalment {i} paid", choices=TRIGGER_CHOICES,
                                                            validate_choice=False))
    return cls


@_add_schedule_fields
class DecisionForm(FlaskForm, _ScheduleMixin):
    declaration = RadioField("Declaration of interest", choices=DECLARATION_CHOICES,
                             validators=[DataRequired("Say whether you have an interest to declare")])
    conflict_nature = TextAreaField("Describe your interest", validators=[max_length(2000, "Your description")])
    outcome = RadioField("Decision", choices=list(OUTCOMES.items()), validate_choice=False)
    amount = MoneyField("Amount to award (reduced awards only)")
    reasons = TextAreaField("Reasons for the decision", validators=[max_length(5000, "Reasons")])
    public_summary = TextAreaField("Public summary (approvals only)", validators=[max_length(2000, "The public summary")])
    feedback = TextAreaField("Feedback for the applicant (optional)", validators=[max_length(5000, "Feedback")])
    special_conditions = TextAreaField("Special conditions (approvals only, optional)",
                                       validators=[max_length(5000, "Special conditions")])


@_add_schedule_fields
class CorrectionForm(FlaskForm, _ScheduleMixin):
    declaration = BooleanField("I have no interest to declare")
    amount = MoneyField("Amount to award")
    reasons = TextAreaField("Reasons for the correction", validators=[max_length(5000, "Reasons")])
    public_summary = TextAreaField("Public summary", validators=[max_length(2000, "The public summary")])
    special_conditions = TextAreaField("Special conditions (optional)", validators=[max_length(5000, "Special conditions")])


class AcceptOfferForm(FlaskForm):
    signatory_name = StringField("Your full name")
    signatory_position = StringField("Your position in the organisation")
    confirm_terms = BooleanField("I confirm that I am authorised to accept this offer on behalf of the "
                                 "organisation, and that the organisation accepts the terms and conditions "
                                 "in the award letter")
    account_name = StringField("Name on the account")
    sort_code = StringField("Sort code")
    account_number = StringField("Account number")
    statement = FileField("A bank statement or paying-in slip showing these details")


class DeclineOfferForm(FlaskForm):
    signatory_name = StringField("Your full name")
    signatory_position = StringField("Your position in the organisation")
    reason = TextAreaField("Why are you declining the offer? (optional)", validators=[max_length(2000, "Your reason")])


class PaymentForm(FlaskForm):
    amount = MoneyField("Amount paid")
    paid_on = GovDateField("Date paid")
    reference = StringField("Payment reference")
