"""Funding meetings: when a round's applications are decided, who was there, what they declared.

A grants officer records the meeting (date, attendees and the capacity each
attended in, declarations of interest made at it) and puts applications on its
agenda from the panel ranking. Decisions are still made one application at a
time through services/decisions.py with all its rules; the meeting gathers
them for one signed decision notice (services/notices.py).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Application, DecisionNotice, FundingMeeting, MeetingItem, Role, Round, User
from . import audit
from .assessment import panel
from .errors import InvalidTransition, NotPermitted, ValidationFailed


def _require_officer(actor: User) -> None:
    if not actor.has_role(Role.OFFICER):
        raise NotPermitted("Only a grants officer can record funding meetings")


def parse_lines(text: str | None, *, field: str, key: str, what: str, example: str) -> list[dict]:
    """One person a line, "Name, then `what`" (e.g. "Steve Turner, Police and Crime Commissioner") -> [{"name", key}]."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, rest = line.partition(",")
        if not name.strip() or not rest.strip():
            raise ValidationFailed({field: f"Line {number} needs a name, a comma, then {what}, like \u201c{example}\u201d"})
        rows.append({"name": name.strip(), key: rest.strip()})
    return rows


def create_meeting(round_: Round, *, actor: User, held_on: date | None, attendees: list[dict],
                   declarations: list[dict]) -> FundingMeeting:
    """Record a funding meeting of `round_` (grants officers only): its date and at least one attendee."""
    _require_officer(actor)
    errors = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    if not attendees:
        errors["attendees"] = "Enter who attended, one a line, with the capacity they attended in"
    if errors:
        raise ValidationFailed(errors)
    meeting = FundingMeeting(round_id=round_.id, held_on=held_on, attendees=attendees, declarations=declarations,
                             created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.created", actor=actor, entity=meeting, fund_id=round_.fund_id,
                 after={"round": round_.title, "held_on": held_on.isoformat(), "attendees": attendees,
                        "declarations": declarations})
    return meeting


def notices_of(meeting: FundingMeeting) -> list[DecisionNotice]:
    return list(db.session.scalars(select(DecisionNotice).where(DecisionNotice.meeting_id == meeting.id)
                                   .order_by(DecisionNotice.id)))


def agenda_choices(meeting: FundingMeeting) -> list[Application]:
    """What may go on the agenda: the round's panel ranking (assessed and deferred), then what is already on it."""
    ranked = [row.application for row in panel(meeting.round).rows]
    on_agenda = [a for a in meeting.applications if a not in ranked]
    return ranked + on_agenda


def set_agenda(meeting: FundingMeeting, *, actor: User, application_ids: list[int]) -> FundingMeeting:
    """Put applications on the meeting's agenda, in the panel's order (officers; not once a notice is signed).

    Only applications from the round's panel ranking may be added; one already
    on the agenda (perhaps decided since) may stay.
    """
    _require_officer(actor)
    if notices_of(meeting):
        raise InvalidTransition("A decision notice has been signed for this meeting, so its agenda is fixed; "
                                "record a new meeting for further decisions")
    choices = agenda_choices(meeting)
    allowed = {a.id for a in choices}
    if not application_ids:
        raise ValidationFailed({"applications": "Choose at least one application for the agenda"})
    unknown = [i for i in application_ids if i not in allowed]
    if unknown:
        raise ValidationFailed({"applications": "Only applications in this round's panel ranking can go on the agenda"})
    before = [a.reference for a in meeting.applications]
    chosen = [a for a in choices if a.id in set(application_ids)]
    meeting.items.clear()
    db.session.flush()
    meeting.items.extend(MeetingItem(application_id=a.id, position=i) for i, a in enumerate(chosen, start=1))
    db.session.flush()
    db.session.expire(meeting, ["items"])
    audit.record("meeting.agenda_set", actor=actor, entity=meeting, fund_id=meeting.round.fund_id,
                 before={"agenda": before}, after={"agenda": [a.reference for a in chosen]})
    return meeting


def meetings() -> list[FundingMeeting]:
    """Every meeting, latest first."""
    return list(db.session.scalars(select(FundingMeeting).order_by(FundingMeeting.held_on.desc(),
                                                                   FundingMeeting.id.desc())))


def meetings_of(application: Application) -> list[FundingMeeting]:
    return list(db.session.scalars(select(FundingMeeting).join(MeetingItem, MeetingItem.meeting_id == FundingMeeting.id)
                                   .where(MeetingItem.application_id == application.id).order_by(FundingMeeting.id)))
