"""Each round's money counts only its own grants: several rounds, organisations and states side by side."""
from __future__ import annotations

from datetime import date

import pytest

from grants.extensions import db
from grants.models import GrantReturn, Payment
from grants.services.budget import RoundMoney, round_money

from .factories import make_application


def _pay(demo, application, amount):
    db.session.add(Payment(application=application, amount_pence=amount, paid_on=date(2027, 1, 5),
                           reference=f"BACS-{application.id}-{amount}", recorded_by_id=demo.finance.id))


def _return(demo, application, amount, *, received: bool):
    db.session.add(GrantReturn(application=application, amount_pence=amount, reason="Underspend",
                               raised_by_id=demo.officer.id, received_on=date(2027, 9, 1) if received else None))


@pytest.fixture
def two_rounds(demo):
    """Money in both demo rounds, from two organisations, in committed and uncommitted states."""
    csf, ppaf = demo.csf_round, demo.ppaf_round
    other = demo.applicant2
    csf_funded = make_application(demo, round_=csf, status="funded", awarded_pence=200_000)
    csf_completed = make_application(demo, round_=csf, user=other, status="completed", awarded_pence=100_000)
    make_application(demo, round_=csf, status="approved", awarded_pence=40_000)
    make_application(demo, round_=csf, status="declined", awarded_pence=None)
    make_application(demo, round_=csf, user=other, status="offer_lapsed", awarded_pence=60_000)
    ppaf_funded = make_application(demo, round_=ppaf, user=other, status="funded", awarded_pence=30_000)
    make_application(demo, round_=ppaf, status="approved", awarded_pence=7_000)
    make_application(demo, round_=ppaf, status="withdrawn", awarded_pence=9_000)
    _pay(demo, csf_funded, 100_000)
    _pay(demo, csf_completed, 100_000)
    _pay(demo, ppaf_funded, 15_000)
    _pay(demo, ppaf_funded, 5_000)
    _return(demo, csf_completed, 10_000, received=True)
    _return(demo, csf_funded, 99_000, received=False)
    _return(demo, ppaf_funded, 2_000, received=True)
    db.session.flush()
    return csf, ppaf


def test_each_round_counts_only_its_own_awards_payments_and_returns(two_rounds):
    """With money in two rounds, are committed, paid, returned and remaining each round's own figures?"""
    csf, ppaf = two_rounds
    assert round_money(csf) == RoundMoney(budget=15_000_000, committed=340_000 - 10_000, paid=200_000 - 10_000,
                                          returned=10_000, remaining=15_000_000 - 330_000)
    assert round_money(ppaf) == RoundMoney(budget=4_000_000, committed=37_000 - 2_000, paid=20_000 - 2_000,
                                           returned=2_000, remaining=4_000_000 - 35_000)


def test_round_can_be_given_by_id_and_locked(two_rounds):
    """Does asking by id, with or without the lock, give the same figures as asking with the round?"""
    csf, ppaf = two_rounds
    assert round_money(csf.id) == round_money(csf) == round_money(csf.id, lock=True)
    assert round_money(ppaf.id, lock=True) == round_money(ppaf)


def test_round_with_no_grants_has_its_whole_budget(demo):
    """With no applications at all, is everything zero and the whole budget remaining?"""
    assert round_money(demo.ppaf_round) == RoundMoney(budget=4_000_000, committed=0, paid=0, returned=0,
                                                      remaining=4_000_000)


def test_an_award_fits_exactly_at_the_remaining_money_and_not_a_penny_over(two_rounds):
    """Does an award of exactly what remains fit, and one penny more not?"""
    csf, ppaf = two_rounds
    money = round_money(ppaf)
    assert money.fits(money.remaining) and money.fits(0) and money.fits(1)
    assert not money.fits(money.remaining + 1)
    overspent = RoundMoney(budget=10, committed=11, paid=0, returned=0, remaining=-1)
    assert not overspent.fits(0) and overspent.fits(-1)
