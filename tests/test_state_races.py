"""Two people changing one application at the same moment (PostgreSQL row locks).

Each test runs two requests' worth of service calls in two threads, each with its own
session and connection, the way two gunicorn workers would. Exactly one may win; the
other is refused with a plain DomainError (never a 500, a deadlock or a lost update).
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from grants import clock
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationVersion,
    AuditEvent,
    DecisionRecord,
    Letter,
    OfferResponse,
    OutboxEmail,
    Payment,
    PaymentInstalment,
    Screening,
    User,
)
from grants.services import applications, budget, decisions, offers, payments, screening
from grants.services.errors import DomainError

from .factories import make_application
from .factories_applicant import make_draft, submit_draft
from .factories_decisions import approve, make_assessed, make_funded
from .factories_money import BANK, statement
from .helpers import count_rows

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): SQLite cannot show row-lock behaviour")


def _run(app, jobs, *, hold_first: float = 0.0):
    """Run each job (a function of the thread's session objects) in its own thread and transaction.

    Every job loads its objects first (as a request would), then the jobs start together.
    With hold_first, the first job does its work and keeps its transaction open for that many
    seconds before committing, while the second starts only once the first has done its work:
    a deterministic "one is mid-request when the other arrives".
    """
    loaded = threading.Barrier(len(jobs))
    first_done = threading.Event()
    outcomes: dict[int, str] = {}

    def run(index, job):
        with app.app_context():
            try:
                prepared = job["load"]()
                loaded.wait(timeout=10)
                if hold_first and index > 0:
                    first_done.wait(timeout=10)
                job["act"](*prepared)
                if hold_first and index == 0:
                    first_done.set()
                    time.sleep(hold_first)
                db.session.commit()
                outcomes[index] = "done"
            except DomainError as exc:
                db.session.rollback()
                outcomes[index] = f"refused: {exc.message}"
            except Exception as exc:  # noqa: BLE001 - anything else is a failure, reported below
                db.session.rollback()
                outcomes[index] = f"error: {exc!r}"
            finally:
                first_done.set()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [outcomes.get(i, "did not finish") for i in range(len(jobs))]


def _decide_job(application_id, user_id):
    return {
        "load": lambda: (db.session.get(Application, application_id), db.session.get(User, user_id)),
        "act": lambda application, user: decisions.decide(application, actor=user, outcome="approve_full",
                                                          reasons="Strong bid", public_summary="Youth football",
                                                          no_interest_confirmed=True),
    }


def _withdraw_job(application_id, user_id):
    return {
        "load": lambda: (db.session.get(Application, application_id), db.session.get(User, user_id)),
        "act": lambda application, user: applications.withdraw(application, actor=user,
                                                               reason="We found other funding"),
    }


def _assert_consistent_after_decide_vs_withdraw(application_id, outcomes):
    assert not [o for o in outcomes if not o.startswith(("done", "refused"))], outcomes
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    records = count_rows(DecisionRecord, application_id=application_id)
    letters = count_rows(Letter, application_id=application_id)
    instalments = count_rows(PaymentInstalment, application_id=application_id)
    offer_emails = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.application_id == application_id, OutboxEmail.subject.ilike("%offer%")))
    committed = budget.round_money(application.round_id).committed
    if application.status == "withdrawn":
        assert (records, letters, instalments, offer_emails, committed) == (0, 0, 0, 0, 0)
    else:
        assert application.status == "approved"
        assert (records, letters, instalments) == (1, 1, 1)
        assert offer_emails == 1
        assert committed == application.awarded_pence == 200_000


def test_withdrawal_arriving_during_an_approval_is_refused_not_lost(app, demo):
    """While an approval is being written, the applicant withdraws: is the withdrawal refused (not a lost update)?"""
    application_id = make_assessed(demo, amount_pence=200_000).id
    db.session.commit()
    outcomes = _run(app, [_decide_job(application_id, demo.pcc.id), _withdraw_job(application_id, demo.applicant.id)],
                    hold_first=0.3)
    assert outcomes[0] == "done", outcomes
    assert outcomes[1].startswith("refused: You cannot withdraw"), outcomes
    _assert_consistent_after_decide_vs_withdraw(application_id, outcomes)
    assert db.session.get(Application, application_id).status == "approved"


def test_approval_arriving_during_a_withdrawal_is_refused_plainly(app, demo):
    """While a withdrawal is being written, a decision maker approves: is the approval refused, saying why?"""
    application_id = make_assessed(demo, amount_pence=200_000).id
    db.session.commit()
    outcomes = _run(app, [_withdraw_job(application_id, demo.applicant.id), _decide_job(application_id, demo.pcc.id)],
                    hold_first=0.3)
    assert outcomes[0] == "done", outcomes
    assert outcomes[1].startswith("refused:") and "withdrawn" in outcomes[1], outcomes
    _assert_consistent_after_decide_vs_withdraw(application_id, outcomes)


@pytest.mark.parametrize("attempt", range(4))
def test_approve_and_withdraw_at_the_same_instant_leave_one_consistent_outcome(app, demo, attempt):
    """Approve and withdraw at the same instant: does exactly one win, with no deadlock and nothing half-done?"""
    application_id = make_assessed(demo, amount_pence=200_000).id
    db.session.commit()
    jobs = [_decide_job(application_id, demo.pcc.id), _withdraw_job(application_id, demo.applicant.id)]
    if attempt % 2:
        jobs.reverse()
    outcomes = _run(app, jobs)
    _assert_consistent_after_decide_vs_withdraw(application_id, outcomes)


def test_a_double_clicked_submit_makes_one_submission(app, demo):
    """Two submits of one draft at the same instant: one version, one submit event, one email?"""
    application_id = make_draft(demo).id
    db.session.commit()
    applicant_id = demo.applicant.id
    job = {
        "load": lambda: (db.session.get(Application, application_id), db.session.get(User, applicant_id)),
        "act": lambda application, user: submit_draft(application, user),
    }
    outcomes = _run(app, [job, job])
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    assert count_rows(ApplicationVersion, application_id=application_id) == 1
    assert count_rows(AuditEvent, action="application.submit") == 1
    assert count_rows(OutboxEmail, application_id=application_id) == 1


def _approved(demo, amount_pence=200_000) -> int:
    application = make_assessed(demo, amount_pence=amount_pence)
    approve(demo, application)
    db.session.commit()
    return application.id


def _offer_job(application_id, user_id, accept: bool):
    def act(application, user):
        if accept:
            offers.accept_offer(application, actor=user, signatory_name="Jo Bloggs", signatory_position="Treasurer",
                                terms_confirmed=True, ip_address="203.0.113.7", bank=dict(BANK), statement=statement())
        else:
            offers.decline_offer(application, actor=user, signatory_name="Jo Bloggs", signatory_position="Treasurer",
                                 reason="No longer needed", ip_address="203.0.113.7")
    return {"load": lambda: (db.session.get(Application, application_id), db.session.get(User, user_id)),
            "act": act}


@pytest.mark.parametrize("accept", [True, False], ids=["accept", "decline"])
def test_a_double_clicked_offer_response_is_recorded_once(app, demo, accept):
    """Two acceptances (or declines) of one offer at once: one response, one event, one email?"""
    application_id = _approved(demo)
    emails_before = count_rows(OutboxEmail, application_id=application_id)
    job = _offer_job(application_id, demo.applicant.id, accept)
    outcomes = _run(app, [job, job])
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    assert count_rows(OfferResponse, application_id=application_id) == 1
    assert count_rows(AuditEvent, action="offer.accepted" if accept else "offer.declined") == 1
    assert count_rows(OutboxEmail, application_id=application_id) == emails_before + 1


def test_a_double_clicked_screening_is_recorded_once(app, demo):
    """Two officers' screenings of one application at once: one screening, one transition?"""
    application_id = make_application(demo, status="submitted").id
    db.session.commit()
    officer_id = demo.officer.id

    def load():
        application = db.session.get(Application, application_id)
        answers = [screening.CheckAnswer(check_id=c.id, passed=True, note="")
                   for c in application.round.eligibility_checks]
        return application, db.session.get(User, officer_id), answers

    job = {"load": load,
           "act": lambda application, user, answers: screening.screen(application, answers=answers, actor=user)}
    outcomes = _run(app, [job, job])
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    assert count_rows(Screening, application_id=application_id) == 1
    assert count_rows(AuditEvent, action="application.pass_screening") == 1


def test_a_double_clicked_payment_is_recorded_once(app, demo):
    """The same payment entered twice at once (a double click): is it recorded once?"""
    application = make_funded(demo, amount_pence=200_000)
    db.session.commit()
    instalment_id = db.session.scalar(select(PaymentInstalment.id).where(
        PaymentInstalment.application_id == application.id))
    finance_id = demo.finance.id
    job = {"load": lambda: (db.session.get(PaymentInstalment, instalment_id), db.session.get(User, finance_id)),
           "act": lambda instalment, user: payments.record_payment(
               instalment, actor=user, amount_pence=50_000, paid_on=clock.today(), reference="BACS-0042")}
    outcomes = _run(app, [job, job])
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"], outcomes
    assert count_rows(Payment, instalment_id=instalment_id) == 1
