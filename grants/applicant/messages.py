"""Applicants' side of the message thread with the grants team."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import access
from ..extensions import db
from ..forms import TextEntryForm, show_refusal
from ..models import Role
from ..services import conversations
from ..services.errors import DomainError
from .routes import _organisation_or_none, bp


@bp.route("/messages", methods=["GET", "POST"])
@access(Role.APPLICANT)
def messages():
    """The organisation's messages with the grants team, and the box to write to them."""
    organisation = _organisation_or_none()
    if organisation is None:
        return redirect(url_for(".organisation"))
    form = TextEntryForm()
    status = 200
    if form.validate_on_submit():
        try:
            conversations.send_message(organisation, actor=current_user, body=form.body.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
            status = 400
        else:
            db.session.commit()
            flash("Message sent to the grants team", "success")
            return redirect(url_for(".messages"))
    return render_template("applicant/messages.html", organisation=organisation, form=form,
                           messages=conversations.messages_for(organisation, current_user)), status
