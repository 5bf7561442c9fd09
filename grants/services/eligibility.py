"""The round's own eligibility rules for organisations, checked when an application starts and when it is sent.

Organisation types are services.rounds.org_type_refusal. A round may also cap
how many live applications one organisation holds in it, and refuse
organisations with an overdue monitoring report (otherwise screening only
flags them).
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Organisation, Round
from . import monitoring
from .workflow import Status

# Applications that are over: they no longer count towards a round's limit.
FINISHED = (Status.INELIGIBLE.value, Status.DECLINED.value, Status.OFFER_LAPSED.value, Status.COMPLETED.value,
            Status.WITHDRAWN.value)


def live_applications(round_: Round, organisation: Organisation, *, besides: Application | None = None) -> int:
    query = select(func.count(Application.id)).where(
        Application.round_id == round_.id, Application.organisation_id == organisation.id,
        Application.status.not_in(FINISHED))
    if besides is not None:
        query = query.where(Application.id != besides.id)
    return db.session.scalar(query) or 0


def refusal(round_: Round, organisation: Organisation, *, application: Application | None = None) -> str | None:
    """Why this organisation may not start (or, for `application`, send) an application now; None if it may."""
    limit = round_.max_live_applications
    if limit is not None:
        others = live_applications(round_, organisation, besides=application)
        if others >= limit:
            what = "application" if limit == 1 else "applications"
            return (f"The {round_.title} round accepts at most {limit} live {what} from each organisation, and "
                    f"{organisation.legal_name} already has {others}. Withdraw one first if you want to apply again")
    if round_.refuse_overdue_reports:
        overdue = monitoring.overdue_reports_for(organisation.id)
        if overdue:
            first = overdue[0]
            return (f"The {round_.title} round does not accept applications from organisations with an overdue "
                    f"monitoring report. Send the report that was due on {first.due_on.day} {first.due_on:%B %Y} "
                    f"first")
    return None
