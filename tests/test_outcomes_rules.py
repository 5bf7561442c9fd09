"""Outcomes that add up: figures by standard measure, delivered vs reported so far, people reached,
equality totals with small numbers suppressed, and any period."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from grants.extensions import db
from grants.models import Round
from grants.services import measures, summaries
from grants.services.errors import ValidationFailed
from grants.services.periods import Period, from_query

from .factories_outcomes import make_measure, make_report
from .factories_reporting import make_award


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture
def old_round(demo):
    round_ = Round(fund=demo.csf, name="2025-26", financial_year="2025-26", opens_on=date(2025, 4, 1),
                   closes_on=date(2025, 6, 30), budget_pence=1_000_000, min_award_pence=25_000,
                   max_award_pence=1_000_000, delegated_limit_pence=500_000)
    db.session.add(round_)
    db.session.flush()
    return round_


@pytest.fixture
def devices(demo):
    return make_measure("crime prevention devices fitted", unit="devices")


@pytest.fixture
def grants(demo, old_round, devices):
    """Completed grants in two CSF rounds and in PPAF, one live grant with an interim report."""
    this_year = make_award(demo, status="completed", areas=("Hartlepool",), objectives=(4,))
    make_report(this_year, "final", {devices: 200, "Scam awareness workshops": 3}, people=120,
                equality={"age": {"under_18": 4, "65_and_over": 5}, "disability": {"disabled": 1}})
    earlier = make_award(demo, status="completed", round_=old_round, areas=("Middlesbrough",), objectives=(4, 5))
    make_report(earlier, "final", {devices: 220}, people=80, equality={"age": {"under_18": 3}})
    ppaf = make_award(demo, status="completed", round_=demo.ppaf_round, areas=("Hartlepool",), objectives=(5,))
    make_report(ppaf, "final", {devices: 9, "  scam   awareness WORKSHOPS ": 2}, people=30)
    live = make_award(demo, status="funded", areas=("Stockton-on-Tees",), objectives=(4,))
    make_report(live, "interim", {devices: 50}, people=40, equality={"age": {"under_18": 7}})
    unsigned = make_award(demo, status="funded")
    make_report(unsigned, "interim", {devices: 1000}, status="submitted", people=1000)
    db.session.commit()
    return {"this_year": this_year, "earlier": earlier, "ppaf": ppaf, "live": live}


def _outputs(rows) -> dict:
    return {r.measure: (r.delivered, r.grants) for r in rows}


def test_a_standard_measure_adds_up_across_grants_rounds_and_funds(demo, grants):
    """Does one standard measure add up across grants, rounds and funds, and each filter keep only its own?"""
    everything = summaries.fund_summary(period=Period.all_years())
    assert _outputs(everything.outputs)["crime prevention devices fitted"] == (429, 3)
    assert everything.outputs[0].standard and everything.outputs[0].unit == "devices"
    csf_all = summaries.fund_summary(fund=demo.csf, period=Period.all_years())
    assert _outputs(csf_all.outputs)["crime prevention devices fitted"] == (420, 2)
    csf_year = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert _outputs(csf_year.outputs)["crime prevention devices fitted"] == (200, 1)
    ppaf = summaries.fund_summary(fund=demo.ppaf, year="2026-27")
    assert _outputs(ppaf.outputs) == {"crime prevention devices fitted": (9, 1), "scam awareness workshops": (2, 1)}


def test_other_outputs_add_up_by_wording_until_mapped_to_a_measure(demo, grants):
    """Do 'other' outputs group by wording, and join the standard measure once an officer maps them?"""
    assert _outputs(summaries.fund_summary().outputs)["scam awareness workshops"] == (5, 2)
    workshops = make_measure("scam awareness workshops delivered")
    for grant in (grants["this_year"], grants["ppaf"]):
        measures.map_outputs(grant, actor=demo.officer, choices={
            o.id: workshops.id for o in grant.planned_outputs if "scam" in o.measure.lower()})
    rows = _outputs(summaries.fund_summary().outputs)
    assert rows["scam awareness workshops delivered"] == (5, 2)
    assert "scam awareness workshops" not in rows


def test_interim_figures_of_live_grants_are_reported_so_far_never_delivered(demo, grants):
    """Are signed-off interim reports of live grants 'reported so far', apart from delivered, and unsigned ones ignored?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert _outputs(s.outputs_reported) == {"crime prevention devices fitted": (50, 1)}
    assert _outputs(s.outputs)["crime prevention devices fitted"] == (200, 1)
    assert (s.people_delivered, s.people_reported) == (120, 40)


