"""Funds: list, add and change (officers and administrators). A fund is retired, never deleted."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import access
from ..extensions import db
from ..forms import show_refusal
from ..models import Fund, Role
from ..services import rounds as round_service
from ..services.errors import DomainError
from .forms import FundForm
from .routes import bp


@bp.route("/funds")
@access(Role.OFFICER, Role.ADMIN)
def funds():
    all_funds = db.session.scalars(select(Fund).order_by(Fund.open_for_new_rounds.desc(), Fund.name)).all()
    return render_template("staff/funds.html", funds=all_funds)


def _values(form: FundForm) -> round_service.FundInput:
    return round_service.FundInput(
        name=form.name.data or "", code=form.code.data or "", description=form.description.data or "",
        legal_power=form.legal_power.data or "", public_benefit=form.public_benefit.data or "",
        open_for_new_rounds=bool(form.open_for_new_rounds.data), ledger_code=form.ledger_code.data or "",
        cost_centre=form.cost_centre.data or "")


@bp.route("/funds/new", methods=["GET", "POST"])
@bp.route("/funds/<int:fund_id>", methods=["GET", "POST"])
@access(Role.OFFICER, Role.ADMIN)
def fund(fund_id: int | None = None):
    existing = None
    if fund_id is not None:
        existing = db.session.get(Fund, fund_id)
        if existing is None:
            abort(404)
    form = FundForm(obj=existing, data=None if existing else {"open_for_new_rounds": True})
    if form.validate_on_submit():
        try:
            if existing is None:
                saved = round_service.create_fund(_values(form), actor=current_user)
            else:
                saved = existing
                round_service.edit_fund(existing, _values(form), actor=current_user)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"The {saved.name} has been saved.", "success")
            return redirect(url_for("staff.funds"))
    return render_template("staff/fund.html", form=form, fund=existing)
