"""The demo's sample applications are made through the services and can be made twice safely."""
from grants.applicant.demo import SAMPLES, seed_demo_applications
from grants.extensions import db
from grants.models import Application


def test_demo_samples_are_made_once_in_draft_and_submitted_states(demo):
    """Does seeding twice give one draft and the rest submitted, each with version 1 when sent?"""
    first = seed_demo_applications(users=demo.users, csf_round=demo.csf_round, ppaf_round=demo.ppaf_round)
    db.session.commit()
    again = seed_demo_applications(users=demo.users, csf_round=demo.csf_round, ppaf_round=demo.ppaf_round)
    assert [a.id for a in again] == [a.id for a in first]
    assert db.session.scalar(db.select(db.func.count(Application.id))) == len(SAMPLES)
    statuses = sorted(a.status for a in first)
    assert statuses == ["draft"] + ["submitted"] * (len(SAMPLES) - 1)
    assert all(len(a.versions) == 1 for a in first if a.status == "submitted")
    football = next(a for a in first if a.title == "Friday night football")
    assert football.amount_requested_pence == 365_050 and football.reference.startswith("CSF-2026-")