def test_an_interim_report_stops_counting_once_the_grant_completes(demo, grants, devices):
    """When a grant completes, is its interim report no longer counted as reported so far?"""
    grants["this_year"].status = "completed"
    make_report(grants["this_year"], "interim", {devices: 77}, people=10)
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    assert _outputs(s.outputs_reported) == {"crime prevention devices fitted": (50, 1)}


def test_people_reached_split_by_objective_and_area(demo, grants):
    """Are people reached totalled per objective and area, a grant counting under each it names?"""
    s = summaries.fund_summary(period=Period.all_years())
    assert s.people_delivered == 230 and s.people_reported == 40
    by_objective = {r.label[:1]: (r.delivered, r.reported) for r in s.people_by_objective}
    assert by_objective["4"] == (200, 40)
    assert by_objective["5"] == (110, 0)
    assert by_objective["1"] == (0, 0)
    assert {r.label: (r.delivered, r.reported) for r in s.people_by_fund} == {
        "Community Safety Fund (CSF)": (200, 40), "Police Property Act Fund (PPAF)": (30, 0)}
    assert summaries.fund_summary(fund=demo.csf, year="2026-27").people_by_fund == []
    by_area = {r.label: (r.delivered, r.reported) for r in s.people_by_area}
    assert by_area == {"Hartlepool": (150, 0), "Middlesbrough": (80, 0), "Redcar and Cleveland": (0, 0),
                       "Stockton-on-Tees": (0, 40)}


def test_small_numbers_are_suppressed_at_four_and_shown_at_five():
    """Is 4 shown as 'fewer than 5', and are 0 and 5 shown as numbers?"""
    assert summaries.suppress(4) == "fewer than 5"
    assert summaries.suppress(1) == "fewer than 5"
    assert summaries.suppress(5) == 5
    assert summaries.suppress(0) == 0


def test_equality_totals_add_up_and_suppress_every_small_cell(demo, grants):
    """Are age, disability and ethnicity totals added across reports with each cell under 5 suppressed?"""
    s = summaries.fund_summary(period=Period.all_years())
    cells = {(r.group, r.label): (r.delivered, r.reported) for r in s.equality}
    assert cells[("Age", "Under 18")] == (7, 7)  # 4 + 3 delivered: only the total is shown
    assert cells[("Age", "65 and over")] == (5, 0)
    assert cells[("Disability", "Disabled people")] == ("fewer than 5", 0)
    csf_year = {(r.group, r.label): r.delivered for r in summaries.fund_summary(fund=demo.csf, year="2026-27").equality}
    assert csf_year[("Age", "Under 18")] == "fewer than 5"  # 4 alone


def test_no_export_table_carries_a_small_equality_count(demo, grants):
    """Do the download tables carry the suppressed text, never the raw 4?"""
    s = summaries.fund_summary(fund=demo.csf, year="2026-27")
    equality = dict((t, rows) for t, _h, rows in summaries.outcome_tables(s))["Equality monitoring"]
    assert ["Age", "Under 18", "fewer than 5", 7] in equality
    assert all(cell not in (1, 2, 3, 4) for row in equality for cell in row[2:])


