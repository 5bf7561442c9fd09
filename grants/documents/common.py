"""Shared pieces for every PDF: A4 pages, the OPCC letterhead, styles, safe text.

Every piece of user text goes through para(), which escapes it: reportlab's
Paragraph reads a markup language, so unescaped text could inject markup.
"""
from __future__ import annotations

import io
from typing import Iterable
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BRAND = colors.HexColor("#1d3a6e")
MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN

_base = getSampleStyleSheet()
STYLES = {
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontName="Helvetica", fontSize=10.5, leading=14),
    "small": ParagraphStyle("small", parent=_base["BodyText"], fontName="Helvetica", fontSize=8.5, leading=11),
    "h1": ParagraphStyle("h1", parent=_base["Heading1"], fontName="Helvetica-Bold", fontSize=16, leading=20,
                         textColor=BRAND, spaceAfter=6),
    "h2": ParagraphStyle("h2", parent=_base["Heading2"], fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                         textColor=BRAND, spaceBefore=10, spaceAfter=4),
    "right": ParagraphStyle("right", parent=_base["BodyText"], fontName="Helvetica", fontSize=10, alignment=TA_RIGHT),
    "cell": ParagraphStyle("cell", parent=_base["BodyText"], fontName="Helvetica", fontSize=9, leading=11),
    "cell_bold": ParagraphStyle("cell_bold", parent=_base["BodyText"], fontName="Helvetica-Bold", fontSize=9,
                                leading=11),
}


def para(text: str | None, style: str = "body") -> Paragraph:
    """A paragraph of user-supplied text, escaped, with line breaks kept."""
    safe = escape(text or "").replace("\n", "<br/>")
    return Paragraph(safe, STYLES[style])


def markup(trusted_markup: str, style: str = "body") -> Paragraph:
    """A paragraph of our own markup (bold labels etc.). Never pass user text here unescaped."""
    return Paragraph(trusted_markup, STYLES[style])


def esc(text: str | None) -> str:
    return escape(text or "")


def table(rows: Iterable[Iterable], *, col_widths=None, header: bool = True, zebra: bool = True) -> Table:
    """A table of plain values (escaped), the first row as header, that splits across pages."""
    body = []
    rows = list(rows)
    if col_widths is None and rows:
        # Equal columns: widths measured from the text would let one long word push the others off the page.
        col_widths = [FRAME_WIDTH / len(rows[0])] * len(rows[0])
    for r, row in enumerate(rows):
        style = "cell_bold" if header and r == 0 else "cell"
        body.append([c if isinstance(c, Paragraph) else para(str(c) if c is not None else "", style) for c in row])
    # A row taller than a page (a 5,000-character comment) splits inside the row, its paragraphs
    # continuing on the next page; otherwise the table splits between rows.
    t = Table(body, colWidths=col_widths, repeatRows=1 if header else 0, splitByRow=1, splitInRow=1)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")))
    if zebra:
        for i in range(2 if header else 1, len(body), 2):
            commands.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fafafa")))
    t.setStyle(TableStyle(commands))
    return t


def _letterhead(canvas, doc) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 13)
    head = doc.letterhead
    canvas.drawString(18 * mm, height - 13 * mm, head["name"])
    canvas.setFont("Helvetica", 9)
    canvas.drawString(18 * mm, height - 19 * mm, " · ".join(
        line.strip() for line in head["address"].splitlines() if line.strip()))
    contact = " · ".join(value for value in (head.get("contact_email"), head.get("contact_phone")) if value)
    if contact:
        canvas.drawString(18 * mm, height - 24 * mm, contact)
    canvas.setFillColor(colors.HexColor("#505a5f"))
    canvas.setFont("Helvetica", 8)
    canvas.drawString(18 * mm, 10 * mm, getattr(doc, "footer_text", ""))
    canvas.drawRightString(width - 18 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


def render_pdf(story: list, *, title: str, footer: str = "", author: str | None = None,
               letterhead: dict | None = None) -> bytes:
    """Lay out `story` on A4 pages with the OPCC letterhead; returns the PDF bytes.

    `letterhead` is the OPCC's details to print (name, address, contact email and
    phone); without it, the details as the administrators last saved them.

    Invariant mode fixes the PDF's internal dates and document id, so the same
    inputs always give the same bytes: a stored letter can be regenerated and
    compared with its SHA-256.
    """
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=36 * mm, bottomMargin=18 * mm,
        title=title, author=author or current_app.config.get("FUNDER_NAME", ""),
        creator="Community grants", invariant=1,
    )
    doc.footer_text = footer
    if letterhead is None:
        from ..services import settings

        letterhead = settings.details().as_dict()
    doc.letterhead = letterhead
    doc.build(story, onFirstPage=_letterhead, onLaterPages=_letterhead)
    return buffer.getvalue()


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
