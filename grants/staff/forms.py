"""Forms for setting up funds and rounds. Format is checked here; the rules live in services/rounds.py."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField

from ..forms import GovDateField, MoneyField, WholeNumberField, max_length
from ..models import ORG_TYPE_LABELS
from ..services.reporting_schedule import INTERIM_RULES

ORG_TYPE_CHOICES = [(t.value, label) for t, label in ORG_TYPE_LABELS.items()]


class FundForm(FlaskForm):
    name = StringField("Name", validators=[max_length(200, "Name")])
    code = StringField("Short code", description="Capital letters used in references, like CSF or PPAF",
                       validators=[max_length(10, "The short code")])
    description = TextAreaField("Description for applicants", validators=[max_length(5000, "The description")])
    legal_power = TextAreaField("Legal power", validators=[max_length(1000, "The legal power")],
                                description="The law the fund pays grants under, printed on award letters and "
                                            "decision records, like Section 9 of the Police Reform and Social "
                                            "Responsibility Act 2011 (crime and disorder reduction grants)")
    public_benefit = StringField("Public benefit", validators=[max_length(200, "The public benefit")],
                                 description="What the fund's grants serve, as the public register says it: "
                                             "crime and disorder reduction, or charitable purposes")
    ledger_code = StringField("Ledger code", validators=[max_length(30, "The ledger code")],
                              description="The finance system's ledger code for this fund's grants (on payment runs)")
    cost_centre = StringField("Cost centre", validators=[max_length(30, "The cost centre")],
                              description="The finance system's cost centre for this fund's grants (on payment runs)")
    open_for_new_rounds = BooleanField("Open for new rounds",
                                       description="Untick to retire the fund: its rounds and applications stay")


class RoundForm(FlaskForm):
    """Every setting of a round. Field names are RoundSettings' names, so the service's refusals land beside them."""

    fund_id = SelectField("Fund", coerce=int, validate_choice=False)
    name = StringField("Name", validators=[max_length(200, "The name")])
    financial_year = StringField("Financial year", description="The two years it spans, like 2026-27")
    opens_on = GovDateField("Opening date")
    closes_on = GovDateField("Closing date")
    guidance = TextAreaField("Guidance for applicants", validators=[max_length(10000, "The guidance")])
    budget_pence = MoneyField("Budget")
    min_award_pence = MoneyField("Smallest award")
    max_award_pence = MoneyField("Largest award")
    delegated_limit_pence = MoneyField("Delegated limit", allow_zero=True,
                                       description="Awards up to this may be decided by the Chief Executive; "
                                                   "above it only by the Police and Crime Commissioner")
    full_payment_threshold_pence = MoneyField("Full-payment threshold", allow_zero=True,
                                              description="Awards up to this are paid in full on acceptance; "
                                                          "larger ones in two halves")
    offer_acceptance_days = WholeNumberField("Days to accept an offer")
    min_assessors_above_limit = WholeNumberField("Assessors needed above the delegated limit")
    min_assessors_within_limit = WholeNumberField("Assessors needed up to the delegated limit")
    pass_mark_percent = WholeNumberField("Pass mark (%)")
    objective_ids = SelectMultipleField("Plan objectives the round supports", coerce=int, validate_choice=False)
    area_ids = SelectMultipleField("Areas the round serves", coerce=int, validate_choice=False)
    allowed_org_types = SelectMultipleField("Organisations that may apply", choices=ORG_TYPE_CHOICES,
                                            validate_choice=False)
    reason = TextAreaField("Reason for the change", validators=[max_length(2000, "The reason")],
                           description="Needed when the budget goes down")
    # Eligibility rules (services/eligibility.py)
    max_live_applications = WholeNumberField("Most live applications from one organisation")
    refuse_overdue_reports = BooleanField("Refuse organisations with an overdue monitoring report")
    minimal_assistance_declaration = BooleanField("Ask for a minimal financial assistance declaration")
    # The reporting schedule; fixed-date returns are rows added by round_form_class.
    returns = 0
    final_report_months_after_end = WholeNumberField("Months after the project ends that the final report is due")
    interim_report_rule = RadioField("When do grants send an interim report?", choices=list(INTERIM_RULES.items()),
                                     validate_choice=False)
    interim_report_threshold_pence = MoneyField("Interim report for awards above", allow_zero=True)

    def fixed_return_rows(self) -> list[tuple[str, object]]:
        """The fixed-date returns typed, as (title, due date) pairs, row n as the service numbers it."""
        return [(self[f"fixed_returns-{n}-title"].data or "", self[f"fixed_returns-{n}-due_on"].data)
                for n in range(self.returns)]


def round_form_class(returns: int) -> type[RoundForm]:
    """The round form with `returns` rows of fixed-date returns (named as the service names their errors), so
    rows are added and removed without JavaScript."""
    fields: dict[str, object] = {"returns": returns}
    for n in range(returns):
        fields[f"fixed_returns-{n}-title"] = StringField(f"Return {n + 1}: name",
                                                         validators=[max_length(200, f"Return {n + 1}'s name")])
        fields[f"fixed_returns-{n}-due_on"] = GovDateField(f"Return {n + 1}: due date")
    return type("RoundForm", (RoundForm,), fields)


class CopyRoundForm(FlaskForm):
    name = StringField("Name of the new round", validators=[max_length(200, "The name")])


class CloseRoundForm(FlaskForm):
    reason = TextAreaField("Why is the round closing early?", validators=[max_length(2000, "The reason")],
                           description="Organisations with draft applications are emailed this reason")
