"""make_* helpers for the applicant journey: drafts built through the services, small valid files."""
from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from grants import clock
from grants.extensions import db
from grants.models import Area
from grants.services import applications

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ANSWERS = {
    "project": {"title": "Allotment security", "summary": "Padlocks and alarms for allotment sheds"},
    "need": {"need": "Sheds broken into 30 times last year", "evidence": "Police incident log summary"},
    "activities": {"activities": "Buy and fit padlocks and alarms"},
    "outputs": {"rows": [{"measure": "padlocks and alarms fitted", "target": 420}]},
    "budget": {"rows": [{"item": "Padlocks and alarms", "cost_pence": 300_000}], "other_funding": "None"},
    "safeguarding": {"works_with": False, "safeguarding": None},
}


def pdf_upload(name: str = "document.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name)


def make_draft(demo, *, user=None, round_=None, complete: bool = True):
    """A draft started and (optionally) filled in section by section, as the applicant would."""
    user = user or demo.applicant
    application = applications.start_application(round_ or demo.csf_round, actor=user)
    if not complete:
        return application
    answers = dict(ANSWERS)
    # Relative to today, because a project must start in the future.
    answers["project"] = {**ANSWERS["project"], "start_date": clock.today() + timedelta(days=40),
                          "end_date": clock.today() + timedelta(days=220)}
    area = db.session.scalar(db.select(Area).order_by(Area.name))
    answers["where_and_who"] = {"area_ids": [area.id], "ward": None, "beneficiaries": "Allotment holders",
                                "beneficiary_count": 120}
    answers["objectives"] = {"objective_ids": [application.round.objectives[3].id],
                             "crime_reduction_reasons": "Fewer thefts and less damage at allotments"}
    for kind in ("governing_document", "accounts"):
        applications.add_attachment(application, upload=pdf_upload(f"{kind}.pdf"), kind=kind, actor=user)
    for section in applications.SECTIONS:
        applications.save_section(application, section=section, values=answers.get(section, {}), completed=True,
                                  actor=user)
    return application


def submit_draft(application, user):
    return applications.submit(application, actor=user, declaration_name=user.full_name,
                               declaration_position="Secretary", confirmed=True)
