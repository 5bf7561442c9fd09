"""Fund summary figures, checked against a small dataset counted by hand."""
from __future__ import annotations

from datetime import date

import pytest

from grants.extensions import db
from grants.models import Round
from grants.services import summaries

from .factories import make_application
from .factories_reporting import make_award, make_final_report, make_payment, make_return


@pytest.fixture
def known(demo):
    """Nine CSF 2026-27 applications in every outcome, one draft, one PPAF award, one CSF 2025-26 award."""
    orgs = demo.orgs
    charity = orgs["Middlesbrough Football Club Foundation"]
    company = orgs["Home Instead Senior Care Cleveland Limited"]
    a1 = make_award(demo, status="funded", awarded_pence=300_000, areas=("Hartlepool",), objectives=(1, 3))
    a2 = make_award(demo, status="completed", awarded_pence=150_000, areas=("Middlesbrough",), objectives=(3,),
                    org=charity, user=demo.user("kicks"))
    a3 = make_award(demo, status="completed", awarded_pence=50_000, areas=("Hartlepool", "Stockton-on-Tees"),
                    objectives=(4,), org=company, user=demo.user("scams"))
    a4 = make_award(demo, status="approved", amount_pence=120_000, awarded_pence=100_000, objectives=(5,))
    make_award(demo, status="offer_lapsed", awarded_pence=80_000, objectives=(5,))
    make_award(demo, status="declined", amount_pence=200_000, objectives=(2,))
    make_application(demo, status="ineligible", amount_pence=100_000)
    make_application(demo, status="withdrawn", amount_pence=50_000)
    make_application(demo, status="in_assessment", amount_pence=70_000)
    make_application(demo, status="draft", amount_pence=999_900)
    make_award(demo, status="funded", awarded_pence=40_000, round_=demo.ppaf_round)
    old_round = Round(fund=demo.csf, name="2025-26", financial_year="2025-26", opens_on=date(2025, 4, 1),
                      closes_on=date(2025, 6, 30), budget_pence=1_000_000, min_award_pence=25_000,
                      max_award_pence=1_000_000, delegated_limit_pence=500_000)
    db.session.add(old_round)
    db.session.flush()
    make_award(demo, status="completed", awarded_pence=70_000, round_=old_round)

    make_payment(demo, a1, 150_000)
    make_payment(demo, a2, 150_000)
    make_payment(demo, a3, 50_000)
    make_return(demo, a3, 10_000)
    make_return(demo, a2, 5_000, received=False)
    make_final_report(demo, a2, {"Padlocks and alarms fitted": 200})
    make_final_report(demo, a3, {"  padlocks  AND alarms fitted ": 220, "Scam awareness workshops": 12})
    make_final_report(demo, a1, {"Padlocks and alarms fitted": 999}, status="submitted")
    db.session.commit()
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4}


def test_application_counts_match_the_hand_count(demo, known):
    """Are received, screened out, assessed, approved, declined, withdrawn and in progress counted as defined?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert (s.received, s.screened_out, s.assessed, s.approved, s.declined, s.withdrawn, s.in_progress) == (
        9, 1, 6, 5, 1, 1, 1)
    assert s.success_rate_percent == 83  # 5 approved / 6 decided


def test_money_figures_match_the_hand_count(demo, known):
    """Do requested, awarded, average, median and the round money figures add up as counted by hand?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert s.requested_pence == 1_120_000
    assert (s.awarded_count, s.awarded_pence) == (4, 600_000)
    assert s.average_award_pence == 150_000
    assert s.median_award_pence == 125_000  # (100,000 + 150,000) / 2
    assert s.budget_pence == demo.csf_round.budget_pence
    assert s.committed_pence == 590_000  # awards less the £100 return received
    assert s.paid_pence == 340_000  # £3,500 paid less £100 returned
    assert s.returned_pence == 10_000  # the return not yet received is not counted
    assert s.remaining_pence == demo.csf_round.budget_pence - 590_000
    assert s.headline == "£6,000 to 4 projects"


def test_splits_count_each_objective_and_area_an_award_names(demo, known):
    """Are awards split by objective, area and organisation type, counting multi-area awards under each?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    by_objective = {r.label[:1]: (r.received, r.awarded_count, r.awarded_pence) for r in s.by_objective}
    assert by_objective["1"] == (4, 1, 300_000)  # a1 plus the three factory applications left on objective 1
    assert by_objective["3"] == (2, 2, 450_000)
    assert by_objective["2"] == (1, 0, 0)
    assert by_objective["5"] == (2, 1, 100_000)
    by_area = {r.label: (r.awarded_count, r.awarded_pence) for r in s.by_area}
    assert by_area == {"Hartlepool": (3, 450_000), "Middlesbrough": (1, 150_000),
                       "Redcar and Cleveland": (0, 0), "Stockton-on-Tees": (1, 50_000)}
    by_type = {r.label: (r.received, r.awarded_count, r.awarded_pence) for r in s.by_org_type}
    assert by_type["Constituted community group"] == (7, 2, 400_000)
    assert by_type["Registered charity"] == (1, 1, 150_000)
    assert by_type["Company limited by guarantee"] == (1, 1, 50_000)
    assert by_type["School"] == (0, 0, 0)


def test_outputs_add_up_signed_off_final_reports_ignoring_case_and_spacing(demo, known):
    """Are outputs totalled per measure from signed-off final reports of completed grants only?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert [(r.measure, r.delivered, r.grants) for r in s.outputs] == [
        ("padlocks and alarms fitted", 420, 2), ("scam awareness workshops", 12, 1)]


def test_scope_by_fund_and_year(demo, known):
    """Does each fund and year see only its own rounds, and 'all' see every one?"""
    ppaf = summaries.fund_summary(fund=demo.ppaf, year="2026-27")
    assert (ppaf.received, ppaf.awarded_pence) == (1, 40_000)
    old = summaries.fund_summary(fund=demo.csf, year="2025-26")
    assert (old.received, old.awarded_count, old.awarded_pence, old.budget_pence) == (1, 1, 70_000, 1_000_000)
    everything = summaries.fund_summary()
    assert everything.received == 11
    assert everything.awarded_pence == 710_000
    assert {r.code: r.awarded_pence for r in everything.by_fund} == {"CSF": 670_000, "PPAF": 40_000}
    assert summaries.financial_years() == ["2026-27", "2025-26"]


def test_empty_scope_has_no_rate_average_or_median(demo):
    """With nothing decided, are the rate, average and median absent rather than zero?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert s.received == 0 and s.success_rate_percent is None
    assert s.average_award_pence is None and s.median_award_pence is None
    assert s.headline == "£0 to 0 projects"


def test_median_of_an_odd_number_of_awards_is_the_middle_one(demo):
    """Is the median of three awards the middle award?"""
    for amount in (30_000, 90_000, 50_000):
        make_award(demo, status="funded", awarded_pence=amount)
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert s.median_award_pence == 50_000 and s.average_award_pence == 56_667


def test_summary_tables_give_pounds_for_spreadsheets(demo, known):
    """Do the export tables carry the same figures, money as pounds?"""
    tables = {title: (header, rows) for title, header, rows in
              summaries.summary_tables(summaries.fund_summary(fund=demo.csf, year="2026-27"))}
    assert list(tables) == ["Summary", "By objective", "By area", "By organisation type", "Outputs delivered"]
    figures = dict(tables["Summary"][1])
    assert figures["Amount awarded (£)"] == pytest.approx(6000)
    assert figures["Success rate (%)"] == 83
