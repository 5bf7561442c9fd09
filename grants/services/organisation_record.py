"""The organisation record: everything staff hold about one organisation, on one page.

What an officer opens when a group phones: details, due-diligence documents,
members, every application and its state, awards, payments, returns, reports
(overdue ones flagged) and variations. Each part is shown only to those the READ
matrix (services/permissions.py) lets read it: finance reads the organisation,
its awards and the money, never what the applications say; officers, decision
makers and auditors read it all. Outcomes per year are services.summaries.organisation_history.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Application,
    Attachment,
    AttachmentKind,
    GrantReturn,
    OrgMembership,
    Organisation,
    Report,
    User,
    Variation,
)
from . import monitoring, payments, permissions
from .workflow import COMMITTED_STATES, Status

DUE_DILIGENCE_KINDS = (AttachmentKind.GOVERNING_DOCUMENT, AttachmentKind.ACCOUNTS,
                       AttachmentKind.SAFEGUARDING_POLICY)


@dataclass(frozen=True)
class GrantLine:
    application: Application
    money: payments.GrantPayments
    returns: list[GrantReturn]
    reports: list[Report]
    variations: list[Variation]


@dataclass(frozen=True)
class OrganisationRecord:
    organisation: Organisation
    members: list[OrgMembership]
    applications: list[Application]
    grants: list[GrantLine]
    overdue: list[Report]
    documents: list[Attachment]  # empty for viewers who may not read application content
    reads_content: bool


def record_for(organisation: Organisation, *, viewer: User) -> OrganisationRecord:
    """The organisation as this viewer may read it (see the module docstring)."""
    reads_content = permissions.reads_all_content(viewer)
    query = select(Application).where(Application.organisation_id == organisation.id,
                                      Application.status != Status.DRAFT.value)
    if not reads_content:
        query = query.where(Application.status.in_([s.value for s in COMMITTED_STATES]))
    applications = list(db.session.scalars(query.order_by(Application.submitted_at.desc(), Application.id.desc())))
    awarded = [a for a in applications if a.status in {s.value for s in COMMITTED_STATES}]
    grants = [GrantLine(a, payments.grant_payments(a), monitoring.returns_of(a), monitoring.reports_of(a),
                        list(db.session.scalars(select(Variation).where(Variation.application_id == a.id)
                                                .order_by(Variation.id))))
              for a in awarded] if permissions.may_read(viewer, permissions.Info.PAYMENTS) else []
    documents: list[Attachment] = []
    if reads_content:
        documents = list(db.session.scalars(
            select(Attachment).join(Application, Attachment.application_id == Application.id)
            .where(Attachment.organisation_id == organisation.id, Attachment.removed_at.is_(None),
                   Attachment.kind.in_(DUE_DILIGENCE_KINDS), Application.status != Status.DRAFT.value)
            .order_by(Attachment.id.desc())))
    members = list(db.session.scalars(select(OrgMembership).where(OrgMembership.organisation_id == organisation.id)
                                      .order_by(OrgMembership.id)))
    return OrganisationRecord(organisation, members, applications, grants,
                              monitoring.overdue_reports_for(organisation.id), documents, reads_content)
