"""Sample applications in every state, made through the services as a person would.

Each sample is one story told in order: an applicant starts and submits, an
officer screens, assessors score, a decision maker decides, the applicant
accepts, finance pays, the applicant reports, the officer signs off. Steps that
need time to pass (offers lapse after 28 days, reports fall due after the
project ends, payments cannot be dated in the future) run "as of" an earlier
day by moving grants.clock for the length of the step, and the clock is always
put back.

Idempotent: a sample is looked up by organisation and title and skipped when
it exists, so running the seed again makes nothing new. A sample is made and
advanced in one go, and the CLI commits once, so a failed run leaves nothing
half-made behind.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage

from . import clock
from .assessment.demo import advance
from .extensions import db
from .models import Application, Area, Organisation, Round, User
from .services import (
    applications,
    assessment,
    bank_details,
    decisions,
    meetings,
    monitoring,
    notices,
    offers,
    payments,
    publication,
    screening,
)
from .services.decisions import APPROVE_FULL, APPROVE_REDUCED, DECLINE, DEFER

# A minimal, valid PDF: the attachments service checks content, not names.
_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_IP = "192.0.2.10"  # documentation range: the demo's acceptances came from "somewhere"

OFFICER, ASSESSOR, ASSESSOR2 = "officer@example.org", "assessor@example.org", "assessor2@example.org"
CEO, PCC, FINANCE = "ceo@example.org", "pcc@example.org", "finance@example.org"

# Keys for the demo's rounds: this financial year's (open) and last year's (complete).
CURRENT, HISTORY_YEAR = "current", "history"
# Last year's stories are written as if last year were 2025-26; they move with the clock (Demo.then).
STORY_HISTORY_START = 2025


# --- Time -------------------------------------------------------------------------------


@contextmanager
def as_of(day: date):
    """Run the body as if today were `day` (time still moves on from 11:00 UTC that day)."""
    original_now, original_today = clock.now, clock.today
    offset = datetime.combine(day, time(11, 0), tzinfo=timezone.utc) - original_now()

    def shifted_now() -> datetime:
        return original_now() + offset

    # Column defaults hold the real clock.now, so rows made in the step are dated here instead.
    session = db.session()
    event.listen(session, "before_flush", _date_new_rows)
    try:
        clock.now = shifted_now
        clock.today = lambda: shifted_now().astimezone(clock.LONDON).date()
        yield
    finally:
        clock.now, clock.today = original_now, original_today
        event.remove(session, "before_flush", _date_new_rows)


def _date_new_rows(session, flush_context, instances) -> None:
    for row in session.new:
        if hasattr(row, "created_at") and row.created_at is None:
            row.created_at = clock.now()


def anchor_day(round_: Round) -> date:
    """'Today' for the current round's stories: the real date, kept inside the round.

    Stories reach back up to 150 days, so the anchor is at least 150 days after
    the round opens; and it is before the round closes so drafts and
    submissions are possible. On any real date inside that window it is today.
    """
    today = clock.today()
    earliest, latest = round_.opens_on + timedelta(days=150), round_.closes_on - timedelta(days=14)
    return min(max(today, earliest), latest)


# --- Building blocks ----------------------------------------------------------------------


class Demo:
    """The people, rounds and anchor day the stories share."""

    def __init__(self, users: dict[str, User], csf_round: Round, ppaf_round: Round,
                 history: tuple[Round, Round]):
        self.users = users
        self.rounds = {("CSF", CURRENT): csf_round, ("PPAF", CURRENT): ppaf_round,
                       ("CSF", HISTORY_YEAR): history[0], ("PPAF", HISTORY_YEAR): history[1]}
        self.today = anchor_day(csf_round)
        self.history_shift = history[0].opens_on.year - STORY_HISTORY_START
        self.officer, self.finance = users[OFFICER], users[FINANCE]
        self.assessors = [users[ASSESSOR], users[ASSESSOR2]]

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def then(self, year: int, month: int, day: int) -> date:
        """A day of last year's stories (written for 2025-26), in the financial year before the open rounds."""
        return date(year + self.history_shift, month, day)


def _existing(organisation: Organisation, title: str) -> Application | None:
    return db.session.scalar(select(Application).where(Application.organisation_id == organisation.id,
                                                       Application.title == title))


def _pdf(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(_PDF), filename=name)


def _make(demo: Demo, *, email: str, fund: str, year: str = CURRENT, title: str, summary: str, need: str,
          activities: str, areas: list[str], objectives: list[int], beneficiaries: str, outputs: list[tuple[str, int]],
          budget: list[tuple[str, int]], start: date, end: date, works_with: bool = False,
          submit: bool = True) -> Application:
    """Start, fill in and (unless `submit` is False) submit an application, as the applicant would."""
    user = demo.users[email]
    round_ = demo.rounds[(fund, year)]
    application = applications.start_application(round_, actor=user)
    area_ids = list(db.session.scalars(select(Area.id).where(Area.name.in_(areas))))
    answers = {
        "project": {"title": title, "summary": summary, "start_date": start, "end_date": end},
        "need": {"need": need,
                 "evidence": "Cleveland Police incident figures for the area, our own records and a survey "
                             "of the people we work with."},
        "activities": {"activities": activities},
        "where_and_who": {"area_ids": area_ids, "ward": None, "beneficiaries": beneficiaries,
                          "beneficiary_count": max(t for _, t in outputs)},
        "objectives": {"objective_ids": [o.id for o in round_.objectives if o.number in objectives],
                       "crime_reduction_reasons": "It reduces the chances of crime happening, supports people "
                                                  "affected by it and helps local people feel safer."},
        "outputs": {"rows": [{"measure": m, "target": t} for m, t in outputs]},
        "budget": {"rows": [{"item": i, "cost_pence": c} for i, c in budget],
                   "other_funding": "Volunteer time from our members, which we have not costed."},
        "safeguarding": {"works_with": works_with,
                         "safeguarding": ("Named safeguarding lead; every session leader has an enhanced DBS "
                                          "check and safeguarding training renewed each year.")
                         if works_with else None},
    }
    kinds = ["governing_document", "accounts"] + (["safeguarding_policy"] if works_with else [])
    for kind in kinds:
        applications.add_attachment(application, upload=_pdf(f"{kind}.pdf"), kind=kind, actor=user)
    for section in applications.SECTIONS:
        if not submit and section in ("budget", "safeguarding", "attachments"):
            # Left part-way, to show save-and-return on the task list.
            values = answers.get(section, {})
            if section == "budget":
                applications.save_section(application, section=section, values=values, completed=False, actor=user)
            continue
        applications.save_section(application, section=section, values=answers.get(section, {}),
                                  completed=True, actor=user)
    if submit:
        applications.submit(application, actor=user, declaration_name=user.full_name,
                            declaration_position=user.job_title or "Secretary", confirmed=True)
    return application


