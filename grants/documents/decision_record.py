"""The decision record as a PDF, for signing off, filing and audit."""
from __future__ import annotations

import json

from reportlab.lib.units import mm

from ..models import DecisionRecord
from ..money import format_pence
from ..templating import format_datetime
from .common import para, render_pdf, spacer, table

OUTCOME_WORDS = {
    "approve_full": "Approved in full",
    "approve_reduced": "Approved (reduced amount)",
    "decline": "Declined",
    "defer": "Deferred",
}
TRIGGER_WORDS = {
    "on_acceptance": "On acceptance",
    "after_interim_report": "After the interim report",
    "after_final_report": "After the final report",
}


def _flat(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def decision_record_pdf(record: DecisionRecord) -> bytes:
    """The full record: every field an auditor needs, and its content hash."""
    application = record.application
    story = [
        para(f"Decision record {record.number}", "h1"),
        table([
            ["", ""],
            ["Application", f"{application.reference}: {application.title or ''}"],
            ["Organisation", record.organisation_name],
            ["Fund and round", application.round.title],
            ["Decision", OUTCOME_WORDS.get(record.outcome, record.outcome)],
            ["Amount requested", format_pence(record.amount_requested_pence, always_pence=True)],
            ["Amount awarded", format_pence(record.amount_awarded_pence, always_pence=True)
             if record.amount_awarded_pence is not None else "None"],
            ["Decided by", record.decided_by_name],
            ["Authority", record.authority],
            ["Date and time", format_datetime(record.decided_at)],
            ["Declaration of interest", record.declaration_of_interest],
            ["Supersedes", record.supersedes.number if record.supersedes else "None"],
        ], col_widths=[50 * mm, 124 * mm], header=False),
        para("Reasons", "h2"),
        para(record.reasons),
    ]
    if record.feedback:
        story += [para("Feedback for the applicant", "h2"), para(record.feedback)]
    if record.special_conditions:
        story += [para("Special conditions", "h2"), para(record.special_conditions)]
    if record.payment_schedule:
        story += [para("Payment schedule", "h2"), table(
            [["Instalment", "When", "Amount"]] + [
                [str(i), TRIGGER_WORDS.get(r["trigger"], r["trigger"]), format_pence(r["amount_pence"], always_pence=True)]
                for i, r in enumerate(record.payment_schedule, start=1)
            ], col_widths=[25 * mm, 109 * mm, 40 * mm])]
    story.append(para("Assessment scores", "h2"))
    if record.scores:
        story.append(table([["Item", "Value"]] + [[k, _flat(v)] for k, v in sorted(record.scores.items())],
                           col_widths=[50 * mm, 124 * mm]))
    else:
        story.append(para("No scores were recorded."))
    story.append(para("Conflicts of interest declared", "h2"))
    if record.conflicts:
        rows = [["Who", "Capacity", "Conflict", "Nature"]]
        for c in record.conflicts:
            rows.append([_flat(c.get("name")), _flat(c.get("capacity")),
                         "Yes" if c.get("has_conflict") else "No", _flat(c.get("nature"))])
        story.append(table(rows, col_widths=[45 * mm, 30 * mm, 20 * mm, 79 * mm]))
    else:
        story.append(para("No declarations were recorded."))
    story += [spacer(6), para(f"Content hash (SHA-256): {record.content_hash}", "small")]
    return render_pdf(story, title=f"Decision record {record.number}", footer=f"Decision record {record.number}")
