"""Sample applications for the demo, made through the services exactly as an applicant would.

`seed_demo_applications(users=..., csf_round=..., ppaf_round=...)` is safe to run
again: each sample is looked up by organisation and title first.
"""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from .. import clock
from ..extensions import db
from ..models import Application, Area, Round, User
from ..services import applications

# A minimal, valid PDF: the attachments service checks content, not names.
_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SAMPLES = [
    # (account, fund code, title, summary, area, objective number, outputs, budget rows (item, pence), submit?)
    ("applicant@example.org", "CSF", "Allotment security",
     "Padlocks, alarms and lighting for allotment sheds that are broken into again and again.",
     "Hartlepool", 4, [("padlocks and alarms fitted", 420)], [("Padlocks and alarms", 210_000), ("Lighting", 90_000)],
     False),
    ("kicks@example.org", "CSF", "Friday night football",
     "Coached football on Friday nights for young people at risk of getting involved in anti-social behaviour.",
     "Middlesbrough", 3, [("football sessions", 40), ("young people attending", 60)],
     [("Coaches", 240_000), ("Pitch hire", 125_050)], True),
    ("srtrc@example.org", "CSF", "Anti-racism workshops in schools",
     "Workshops with pupils and teachers on racism, hate crime and how to report it.",
     "Stockton-on-Tees", 5, [("school workshops", 24)], [("Educator time", 480_000), ("Materials", 20_000)], True),
    ("scams@example.org", "PPAF", "Scam awareness for older people",
     "Talks and a helpline card so older people can spot doorstep and phone scams.",
     "Redcar and Cleveland", 2, [("scam awareness workshops", 20), ("older people reached", 200)],
     [("Venue hire", 60_000), ("Printing", 25_000)], True),
    ("applicant2@example.org", "PPAF", "Emergency welfare packs",
     "Welfare packs for people rescued from trafficking and modern slavery.",
     "Stockton-on-Tees", 2, [("welfare packs given", 150)], [("Welfare packs", 200_000)], True),
]


def _pdf(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(_PDF), filename=name)


def seed_demo_applications(*, users: dict[str, User], csf_round: Round, ppaf_round: Round) -> list[Application]:
    """One draft and several submitted applications across the demo organisations."""
    made = []
    rounds = {"CSF": csf_round, "PPAF": ppaf_round}
    for email, fund, title, summary, area_name, objective, outputs, budget, submit in SAMPLES:
        user = users[email]
        round_ = rounds[fund]
        if user.organisation is None or not round_.is_open:
            continue
        existing = db.session.scalar(select(Application).where(
            Application.organisation_id == user.organisation.id, Application.title == title))
        if existing is not None:
            made.append(existing)
            continue
        application = applications.start_application(round_, actor=user)
        area = db.session.scalar(select(Area).where(Area.name == area_name))
        chosen = [o.id for o in round_.objectives if o.number == objective]
        answers = {
            "project": {"title": title, "summary": summary, "start_date": clock.today() + timedelta(days=60),
                        "end_date": clock.today() + timedelta(days=300)},
            "need": {"need": f"Local people told us: {summary.lower()}",
                     "evidence": "Police incident figures for the area and a survey of members"},
            "activities": {"activities": summary},
            "where_and_who": {"area_ids": [area.id] if area else [], "ward": None,
                              "beneficiaries": "Local residents", "beneficiary_count": outputs[-1][1]},
            "objectives": {"objective_ids": chosen,
                           "crime_reduction_reasons": "It prevents offending and helps people feel safer"},
            "outputs": {"rows": [{"measure": m, "target": t} for m, t in outputs]},
            "budget": {"rows": [{"item": i, "cost_pence": c} for i, c in budget], "other_funding": "None"},
            "safeguarding": {"works_with": False, "safeguarding": None},
        }
        for kind in ("governing_document", "accounts"):
            applications.add_attachment(application, upload=_pdf(f"{kind}.pdf"), kind=kind, actor=user)
        for section in applications.SECTIONS:
            if not submit and section in ("budget", "safeguarding", "attachments"):
                continue  # the draft is left part-way, to show save-and-return
            applications.save_section(application, section=section, values=answers.get(section, {}),
                                      completed=True, actor=user)
        if submit:
            applications.submit(application, actor=user, declaration_name=user.full_name,
                                declaration_position=user.job_title or "Secretary", confirmed=True)
        made.append(application)
    db.session.flush()
    return made