def _decider(demo: Demo, application: Application, amount: int | None) -> User:
    """The Chief Executive within delegation, the PCC above it."""
    over = (amount or application.amount_requested_pence) > application.round.delegated_limit_pence
    return demo.users[PCC] if over else demo.users[CEO]


def _decide(demo: Demo, application: Application, outcome: str, reasons: str, *, amount: int | None = None,
            feedback: str | None = None, conditions: str | None = None, summary: str | None = None,
            publish: bool = False):
    """Decide (an approval with its public summary); `publish`: the officer then publishes it to the register."""
    awarded = amount if outcome == APPROVE_REDUCED else application.amount_requested_pence
    record = decisions.decide(application, actor=_decider(demo, application, awarded if outcome in decisions.APPROVALS
                                                             else None),
                              outcome=outcome, reasons=reasons, amount_pence=amount, feedback=feedback,
                              special_conditions=conditions, no_interest_confirmed=True, public_summary=summary)
    if publish:
        publication.publish([application.id], actor=demo.officer)
    return record


def _assess(demo: Demo, application: Application, *, to: str = "assessed", scores=None, conflict=None) -> None:
    """Screen and score: one assessor within the delegated limit, both above it (as the round requires)."""
    above = application.amount_requested_pence > application.round.delegated_limit_pence
    people = demo.assessors if above or (scores and len(scores) == 2) else demo.assessors[:1]
    if conflict is not None:
        people = [p for p in people if p.id != conflict[0].id]
    advance(application, to=to, officer=demo.officer, assessors=people, scores=scores, conflict=conflict)


def _accept(demo: Demo, application: Application, email: str) -> None:
    """Accept; a group's first acceptance gives its (made-up) bank details, which finance then verifies."""
    user = demo.users[email]
    first = bank_details.current_for(application.organisation_id) is None
    offers.accept_offer(application, actor=user, signatory_name=user.full_name,
                        signatory_position=user.job_title or "Secretary", terms_confirmed=True, ip_address=_IP,
                        bank=_demo_bank(application) if first else None,
                        statement=_demo_statement() if first else None)
    if first:
        bank_details.verify_bank_details(bank_details.current_for(application.organisation_id), actor=demo.finance,
                                         spoke_to=application.organisation.contact_name, called_on=clock.today(),
                                         confirmed=True)


def _demo_bank(application: Application) -> dict:
    return {"account_name": application.organisation.legal_name[:140], "sort_code": "00-00-00",
            "account_number": f"{application.organisation_id:08d}"}


def _demo_statement():
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="demo-bank-statement.pdf")


def _pay_released(demo: Demo, application: Application) -> None:
    """Finance pays every released, unpaid instalment, dated today (as the clock stands)."""
    for line in payments.grant_payments(application).lines:
        if line.payable:
            payments.record_payment(line.instalment, actor=demo.finance, amount_pence=line.outstanding,
                                    paid_on=clock.today(),
                                    reference=f"BACS {application.reference}-{line.instalment.sequence}")


def _report(application: Application, kind: str):
    return next(r for r in monitoring.reports_of(application) if r.kind == kind)


