"""The working day: staff search and the organisation record."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import STAFF_READERS, access
from ..extensions import db
from ..models import Organisation, Role
from ..services import search as search_service
from .routes import bp


@bp.route("/search")
@access(*search_service.SEARCH_ROLES, read_only=True)
def search():
    """Applications and organisations matching one box of text, grouped, best match first, 20 a page."""
    text = request.args.get("q", "")
    page = max(1, request.args.get("page", 1, type=int))
    results = search_service.search(text, viewer=current_user, page=page)
    return render_template("staff/search.html", results=results,
                           may_download_organisations=current_user.has_role(*STAFF_READERS))


@bp.route("/organisations/<int:organisation_id>")
@access(*STAFF_READERS, read_only=True)
def organisation(organisation_id: int):
    """One organisation: details, documents, members, applications, awards, money, reports and variations."""
    from ..services import conversations, monitoring, organisation_record

    organisation_ = db.session.get(Organisation, organisation_id)
    if organisation_ is None:
        abort(404)
    return render_template("staff/organisation.html",
                           record=organisation_record.record_for(organisation_, viewer=current_user),
                           report_labels=monitoring.STATUS_LABELS, variation_labels=monitoring.VARIATION_LABELS,
                           reads_messages=conversations.may_read_messages(current_user, organisation_))


@bp.route("/organisations/export.<any(csv, xlsx):fmt>")
@access(*STAFF_READERS, read_only=True)
def organisations_export(fmt: str):
    """Every organisation (anonymised ones left out) as CSV or XLSX, A to Z."""
    from sqlalchemy import select

    from ..downloads import send_download

    header = ["Organisation", "Type", "Charity number", "Company number", "Town", "Postcode", "Main contact",
              "Contact email", "Contact phone"]
    rows = [[o.legal_name, o.org_type_label, o.charity_number, o.company_number, o.town, o.postcode, o.contact_name,
             o.contact_email, o.contact_phone]
            for o in db.session.scalars(select(Organisation).where(Organisation.anonymised_at.is_(None))
                                        .order_by(Organisation.legal_name, Organisation.id))]
    return send_download("organisations", fmt, header, rows)


@bp.route("/organisations/<int:organisation_id>/messages", methods=["GET", "POST"])
@access(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)
def organisation_messages(organisation_id: int):
    """The message thread with one organisation; officers and decision makers reply (members are emailed)."""
    from ..forms import MessageForm, run_service
    from ..services import conversations

    organisation_ = db.session.get(Organisation, organisation_id)
    if organisation_ is None:
        abort(404)
    form = MessageForm() if current_user.has_role(*conversations.WRITERS) else None
    if form is not None and form.validate_on_submit() and run_service(form, lambda: conversations.send_message(
            organisation_, actor=current_user, body=form.body.data, upload=form.file.data)):
        flash(f"Message sent: {organisation_.legal_name}'s members have been emailed", "success")
        return redirect(url_for(".organisation_messages", organisation_id=organisation_.id))
    return render_template("staff/organisation_messages.html", organisation=organisation_, form=form,
                           messages=conversations.messages_for(organisation_, current_user)), \
        400 if form is not None and form.errors else 200


@bp.route("/organisations/<int:organisation_id>/messages/<int:message_id>/file")
@access(Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR, read_only=True)
def organisation_message_file(organisation_id: int, message_id: int):
    """The file sent with one message in the thread (always a download)."""
    from ..services import conversations
    from ..services.attachments import send_attachment

    organisation_ = db.session.get(Organisation, organisation_id)
    attachment = conversations.message_file(organisation_, message_id, current_user) if organisation_ else None
    if attachment is None:
        abort(404)
    return send_attachment(attachment)
