"""How much money is left: committed, paid, returned and remaining."""
from datetime import date

from grants.extensions import db
from grants.models import GrantReturn, Payment
from grants.services.budget import round_money

from .factories import make_application


def test_only_offered_and_accepted_awards_are_committed(demo):
    for status, awarded in [("approved", 100_000), ("funded", 200_000), ("completed", 50_000),
                            ("declined", 999_00), ("offer_lapsed", 70_000), ("withdrawn", 0)]:
        make_application(demo, status=status, awarded_pence=awarded)
    money = round_money(demo.csf_round)
    assert money.committed == 350_000
    assert money.remaining == 15_000_000 - 350_000


def test_returns_reduce_paid_and_committed_once_received(demo):
    application = make_application(demo, status="completed", awarded_pence=200_000)
    db.session.add(Payment(application=application, amount_pence=200_000, paid_on=date(2027, 1, 5),
                           reference="BACS1", recorded_by_id=demo.finance.id))
    returned = GrantReturn(application=application, amount_pence=30_000, reason="Underspend",
                           raised_by_id=demo.officer.id)
    db.session.add(returned)
    db.session.flush()
    assert round_money(demo.csf_round).paid == 200_000  # raised, not yet received
    returned.received_on = date(2027, 9, 1)
    db.session.flush()
    money = round_money(demo.csf_round)
    assert (money.paid, money.returned, money.committed) == (170_000, 30_000, 170_000)
    assert money.remaining == 15_000_000 - 170_000
