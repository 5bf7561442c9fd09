"""The fund summary as a PDF report: figures, split charts and their tables.

Charts are drawn with reportlab.graphics in black and greys with the value
printed at each bar, so they read in print without colour; every chart is
followed by a table of the same figures.
"""
from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from .. import clock
from ..money import format_pence
from ..services.summaries import SplitRow, Summary
from .common import markup, para, render_pdf, spacer, table

CHART_WIDTH = 174 * mm


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "\u2026"


def split_chart(title: str, rows: list[SplitRow]) -> Drawing:
    """A horizontal bar chart of amount awarded per row, labelled with £ values."""
    bar_height = 16
    height = max(60, len(rows) * bar_height + 40)
    drawing = Drawing(CHART_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 20
    chart.width, chart.height = CHART_WIDTH - 210, height - 36
    chart.data = [[r.awarded_pence / 100 for r in reversed(rows)] or [0]]
    chart.categoryAxis.categoryNames = [_short(r.label) for r in reversed(rows)] or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"£{v:,.0f}"
    chart.bars[0].fillColor = colors.HexColor("#505a5f")
    chart.bars[0].strokeColor = colors.black
    chart.barLabelFormat = lambda v: f"£{v:,.0f}"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=9))
    return drawing


def _split_table(heading: str, rows: list[SplitRow]):
    body = [[heading, "Applications received", "Grants awarded", "Amount awarded"]]
    body += [[r.label, r.received, r.awarded_count, format_pence(r.awarded_pence)] for r in rows]
    return table(body, col_widths=[74 * mm, 34 * mm, 30 * mm, 36 * mm])


def _outcomes(summary: Summary) -> list:
    """Outputs reported so far, people reached and equality monitoring: the service's tables, as given."""
    from ..services.summaries import outcome_tables

    story = []
    for title, header, rows in outcome_tables(summary):
        story.append(para(title, "h2"))
        story.append(table([header] + [[f"{v:,}" if isinstance(v, int) else v for v in row] for row in rows])
                     if rows else para("None in this scope yet."))
    return story


def summary_pdf(summary: Summary) -> bytes:
    """The fund summary for `summary`'s fund and year as PDF bytes."""
    rate = summary.success_rate_percent
    title = f"Fund summary: {summary.scope_label}"
    story = [
        para(title, "h1"),
        para(f"{summary.headline}. Produced {clock.today():%d %B %Y}.", "body"),
        para("Applications", "h2"),
        table([
            ["Figure", "Number"],
            ["Applications received", summary.received],
            ["Screened out (ineligible)", summary.screened_out],
            ["Assessed", summary.assessed],
            ["Approved", summary.approved],
            ["Declined", summary.declined],
            ["Withdrawn", summary.withdrawn],
            ["Still in progress", summary.in_progress],
            ["Success rate (approved / decided)", "No decisions yet" if rate is None else f"{rate}%"],
        ], col_widths=[110 * mm, 64 * mm]),
        para("Money", "h2"),
        table([
            ["Figure", "Amount"],
            ["Amount requested", format_pence(summary.requested_pence)],
            [f"Amount awarded ({summary.awarded_count} grants)", format_pence(summary.awarded_pence)],
            ["Average award", format_pence(summary.average_award_pence) or "None"],
            ["Median award", format_pence(summary.median_award_pence) or "None"],
            [f"Budget ({summary.rounds} rounds)", format_pence(summary.budget_pence)],
            ["Committed", format_pence(summary.committed_pence)],
            ["Paid (less returns received)", format_pence(summary.paid_pence)],
            ["Returned", format_pence(summary.returned_pence)],
            ["Remaining against budget", format_pence(summary.remaining_pence)],
        ], col_widths=[110 * mm, 64 * mm]),
    ]
    for heading, label, rows in (
        ("By Police and Crime Plan objective", "Objective", summary.by_objective),
        ("By local authority area", "Area", summary.by_area),
        ("By organisation type", "Organisation type", summary.by_org_type),
    ):
        story += [KeepTogether([para(heading, "h2"), split_chart(f"Amount awarded {heading[0].lower()}{heading[1:]}", rows)]),
                  spacer(2), _split_table(label, rows)]
    if summary.by_fund:
        story += [KeepTogether([para("By fund", "h2"), table(
            [["Fund", "Applications received", "Grants awarded", "Amount awarded"]]
            + [[f"{r.name} ({r.code})", r.received, r.awarded_count, format_pence(r.awarded_pence)]
               for r in summary.by_fund])])]
    story.append(para("Outputs delivered by completed grants", "h2"))
    if summary.outputs:
        story.append(table([["Output measure", "Total delivered", "Completed grants"]]
                           + [[r.measure, f"{r.delivered:,}", r.grants] for r in summary.outputs],
                           col_widths=[104 * mm, 36 * mm, 34 * mm]))
    else:
        story.append(para("No completed grant has a signed-off final report yet."))
    story += _outcomes(summary)
    story += [para("How these figures are counted", "h2"), markup(
        "Drafts are never counted. <b>Received</b>: every submitted application. <b>Approved</b>: a decision to "
        "fund (including offers not taken up). <b>Success rate</b>: approved divided by approved plus declined. "
        "<b>Awarded</b>: grants whose offer stands (approved, funded or completed). <b>Committed</b>: those awards "
        "less returns received. <b>Paid</b>: payments less returns received. <b>Remaining</b>: budget less "
        "committed. An application naming several objectives or areas counts under each. <b>Outputs</b>: actual "
        "figures from signed-off final reports of completed grants (<b>delivered</b>); <b>reported so far</b>: from "
        "signed-off interim reports of live grants, provisional. Equality monitoring numbers from 1 to 4 are shown "
        "as \"fewer than 5\".", "small")]
    from ..services import settings

    return render_pdf(story, title=title, footer=f"{title} · {settings.details().name}")
