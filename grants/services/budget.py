"""How much money is left: the one place that computes a round's figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, GrantReturn, Payment, Round
from . import locking
from .workflow import COMMITTED_STATES


@dataclass(frozen=True)
class RoundMoney:
    budget: int
    committed: int  # offered or accepted awards, less money returned
    paid: int  # payments made, less returns received
    returned: int
    remaining: int  # budget - committed

    def fits(self, amount: int) -> bool:
        return amount <= self.remaining


def round_money(round_: Round | int, *, lock: bool = False) -> RoundMoney:
    """Budget, committed, paid and remaining for one round, in pence.

    committed = sum of awards offered or accepted (approved, funded, completed),
    less returns received on them; paid = payments less returns received;
    remaining = budget - committed.

    With lock=True the round's row is locked first (SELECT ... FOR UPDATE on
    PostgreSQL), so two approvals at the same instant are serialised and the
    second sees the first's commitment. Call it with lock=True inside the
    transaction that commits money.
    """
    round_id = round_ if isinstance(round_, int) else round_.id
    if lock:
        locking.lock_id(Round, round_id)
    budget = db.session.execute(select(Round.budget_pence).where(Round.id == round_id)).scalar_one()
    states = [s.value for s in COMMITTED_STATES]
    awarded = db.session.scalar(
        select(func.coalesce(func.sum(Application.awarded_pence), 0)).where(
            Application.round_id == round_id, Application.status.in_(states)
        )
    )
    returned = db.session.scalar(
        select(func.coalesce(func.sum(GrantReturn.amount_pence), 0))
        .join(Application, GrantReturn.application_id == Application.id)
        .where(Application.round_id == round_id, GrantReturn.received_on.is_not(None))
    )
    paid_gross = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence), 0))
        .join(Application, Payment.application_id == Application.id)
        .where(Application.round_id == round_id)
    )
    committed = int(awarded) - int(returned)
    return RoundMoney(
        budget=int(budget),
        committed=committed,
        paid=int(paid_gross) - int(returned),
        returned=int(returned),
        remaining=int(budget) - committed,
    )
