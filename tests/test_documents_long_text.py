"""Every PDF with the longest text each field allows: tables split across pages, nothing is cut, nothing crashes.

Decision records are immutable, so a record whose PDF cannot be drawn could never be produced at all.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from grants.documents.decision_record import decision_record_pdf
from grants.documents.letters import render_letter
from grants.extensions import db
from grants.models import BudgetLine, ConflictDeclaration, PlannedOutput
from grants.services import assessment, decisions

from .factories import make_application
from .factories_assessment import make_assignment


def long_text(limit: int, tag: str) -> str:
    """`limit` characters of prose ending in a marker we can look for in the PDF."""
    end = f" END-{tag}"
    words = ("The group has run the allotment site for thirty years and knows every plot holder by name. " * 200)
    return words[: limit - len(end)].rstrip() + end


def many_lines(limit: int, tag: str) -> str:
    """`limit` characters as hundreds of short lines (a pasted list)."""
    end = f"\nEND-{tag}"
    return ("- padlocks for the shed doors\n" * 300)[: limit - len(end)] + end


def one_word(limit: int, tag: str) -> str:
    """`limit` characters with no space at all."""
    end = f"END-{tag}"
    return "x" * (limit - len(end)) + end


TEXTS = {"prose": long_text, "lines": many_lines, "word": one_word}


def pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def _longest_application(demo, make_text, status="in_assessment"):
    org = demo.applicant.organisation
    org.legal_name = make_text(200, "ORG")
    application = make_application(demo, status=status, amount_pence=600_000, title=make_text(200, "TITLE"),
                                   start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    application.planned_outputs = [PlannedOutput(position=i, measure=make_text(200, f"OUT{i}"), target=420)
                                   for i in range(1, 31)]
    application.budget_lines = [BudgetLine(position=i, item=make_text(200, f"ITEM{i}"), cost_pence=20_000)
                                for i in range(1, 31)]
    for person, tag in ((demo.assessor, "C1"), (demo.assessor2, "C2")):
        make_assignment(application, person, officer=demo.officer, status="submitted",
                        values=[4] * len(application.round.criteria), comment=make_text(5000, tag))
    db.session.add(ConflictDeclaration(application_id=application.id, user_id=demo.ceo.id, capacity="decision_maker",
                                       has_conflict=True, nature=make_text(5000, "NATURE")))
    db.session.flush()
    assert assessment._complete_if_all_in(application)
    return application


def _decide(demo, application, make_text, outcome):
    return decisions.decide(application, actor=demo.pcc, outcome=outcome, reasons=make_text(5000, "REASONS"),
                            public_summary=make_text(5000, "SUMMARY"), feedback=make_text(5000, "FEEDBACK"), special_conditions=make_text(5000, "CONDITIONS"),
                            no_interest_confirmed=True)


@pytest.mark.parametrize("shape", TEXTS)
def test_decision_record_and_letters_with_the_longest_text(demo, shape):
    """With 5,000-character comments, reasons, feedback and conditions, are the record and letters whole?"""
    make_text = TEXTS[shape]
    approved = _longest_application(demo, make_text)
    record = _decide(demo, approved, make_text, "approve_full")
    text = pdf_text(decision_record_pdf(record))
    for tag in ("ORG", "TITLE", "C1", "C2", "REASONS", "FEEDBACK", "CONDITIONS", "NATURE"):
        assert f"END-{tag}" in text, tag
    assert "END-CONDITIONS" in pdf_text(render_letter(record, kind="award"))
    declined = make_application(demo, status="assessed", title=make_text(200, "TITLE2"))
    record = _decide(demo, declined, make_text, "decline")
    letter = pdf_text(render_letter(record, kind="decline"))
    assert "END-REASONS" in letter and "END-FEEDBACK" in letter


@pytest.mark.parametrize("shape", TEXTS)
def test_panel_pack_summary_and_decision_pack_with_the_longest_text(app, demo, as_officer, shape):
    """With the longest text everywhere, do the panel pack, the summary PDF and the auditor's decision pack build?"""
    from .conftest import _signed_in

    make_text = TEXTS[shape]
    application = _longest_application(demo, make_text)
    db.session.commit()
    response = as_officer.get(f"/assessment/panels/{application.round_id}/panel-pack.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "END-TITLE" in text and "END-ORG" in text

    record = _decide(demo, application, make_text, "approve_full")
    db.session.commit()
    response = _signed_in(app, demo.finance).get("/reports/summary.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")

    response = _signed_in(app, demo.auditor).get(f"/audit/applications/{application.id}/decision-pack.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = pdf_text(archive.read(f"decision-records/{record.number.replace('/', '-')}.pdf"))
    assert "END-C1" in text and "END-C2" in text and "END-NATURE" in text
