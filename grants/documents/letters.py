"""Award and decline letters (A4 PDF on the OPCC letterhead).

A letter is rendered only from the decision record and the application, and
its PDF dates are fixed to the decision time, so the same inputs always give
the same bytes: the stored copy (with its SHA-256) can be shown to reproduce.
"""
from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm

from ..money import format_pence
from ..models import DecisionRecord
from ..services import minimal_assistance, reporting_schedule, settings
from ..services.settings import terms_lines
from ..templating import format_date, link
from .common import markup, para, render_pdf, spacer, table

# Letters issued before the OPCC's details and terms were settings were printed with these.
LEGACY_LETTERHEAD = {"name": "Office of the Police and Crime Commissioner for Cleveland",
                     "address": "Cleveland Community Safety Hub\n1 Cliffland Way, Hemlington\nMiddlesbrough TS8 9GL"}

TRIGGER_WORDS = {
    "on_acceptance": "When you accept this offer",
    "after_interim_report": "After we sign off your interim report",
    "after_final_report": "After we sign off your final report",
}


def _address_block(application) -> list:
    org = application.organisation
    lines = [org.legal_name, org.address_line_1, org.address_line_2, org.town, org.postcode]
    return [para("\n".join(line for line in lines if line))]


def _heading_block(record: DecisionRecord, title: str) -> list:
    application = record.application
    return [
        para(f"Date: {format_date(record.decided_at)}", "right"),
        para(f"Our reference: {record.number}", "right"),
        para(f"Application: {application.reference}", "right"),
        spacer(4),
        *_address_block(application),
        spacer(6),
        para(title, "h1"),
        para(f"Dear {application.organisation.contact_name},"),
        spacer(2),
    ]


def _signature(record: DecisionRecord, letterhead: dict) -> list:
    """Signed by the OPCC's letter signatory when one is set, otherwise by the decision maker."""
    name, title = letterhead.get("signatory_name"), letterhead.get("signatory_title")
    if not (name and title):
        name, title = record.decided_by_name, record.authority
    return [spacer(6), para("Yours sincerely,"), spacer(8), para(name), para(title), para(letterhead["name"])]


def award_letter_story(record: DecisionRecord, *, letterhead: dict, terms: str, reports: list[dict]) -> list:
    application = record.application
    awarded = record.amount_awarded_pence or 0
    story = _heading_block(record, "Offer of a grant")
    story += [
        para(f"I am pleased to tell you that {application.organisation.legal_name} has been offered a grant of "
             f"{format_pence(awarded, always_pence=True)} from the {application.round.fund.name} towards your "
             f"project \u201c{application.title}\u201d. This offer is made on the terms in this letter."),
        *([para(f"The grant is made under {application.round.fund.legal_power}.")]
          if application.round.fund.legal_power else []),
        para("Your project", "h2"),
        table([
            ["", ""],
            ["Project", application.title or ""],
            ["Project dates", f"{format_date(application.start_date)} to {format_date(application.end_date)}"],
            ["Amount requested", format_pence(record.amount_requested_pence, always_pence=True)],
            ["Amount awarded", format_pence(awarded, always_pence=True)],
            ["Decision record", record.number],
        ], col_widths=[50 * mm, 124 * mm], header=False),
        para("Payment schedule", "h2"),
        table([["Instalment", "When it is paid", "Amount"]] + [
            [str(i), TRIGGER_WORDS.get(row["trigger"], row["trigger"]),
             format_pence(row["amount_pence"], always_pence=True)]
            for i, row in enumerate(record.payment_schedule, start=1)
        ], col_widths=[25 * mm, 109 * mm, 40 * mm]),
        para("We pay by bank transfer to your organisation's account. We will not pay anything before you "
             "accept this offer.", "small"),
        para("Monitoring requirements", "h2"),
        para("You must tell us what the grant achieved, against the outputs in your application, how the money "
             "was spent, and how many people benefited, with evidence. Please send these reports online by the "
             "dates below:"),
    ]
    if reports:
        story.append(table([["Report", "Due by"]] + [
            [r["title"], format_date(date.fromisoformat(r["due_on"]))] for r in reports
        ], col_widths=[90 * mm, 84 * mm]))
    if application.round.minimal_assistance_declaration:
        story += [para("Subsidy control", "h2"), para(minimal_assistance.STATEMENT)]
    if record.special_conditions:
        story += [para("Special conditions", "h2"),
                  para("This offer is also subject to these conditions:"), para(record.special_conditions)]
    story.append(para("Standard terms", "h2"))
    for number, term in enumerate(terms_lines(terms), start=1):
        story.append(para(f"{number}. {term}"))
    expires = format_date(application.offer_expires_on)
    story += [
        para("How to accept", "h2"),
        para(f"Your organisation's authorised signatory must accept this offer online by {expires} "
             f"({application.round.offer_acceptance_days} days from the date of the offer) at:"),
        para(link("decisions.offer", application_id=application.id)),
        para("They will type their name and position and confirm that your organisation accepts these terms. "
             f"If the offer is not accepted by {expires} it will lapse and the money will be offered to other "
             "projects. You can also decline the offer at the same address."),
    ]
    return story + _signature(record, letterhead)


