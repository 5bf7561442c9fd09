"""The panel pack: a PDF for the decision meeting.

A title page, the ranked table with the budget line, then a page per
application with its scores, assessors' comments and declarations of interest.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from .. import clock
from ..money import format_pence
from ..services import assessment as assessment_service
from .common import esc, markup, para, render_pdf, spacer, table


def _score(value) -> str:
    return "–" if value is None else f"{value}%"


def panel_pack_pdf(panel: assessment_service.Panel) -> bytes:
    round_ = panel.round
    today = clock.today()
    story = [
        para(f"Panel pack: {round_.title}", "h1"),
        para(f"Prepared {today.day} {today:%B %Y}. Official – for the decision meeting only."),
        spacer(),
        table([
            ["Round budget", "Remaining budget", "Applications ranked", "Pass mark"],
            [format_pence(round_.budget_pence), format_pence(panel.remaining), str(len(panel.rows)),
             f"{panel.pass_mark}%"],
        ], zebra=False),
        spacer(),
        para("Applications are ranked by score (the moderated score where moderation agreed one). The running "
             "total adds up the amounts requested; the budget line shows where the remaining budget runs out. "
             "Scores below the pass mark are marked."),
        PageBreak(),
        para("Ranked applications", "h1"),
    ]
    rows = [["Rank", "Reference", "Organisation and project", "Score", "Requested", "Running total", "Notes"]]
    line_row = None
    for i, row in enumerate(panel.rows, start=1):
        if panel.line_before is not None and i - 1 == panel.line_before:
            line_row = len(rows)
            rows.append(["", "", f"Budget line: the remaining {format_pence(panel.remaining)} runs out here",
                         "", "", "", ""])
        notes = []
        if row.below_pass_mark:
            notes.append("Below pass mark")
        if row.moderation == "needed":
            notes.append("Needs moderation")
        elif row.moderation == "moderated":
            notes.append("Moderated")
        if row.application.status == "deferred":
            notes.append("Deferred")
        if not row.within_budget:
            notes.append("Beyond budget")
        rows.append([str(i), row.application.reference,
                     f"{row.application.organisation.legal_name}: {row.application.title or ''}",
                     _score(row.score), format_pence(row.application.amount_requested_pence),
                     format_pence(row.running_total), "; ".join(notes)])
    if len(rows) == 1:
        rows.append(["", "", "No applications have been assessed yet", "", "", "", ""])
    ranked = table(rows, col_widths=[11 * mm, 27 * mm, 55 * mm, 16 * mm, 20 * mm, 22 * mm, 23 * mm])
    if line_row is not None:
        from reportlab.lib import colors

        ranked.setStyle([("LINEABOVE", (0, line_row), (-1, line_row), 2, colors.HexColor("#d4351c")),
                         ("BACKGROUND", (0, line_row), (-1, line_row), colors.HexColor("#f6d7d2"))])
    story.append(ranked)

    for i, row in enumerate(panel.rows, start=1):
        application = row.application
        summary = assessment_service.score_summary(application)
        story += [
            PageBreak(),
            para(f"{i}. {application.reference}: {application.title or ''}", "h1"),
            table([
                ["Organisation", application.organisation.legal_name],
                ["Amount requested", format_pence(application.amount_requested_pence)],
                ["Objectives", "; ".join(f"{o.number}. {o.name}" for o in application.objectives)],
                ["Areas", "; ".join(a.name for a in application.areas)],
                ["Score", _score(summary["score_percent"])],
                ["Moderated score", _score(summary["moderated_score_percent"])],
                ["Moderation", summary["moderation"]],
            ], header=False, col_widths=[40 * mm, 134 * mm]),
            para("Summary", "h2"),
            para(application.summary),
            para("Scores by criterion", "h2"),
        ]
        names = [a["name"] for a in summary["assessors"]]
        grid = [["Criterion", "Weight"] + names + ["Mean"]]
        for c_index, c in enumerate(summary["criteria"]):
            cells = []
            for a in summary["assessors"]:
                s = a["scores"][c_index]
                cells.append("n/a" if s["not_applicable"] else ("–" if s["value"] is None else str(s["value"])))
            grid.append([c["name"] + (" (assessors differ by 2 or more)" if c["flagged"] else ""),
                         f"{c['weight_percent']}%"] + cells + [c["mean"] or "–"])
        grid.append(["Assessor's score", ""] + [_score(a["percent"]) for a in summary["assessors"]]
                    + [_score(summary["score_percent"])])
        story.append(table(grid))
        story.append(para("Assessors' comments", "h2"))
        for a in summary["assessors"]:
            story.append(markup(f"<b>{esc(a['name'])}</b>"))
            for s in a["scores"]:
                if s["comment"]:
                    story.append(para(f"{s['criterion']}: {s['comment']}", "small"))
        for m in summary["moderations"]:
            story.append(para("Moderation", "h2"))
            story.append(para(f"{m['by']}: {m['note']}" + (f" (moderated score {m['moderated_score_percent']}%)"
                                                           if m["moderated_score_percent"] else "")))
        story.append(para("Declarations of interest", "h2"))
        conflicts = assessment_service.conflicts_for(application)
        if conflicts:
            story.append(table([["Person", "Capacity", "Conflict", "Nature"]] + [
                [d["name"], d["capacity"].replace("_", " "), "Yes" if d["has_conflict"] else "No", d["nature"] or ""]
                for d in conflicts
            ]))
        else:
            story.append(para("None recorded."))
    return render_pdf(story, title=f"Panel pack: {round_.title}", footer=f"Panel pack – {round_.title} – Official")
