"""Bank details, their call-back verification, and payment runs handed to the finance system.

Account name, sort code and account number are stored only encrypted (Fernet, a key
outside the database: grants/bank_keys.py); `account_ending` keeps the last four
digits for the masked view.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application, Attachment
from .base import CreatedMixin, Pence, UTCDateTime
from .decisions import Payment, PaymentInstalment
from .users import Organisation, User


class BankDetails(CreatedMixin, db.Model):
    """One set of bank details given by a signatory. A change is a new row; the old one is superseded."""

    __tablename__ = "bank_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    account_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sort_code_enc: Mapped[bytes] = mapped_column(LargeBinary)
    account_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    account_ending: Mapped[str] = mapped_column(String(4))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A second signatory confirms by an emailed link (only its hash is kept).
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Finance's call-back: the number called comes from the organisation's records, never from this form.
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_phone: Mapped[str | None] = mapped_column(String(40))
    callback_spoke_to: Mapped[str | None] = mapped_column(String(200))
    callback_on: Mapped[date | None] = mapped_column(Date)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    statement: Mapped[Attachment | None] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def masked_account(self) -> str:
        return f"****{self.account_ending}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and self.superseded_at is None


class PaymentRun(CreatedMixin, db.Model):
    """A batch of instalments paid together through the finance system."""

    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[User] = relationship()
    lines: Mapped[list[PaymentRunLine]] = relationship(back_populates="run", order_by="PaymentRunLine.id")

    @property
    def is_open(self) -> bool:
        """Waiting for the bank: lines can still be failed and the run marked paid."""
        return self.status == "open"

    @property
    def total_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)


class PaymentRunLine(db.Model):
    """One instalment in a run. An instalment is in at most one run that has not failed it."""

    __tablename__ = "payment_run_lines"
    __table_args__ = (UniqueConstraint("run_id", "instalment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("payment_instalments.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    bank_details_id: Mapped[int] = mapped_column(ForeignKey("bank_details.id"))
    amount_pence: Mapped[int] = mapped_column(Pence)
    reference: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # pending | paid | failed
    failure_reason: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    run: Mapped[PaymentRun] = relationship(back_populates="lines")
    instalment: Mapped[PaymentInstalment] = relationship()
    application: Mapped[Application] = relationship()
    bank_details: Mapped[BankDetails] = relationship()
    payment: Mapped[Payment | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.outcome == "pending"

    @property
    def is_paid(self) -> bool:
        return self.outcome == "paid"
