"""Forms for monitoring reports, reviews, returns and variations."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import GovDateField, MoneyField, WholeNumberField, max_length
from ..models import Application
from ..services.monitoring import EQUALITY_GROUPS, EXTEND_END_DATE, MOVE_BUDGET, VARIATION_LABELS


class BaseReportForm(FlaskForm):
    beneficiaries_reached = WholeNumberField("How many people did the project reach?")
    went_well = TextAreaField("What went well?", validators=[max_length(5000, "What went well")])
    did_not_go_well = TextAreaField("What did not go well, and what would you change?",
                                    validators=[max_length(5000, "What did not go well")])
    case_study = TextAreaField("Case study", validators=[max_length(5000, "The case study")])
    applicant_response = TextAreaField("Your answer to our questions",
                                       validators=[max_length(5000, "Your answer")])


def report_form_class(application: Application) -> type[BaseReportForm]:
    """A report form with one figure per planned output and one amount per budget line."""
    fields = {}
    for output in application.planned_outputs:
        fields[f"actual_{output.id}"] = WholeNumberField(output.measure)
    for line in application.budget_lines:
        fields[f"spend_{line.id}"] = MoneyField(line.item, allow_zero=True)
    for group, (_, options) in EQUALITY_GROUPS.items():
        for key, label in options:
            fields[f"eq_{group}_{key}"] = WholeNumberField(label)
    return type("ReportForm", (BaseReportForm,), fields)


def report_form_data(report) -> dict:
    """The saved report as form data, to fill the form on a GET."""
    data = {
        "beneficiaries_reached": report.beneficiaries_reached,
        "went_well": report.went_well,
        "did_not_go_well": report.did_not_go_well,
        "case_study": report.case_study,
        "applicant_response": report.applicant_response,
    }
    for actual in report.output_actuals:
        data[f"actual_{actual.planned_output_id}"] = actual.actual
    for spend in report.spend_lines:
        data[f"spend_{spend.budget_line_id}"] = spend.spent_pence
    for group, counts in (report.equality_monitoring or {}).items():
        for key, count in counts.items():
            data[f"eq_{group}_{key}"] = count
    return data


class EvidenceForm(FlaskForm):
    file = FileField("Upload a file")


class SubmitReportForm(FlaskForm):
    pass


class ReturnReportForm(FlaskForm):
    questions = TextAreaField("Questions for the applicant",
                              validators=[InputRequired("Enter the questions for the applicant"),
                                          max_length(5000, "The questions")])


class SignOffForm(FlaskForm):
    pass


class RaiseReturnForm(FlaskForm):
    amount = MoneyField("Amount to be returned", validators=[InputRequired("Enter the amount to be returned")])
    reason = TextAreaField("Why is the money being returned?",
                           validators=[InputRequired("Enter why the money is being returned"),
                                       max_length(2000, "The reason")])


class ReturnReceivedForm(FlaskForm):
    received_on = GovDateField("Date received")
    reference = StringField("Payment reference", validators=[InputRequired("Enter the payment reference"),
                                                              max_length(100, "The reference")])


class VariationForm(FlaskForm):
    kind = RadioField("What do you want to change?", choices=list(VARIATION_LABELS.items()),
                      validators=[InputRequired("Choose what you want to change")])
    new_end_date = GovDateField("New end date")
    from_line = SelectField("Move money from", coerce=int, validate_choice=False)
    to_line = SelectField("Move money to", coerce=int, validate_choice=False)
    amount = MoneyField("Amount to move")
    reason = TextAreaField("Why is the change needed?",
                           validators=[InputRequired("Enter why the change is needed"), max_length(2000, "The reason")])

    def set_lines(self, application: Application) -> None:
        choices = [(0, "Choose a budget line")] + [(b.id, b.item) for b in application.budget_lines]
        self.from_line.choices = choices
        self.to_line.choices = choices

    def service_details(self) -> dict:
        if self.kind.data == EXTEND_END_DATE:
            return {"new_end_date": self.new_end_date.data}
        if self.kind.data == MOVE_BUDGET:
            return {"from_line_id": self.from_line.data or None, "to_line_id": self.to_line.data or None,
                    "amount_pence": self.amount.data}
        return {}


class DecideVariationForm(FlaskForm):
    decision = RadioField("Decision", choices=[("approve", "Approve the change"), ("reject", "Refuse the change")],
                          validators=[InputRequired("Choose whether to approve or refuse the change")])
    note = TextAreaField("Note to the organisation", validators=[max_length(2000, "The note")])
