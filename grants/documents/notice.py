"""A decision notice as a PDF: the document the OPCC publishes for a funding meeting."""
from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm

from ..models import DecisionNotice
from ..money import format_pence
from ..templating import format_date, format_datetime
from .common import para, render_pdf, spacer, table


def notice_pdf(notice: DecisionNotice) -> bytes:
    """The notice's frozen content; every table splits across pages however many grants it lists."""
    content = notice.content
    budget = content["budget"]
    story = [
        para(f"Decision notice {notice.number}", "h1"),
        para(f"{content['round']}: funding meeting of {format_date(date.fromisoformat(content['held_on']))}"),
        spacer(),
        para("Summary", "h2"),
        para(notice.summary),
    ]
    if notice.supersedes is not None:
        story.append(para(f"This notice corrects and supersedes notice {notice.supersedes.number}."))
    story += [para("Grants awarded", "h2")]
    if content["awards"]:
        story.append(table(
            [["Organisation", "Project", "Amount", "Plan objective", "Area"]] + [
                [a["organisation"], a["project"], format_pence(a["amount_pence"]), "; ".join(a["objectives"]),
                 "; ".join(a["areas"])] for a in content["awards"]],
            col_widths=[40 * mm, 44 * mm, 22 * mm, 40 * mm, 28 * mm]))
        story.append(para(f"Total awarded: {format_pence(content['total_awarded_pence'])}"))
    else:
        story.append(para("No grants were awarded at this meeting."))
    story += [para("Applications not funded", "h2")]
    if content["declined"]:
        story.append(table([["Organisation", "Project"]] +
                           [[d["organisation"], d["project"]] for d in content["declined"]]))
    else:
        story.append(para("None."))
    if content.get("deferred"):
        story += [para("Applications deferred to a later meeting", "h2"),
                  table([["Organisation", "Project"]] + [[d["organisation"], d["project"]] for d in content["deferred"]])]
    story += [
        para("Budget", "h2"),
        table([["Round budget", "Remaining before this meeting", "Remaining after"],
               [format_pence(budget["budget_pence"]), format_pence(budget["remaining_before_pence"]),
                format_pence(budget["remaining_after_pence"])]]),
        para("Legal power", "h2"),
        para(content["legal_power"] or "Not recorded"),
    ]
    if content.get("public_benefit"):
        story.append(para(f"Each grant was made for {content['public_benefit']}."))
    story += [para("Present", "h2"),
              table([["Name", "Capacity"]] + [[p["name"], p["capacity"]] for p in content["attendees"]])]
    story += [para("Declarations of interest", "h2")]
    if content["declarations"]:
        story.append(table([["Name", "Declaration"]] + [[d["name"], d["declaration"]] for d in content["declarations"]]))
    else:
        story.append(para("No interests were declared."))
    story += [
        para("Signed", "h2"),
        para(f"{notice.signed_by_name}, {notice.authority}"),
        para(f"Signed on {format_datetime(notice.signed_at)}"),
    ]
    return render_pdf(story, title=f"Decision notice {notice.number}", footer=f"Decision notice {notice.number}")
