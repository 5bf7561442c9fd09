"""Decision notices signed at the same instant on PostgreSQL: numbers stay unique and gap-free."""
from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import DecisionNotice, FundingMeeting, User
from grants.services import notices

from .factories_notices import decided_meeting
from .races import run_at_once, skip_unless_postgres

pytestmark = pytest.mark.postgres_only

THREADS = 6


@pytest.fixture(autouse=True)
def _postgres_only(app):
    skip_unless_postgres()


def _sign_all_at_once(app, jobs) -> list[str]:
    """Sign each (meeting_id, user_id) in its own thread, app context and session, all released together."""

    def sign(wait, meeting_id: int, user_id: int) -> None:
        meeting = db.session.get(FundingMeeting, meeting_id)
        user = db.session.get(User, user_id)
        wait()
        notices.sign_notice(meeting, actor=user, summary="Grants agreed at the meeting.")

    return run_at_once(app, jobs, sign, done="signed")


def test_notices_signed_at_once_take_unique_gap_free_numbers(app, demo):
    """With six meetings' notices signed at the same instant, are they numbered 1-6 with no duplicate?"""
    demo.csf_round.budget_pence = 100_000_000
    ids = [decided_meeting(demo, approvals=1, declines=1).id for _ in range(THREADS)]
    db.session.commit()
    outcomes = _sign_all_at_once(app, [(meeting_id, demo.pcc.id) for meeting_id in ids])
    assert outcomes == ["signed"] * THREADS, outcomes
    db.session.expire_all()
    rows = db.session.execute(db.select(DecisionNotice.sequence, DecisionNotice.number)).all()
    assert sorted(sequence for sequence, _ in rows) == list(range(1, THREADS + 1))
    assert len({number for _, number in rows}) == THREADS


def test_the_same_meeting_signed_twice_at_once_makes_a_notice_and_its_correction(app, demo):
    """Two people signing one meeting at once: is the second a correction superseding the first, never two firsts?"""
    meeting_id = decided_meeting(demo).id
    db.session.commit()
    outcomes = _sign_all_at_once(app, [(meeting_id, demo.pcc.id), (meeting_id, demo.pcc.id)])
    assert outcomes == ["signed", "signed"], outcomes
    db.session.expire_all()
    signed = db.session.scalars(db.select(DecisionNotice).order_by(DecisionNotice.id)).all()
    assert signed[0].supersedes_id is None and signed[1].supersedes_id == signed[0].id
