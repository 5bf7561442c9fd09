"""Applicants' side of the message thread with the grants team."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import access
from ..forms import MessageForm, run_service
from ..models import Role
from ..services import conversations
from .routes import _organisation_or_none, bp


@bp.route("/messages", methods=["GET", "POST"])
@access(Role.APPLICANT)
def messages():
    """The organisation's messages with the grants team, and the box to write to them."""
    organisation = _organisation_or_none()
    if organisation is None:
        return redirect(url_for(".organisation"))
    form = MessageForm()
    if form.validate_on_submit() and run_service(form, lambda: conversations.send_message(
            organisation, actor=current_user, body=form.body.data, upload=form.file.data)):
        flash("Message sent to the grants team", "success")
        return redirect(url_for(".messages"))
    return render_template("applicant/messages.html", organisation=organisation, form=form,
                           messages=conversations.messages_for(organisation, current_user)), 400 if form.errors else 200


@bp.route("/messages/<int:message_id>/file")
@access(Role.APPLICANT)
def message_file(message_id: int):
    """The file sent with one of the organisation's messages (always a download)."""
    from ..services.attachments import send_attachment

    organisation = _organisation_or_none()
    attachment = conversations.message_file(organisation, message_id, current_user) if organisation else None
    if attachment is None:
        abort(404)
    return send_attachment(attachment)