def _write_report(demo: Demo, application: Application, email: str, kind: str, *, share: float, spend_share: float,
                  went_well: str, did_not: str, case_study: str | None = None, submit: bool = True,
                  partial: bool = False):
    """The applicant fills in a report: `share` of each output target delivered, `spend_share` of each line spent."""
    user = demo.users[email]
    report = _report(application, kind)
    outputs = application.planned_outputs
    lines = application.budget_lines
    actuals = {o.id: round(o.target * share) for o in outputs}
    spend = {b.id: round(b.cost_pence * spend_share) for b in lines}
    if partial:
        # Part-way: the first figures typed in, the rest still to come.
        actuals = dict(list(actuals.items())[:1])
        spend = {}
    reached = round((application.beneficiary_count or 0) * share) or None
    equality = None if partial else {
        "age": {"under_18": reached // 4, "18_to_24": reached // 4, "25_to_64": reached // 4,
                "65_and_over": reached - 3 * (reached // 4)},
        "disability": {"disabled": reached // 5, "not_disabled": reached - reached // 5},
    }
    monitoring.save_report(report, actor=user, actuals=actuals, spend=spend,
                           beneficiaries_reached=None if partial else reached, equality=equality,
                           went_well=went_well, did_not_go_well=None if partial else did_not,
                           case_study=case_study if kind == "final" else None)
    if not partial:
        monitoring.add_evidence(report, _pdf(f"{kind}-report-receipts.pdf"), actor=user)
    if submit and not partial:
        monitoring.submit_report(report, actor=user)
    return report


# --- Earlier rounds ----------------------------------------------------------------------


def history_rounds(csf_round: Round, ppaf_round: Round) -> tuple[Round, Round]:
    """Last financial year's rounds (closed), so the fund summary and public register have history."""
    from .seed import _configure_round, _get_or_create

    year = clock.financial_year(csf_round.opens_on - timedelta(days=1))
    opens, closes = clock.financial_year_bounds(year)
    made = []
    for current in (csf_round, ppaf_round):
        round_ = _get_or_create(
            Round,
            dict(financial_year=year, opens_on=opens, closes_on=closes,
                 budget_pence=current.budget_pence, min_award_pence=current.min_award_pence,
                 max_award_pence=current.max_award_pence, delegated_limit_pence=current.delegated_limit_pence,
                 full_payment_threshold_pence=current.full_payment_threshold_pence,
                 final_report_months_after_end=current.final_report_months_after_end,
                 interim_report_rule=current.interim_report_rule,
                 interim_report_threshold_pence=current.interim_report_threshold_pence, guidance=current.guidance,
                 allowed_org_types=list(current.allowed_org_types)),
            fund_id=current.fund_id, name=year,
        )
        _configure_round(round_)
        made.append(round_)
    return made[0], made[1]


# --- The stories ----------------------------------------------------------------------------
# Each takes (demo, org) and is run only when no application with its title exists.


HARTLEPOOL, ALLOTMENTS = "Hartlepool Allotment Holders Association", "applicant@example.org"
SOROPTIMIST, SOROPTIMIST_USER = "Soroptimist International Stockton-on-Tees", "applicant2@example.org"
MFC, KICKS = "Middlesbrough Football Club Foundation", "kicks@example.org"
SRTRC, SRTRC_USER = "Show Racism the Red Card", "srtrc@example.org"
HOME_INSTEAD, SCAMS = "Home Instead Senior Care Cleveland Limited", "scams@example.org"


def allotment_padlocks(demo: Demo) -> None:
    """Funded, first half paid, interim report part-written and due in about a month."""
    title = "Allotment security: 420 padlocks and alarms"
    with as_of(demo.day(140)):
        app = _make(demo, email=ALLOTMENTS, fund="CSF", title=title,
                    summary="Fit 420 padlocks and shed alarms across Hartlepool's allotment sites, which are "
                            "broken into again and again.",
                    need="Sheds on our 14 sites were broken into 96 times last year; tools are stolen and sold "
                         "on, and many older plot holders have stopped coming.",
                    activities="Buy and fit heavy-duty padlocks and battery shed alarms, mark tools with "
                               "forensic marking, and run two security evenings with the neighbourhood team.",
                    areas=["Hartlepool"], objectives=[4, 5], beneficiaries="Allotment holders and their families",
                    outputs=[("padlocks and alarms fitted", 420), ("allotment sites made secure", 14),
                             ("plot holders reached", 380)],
                    budget=[("Padlocks and shed alarms", 462_000), ("Forensic property marking kits", 108_000),
                            ("Security lighting for site gates", 80_000)],
                    start=demo.day(90), end=demo.day(-150))
    with as_of(demo.day(130)):
        _assess(demo, app, scores=[[5, 4, 4, 4, 4], [4, 4, 5, 4, 4]])
    with as_of(demo.day(110)):
        _decide(demo, app, APPROVE_REDUCED, "A well-evidenced plan that answers repeated burglary of sheds. "
                "Lighting is reduced as the council is replacing gate lights at two sites.", amount=600_000,
                conditions="Tools must be property-marked before the alarms are fitted.",
                summary="Padlocks, alarms and lighting for four allotment sites in Hartlepool that have had repeated "
                        "shed break-ins, to cut theft and damage.", publish=True)
    with as_of(demo.day(100)):
        _accept(demo, app, ALLOTMENTS)
    with as_of(demo.day(96)):
        _pay_released(demo, app)
    with as_of(demo.day(3)):
        _write_report(demo, app, ALLOTMENTS, "interim", share=0.5, spend_share=0.5, partial=True,
                      went_well="Padlocks are fitted on the Burn Valley and Rift House sites.", did_not="")


def allotment_trail_cameras(demo: Demo) -> None:
    """Approved five days ago: an offer waiting for the applicant to accept."""
    with as_of(demo.day(40)):
        app = _make(demo, email=ALLOTMENTS, fund="CSF", title="Trail cameras and warning signs for allotments",
                    summary="Wildlife-style trail cameras and warning signs at the three allotment sites "
                            "hit hardest by theft.",
                    need="Three sites account for half the break-ins; the neighbourhood team asked us for "
                         "images they can use.",
                    activities="Buy six trail cameras and 30 signs, and train site reps to hand footage to police.",
                    areas=["Hartlepool"], objectives=[4], beneficiaries="Plot holders at three sites",
                    outputs=[("trail cameras installed", 6), ("warning signs put up", 30), ("plot holders", 150)],
                    budget=[("Trail cameras", 144_000), ("Signs", 36_000)],
                    start=demo.day(-30), end=demo.day(-210))
    with as_of(demo.day(30)):
        _assess(demo, app, scores=[[4, 3, 4, 4, 3]])
    with as_of(demo.day(5)):
        _decide(demo, app, APPROVE_FULL, "Good value and clearly linked to the neighbourhood team's priorities.",
                summary="Crime prevention work agreed with the neighbourhood policing team.")


def allotment_draft(demo: Demo) -> None:
    """A draft part-way through: the applicant can pick it up where they left off."""
    with as_of(demo.day(2)):
        _make(demo, email=ALLOTMENTS, fund="CSF", title="Community growing space at Rossmere allotments",
              summary="Turn a derelict, fly-tipped plot into a shared growing space for local families.",
              need="The empty plot is a magnet for fly-tipping and fires set by young people.",
              activities="Clear the plot, fence it and run weekly family growing sessions with the youth service.",
              areas=["Hartlepool"], objectives=[3, 5], beneficiaries="Families in Rossmere",
              outputs=[("family growing sessions", 40), ("families taking part", 60)],
              budget=[("Fencing", 240_000), ("Tools and seeds", 60_000)],
              start=demo.day(-60), end=demo.day(-330), works_with=True, submit=False)


def allotment_history(demo: Demo) -> None:
    """Last year: a small PPAF grant for shed alarms, completed; its £100 underspend is still to be paid back."""
    with as_of(demo.then(2025, 5, 6)):
        app = _make(demo, email=ALLOTMENTS, fund="CSF", year=HISTORY_YEAR, title="Shed alarm pilot at Burn Valley",
                    summary="A pilot of battery shed alarms on one site before rolling them out.",
                    need="Burn Valley had 31 shed break-ins in 2024.",
                    activities="Fit 40 shed alarms and compare break-ins with the year before.",
                    areas=["Hartlepool"], objectives=[4], beneficiaries="Plot holders at Burn Valley",
                    outputs=[("shed alarms fitted", 40), ("plot holders", 90)],
                    budget=[("Shed alarms", 100_000), ("Fitting", 25_000)],
                    start=demo.then(2025, 7, 1), end=demo.then(2025, 12, 31))
    _history_grant(demo, app, ALLOTMENTS, decided=demo.then(2025, 6, 10), spend_share=0.92,
                   case_study="Break-ins on the pilot site fell from 31 to 6; the rollout is now planned.")


def soroptimist_welfare_packs(demo: Demo) -> None:
    """Last year: the £3,600 welfare packs grant, completed; the underspend was returned and received."""
    with as_of(demo.then(2025, 5, 12)):
        app = _make(demo, email=SOROPTIMIST_USER, fund="CSF", year=HISTORY_YEAR,
                    title="Emergency welfare packs for victims of trafficking",
                    summary="Emergency welfare packs for people rescued from trafficking and modern slavery "
                            "in Cleveland, handed out by police and the reception centre.",
                    need="People rescued in police operations often arrive with nothing but what they are "
                         "wearing; officers had been buying essentials themselves.",
                    activities="Buy, pack and deliver welfare packs (toiletries, clothing, phone top-ups, "
                               "translated information) to the force's modern slavery team.",
                    areas=["Stockton-on-Tees", "Middlesbrough"], objectives=[2],
                    beneficiaries="Victims of trafficking and modern slavery",
                    outputs=[("welfare packs given", 150), ("packs with translated information", 150)],
                    budget=[("Welfare pack contents", 300_000), ("Translation and printing", 60_000)],
                    start=demo.then(2025, 7, 1), end=demo.then(2026, 2, 28), works_with=True)
    _history_grant(demo, app, SOROPTIMIST_USER, decided=demo.then(2025, 6, 16), spend_share=0.95,
                   return_received=demo.then(2026, 4, 20),
                   case_study="A woman rescued from a nail bar in Stockton was given a pack at 2am; "
                              "she told officers it was the first time in a year anyone had given her anything.")


def soroptimist_orange(demo: Demo) -> None:
    """Submitted and waiting to be checked."""
    with as_of(demo.day(6)):
        _make(demo, email=SOROPTIMIST_USER, fund="PPAF", title="Orange the World: 16 days against domestic abuse",
              summary="Awareness events, purple benches and help cards in Stockton town centre during the "
                      "16 days of activism against gender-based violence.",
              need="Domestic abuse incidents in Stockton rose by 9% last year and many victims do not know "
                   "where to turn.",
              activities="Events in the high street and library, 2,000 help cards in community venues.",
              areas=["Stockton-on-Tees"], objectives=[2, 4], beneficiaries="Residents of Stockton",
              outputs=[("awareness events", 8), ("help cards given out", 2000)],
              budget=[("Help cards and printing", 70_000), ("Event costs", 50_000)],
              start=demo.day(-45), end=demo.day(-120))


def soroptimist_withdrawn(demo: Demo) -> None:
    """Withdrawn by the applicant: other funding was found."""
    with as_of(demo.day(75)):
        app = _make(demo, email=SOROPTIMIST_USER, fund="CSF", title="Safe space drop-in for women in Thornaby",
                    summary="A weekly drop-in for women at risk of exploitation.",
                    need="Outreach workers meet women at risk with nowhere safe to go in the evening.",
                    activities="Weekly drop-in with a support worker and police community support officer.",
                    areas=["Stockton-on-Tees"], objectives=[2], beneficiaries="Women at risk of exploitation",
                    outputs=[("drop-in sessions", 40), ("women supported", 60)],
                    budget=[("Support worker", 320_000), ("Room hire", 80_000)],
                    start=demo.day(-20), end=demo.day(-340), works_with=True)
    with as_of(demo.day(68)):
        applications.withdraw(app, actor=demo.users[SOROPTIMIST_USER],
                              reason="The National Lottery Community Fund has agreed to fund the drop-in in full.")


def soroptimist_cohesion(demo: Demo) -> None:
    """Deferred by the PCC pending match funding."""
    with as_of(demo.day(60)):
        app = _make(demo, email=SOROPTIMIST_USER, fund="CSF", title="Community cohesion events in Stockton",
                    summary="Shared meals and open days bringing together long-standing residents and new "
                            "arrivals after last summer's disorder.",
                    need="Tensions after the 2024 disorder remain; hate incidents are still above their "
                         "earlier level.",
                    activities="Six community meals and two open days run with faith groups and the police.",
                    areas=["Stockton-on-Tees"], objectives=[4, 5], beneficiaries="Residents of central Stockton",
                    outputs=[("community events", 8), ("residents attending", 600)],
                    budget=[("Venue and food", 420_000), ("Event coordinator", 260_000)],
                    start=demo.day(-40), end=demo.day(-250))
    with as_of(demo.day(50)):
        _assess(demo, app, scores=[[4, 4, 3, 3, 4], [3, 4, 3, 3, 3]])
    with as_of(demo.day(20)):
        _decide(demo, app, DEFER, "Deferred until Stockton Borough Council confirms its share of the costs; "
                "the application will come back to the next decision meeting.")


def kicks_history(demo: Demo) -> None:
    """Last year: Kicks youth diversion football, still funded, interim signed off, final report overdue."""
    with as_of(demo.then(2025, 5, 20)):
        app = _make(demo, email=KICKS, fund="CSF", year=HISTORY_YEAR,
                    title="Kicks youth diversion football in Middlesbrough",
                    summary="Free Kicks football and mentoring sessions on weeknights in the estates with the "
                            "highest youth anti-social behaviour.",
                    need="Anti-social behaviour by young people peaks on weeknights in North Ormesby and "
                         "Berwick Hills.",
                    activities="Three weekly sessions run by Foundation coaches, with mentoring and "
                               "workshops on knife crime.",
                    areas=["Middlesbrough"], objectives=[3], beneficiaries="Young people aged 11 to 18",
                    outputs=[("football sessions", 120), ("young people attending", 250)],
                    budget=[("Coaches", 360_000), ("Pitch hire", 120_000)],
                    start=demo.then(2025, 7, 1), end=demo.then(2026, 3, 31), works_with=True)
    _history_grant(demo, app, KICKS, decided=demo.then(2025, 6, 16), final=False)


def kicks_friday(demo: Demo) -> None:
    """Submitted, from an organisation with an overdue report: screening flags it."""
    with as_of(demo.day(4)):
        _make(demo, email=KICKS, fund="CSF", title="Friday night football at the Riverside",
              summary="Coached football on Friday nights for young people at risk of getting involved in "
                      "anti-social behaviour.",
              need="Friday evenings see the most calls about young people in Middlesbrough town centre.",
              activities="Friday night sessions with coaches, youth workers and visits from police officers.",
              areas=["Middlesbrough"], objectives=[3], beneficiaries="Young people aged 12 to 17",
              outputs=[("football sessions", 40), ("young people attending", 60)],
              budget=[("Coaches", 240_000), ("Pitch hire", 125_050)],
              start=demo.day(-60), end=demo.day(-300), works_with=True)


def kicks_holiday(demo: Demo) -> None:
    """In assessment above the delegated limit: one assessor has scored, one has not."""
    with as_of(demo.day(25)):
        app = _make(demo, email=KICKS, fund="CSF", title="Kicks holiday camps in Redcar",
                    summary="Holiday football camps with free meals in Redcar and Grangetown.",
                    need="Youth disorder rises in the school holidays; many families rely on free school meals.",
                    activities="Four-day camps in every school holiday with a hot meal each day.",
                    areas=["Redcar and Cleveland"], objectives=[3, 5], beneficiaries="Children aged 8 to 14",
                    outputs=[("camp days", 32), ("children attending", 240)],
                    budget=[("Coaches", 450_000), ("Meals", 210_000), ("Venue", 90_000)],
                    start=demo.day(-70), end=demo.day(-400), works_with=True)
    with as_of(demo.day(18)):
        _assess(demo, app, to="in_assessment")
        first = next(a for a in assessment.assignments_for(app) if a.assessor_id == demo.assessors[0].id)
        entries = {c.id: ("4", "Clear plan with good partners.") for c in app.round.criteria}
        assessment.save_scores(first, entries=entries, submit=True, actor=demo.assessors[0])


def srtrc_schools(demo: Demo) -> None:
    """Assessed, but the assessors disagree: flagged for moderation."""
    with as_of(demo.day(45)):
        app = _make(demo, email=SRTRC_USER, fund="CSF", title="Anti-racism workshops in Middlesbrough schools",
                    summary="Show Racism the Red Card workshops for pupils and training for teachers in "
                            "Middlesbrough secondary schools.",
                    need="Racist incidents reported by Middlesbrough schools doubled in two years.",
                    activities="Workshops with former footballers, teacher training and a pupil poster competition.",
                    areas=["Middlesbrough"], objectives=[4, 5], beneficiaries="Pupils and teachers",
                    outputs=[("school workshops", 24), ("pupils reached", 1200), ("teachers trained", 60)],
                    budget=[("Educator time", 560_000), ("Materials", 40_000), ("Travel", 20_000)],
                    start=demo.day(-40), end=demo.day(-280), works_with=True)
    with as_of(demo.day(35)):
        _assess(demo, app, scores=[[5, 5, 4, 4, 5], [2, 3, 3, 2, 3]])


def srtrc_camp(demo: Demo) -> None:
    """Ineligible: the project had already started."""
    with as_of(demo.day(100)):
        app = _make(demo, email=SRTRC_USER, fund="PPAF", title="Summer anti-racism football camp",
                    summary="A week-long football camp with anti-racism sessions for young people.",
                    need="Young people told us they hear racist abuse at grassroots matches.",
                    activities="Five days of football and workshops in Stockton.",
                    areas=["Stockton-on-Tees"], objectives=[5], beneficiaries="Young people aged 10 to 16",
                    outputs=[("camp days", 5), ("young people", 80)],
                    budget=[("Coaches", 120_000), ("Venue", 40_000)],
                    start=demo.day(90), end=demo.day(80), works_with=True)
    with as_of(demo.day(95)):
        checks = app.round.eligibility_checks
        answers = [screening.CheckAnswer(
            check_id=c.id, passed="already started" not in c.text,
            note="The camp was already running, with places booked, before the application could be decided." if
            "already started" in c.text else "") for c in checks]
        screening.screen(app, answers=answers, actor=demo.officer)


def srtrc_tournament(demo: Demo) -> None:
    """Declined, with feedback and a decline letter."""
    with as_of(demo.day(85)):
        app = _make(demo, email=SRTRC_USER, fund="PPAF", title="Unity Cup anti-racism tournament",
                    summary="A one-day five-a-side tournament with anti-racism workshops.",
                    need="Teams from different communities rarely play each other.",
                    activities="Tournament day with workshops between matches.",
                    areas=["Redcar and Cleveland"], objectives=[5], beneficiaries="Young people in local teams",
                    outputs=[("teams taking part", 16), ("players", 120)],
                    budget=[("Pitch hire", 90_000), ("Trophies and kit", 110_000)],
                    start=demo.day(-30), end=demo.day(-31), works_with=True)
    with as_of(demo.day(75)):
        _assess(demo, app, scores=[[2, 2, 3, 1, 2]])
    with as_of(demo.day(55)):
        _decide(demo, app, DECLINE, "A one-off event with little evidence of lasting change, and most of the "
                "cost is trophies and kit.",
                feedback="We would welcome an application for a season-long programme with workshops built in.")


def srtrc_history(demo: Demo) -> None:
    """Last year: workshops in Redcar and Cleveland schools, completed with every output delivered."""
    with as_of(demo.then(2025, 5, 8)):
        app = _make(demo, email=SRTRC_USER, fund="CSF", year=HISTORY_YEAR,
                    title="Anti-racism workshops in Redcar and Cleveland schools",
                    summary="Workshops on racism and hate crime for pupils in Redcar and Cleveland schools.",
                    need="Schools asked for help after a rise in racist incidents.",
                    activities="Workshops with former footballers and teacher training.",
                    areas=["Redcar and Cleveland"], objectives=[5], beneficiaries="Pupils and teachers",
                    outputs=[("school workshops", 20), ("pupils reached", 900)],
                    budget=[("Educator time", 360_000), ("Materials", 40_000)],
                    start=demo.then(2025, 9, 1), end=demo.then(2026, 2, 28), works_with=True)
    _history_grant(demo, app, SRTRC_USER, decided=demo.then(2025, 6, 24), spend_share=1.0,
                   case_study="A Year 8 pupil who had been excluded for racist abuse now helps run the "
                              "school's anti-racism group.")


def scams_workshops(demo: Demo) -> None:
    """Completed this year: 200 scam awareness workshops, final report signed off."""
    with as_of(demo.day(150)):
        app = _make(demo, email=SCAMS, fund="CSF", title="Scam awareness workshops for older people",
                    summary="200 scam awareness workshops for older people, run with the National Trading "
                            "Standards Scams Team, in day centres and sheltered housing.",
                    need="Older people in Redcar and Cleveland lost over £400,000 to scams last year; many "
                         "never report it.",
                    activities="Workshops led by trained Home Instead caregivers using Friends Against Scams "
                               "materials, with call blockers for the most targeted.",
                    areas=["Redcar and Cleveland", "Stockton-on-Tees"], objectives=[2, 4],
                    beneficiaries="Older people and their carers",
                    outputs=[("scam awareness workshops", 200), ("older people reached", 1600),
                             ("call blockers fitted", 40)],
                    budget=[("Workshop leaders", 380_000), ("Call blockers", 160_000), ("Printed guides", 60_000)],
                    start=demo.day(120), end=demo.day(15), works_with=True)
    with as_of(demo.day(140)):
        _assess(demo, app, scores=[[5, 4, 5, 4, 5], [5, 5, 4, 4, 4]])
    with as_of(demo.day(130)):
        _decide(demo, app, APPROVE_FULL, "Strong partnership with Trading Standards and clear, countable outputs.",
                summary="Scam awareness workshops for older people, run with Trading Standards, so fewer residents "
                        "lose money to fraud.", publish=True)
    with as_of(demo.day(125)):
        _accept(demo, app, SCAMS)
    with as_of(demo.day(122)):
        _pay_released(demo, app)
    with as_of(demo.day(70)):
        _write_report(demo, app, SCAMS, "interim", share=0.5, spend_share=0.5,
                      went_well="100 workshops delivered; day centres are asking for repeat visits.",
                      did_not="Sheltered housing bookings were slow to start.")
    with as_of(demo.day(66)):
        monitoring.sign_off_report(_report(app, "interim"), actor=demo.officer)
        _pay_released(demo, app)
    with as_of(demo.day(10)):
        _write_report(demo, app, SCAMS, "final", share=1.05, spend_share=1.0,
                      went_well="210 workshops delivered, ten more than planned; 42 call blockers fitted.",
                      did_not="Rural villages were hard to reach without transport.",
                      case_study="A man of 84 in Saltburn recognised a courier fraud call from the workshop "
                                 "and reported it; officers arrested the caller's accomplice at his door.")
    with as_of(demo.day(7)):
        monitoring.sign_off_report(_report(app, "final"), actor=demo.officer)


def scams_doorstep(demo: Demo) -> None:
    """More information requested: the officer wants a quote."""
    with as_of(demo.day(16)):
        app = _make(demo, email=SCAMS, fund="CSF", title="Doorstep crime prevention packs",
                    summary="'No cold calling' door stickers, door chains and guidance for older people.",
                    need="Doorstep crime against older people in Stockton is rising.",
                    activities="Fit door chains and give packs during home visits.",
                    areas=["Stockton-on-Tees"], objectives=[2], beneficiaries="Older people living alone",
                    outputs=[("packs given", 300), ("door chains fitted", 120)],
                    budget=[("Door chains and fitting", 150_000), ("Packs", 60_000)],
                    start=demo.day(-50), end=demo.day(-230), works_with=True)
    with as_of(demo.day(12)):
        advance(app, to="more_info_requested", officer=demo.officer, assessors=[],
                question="Please attach the quote for the door chains and tell us who will fit them.")


def scams_memory_cafe(demo: Demo) -> None:
    """Approved but never accepted: the offer lapsed after 28 days."""
    with as_of(demo.day(90)):
        app = _make(demo, email=SCAMS, fund="CSF", title="Staying safe sessions at memory cafés",
                    summary="Sessions on scams and staying safe at home for people living with dementia.",
                    need="People living with dementia are targeted by repeat scams.",
                    activities="Monthly sessions at four memory cafés.",
                    areas=["Middlesbrough"], objectives=[2], beneficiaries="People living with dementia and carers",
                    outputs=[("sessions", 24), ("people attending", 120)],
                    budget=[("Session leaders", 90_000), ("Materials", 30_000)],
                    start=demo.day(20), end=demo.day(-200), works_with=True)
    with as_of(demo.day(80)):
        _assess(demo, app, scores=[[4, 4, 4, 3, 4]])
    with as_of(demo.day(70)):
        _decide(demo, app, APPROVE_FULL, "A small, focused project with a clear need.",
                summary="A small project meeting a clear local need.", publish=True)
    with as_of(demo.today):
        offers.lapse_offers()


def cohesion_redcar(demo: Demo) -> None:
    """In assessment, within the delegated limit, with a declared conflict on record."""
    with as_of(demo.day(22)):
        app = _make(demo, email=SRTRC_USER, fund="CSF", title="Community cohesion events in Redcar",
                    summary="Shared events and workshops bringing communities together in Redcar and Grangetown.",
                    need="Community tension has grown since the closure of the steelworks.",
                    activities="Four community events with sport, food and anti-racism workshops.",
                    areas=["Redcar and Cleveland"], objectives=[4, 5], beneficiaries="Residents of Redcar",
                    outputs=[("community events", 4), ("residents attending", 400)],
                    budget=[("Events", 240_000), ("Workshops", 110_000)],
                    start=demo.day(-50), end=demo.day(-200), works_with=True)
    with as_of(demo.day(15)):
        _assess(demo, app, to="in_assessment",
                conflict=(demo.assessors[1], "I am a trustee of a partner organisation named in the application."))


def kicks_approved_cadets(demo: Demo) -> None:
    """Accepted two days ago: its payment is released and waiting for finance to pay it."""
    with as_of(demo.day(120)):
        app = _make(demo, email=KICKS, fund="PPAF", title="Kicks and Cleveland Police Cadets sports days",
                    summary="Joint sports days for Kicks participants and Cleveland Police Cadets.",
                    need="Young people on the estates have little positive contact with police.",
                    activities="Four sports days run together by Foundation coaches and the cadets' leaders.",
                    areas=["Middlesbrough", "Hartlepool"], objectives=[1, 3],
                    beneficiaries="Young people and police cadets",
                    outputs=[("sports days", 4), ("young people taking part", 160)],
                    budget=[("Coaches", 120_000), ("Transport", 80_000), ("Kit", 20_000)],
                    start=demo.day(-20), end=demo.day(-200), works_with=True)
    with as_of(demo.day(110)):
        _assess(demo, app, scores=[[4, 5, 4, 4, 4]])
    with as_of(demo.day(25)):
        meeting = meetings.create_meeting(
            app.round, actor=demo.officer, held_on=demo.day(24),
            attendees=[{"name": demo.users[PCC].full_name, "capacity": "Police and Crime Commissioner"},
                       {"name": demo.users[CEO].full_name, "capacity": "Chief Executive"},
                       {"name": demo.officer.full_name, "capacity": "Grants officer (secretary)"}],
            declarations=[{"name": demo.users[PCC].full_name,
                           "declaration": "Patron of a youth charity in Stockton that has not applied to this round"}])
        meetings.set_agenda(meeting, actor=demo.officer, application_ids=[app.id])
    with as_of(demo.day(24)):
        _decide(demo, app, APPROVE_FULL, "Builds trust between young people and police; good value.",
                summary="Weekly football sessions that divert young people from anti-social behaviour and build "
                        "trust with local officers.")
        notices.sign_notice(meeting, actor=demo.users[PCC],
                            summary="The Commissioner agreed one Police Property Act Fund grant for joint sports "
                                    "days with the Police Cadets.")
    with as_of(demo.day(2)):
        _accept(demo, app, KICKS)


def soroptimist_safer_homes(demo: Demo) -> None:
    """Funded, first half paid, interim report sent in and waiting for the officer's review."""
    title = "Safer homes for survivors of domestic abuse"
    with as_of(demo.day(130)):
        app = _make(demo, email=SOROPTIMIST_USER, fund="CSF", title=title,
                    summary="Lock changes, door cameras and window alarms so survivors of domestic abuse can "
                            "stay safely in their own homes in Stockton and Thornaby.",
                    need="Harbour and the police refer around 20 survivors a month who want to stay at home but "
                         "do not feel safe there.",
                    activities="Fund lock changes and fit video doorbells and window alarms within 48 hours of "
                               "a referral, with a safety visit from a crime prevention officer.",
                    areas=["Stockton-on-Tees"], objectives=[2], beneficiaries="Survivors of domestic abuse",
                    outputs=[("homes made safer", 40), ("survivors and children protected", 100)],
                    budget=[("Lock changes", 160_000), ("Video doorbells and alarms", 240_000),
                            ("Fitting", 40_000)],
                    start=demo.day(60), end=demo.day(-80), works_with=True)
    with as_of(demo.day(120)):
        _assess(demo, app, scores=[[5, 5, 4, 4, 4]])
    with as_of(demo.day(105)):
        _decide(demo, app, APPROVE_FULL, "A proven approach that keeps survivors safe at home, with police "
                "crime prevention advice built in.",
                summary="Lock changes, video doorbells and alarms so survivors of domestic abuse can stay safe at "
                        "home.", publish=True)
    with as_of(demo.day(98)):
        _accept(demo, app, SOROPTIMIST_USER)
    with as_of(demo.day(95)):
        _pay_released(demo, app)
    with as_of(demo.day(1)):
        _write_report(demo, app, SOROPTIMIST_USER, "interim", share=0.55, spend_share=0.5,
                      went_well="22 homes made safer so far; referrals from Harbour arrive every week.",
                      did_not="Video doorbells were out of stock for three weeks in September.")


def scams_call_blockers(demo: Demo) -> None:
    """Assessed within the delegated limit: ready for the Chief Executive to decide."""
    with as_of(demo.day(33)):
        app = _make(demo, email=SCAMS, fund="CSF", title="Call blockers for scam victims in Hartlepool",
                    summary="Call blocking units for older people in Hartlepool who have already been "
                            "targeted by phone scams.",
                    need="Trading Standards identified 180 Hartlepool residents on 'suckers lists' sold "
                         "between scammers.",
                    activities="Fit call blockers during a home visit and show the person how to use them.",
                    areas=["Hartlepool"], objectives=[2], beneficiaries="Older people targeted by scams",
                    outputs=[("call blockers fitted", 45), ("older people protected", 45)],
                    budget=[("Call blocking units", 157_500), ("Home visits", 37_500)],
                    start=demo.day(-40), end=demo.day(-220), works_with=True)
    with as_of(demo.day(26)):
        _assess(demo, app, scores=[[4, 4, 5, 4, 4]])


def _history_grant(demo: Demo, app: Application, email: str, *, decided: date, spend_share: float = 1.0,
                   final: bool = True, return_received: date | None = None, case_study: str = "") -> None:
    """An earlier year's grant: scored, approved, accepted, paid, reported on and (if `final`) completed."""
    with as_of(decided - timedelta(days=14)):
        _assess(demo, app, scores=[[4, 4, 4, 4, 4], [4, 5, 4, 4, 4]] if
                app.amount_requested_pence > app.round.delegated_limit_pence else [[4, 4, 4, 4, 4]])
    with as_of(decided):
        _decide(demo, app, APPROVE_FULL, "Meets the fund's priorities with a clear, costed plan.",
                summary=f"{app.title}: a costed plan that serves the Police and Crime Plan.", publish=True)
    with as_of(decided + timedelta(days=8)):
        _accept(demo, app, email)
    with as_of(decided + timedelta(days=14)):
        _pay_released(demo, app)
    interim = next((r for r in monitoring.reports_of(app) if r.kind == "interim"), None)
    if interim is not None:
        with as_of(interim.due_on - timedelta(days=5)):
            _write_report(demo, app, email, "interim", share=0.5, spend_share=0.5,
                          went_well="Delivery is on track and partners are engaged.",
                          did_not="Recruiting volunteers took longer than planned.")
        with as_of(interim.due_on):
            monitoring.sign_off_report(interim, actor=demo.officer)
            _pay_released(demo, app)
    if not final:
        return
    with as_of(app.end_date + timedelta(days=20)):
        _write_report(demo, app, email, "final", share=1.0, spend_share=spend_share,
                      went_well="Every planned output was delivered.",
                      did_not="Some sessions clashed with school holidays and were moved.",
                      case_study=case_study)
    with as_of(app.end_date + timedelta(days=30)):
        result = monitoring.sign_off_report(_report(app, "final"), actor=demo.officer)
    if return_received is not None and result.grant_return is not None:
        with as_of(return_received):
            monitoring.record_return_received(result.grant_return, actor=demo.finance, received_on=clock.today(),
                                              reference=f"Returned {app.reference}")


STORIES = [
    # (organisation, title, story): the title is the natural key that makes the seed idempotent.
    (HARTLEPOOL, "Allotment security: 420 padlocks and alarms", allotment_padlocks),
    (HARTLEPOOL, "Trail cameras and warning signs for allotments", allotment_trail_cameras),
    (HARTLEPOOL, "Community growing space at Rossmere allotments", allotment_draft),
    (HARTLEPOOL, "Shed alarm pilot at Burn Valley", allotment_history),
    (SOROPTIMIST, "Emergency welfare packs for victims of trafficking", soroptimist_welfare_packs),
    (SOROPTIMIST, "Orange the World: 16 days against domestic abuse", soroptimist_orange),
    (SOROPTIMIST, "Safe space drop-in for women in Thornaby", soroptimist_withdrawn),
    (SOROPTIMIST, "Community cohesion events in Stockton", soroptimist_cohesion),
    (SOROPTIMIST, "Safer homes for survivors of domestic abuse", soroptimist_safer_homes),
    (MFC, "Kicks youth diversion football in Middlesbrough", kicks_history),
    (MFC, "Friday night football at the Riverside", kicks_friday),
    (MFC, "Kicks holiday camps in Redcar", kicks_holiday),
    (MFC, "Kicks and Cleveland Police Cadets sports days", kicks_approved_cadets),
    (SRTRC, "Anti-racism workshops in Middlesbrough schools", srtrc_schools),
    (SRTRC, "Summer anti-racism football camp", srtrc_camp),
    (SRTRC, "Unity Cup anti-racism tournament", srtrc_tournament),
    (SRTRC, "Anti-racism workshops in Redcar and Cleveland schools", srtrc_history),
    (SRTRC, "Community cohesion events in Redcar", cohesion_redcar),
    (HOME_INSTEAD, "Scam awareness workshops for older people", scams_workshops),
    (HOME_INSTEAD, "Doorstep crime prevention packs", scams_doorstep),
    (HOME_INSTEAD, "Staying safe sessions at memory cafés", scams_memory_cafe),
    (HOME_INSTEAD, "Call blockers for scam victims in Hartlepool", scams_call_blockers),
]


def seed_applications(*, users, orgs, csf_round, ppaf_round) -> list[Application]:
    """Every state of the workflow, across both funds, four areas, five organisations and two years."""
    history = history_rounds(csf_round, ppaf_round)
    demo = Demo(users, csf_round, ppaf_round, history)
    made = []
    for org_name, title, story in STORIES:
        organisation = orgs[org_name]
        if _existing(organisation, title) is None:
            story(demo)
            db.session.flush()
        made.append(_existing(organisation, title))
    return made
