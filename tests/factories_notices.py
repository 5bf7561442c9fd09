"""Test helpers for funding meetings and decision notices."""
from __future__ import annotations

from datetime import date

from grants.services import decisions, meetings

from .factories_decisions import approve, make_assessed

ATTENDEES = [{"name": "Steve Turner", "capacity": "Police and Crime Commissioner"},
             {"name": "Simon Dennis", "capacity": "Chief Executive"}]
DECLARATIONS = [{"name": "Steve Turner", "declaration": "Trustee of a youth club that did not apply"}]


def make_meeting(demo, applications, *, round_=None):
    """A meeting of the round with `applications` (assessed or deferred) on its agenda."""
    meeting = meetings.create_meeting(round_ or demo.csf_round, actor=demo.officer, held_on=date(2026, 9, 14),
                                      attendees=ATTENDEES, declarations=DECLARATIONS)
    return meetings.set_agenda(meeting, actor=demo.officer, application_ids=[a.id for a in applications])


def decided_meeting(demo, *, approvals=2, declines=1, amount_pence=300_000):
    """A meeting whose agenda is all decided: `approvals` approved, `declines` declined."""
    approved = [make_assessed(demo, amount_pence=amount_pence, title=f"Funded project {n}") for n in range(approvals)]
    declined = [make_assessed(demo, amount_pence=amount_pence, title=f"Declined project {n}") for n in range(declines)]
    meeting = make_meeting(demo, approved + declined)
    for application in approved:
        approve(demo, application)
    for application in declined:
        decisions.decide(application, actor=demo.pcc, outcome="decline", reasons="Thin evidence of need",
                         no_interest_confirmed=True)
    return meeting
