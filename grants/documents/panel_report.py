"""The Police and Crime Panel report as a PDF."""
from __future__ import annotations

from ..money import format_pence
from ..services.panel_report import PanelReport
from ..templating import format_date
from .common import para, render_pdf, spacer, table


def panel_report_pdf(report: PanelReport) -> bytes:
    s = report.summary
    story = [
        para("Report to the Police and Crime Panel: community grants", "h1"),
        para(report.period.label),
        spacer(),
        para("Decisions and awards", "h2"),
        table([["Figure", "Value"],
               ["Applications received", s.received], ["Approved", s.approved], ["Declined", s.declined],
               ["Awarded", f"{format_pence(s.awarded_pence)} to {s.awarded_count} projects"],
               ["Decision records made", len(report.records)], ["Decision notices signed", len(report.notices)],
               ["Payments made", f"{report.payments_count}, totalling {format_pence(report.payments_pence)}"],
               ["Returns received", f"{report.returns_count}, totalling {format_pence(report.returns_pence)}"],
               ["People reached (completed grants)", s.people_delivered]]),
        para("Decision notices", "h2"),
    ]
    if report.notices:
        story.append(table([["Notice", "Round", "Signed", "Awarded"]] + [
            [n.number, n.content["round"], format_date(n.signed_at), format_pence(n.content["total_awarded_pence"])]
            for n in report.notices]))
    else:
        story.append(para("No notices were signed in this period."))
    story.append(para("Outcomes reported (completed grants)", "h2"))
    if s.outputs:
        story.append(table([["Output", "Delivered", "Grants"]] +
                           [[o.measure, f"{o.delivered} {o.unit}".strip(), o.grants] for o in s.outputs]))
    else:
        story.append(para("No final reports were signed off in this period."))
    story.append(para("Reports overdue now", "h2"))
    if report.overdue:
        story.append(table([["Grant", "Organisation", "Report", "Due"]] + [
            [r.application.reference, r.application.organisation.legal_name, r.title or r.kind, format_date(r.due_on)]
            for r in report.overdue]))
    else:
        story.append(para("No reports are overdue."))
    return render_pdf(story, title="Police and Crime Panel report", footer=f"Panel report, {report.period.label}")

