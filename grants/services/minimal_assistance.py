"""The minimal financial assistance declaration (Subsidy Control Act 2022), for rounds that ask for it.

The applicant declares any other minimal financial assistance (MFA) received in
the current and the two previous financial years: who gave it, in which year,
and how much. A total (with this grant's amount requested) over the legal
threshold is flagged to the screening officer; the award letter carries the
subsidy control statement.
"""
from __future__ import annotations

from .. import clock
from ..models import Application
from ..money import MAX_PENCE, format_pence
from .errors import ValidationFailed
from .sections import MAX_ROWS, Section, clean_text

# Subsidy Control Act 2022, s.36: minimal financial assistance to one enterprise may not exceed £315,000 over the
# current and the two previous financial years (the threshold the Act sets, as amended). Change it here only.
THRESHOLD_PENCE = 315_000 * 100

STATEMENT = (
    "This grant is given as Minimal Financial Assistance under section 36 of the Subsidy Control Act 2022. "
    "Together with any other Minimal Financial Assistance your organisation has received in this financial year "
    f"and the two previous financial years, it must not exceed {format_pence(THRESHOLD_PENCE)}. Please keep this "
    "letter: you may need to show it when you declare Minimal Financial Assistance in the future."
)


def financial_years(today=None) -> list[str]:
    """The current financial year and the two before it, newest first ('2026-27', '2025-26', '2024-25')."""
    today = today or clock.today()
    start = today.year if today.month >= 4 else today.year - 1
    return [clock.financial_year(today.replace(year=start - n, month=4, day=1)) for n in range(3)]


def declared_total(application: Application) -> int:
    declaration = application.minimal_assistance or {}
    return sum(row.get("amount_pence") or 0 for row in declaration.get("rows") or [])


def over_threshold(application: Application) -> bool:
    """Would this grant take the organisation's declared minimal financial assistance over the legal threshold?"""
    if not application.round.minimal_assistance_declaration or application.minimal_assistance is None:
        return False
    return declared_total(application) + (application.amount_requested_pence or 0) > THRESHOLD_PENCE


class MinimalAssistanceSection(Section):
    slug, title, template = "minimal_assistance", "Minimal financial assistance", "minimal_assistance"

    def data(self, a):
        declaration = a.minimal_assistance or {}
        return {"received": declaration.get("received"), "rows": list(declaration.get("rows") or []),
                "total_pence": declared_total(a)}

    def problems(self, a):
        declaration = a.minimal_assistance or {}
        if declaration.get("received") is None:
            return {"received": "Select yes if your organisation has received other minimal financial assistance "
                                "in the last three financial years"}
        if declaration["received"] and not declaration.get("rows"):
            return {"giver_0": "Add who gave the assistance, the financial year and the amount"}
        return {}

    def apply(self, a, values):
        received = values.get("received")
        errors: dict[str, str] = {}
        rows = []
        years = financial_years()
        for i, row in enumerate((values.get("rows") or []) if received else []):
            giver, year, amount = clean_text(row.get("giver")), row.get("financial_year") or None, row.get("amount_pence")
            if giver is None and year is None and amount is None:
                continue
            if giver is None:
                errors[f"giver_{i}"] = f"Enter who gave assistance {i + 1}"
            elif len(giver) > 200:
                errors[f"giver_{i}"] = f"Who gave assistance {i + 1} must be 200 characters or fewer"
            if year not in years:
                errors[f"year_{i}"] = f"Select the financial year of assistance {i + 1}: {', '.join(years)}"
            if amount is None:
                errors[f"amount_{i}"] = f"Enter the amount of assistance {i + 1}, like 12500"
            rows.append({"giver": giver, "financial_year": year, "amount_pence": amount})
        if len(rows) > MAX_ROWS:
            errors["rows"] = f"You can list up to {MAX_ROWS} amounts"
        if not errors and sum(r["amount_pence"] for r in rows) > MAX_PENCE:
            errors["rows"] = "The total must be £10,000,000 or less"
        if errors:
            raise ValidationFailed(errors)
        a.minimal_assistance = None if received is None else {"received": bool(received), "rows": rows}
