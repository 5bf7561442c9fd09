"""People, their roles, and the organisations applicants belong to."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from .base import CreatedMixin, UTCDateTime
from .sessions import SignInSession


class Role(str, enum.Enum):
    APPLICANT = "applicant"
    OFFICER = "officer"
    ASSESSOR = "assessor"
    DECISION_MAKER = "decision_maker"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.APPLICANT: "Applicant",
    Role.OFFICER: "Grants officer",
    Role.ASSESSOR: "Assessor",
    Role.DECISION_MAKER: "Decision maker",
    Role.FINANCE: "Finance",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}

STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}


class DecisionAuthority(str, enum.Enum):
    """Under what authority a decision maker acts."""

    DELEGATED = "delegated"  # Chief Executive: up to the round's delegated limit
    FULL = "full"  # Police and Crime Commissioner: any amount


class User(CreatedMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    decision_authority: Mapped[str | None] = mapped_column(String(20))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[OrgMembership]] = relationship(back_populates="user", lazy="selectin")

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.is_active_account and self.anonymised_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    # The SignInSession of the current request (set at sign-in and by the user loader).
    sign_in_session = None

    def get_id(self) -> str:
        """What the signed cookie holds: the token of this browser's server-side session (None without one,
        which signs nobody in)."""
        return self.sign_in_session.token if self.sign_in_session is not None else None

    # Passwords and roles ---------------------------------------------------
    def set_password(self, password: str) -> None:
        from flask import current_app

        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_all_sessions(self) -> None:
        """Sign the user out everywhere: every server-side session of theirs ends now."""
        db.session.execute(update(SignInSession).where(SignInSession.user_id == self.id,
                                                       SignInSession.ended_at.is_(None))
                           .values(ended_at=clock.now()))

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    @property
    def organisation(self) -> Organisation | None:
        """The organisation an applicant acts for (one per account)."""
        return self.memberships[0].organisation if self.memberships else None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    user: Mapped[User] = relationship(back_populates="roles")


class RecoveryCode(CreatedMixin, db.Model):
    """Single-use two-factor recovery codes, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrgType(str, enum.Enum):
    REGISTERED_CHARITY = "registered_charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    CONSTITUTED_GROUP = "constituted_group"
    SCHOOL = "school"
    FAITH_GROUP = "faith_group"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORG_TYPE_LABELS[self]


ORG_TYPE_LABELS = {
    OrgType.REGISTERED_CHARITY: "Registered charity",
    OrgType.CIO: "Charitable incorporated organisation (CIO)",
    OrgType.CIC: "Community interest company (CIC)",
    OrgType.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    OrgType.CONSTITUTED_GROUP: "Constituted community group",
    OrgType.SCHOOL: "School",
    OrgType.FAITH_GROUP: "Faith group",
    OrgType.OTHER: "Other",
}


class Organisation(CreatedMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), index=True)
    org_type: Mapped[str] = mapped_column(String(40))
    charity_number: Mapped[str | None] = mapped_column(String(20))
    company_number: Mapped[str | None] = mapped_column(String(20))
    address_line_1: Mapped[str] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[OrgMembership]] = relationship(back_populates="organisation")

    @property
    def org_type_label(self) -> str:
        return OrgType(self.org_type).label


class OrgMembership(CreatedMixin, db.Model):
    __tablename__ = "org_memberships"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # "member" or "signatory" (MemberRole): only an authorised signatory declares and accepts offers.
    role: Mapped[str] = mapped_column(String(20), default="member", server_default="member")
    # The signatory's office in the group (chair, treasurer, secretary...).
    position: Mapped[str | None] = mapped_column(String(100))
    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    @property
    def is_signatory(self) -> bool:
        return self.role == MemberRole.SIGNATORY

    @property
    def role_label(self) -> str:
        return MemberRole.LABELS.get(self.role, self.role)


class MemberRole:
    MEMBER = "member"
    SIGNATORY = "signatory"
    LABELS = {"member": "Member", "signatory": "Authorised signatory"}


class Invitation(CreatedMixin, db.Model):
    """A colleague invited to join an organisation; the token is stored hashed."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation: Mapped[Organisation] = relationship()
