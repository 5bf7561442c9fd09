"""The period chooser on the fund summary: a GET form, so figures have a shareable address."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from ..forms import GovDateField
from ..services.periods import QUARTER_NAMES


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # read-only GET form

    fund = SelectField("Fund", validate_choice=False)
    year = SelectField("Financial year", validate_choice=False)
    quarter = SelectField("Quarter", validate_choice=False, choices=[("", "The whole year")] + [
        (str(n), f"Q{n}: {name}") for n, name in QUARTER_NAMES.items()])
    start = GovDateField("From")
    end = GovDateField("To")

    def dates_given(self) -> bool:
        return any(self.start.parts.values()) or any(self.end.parts.values())
