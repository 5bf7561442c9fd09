"""The pages the benchmark loads: URL templates (per the brief's URL contracts) and who signs in.

Placeholders are filled from the generated dataset: {application_id} (an awarded
application with a decision record), {round_id} (CSF 2026-27, the current round),
{record_id} (that application's decision record), {year} (the current financial
year). Every page must answer 200 before it is loaded, or the run fails.
"""
from __future__ import annotations

from dataclasses import dataclass

APPLICANT = "applicant@example.org"  # the demo group: its applications span all ten years
OFFICER = "officer@example.org"
DECISION_MAKER = "ceo@example.org"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: str | None  # demo account's email, or None for the public
    users: int = 16  # concurrent users


PAGES: list[Page] = [
    Page("Applicant dashboard", "/apply/", APPLICANT),
    Page("Staff application list (filtered)", "/staff/applications?fund=CSF&status=funded&round={round_id}", OFFICER),
    Page("Staff application list (unfiltered)", "/staff/applications", OFFICER),
    Page("Staff application page", "/staff/applications/{application_id}", OFFICER),
    Page("Staff search", "/staff/search?q=allotment", OFFICER),
    Page("Decision record page", "/decisions/records/{record_id}", OFFICER),
    Page("Panel view", "/assessment/panels/{round_id}", DECISION_MAKER),
    Page("Fund summary", "/reports/summary?fund=CSF&year={year}", OFFICER),
    Page("Public register", "/grants", None),
]

# Names of the pages whose throughput target is a share of the ceiling's.
SHARE_TARGET_PAGES = ("Applicant dashboard", "Staff application list")

EXPORT_URL = "/open-data/360giving.json"
CEILING_NAME = "Ceiling: minimal Flask + SQLAlchemy, one indexed query"