def test_a_date_range_crossing_financial_years_counts_by_decision_and_sign_off_date(demo, old_round, devices):
    """Does a range over 31 March count awards by decision date and report figures by sign-off date in both years?"""
    march = make_award(demo, status="completed", round_=old_round, decided_at=_utc(2026, 3, 20, 10))
    make_report(march, "final", {devices: 10}, people=11, signed_off_at=_utc(2026, 3, 25, 10))
    april = make_award(demo, status="completed", decided_at=_utc(2026, 4, 10, 10))
    make_report(april, "final", {devices: 20}, people=22, signed_off_at=_utc(2026, 5, 2, 10))
    later = make_award(demo, status="completed", decided_at=_utc(2026, 6, 10, 10))
    make_report(later, "final", {devices: 40}, people=44, signed_off_at=_utc(2026, 7, 2, 10))
    db.session.commit()
    s = summaries.fund_summary(fund=demo.csf, period=Period.between(date(2026, 3, 1), date(2026, 5, 31)))
    assert s.awarded_count == 2
    assert _outputs(s.outputs)["crime prevention devices fitted"] == (30, 2)
    assert s.people_delivered == 33
    assert s.scope_label == "Community Safety Fund, 1 March 2026 to 31 May 2026"
    financial_year = summaries.fund_summary(fund=demo.csf, year="2025-26")
    assert financial_year.awarded_count == 1  # a financial year counts by round


def test_quarter_boundaries_follow_uk_time(demo):
    """Is a decision at 00:30 BST on 1 July in Q2, and one at 23:59 BST on 30 June in Q1?"""
    make_award(demo, status="funded", awarded_pence=100_000, decided_at=_utc(2026, 6, 30, 22, 59))
    make_award(demo, status="funded", awarded_pence=200_000, decided_at=_utc(2026, 6, 30, 23, 30))
    make_award(demo, status="funded", awarded_pence=400_000, decided_at=_utc(2027, 3, 31, 22, 59))
    db.session.commit()
    q1 = summaries.fund_summary(period=Period.of_quarter("2026-27", 1))
    q2 = summaries.fund_summary(period=Period.of_quarter("2026-27", 2))
    q4 = summaries.fund_summary(period=Period.of_quarter("2026-27", 4))
    assert (q1.awarded_pence, q2.awarded_pence, q4.awarded_pence) == (100_000, 200_000, 400_000)
    assert (Period.of_quarter("2026-27", 4).start, Period.of_quarter("2026-27", 4).end) == (
        date(2027, 1, 1), date(2027, 3, 31))
    assert Period.of_quarter("2026-27", 2).label == "Q2 2026-27 (July to September 2026)"


def test_periods_from_query_parameters_and_their_refusals():
    """Do the query parameters choose each kind of period, and refuse a range that ends before it starts?"""
    assert from_query({"year": "all"}, default_year="2026-27").kind == "all"
    assert from_query({}, default_year="2026-27") == Period.financial_year("2026-27")
    assert from_query({"year": "2025-26", "quarter": "3"}, default_year=None).start == date(2025, 10, 1)
    ranged = from_query({"from": "2026-02-01", "to": "2026-04-30"}, default_year=None)
    assert (ranged.start, ranged.end, ranged.query_args()) == (
        date(2026, 2, 1), date(2026, 4, 30), {"from": "2026-02-01", "to": "2026-04-30"})
    with pytest.raises(ValidationFailed) as refused:
        Period.between(date(2026, 5, 1), date(2026, 4, 1))
    assert "after the first day" in refused.value.errors["end"]
    with pytest.raises(ValidationFailed):
        from_query({"year": "2026-27", "quarter": "5"}, default_year=None)
    with pytest.raises(ValidationFailed):
        from_query({"from": "2026-02-30", "to": "2026-04-30"}, default_year=None)


def test_organisation_history_totals_each_year_and_every_measure(demo, grants, old_round, devices):
    """Does an organisation's history give grants, amount and people per year, and outputs across years?"""
    history = summaries.organisation_history(demo.applicant.organisation)
    by_year = {y.year: (y.grants, y.awarded_pence, y.people_delivered, y.people_reported) for y in history.years}
    assert by_year == {"2026-27": (4, 1_200_000, 150, 40), "2025-26": (1, 300_000, 80, 0)}
    assert _outputs(history.outputs)["crime prevention devices fitted"] == (429, 3)
    assert history.headline == "£15,000 in 5 grants from 2025-26 to 2026-27"
    other = summaries.organisation_history(demo.orgs["Middlesbrough Football Club Foundation"])
    assert other.grants == [] and other.headline == "£0 in 0 grants"