def decline_letter_story(record: DecisionRecord, *, letterhead: dict) -> list:
    application = record.application
    story = _heading_block(record, "Decision on your application")
    story += [
        para(f"Thank you for applying to the {application.round.fund.name} for your project "
             f"\u201c{application.title}\u201d. We are sorry to tell you that we are not able to fund it."),
        para("Why we could not fund it", "h2"),
        para(record.reasons),
    ]
    if record.feedback:
        story += [para("Feedback on your application", "h2"), para(record.feedback)]
    story += [
        para("What you can do next", "h2"),
        para("You are welcome to apply to a future round. If you would like to talk about this decision, contact "
             f"the grants team quoting reference {record.number}."),
    ]
    return story + _signature(record, letterhead)


def award_reports(record: DecisionRecord) -> list[dict]:
    """The reports an award letter lists: the reporting schedule's, for this award, dates and instalments."""
    application = record.application
    schedule = reporting_schedule.schedule_for(
        application.round, award_pence=record.amount_awarded_pence or 0, start_date=application.start_date,
        end_date=application.end_date, instalments=record.payment_schedule)
    return [{"title": r.title, "due_on": r.due_on.isoformat()} for r in schedule.reports]


def render_letter(record: DecisionRecord, *, kind: str, letterhead: dict | None = None,
                  terms: str | None = None, reports: list[dict] | None = None) -> bytes:
    """The letter's PDF bytes; identical for identical inputs.

    `letterhead` (the OPCC's details), `terms` (the standard terms' text) and
    `reports` (award_reports) are those the letter is sent with; without them,
    the current settings and schedule.
    """
    if letterhead is None:
        letterhead = settings.details().as_dict()
    if kind == "award":
        story = award_letter_story(record, letterhead=letterhead,
                                   terms=settings.current_terms_text() if terms is None else terms,
                                   reports=award_reports(record) if reports is None else reports)
        title = f"Grant offer {record.number}"
    elif kind == "decline":
        story, title = decline_letter_story(record, letterhead=letterhead), f"Decision {record.number}"
    else:
        raise ValueError(f"unknown letter kind {kind!r}")
    # render_pdf without `created` runs reportlab in invariant mode (fixed internal dates and
    # document id), so the same record always gives byte-identical letters.
    return render_pdf(story, title=title, footer=f"Reference {record.number}", letterhead=letterhead)


def award_letter_pdf(record: DecisionRecord) -> bytes:
    return render_letter(record, kind="award")


def decline_letter_pdf(record: DecisionRecord) -> bytes:
    return render_letter(record, kind="decline")


__all__ = ["render_letter", "award_letter_pdf", "decline_letter_pdf", "LEGACY_LETTERHEAD", "markup"]
