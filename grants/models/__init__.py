"""All models, importable from one place: `from grants.models import Application`."""
from .applications import (
    Application,
    ApplicationVersion,
    Attachment,
    AttachmentKind,
    BudgetLine,
    MoreInfoRequest,
    PlannedOutput,
    application_areas,
    application_objectives,
)
from .assessment import Assignment, ConflictDeclaration, Moderation, Score, Screening, ScreeningAnswer
from .bank import BankDetails, PaymentRun, PaymentRunLine
from .audit import AuditCheckpoint, AuditEvent, AuditHead
from .decisions import Counter, DecisionRecord, GrantReturn, Letter, OfferResponse, Payment, PaymentInstalment
from .funds import (
    Area,
    Criterion,
    EligibilityCheck,
    FixedReturn,
    Fund,
    Objective,
    PlanPeriod,
    Round,
    Ward,
    round_areas,
    round_objectives,
)
from .monitoring import Report, ReportOutputActual, ReportSpend, ReportVersion, ReminderSent, Variation
from .outbox import OutboxEmail
from .questions import QuestionKind, QuestionSection, RoundQuestion
from .settings import OrganisationSettings, TermsVersion
from .outcomes import ImportedGrant, OutputMeasure
from .meetings import DecisionNotice, FundingMeeting, MeetingItem
from .publication import GrantPublication
from .conversations import Message, StaffNote  # noqa: E402
from . import search as _search  # noqa: F401,E402  (PostgreSQL search indexes)
from .sessions import SignInSession, SignInThrottle
from .users import (
    ORG_TYPE_LABELS,
    ROLE_LABELS,
    STAFF_ROLES,
    DecisionAuthority,
    Invitation,
    MemberRole,
    Organisation,
    OrgMembership,
    OrgType,
    RecoveryCode,
    Role,
    User,
    UserRole,
)

__all__ = [name for name in dir() if not name.startswith("_")]
