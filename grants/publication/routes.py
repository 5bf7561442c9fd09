"""Publishing grants (officers), funding meetings (officers record them) and their decision notices (signed by
decision makers)."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from ..access import access
from ..auth.reauth import fresh_sign_in_required
from ..extensions import db
from ..forms import show_refusal
from ..models import DecisionNotice, FundingMeeting, Role, Round
from ..services import meetings as meetings_service
from ..services import notices, publication
from ..services.decisions import OUTCOMES
from ..services.errors import DomainError, ValidationFailed
from .forms import AgendaForm, MeetingForm, PublishForm, SignForm

bp = Blueprint("publication", __name__)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@bp.route("/publication", methods=["GET", "POST"])
@access(Role.OFFICER)
def ready():
    """A month's approved grants waiting to be published, each previewed exactly as the public will see it."""
    candidates = publication.awaiting_publication()
    months = publication.months_awaiting(candidates)
    month = request.args.get("month", "")
    if not _MONTH.match(month) or month not in {m for m, _label, _count in months}:
        month = months[0][0] if months else ""
    shown = [c for c in candidates if c.month == month]
    form = PublishForm()
    form.grants.choices = [(c.grant.application.id, c.grant.application.reference) for c in shown]
    if form.validate_on_submit():
        try:
            made = publication.publish(form.grants.data or [], actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"{len(made)} grant{'' if len(made) == 1 else 's'} published to the register and open data.",
                  "success")
            return redirect(url_for(".ready", month=month))
    return render_template("publication/ready.html", form=form, months=months, month=month, shown=shown)


# --- Funding meetings and decision notices ---------------------------------------------------------

MEETING_READERS = (Role.OFFICER, Role.DECISION_MAKER, Role.AUDITOR)
# Finance reads decision records, and each record links to the notice covering it.
NOTICE_READERS = (*MEETING_READERS, Role.FINANCE)


@bp.route("/meetings")
@access(*MEETING_READERS)
def meetings():
    """Every funding meeting, latest first, with its notice if signed."""
    return render_template("publication/meetings.html", Role=Role,
                           rows=[(m, notices.current_notice(m)) for m in meetings_service.meetings()])


@bp.route("/meetings/new", methods=["GET", "POST"])
@access(Role.OFFICER)
def new_meeting():
    """Record a funding meeting: round, date, attendees and their capacity, declarations of interest."""
    form = MeetingForm()
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id.desc())).all()
    form.round_id.choices = [(0, "Choose a round")] + [(r.id, r.title) for r in rounds]
    if form.validate_on_submit():
        round_ = db.session.get(Round, form.round_id.data or 0)
        try:
            if round_ is None:
                raise ValidationFailed({"round_id": "Choose the round the meeting decided"})
            attendees = meetings_service.parse_lines(
                form.attendees.data, field="attendees", key="capacity", what="the capacity they attended in",
                example="Steve Turner, Police and Crime Commissioner")
            declarations = meetings_service.parse_lines(
                form.declarations.data, field="declarations", key="declaration", what="what they declared",
                example="Steve Turner, trustee of Hartlepool Youth Club (did not apply)")
            meeting = meetings_service.create_meeting(round_, actor=current_user, held_on=form.held_on.data,
                                                      attendees=attendees, declarations=declarations)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Meeting recorded. Now choose the applications on its agenda.", "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    return render_template("publication/new_meeting.html", form=form)


def _meeting_page(meeting: FundingMeeting, *, agenda_form=None, sign_form=None):
    rows = [(a, notices.latest_record(a)) for a in meeting.applications]
    agenda_form = agenda_form or AgendaForm(applications=[a.id for a in meeting.applications])
    agenda_form.applications.choices = [(a.id, a.reference) for a in meetings_service.agenda_choices(meeting)]
    return render_template(
        "publication/meeting.html", Role=Role, meeting=meeting, rows=rows, outcomes=OUTCOMES,
        choices=meetings_service.agenda_choices(meeting), agenda_form=agenda_form, sign_form=sign_form or SignForm(),
        problems=notices.signing_problems(meeting), notice_list=meetings_service.notices_of(meeting),
        signer_refusal=(notices.signer_refusal(meeting, current_user)
                        if current_user.has_role(Role.DECISION_MAKER) else "not a decision maker"))


@bp.route("/meetings/<int:meeting_id>")
@access(*MEETING_READERS)
def meeting(meeting_id: int):
    """A meeting: attendees, declarations, the agenda with each decision, and its notice."""
    return _meeting_page(db.get_or_404(FundingMeeting, meeting_id))


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@access(Role.OFFICER)
def agenda(meeting_id: int):
    """Put applications from the panel ranking on the meeting's agenda."""
    meeting = db.get_or_404(FundingMeeting, meeting_id)
    form = AgendaForm()
    if form.validate_on_submit():
        try:
            meetings_service.set_agenda(meeting, actor=current_user, application_ids=form.applications.data or [])
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Agenda saved.", "success")
            return redirect(url_for(".meeting", meeting_id=meeting_id))
    return _meeting_page(db.get_or_404(FundingMeeting, meeting_id), agenda_form=form)


@bp.route("/meetings/<int:meeting_id>/sign", methods=["POST"])
@access(Role.DECISION_MAKER)
@fresh_sign_in_required
def sign(meeting_id: int):
    """Sign the meeting's decision notice (the PCC, or the Chief Executive when every award is within delegation)."""
    meeting = db.get_or_404(FundingMeeting, meeting_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            notice = notices.sign_notice(meeting, actor=current_user, summary=form.summary.data,
                                         for_publication=not form.not_for_publication.data,
                                         not_for_publication_reason=form.not_for_publication_reason.data)
        except DomainError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Decision notice {notice.number} signed.", "success")
            return redirect(url_for(".notice", notice_id=notice.id))
    return _meeting_page(db.get_or_404(FundingMeeting, meeting_id), sign_form=form)


@bp.route("/notices/<int:notice_id>")
@access(*NOTICE_READERS)
def notice(notice_id: int):
    """A signed notice as staff and auditors read it, with whether it is published and why not."""
    notice = db.get_or_404(DecisionNotice, notice_id)
    return render_template("publication/notice.html", notice=notice, intact=notices.is_intact(notice),
                           superseded_by=notices.superseded_by(notice))


@bp.route("/notices/<int:notice_id>.pdf")
@access(*NOTICE_READERS)
def notice_pdf(notice_id: int):
    notice = db.get_or_404(DecisionNotice, notice_id)
    return notice_pdf_response(notice, public=False)


def notice_pdf_response(notice: DecisionNotice, *, public: bool):
    """The notice's PDF; the published copy may be cached, the staff copy (perhaps not for publication) not."""
    from ..documents.notice import notice_pdf as render

    response = current_app.response_class(render(notice), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="decision-notice-{notice.number.replace("/", "-")}.pdf"')
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
