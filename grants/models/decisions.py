"""Decision records, letters, offers, payment schedules, payments and returns.

Decision records, letters and payments are written once and never changed.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application
from .base import CreatedMixin, Pence, UTCDateTime
from .funds import Fund
from .settings import TermsVersion
from .users import User


class Counter(db.Model):
    """Gap-free numbering: the row is locked while a number is taken."""

    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class DecisionRecord(CreatedMixin, db.Model):
    __tablename__ = "decision_records"
    __table_args__ = (UniqueConstraint("fund_id", "financial_year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # "CSF/2026-27/014"
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    financial_year: Mapped[str] = mapped_column(String(7))
    sequence: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # approve_full|approve_reduced|decline|defer
    amount_requested_pence: Mapped[int] = mapped_column(Pence)
    amount_awarded_pence: Mapped[int | None] = mapped_column(Pence)
    reasons: Mapped[str] = mapped_column(Text)  # internal: never published
    # What the public register and open data say about an approval (checked for personal data).
    public_summary: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    special_conditions: Mapped[str | None] = mapped_column(Text)
    payment_schedule: Mapped[list] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(300))
    declaration_of_interest: Mapped[str] = mapped_column(Text)
    organisation_name: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    conflicts: Mapped[list] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Indexed: every record page asks whether a later record supersedes this one.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision_records.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))

    application: Mapped[Application] = relationship()
    fund: Mapped[Fund] = relationship()
    decided_by: Mapped[User] = relationship()
    supersedes: Mapped[DecisionRecord | None] = relationship(remote_side=[id])


class Letter(CreatedMixin, db.Model):
    """A letter exactly as sent: the bytes and their SHA-256."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    decision_record_id: Mapped[int | None] = mapped_column(ForeignKey("decision_records.id"))
    kind: Mapped[str] = mapped_column(String(20))  # "award" | "decline"
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The standard terms the letter carries, and the OPCC details printed on it, as they were when sent:
    # later changes to the settings never change what a sent letter says (or how it regenerates).
    terms_version_id: Mapped[int | None] = mapped_column(ForeignKey("terms_versions.id"))
    letterhead: Mapped[dict | None] = mapped_column(JSON)
    # The reports the award letter lists ([{"title", "due_on"}]), as the reporting schedule gave them.
    reports: Mapped[list | None] = mapped_column(JSON)
    application: Mapped[Application] = relationship()
    terms_version: Mapped[TermsVersion | None] = relationship()


class OfferResponse(CreatedMixin, db.Model):
    """The authorised signatory's acceptance (or refusal) of an offer."""

    __tablename__ = "offer_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_position: Mapped[str] = mapped_column(String(200))
    terms_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The terms version of the award letter the signatory accepted.
    terms_version_id: Mapped[int | None] = mapped_column(ForeignKey("terms_versions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ip_address: Mapped[str | None] = mapped_column(String(45))


class PaymentInstalment(db.Model):
    """One scheduled payment of an award."""

    __tablename__ = "payment_instalments"
    __table_args__ = (UniqueConstraint("application_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Pence)
    # on_acceptance | after_interim_report | after_final_report
    trigger: Mapped[str] = mapped_column(String(30))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    application: Mapped[Application] = relationship()


class Payment(CreatedMixin, db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("payment_instalments.id"))
    amount_pence: Mapped[int] = mapped_column(Pence)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application: Mapped[Application] = relationship()
    recorded_by: Mapped[User] = relationship()


class GrantReturn(CreatedMixin, db.Model):
    """Money owed back (clawback), raised by staff, recorded by finance when received."""

    __tablename__ = "grant_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    reason: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_on: Mapped[date | None] = mapped_column(Date)
    received_reference: Mapped[str | None] = mapped_column(String(100))
    received_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    application: Mapped[Application] = relationship()


def _refuse_change(mapper, connection, target) -> None:
    # Imported here: models must not depend on services at import time.
    from ..services.errors import Immutable

    raise Immutable(f"{type(target).__name__} {getattr(target, 'id', '')} is a permanent record and cannot be "
                    "changed or deleted; record a correction instead")


# Decision records, letters and payments are evidence for auditors: written once, never
# changed or deleted through the application (a correction is a new record).
for _model in (DecisionRecord, Letter, Payment):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
