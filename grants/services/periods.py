"""The period a set of figures covers: a financial year, a quarter, any date range, or all years.

One Period object is what every figures function takes (the fund summary, the
organisation history, and later the Police and Crime Panel report), so a
period means the same thing everywhere:

* a financial year (1 April to 31 March) counts the rounds of that year, the
  way annual reports quote a fund's year ("2017-18: £140,000 to 36 projects");
* a quarter (Q1 April-June, Q2 July-September, Q3 October-December, Q4
  January-March) or a from-to date range counts by date, UK time: each
  application on its decision date if decided, else the date it was
  submitted; report figures on the date the report was signed off;
* all years counts everything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .. import clock
from .errors import ValidationFailed

ALL, YEAR, QUARTER, RANGE = "all", "year", "quarter", "range"
QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}
QUARTER_NAMES = {1: "April to June", 2: "July to September", 3: "October to December", 4: "January to March"}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def is_financial_year(label: str) -> bool:
    """'2026-27' is; '2026-28', '2026/27' and '26-27' are not."""
    return (len(label) == 7 and label[:4].isdigit() and label[4] == "-" and label[5:].isdigit()
            and int(label[5:]) == (int(label[:4]) + 1) % 100)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date | None = None  # first day, inclusive (UK date)
    end: date | None = None  # last day, inclusive (UK date)
    year: str | None = None  # "2026-27" for a financial year or a quarter
    quarter: int | None = None

    # --- Making one -------------------------------------------------------------

    @classmethod
    def all_years(cls) -> Period:
        return cls(ALL)

    @classmethod
    def financial_year(cls, label: str) -> Period:
        if not is_financial_year(label):
            raise ValidationFailed({"year": "Enter a financial year like 2026-27"})
        start, end = clock.financial_year_bounds(label)
        return cls(YEAR, start, end, label)

    @classmethod
    def of_quarter(cls, label: str, quarter: int) -> Period:
        if not is_financial_year(label):
            raise ValidationFailed({"year": "Enter a financial year like 2026-27"})
        if quarter not in QUARTER_MONTHS:
            raise ValidationFailed({"quarter": "Choose a quarter from 1 to 4"})
        first, last = QUARTER_MONTHS[quarter]
        year = int(label[:4]) + (1 if quarter == 4 else 0)
        end = (date(year + (last == 12), last % 12 + 1, 1)) - timedelta(days=1)
        return cls(QUARTER, date(year, first, 1), end, label, quarter)

    @classmethod
    def between(cls, start: date | None, end: date | None) -> Period:
        errors = {}
        if start is None:
            errors["start"] = "Enter the first day of the period"
        if end is None:
            errors["end"] = "Enter the last day of the period"
        if not errors and end < start:
            errors["end"] = "The last day must be the same as or after the first day"
        if errors:
            raise ValidationFailed(errors)
        return cls(RANGE, start, end)

    # --- Using one ---------------------------------------------------------------

    @property
    def by_round_year(self) -> bool:
        """True when the period picks rounds by financial year (or all rounds) rather than dates."""
        return self.kind in (ALL, YEAR)

    @property
    def is_date_range(self) -> bool:
        """A from-to range of dates (not a year, a quarter or all years)."""
        return self.kind == RANGE

    @property
    def label(self) -> str:
        if self.kind == ALL:
            return "all years"
        if self.kind == YEAR:
            return self.year
        if self.kind == QUARTER:
            return f"Q{self.quarter} {self.year} ({QUARTER_NAMES[self.quarter]} {self.end.year})"
        return f"{_long(self.start)} to {_long(self.end)}"

    @property
    def slug(self) -> str:
        if self.kind == ALL:
            return "all-years"
        if self.kind == YEAR:
            return self.year
        if self.kind == QUARTER:
            return f"{self.year}-q{self.quarter}"
        return f"{self.start:%Y-%m-%d}-to-{self.end:%Y-%m-%d}"

    def query_args(self) -> dict:
        """The summary page's query parameters that choose this period."""
        if self.kind == ALL:
            return {"year": "all"}
        if self.kind == YEAR:
            return {"year": self.year}
        if self.kind == QUARTER:
            return {"year": self.year, "quarter": str(self.quarter)}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def utc_bounds(self) -> tuple[datetime, datetime] | None:
        """[start, end) as aware UTC instants: UK midnight at the start, UK midnight after the last day."""
        if self.start is None or self.end is None:
            return None
        return (datetime.combine(self.start, time(), tzinfo=clock.LONDON),
                datetime.combine(self.end + timedelta(days=1), time(), tzinfo=clock.LONDON))

    def contains(self, day: date) -> bool:
        return self.kind == ALL or (self.start <= day <= self.end)


def from_query(args, *, default_year: str | None) -> Period:
    """?year=2026-27 [&quarter=1-4] | ?year=all | ?from=YYYY-MM-DD&to=YYYY-MM-DD (blank year: default_year)."""
    start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if start or end:
        try:
            first = date.fromisoformat(start) if start else None
        except ValueError:
            raise ValidationFailed({"start": "Enter the first day as a real date"}) from None
        try:
            last = date.fromisoformat(end) if end else None
        except ValueError:
            raise ValidationFailed({"end": "Enter the last day as a real date"}) from None
        return Period.between(first, last)
    year = (args.get("year") or "").strip()
    if year == "all" or (not year and default_year is None):
        return Period.all_years()
    year = year or default_year
    quarter = (args.get("quarter") or "").strip()
    if quarter:
        if not quarter.isdigit():
            raise ValidationFailed({"quarter": "Choose a quarter from 1 to 4"})
        return Period.of_quarter(year, int(quarter))
    return Period.financial_year(year)
