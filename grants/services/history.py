"""History in plain English: what each audit event is called, and a timeline grouped by day in UK time.

The audit trail stores machine names ("application.section_saved"); people read
"Section saved: Budget". Unknown names fall back to the machine name made readable,
so a new kind of event is never hidden.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from .. import clock

# Status changes (services.workflow transitions), in the past tense.
TRANSITION_NAMES = {
    "submit": "Application submitted",
    "request_more_info": "More information asked for",
    "resubmit": "Requested information sent",
    "mark_ineligible": "Closed as ineligible",
    "pass_screening": "Passed eligibility screening",
    "complete_assessment": "All assessments in",
    "approve": "Approved: offer made",
    "decline": "Declined",
    "defer": "Decision deferred",
    "reconsider": "Deferred application brought back for decision",
    "accept_offer": "Offer accepted",
    "decline_offer": "Offer declined",
    "lapse_offer": "Offer lapsed (not accepted in time)",
    "complete": "Grant closed as completed",
    "withdraw": "Application withdrawn",
}

EVENT_NAMES = {
    "application.started": "Application started",
    "application.section_saved": "Section saved",
    "application.award_corrected": "Award corrected",
    "attachment.uploaded": "Document uploaded",
    "attachment.removed": "Document removed",
    "more_info.requested": "More information asked for",
    "screening.recorded": "Eligibility screening recorded",
    "assessment.assigned": "Assessor assigned",
    "assessment.conflict_declared": "Conflict of interest declared",
    "conflict.declared": "Conflict of interest declared",
    "assessment.submitted": "Scores submitted",
    "assessment.moderated": "Scores moderated",
    "decision_record.created": "Decision record made",
    "letter.issued": "Letter issued",
    "offer.accepted": "Offer accepted",
    "offer.declined": "Offer declined",
    "payment.instalment_released": "Instalment released for payment",
    "payment.recorded": "Payment recorded",
    "return.raised": "Return (clawback) raised",
    "return.received": "Return received",
    "report.scheduled": "Reports scheduled",
    "report.rescheduled": "Reports rescheduled",
    "report.saved": "Report saved",
    "report.submitted": "Report submitted",
    "report.returned": "Report returned with questions",
    "report.signed_off": "Report signed off",
    "report.reminder_sent": "Report reminder sent",
    "output.mapped": "Outputs counted under standard measures",
    "grant.imported": "Historic grant imported",
    "note.added": "Staff note added",
    "message.sent": "Message sent",
    "export.decision_pack": "Decision pack downloaded",
}


def event_name(action: str, details: dict | None = None) -> str:
    """The plain-English name of an audit event; a saved section names the section when the details are readable."""
    from .applications import SECTION_TITLES

    kind, _, name = action.partition(".")
    if kind == "application" and name in TRANSITION_NAMES:
        return TRANSITION_NAMES[name]
    text = EVENT_NAMES.get(action) or action.replace(".", ": ").replace("_", " ").capitalize()
    section = (details or {}).get("section")
    if action == "application.section_saved" and section:
        text += f": {SECTION_TITLES.get(section, section)}"
    return text


@dataclass(frozen=True)
class Day:
    day: date  # in UK time
    items: list[Any]


def by_uk_day(items: Iterable[Any], when=lambda item: item["when"]) -> list[Day]:
    """Group timeline items (already in order) by the UK calendar day they happened on."""
    days: list[Day] = []
    for item in items:
        moment = when(item)
        if isinstance(moment, datetime):
            key = moment.astimezone(clock.LONDON).date()
        else:
            key = moment
        if not days or days[-1].day != key:
            days.append(Day(key, []))
        days[-1].items.append(item)
    return days
