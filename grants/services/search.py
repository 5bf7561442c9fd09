"""Staff search: one box that finds applications and organisations.

Finds by reference (CSF-2026-0042), organisation name (partial, ignoring case and
accents), charity or company number, project title and words in the summary. On
PostgreSQL it ranks with full-text search and trigram similarity (indexes in
grants/models/search.py); on SQLite it matches with LIKE. The text typed is only
ever a bound parameter: `%`, `_`, quotes and very long input are searched for as
text and never change the SQL.

What each viewer finds follows the READ matrix (services/permissions.py):
officers, decision makers and auditors search everything staff can see; finance
finds organisations and awards by reference, name or number (not by what the
application says); assessors find only applications they are assigned to and have
declared no conflict on, and no organisations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Float, and_, case, cast, func, literal, literal_column, or_, select, true

from ..extensions import db
from ..models import Application, Assignment, Organisation, Role, User
from ..models.search import TEXT_SEARCH_CONFIG, application_document, fold, folded
from . import permissions
from .workflow import COMMITTED_STATES, Status

MAX_QUERY_LENGTH = 200  # longer input is cut, not refused: a pasted paragraph still returns a page
PER_PAGE = 20

SEARCH_ROLES = frozenset({Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR, Role.FINANCE, Role.ASSESSOR})


@dataclass(frozen=True)
class Results:
    query: str
    applications: list[Application] = field(default_factory=list)
    application_total: int = 0
    organisations: list[Organisation] = field(default_factory=list)
    organisation_total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    organisations_searched: bool = False  # False for viewers who do not read organisations (assessors)

    @property
    def pages(self) -> int:
        return max(1, -(-max(self.application_total, self.organisation_total) // self.per_page))


def _folded_text(text: str) -> str:
    """The typed text folded as names are (models.search.fold), spaces collapsed."""
    return re.sub(r"\s+", " ", fold(text)).strip()


def _like(text: str) -> str:
    """A LIKE pattern that matches the text anywhere, with LIKE's own wildcards made literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _number(text: str) -> str:
    """Charity and company numbers are compared without spaces, upper-case (SC012345, 1234567)."""
    return re.sub(r"\s+", "", text).upper()


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _scope(viewer: User):
    """(which applications the viewer may find, where they may also match on what it says, may they find
    organisations?) as SQL conditions; None where the viewer finds nothing / may match on no content."""
    not_draft = Application.status != Status.DRAFT.value
    if permissions.reads_all_content(viewer):
        return not_draft, true(), True
    # Finance finds awards by what the award is (reference, organisation, number), never by their content.
    awards = Application.status.in_([s.value for s in COMMITTED_STATES]) if viewer.has_role(Role.FINANCE) else None
    assigned = Application.id.in_(select(Assignment.application_id).where(
        Assignment.assessor_id == viewer.id, Assignment.status.in_(("in_progress", "submitted")))) \
        if viewer.has_role(Role.ASSESSOR) else None
    found = [c for c in (awards, assigned) if c is not None]
    if not found:
        return None, None, False
    return and_(not_draft, or_(*found)), assigned, permissions.may_read(viewer, permissions.Info.PAYMENTS)


def search(text: str, *, viewer: User, page: int = 1, per_page: int = PER_PAGE) -> Results:
    """Applications and organisations matching the text that the viewer may read, best match first."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    page = max(1, page)
    folded_text = _folded_text(text)
    if not folded_text:
        return Results(query=text, page=page, per_page=per_page)
    scope, content_scope, find_organisations = _scope(viewer)
    if scope is None:
        return Results(query=text, page=page, per_page=per_page)
    dialect = _dialect()
    pattern, number = _like(folded_text), _number(text)
    name = folded(Organisation.legal_name, dialect)
    name_hit = name.like(pattern, escape="\\")
    number_hit = or_(func.replace(func.upper(Organisation.charity_number), " ", "") == number,
                     func.replace(func.upper(Organisation.company_number), " ", "") == number)
    reference_hit = func.upper(Application.reference) == text.upper()
    reference_part = Application.reference.like(_like(text.upper()), escape="\\")
    title_hit = folded(Application.title, dialect).like(pattern, escape="\\")
    summary_hit = folded(Application.summary, dialect).like(pattern, escape="\\")
    if dialect == "postgresql":
        query = func.plainto_tsquery(literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig"), folded_text)
        name_hit = or_(name_hit, literal(folded_text).op("<%")(name))
        title_hit = or_(title_hit, literal(folded_text).op("<%")(folded(Application.title, dialect)))
        summary_hit = application_document().op("@@")(query)
        name_rank = func.word_similarity(folded_text, name)
        text_rank = func.ts_rank(application_document(), query) + func.word_similarity(
            folded_text, folded(Application.title, dialect))
    else:
        name_rank = case((name_hit, 1.0), else_=0.0)
        text_rank = case((title_hit, 1.0), else_=0.0) + case((summary_hit, 0.5), else_=0.0)
    application_hits = [reference_hit, reference_part, name_hit, number_hit]
    rank = (case((reference_hit, 100.0), else_=0.0) + case((reference_part, 10.0), else_=0.0)
            + case((number_hit, 50.0), else_=0.0) + cast(name_rank, Float) * 5)
    if content_scope is not None:
        application_hits.append(and_(content_scope, or_(title_hit, summary_hit)))
        rank = rank + case((content_scope, cast(text_rank, Float) * 5), else_=0.0)
    matches = (select(Application.id, rank.label("rank"))
               .join(Organisation, Application.organisation_id == Organisation.id)
               .where(scope, or_(*application_hits)))
    ranked = matches.subquery()
    total = db.session.scalar(select(func.count()).select_from(ranked)) or 0
    ids = db.session.scalars(select(ranked.c.id).order_by(ranked.c.rank.desc(), ranked.c.id.desc())
                             .limit(per_page).offset((page - 1) * per_page)).all()
    loaded = {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))}
    applications = [loaded[i] for i in ids]

    organisations, organisation_total = [], 0
    if find_organisations:
        org_rank = case((number_hit, 50.0), else_=0.0) + cast(name_rank, Float) * 5
        org_matches = (select(Organisation.id, org_rank.label("rank"))
                       .where(Organisation.anonymised_at.is_(None), or_(name_hit, number_hit)).subquery())
        organisation_total = db.session.scalar(select(func.count()).select_from(org_matches)) or 0
        org_ids = db.session.scalars(select(org_matches.c.id).order_by(org_matches.c.rank.desc(), org_matches.c.id)
                                     .limit(per_page).offset((page - 1) * per_page)).all()
        loaded_orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
        organisations = [loaded_orgs[i] for i in org_ids]
    return Results(query=text, applications=applications, application_total=total, organisations=organisations,
                   organisation_total=organisation_total, page=page, per_page=per_page,
                   organisations_searched=find_organisations)

