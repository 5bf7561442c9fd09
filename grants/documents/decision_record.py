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


def _percent(value) -> str:
    return "" if value in (None, "") else f"{value}%"


def _scores_story(scores: dict) -> list:
    """The assessment as score_summary() froze it: overall, per criterion, per assessor."""
    story = [para("Assessment scores", "h2")]
    if not scores or not scores.get("assessors"):
        return story + [para("No scores were recorded.")]
    story.append(table([
        ["", ""],
        ["Weighted score", _percent(scores.get("score_percent"))],
        ["Moderated score", _percent(scores.get("moderated_score_percent")) or "Not moderated"],
        ["Pass mark", _percent(scores.get("pass_mark_percent"))],
        ["Flagged for moderation", "Yes" if scores.get("needs_moderation") else "No"],
    ], col_widths=[50 * mm, 124 * mm], header=False))
    story.append(spacer(3))
    story.append(table([["Criterion", "Weight", "Mean (0-5)", "Spread"]] + [
        [c["name"], f"{c['weight_percent']}%", _flat(c.get("mean")), _flat(c.get("spread"))]
        for c in scores.get("criteria", [])
    ], col_widths=[94 * mm, 25 * mm, 30 * mm, 25 * mm]))
    for assessor in scores["assessors"]:
        story.append(para(f"{assessor['name']}: {_percent(assessor.get('percent'))}", "h2"))
        story.append(table([["Criterion", "Score", "Comment"]] + [
            [s["criterion"], "n/a" if s.get("not_applicable") else _flat(s.get("value")), _flat(s.get("comment"))]
            for s in assessor.get("scores", [])
        ], col_widths=[60 * mm, 20 * mm, 94 * mm]))
    for moderation in scores.get("moderations", []):
        story.append(para(f"Moderation by {moderation['by']}: {_percent(moderation.get('moderated_score_percent'))}"
                          f" {moderation['note']}"))
    return story


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
            ["Legal power", application.round.fund.legal_power or "Not recorded"],
            ["Date and time", format_datetime(record.decided_at)],
            ["Declaration of interest", record.declaration_of_interest],
            ["Supersedes", record.supersedes.number if record.supersedes else "None"],
        ], col_widths=[50 * mm, 124 * mm], header=False),
        para("Reasons (internal)", "h2"),
        para(record.reasons),
    ]
    if record.public_summary:
        story += [para("Public summary", "h2"), para(record.public_summary)]
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
    story += _scores_story(record.scores or {})
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
