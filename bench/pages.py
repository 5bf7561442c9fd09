"""The pages the benchmark loads: URL templates (per the brief's URL contracts) and who signs in.

Placeholders are filled from the generated dataset: {application_id} (one of
the demo applicant's applications), {round_id} (CSF 2026-27), {record_id}.
A page whose first request answers 404 is reported as "not available".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: str | None  # demo account's email, or None for the public
    users: int = 16  # concurrent users


PAGES: list[Page] = [
    Page("Start page (public)", "/", None),
    Page("Applicant dashboard", "/apply/", "applicant@example.org"),
    Page("Staff application list (filtered)", "/staff/applications?fund=CSF&status=completed&round={round_id}",
         "officer@example.org"),
    Page("Staff application list (unfiltered)", "/staff/applications", "officer@example.org"),
    Page("Application page", "/staff/applications/{application_id}", "officer@example.org"),
    Page("Panel view", "/assessment/panels/{round_id}", "officer@example.org"),
    Page("Fund summary", "/reports/summary?fund=CSF&year=2026-27", "officer@example.org"),
    Page("Public register", "/grants", None),
    Page("Decision record PDF", "/decisions/records/{record_id}.pdf", "officer@example.org"),
    # Whole-file exports: fewer users, since each request streams every grant.
    Page("360Giving export (JSON)", "/open-data/360giving.json", None, users=2),
]

EXPORT_URL = "/open-data/360giving.json"
CEILING_NAME = "Ceiling: minimal Flask + SQLAlchemy, one indexed query"
