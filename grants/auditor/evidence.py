"""What the auditor reads: searches of the trail, timelines, decision packs and exports.

Everything here reads, except that producing an export records an
"export.*" audit event: who took which evidence out of the system is itself
part of the audit trail. That event is the one write the auditor's (otherwise
read-only, GET-only) area makes.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import desc, func, select

from ..extensions import db
from ..exports.tabular import csv_bytes
from ..models import (
    Application,
    ApplicationVersion,
    Assignment,
    AuditEvent,
    ConflictDeclaration,
    DecisionRecord,
    Fund,
    Letter,
    Message,
    Moderation,
    OfferResponse,
    Payment,
    Round,
    Screening,
    StaffNote,
    User,
)
from ..services import audit, history, round_questions

PAGE_SIZE = 50


@dataclass
class EventFilters:
    date_from: date | None = None
    date_to: date | None = None
    user: str = ""
    reference: str = ""
    fund_id: int | None = None
    action: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)

    def as_args(self) -> dict[str, str]:
        args = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "user": self.user, "reference": self.reference,
            "fund": str(self.fund_id) if self.fund_id else "", "action": self.action,
        }
        return {k: v for k, v in args.items() if v}


def _parse_date(text: str | None, label: str, anchor: str, errors: list) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append((anchor, f"{label} must be a real date, like 2026-11-22"))
        return None


def filters_from(args) -> EventFilters:
    """Read the search form (query string) leniently: bad values become errors, never exceptions."""
    errors: list[tuple[str, str]] = []
    f = EventFilters(
        date_from=_parse_date(args.get("from"), "Date from", "from", errors),
        date_to=_parse_date(args.get("to"), "Date to", "to", errors),
        user=(args.get("user") or "").strip()[:200],
        reference=(args.get("reference") or "").strip()[:40],
        action=(args.get("action") or "").strip()[:60],
    )
    fund = (args.get("fund") or "").strip()
    if fund.isdigit() and len(fund) < 10:
        f.fund_id = int(fund)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors.append(("to", "Date to must be the same as or after date from"))
    f.errors = errors
    return f


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _filtered(f: EventFilters):
    stmt = select(AuditEvent)
    if f.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(f.date_to + timedelta(days=1)))
    if f.user:
        if f.user.isdigit():
            stmt = stmt.where(AuditEvent.actor_id == int(f.user))
        else:
            stmt = stmt.where(func.lower(AuditEvent.actor_label).contains(f.user.lower(), autoescape=True))
    if f.reference:
        ids = select(Application.id).where(func.upper(Application.reference) == f.reference.upper())
        stmt = stmt.where(AuditEvent.application_id.in_(ids))
    if f.fund_id:
        stmt = stmt.where(AuditEvent.fund_id == f.fund_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action.startswith(f.action, autoescape=True))
    return stmt


def search_events(f: EventFilters, *, before_seq: int | None = None,
                  limit: int = PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """A page of matching events, newest first, and the seq to continue from (keyset on seq)."""
    stmt = _filtered(f)
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    rows = list(db.session.scalars(stmt.order_by(desc(AuditEvent.seq)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more and rows else None)


def all_matching_events(f: EventFilters, *, cap: int = 100_000) -> list[AuditEvent]:
    return list(db.session.scalars(_filtered(f).order_by(AuditEvent.seq).limit(cap)))


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def funds() -> list[Fund]:
    return list(db.session.scalars(select(Fund).order_by(Fund.code)))


def event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq, "id": event.id, "occurred_at": audit._iso(event.occurred_at),
        "actor_id": event.actor_id, "actor_label": event.actor_label, "ip_address": event.ip_address,
        "action": event.action, "entity_type": event.entity_type, "entity_id": event.entity_id,
        "application_id": event.application_id, "fund_id": event.fund_id,
        "before": event.before, "after": event.after, "reason": event.reason,
        "prev_hash": event.prev_hash, "hash": event.hash,
    }


EVENT_CSV_HEADER = ["seq", "occurred_at", "actor_id", "actor_label", "ip_address", "action", "entity_type",
                    "entity_id", "application_id", "fund_id", "before", "after", "reason", "prev_hash", "hash"]


def events_csv(events: list[AuditEvent]) -> bytes:
    rows = []
    for e in events:
        d = event_dict(e)
        d["before"] = json.dumps(d["before"], sort_keys=True, ensure_ascii=False) if d["before"] is not None else ""
        d["after"] = json.dumps(d["after"], sort_keys=True, ensure_ascii=False) if d["after"] is not None else ""
        rows.append([d[k] for k in EVENT_CSV_HEADER])
    return csv_bytes(EVENT_CSV_HEADER, rows)


def record_export(action: str, *, actor: User, details: dict, application: Application | None = None) -> None:
    audit.record(action, actor=actor, entity=application, entity_type=None if application else "Export",
                 application=application, after=details)


# --- Applications and their history ------------------------------------------------

def find_applications(query: str, *, limit: int = 50) -> list[Application]:
    from ..models import Organisation

    stmt = select(Application).join(Organisation).order_by(desc(Application.id))
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(func.lower(Application.reference).like(like)
                          | func.lower(Organisation.legal_name).like(like)
                          | func.lower(func.coalesce(Application.title, "")).like(like))
    return list(db.session.scalars(stmt.limit(limit)))


def _aware(moment):
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if isinstance(moment, date):
        return _start_of(moment)
    return None


def timeline(application: Application) -> list[dict]:
    """Everything that happened to one application, oldest first.

    Audit events are the backbone; submitted versions, decision records,
    letters and payments are listed beside them as the records they are.
    """
    items: list[dict] = []
    for e in audit.events_for_application(application.id):
        items.append({"when": e.occurred_at, "kind": "Audit event", "title": history.event_name(e.action, e.after),
                      "action": e.action, "who": e.actor_label, "event": e, "order": (0, e.seq)})
    for v in db.session.scalars(select(ApplicationVersion).where(ApplicationVersion.application_id == application.id)):
        items.append({"when": v.submitted_at, "kind": "Submitted version", "title": f"Version {v.number} submitted",
                      "who": _name(v.submitted_by_id), "order": (1, v.id)})
    for s in db.session.scalars(select(Screening).where(Screening.application_id == application.id)):
        items.append({"when": s.created_at, "kind": "Screening", "title": f"Screening {s.outcome}",
                      "who": _name(s.screened_by_id), "detail": s.note, "order": (1, s.id)})
    for c in db.session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id)):
        items.append({"when": c.created_at, "kind": "Conflict declaration",
                      "title": ("Declared a conflict of interest" if c.has_conflict else "Declared no conflict")
                      + f" ({c.capacity.replace('_', ' ')})", "who": _name(c.user_id), "detail": c.nature,
                      "order": (1, c.id)})
    for d in db.session.scalars(select(DecisionRecord).where(DecisionRecord.application_id == application.id)):
        items.append({"when": d.decided_at, "kind": "Decision record",
                      "title": f"{d.number}: {d.outcome.replace('_', ' ')}", "who": d.decided_by_name,
                      "detail": d.reasons, "hash": d.content_hash, "record": d, "order": (1, d.id)})
    for letter in db.session.scalars(select(Letter).where(Letter.application_id == application.id)):
        items.append({"when": letter.created_at, "kind": "Letter", "title": f"{letter.kind.capitalize()} letter "
                      f"{letter.filename}", "who": _name(letter.created_by_id), "hash": letter.sha256,
                      "order": (1, letter.id)})
    for r in db.session.scalars(select(OfferResponse).where(OfferResponse.application_id == application.id)):
        items.append({"when": r.created_at, "kind": "Offer response",
                      "title": "Offer accepted" if r.accepted else "Offer declined",
                      "who": f"{r.signatory_name}, {r.signatory_position}", "order": (1, r.id)})
    for p in db.session.scalars(select(Payment).where(Payment.application_id == application.id)):
        items.append({"when": p.created_at, "kind": "Payment", "title": f"Payment {p.reference}",
                      "who": _name(p.recorded_by_id), "amount": p.amount_pence, "paid_on": p.paid_on,
                      "order": (1, p.id)})
    for n in _staff_notes(application):
        items.append({"when": n.created_at, "kind": "Staff note", "title": "Note added", "who": _name(n.author_id),
                      "detail": n.body, "order": (1, n.id)})
    for m in _messages(application):
        items.append({"when": m.created_at, "kind": "Message",
                      "title": "Message to the organisation" if m.from_staff else "Message from the organisation",
                      "who": _name(m.author_id), "detail": m.body, "order": (1, m.id)})
    items.sort(key=lambda i: (_aware(i["when"]) or datetime.min.replace(tzinfo=timezone.utc), i["order"]))
    return items


def _staff_notes(application: Application) -> list[StaffNote]:
    return list(db.session.scalars(select(StaffNote).where(StaffNote.application_id == application.id)
                                   .order_by(StaffNote.id)))


def _messages(application: Application) -> list[Message]:
    """The applying organisation's messages with staff (the thread is the organisation's, not one application's)."""
    return list(db.session.scalars(select(Message).where(Message.organisation_id == application.organisation_id)
                                   .order_by(Message.id)))


def _name(user_id: int | None) -> str:
    if user_id is None:
        return "system"
    user = db.session.get(User, user_id)
    return user.full_name if user else f"user {user_id}"


# --- Decision pack and decision-record exports --------------------------------------

def decision_record_dict(record: DecisionRecord) -> dict[str, Any]:
    return {
        "number": record.number, "application_reference": record.application.reference,
        "organisation_name": record.organisation_name, "fund": record.fund.code,
        "financial_year": record.financial_year, "outcome": record.outcome,
        "amount_requested_pence": record.amount_requested_pence,
        "amount_awarded_pence": record.amount_awarded_pence, "reasons": record.reasons,
        "feedback": record.feedback, "special_conditions": record.special_conditions,
        "payment_schedule": record.payment_schedule, "decided_by": record.decided_by_name,
        "authority": record.authority, "declaration_of_interest": record.declaration_of_interest,
        "decided_at": audit._iso(record.decided_at),
        "supersedes": record.supersedes.number if record.supersedes else None,
        "scores": record.scores, "conflicts": record.conflicts, "content_hash": record.content_hash,
    }


def _scores(application: Application) -> dict[str, Any]:
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.application_id == application.id).order_by(Assignment.id)).all()
    moderations = db.session.scalars(
        select(Moderation).where(Moderation.application_id == application.id).order_by(Moderation.id)).all()
    return {
        "application_reference": application.reference,
        "score_percent": str(application.score_percent) if application.score_percent is not None else None,
        "moderated_score_percent": (str(application.moderated_score_percent)
                                    if application.moderated_score_percent is not None else None),
        "assessments": [
            {"assessor_id": a.assessor_id, "assessor": a.assessor.full_name, "status": a.status,
             "submitted_at": audit._iso(a.submitted_at) if a.submitted_at else None,
             "scores": [{"criterion": s.criterion.name, "weight_percent": s.criterion.weight_percent,
                         "value": s.value, "not_applicable": s.not_applicable, "comment": s.comment}
                        for s in sorted(a.scores, key=lambda s: s.criterion.position)]}
            for a in assignments
        ],
        "moderation": [
            {"moderated_by": m.moderated_by.full_name, "note": m.note,
             "moderated_score_percent": (str(m.moderated_score_percent)
                                         if m.moderated_score_percent is not None else None),
             "at": audit._iso(m.created_at)}
            for m in moderations
        ],
    }


def conflict_dict(c: ConflictDeclaration) -> dict[str, Any]:
    return {"application_reference": c.application.reference, "user_id": c.user_id, "name": c.user.full_name,
            "capacity": c.capacity, "has_conflict": c.has_conflict, "nature": c.nature,
            "declared_at": audit._iso(c.created_at)}


def _json(value) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def decision_pack(application: Application, *, actor: User) -> tuple[str, bytes]:
    """A ZIP of everything behind one application's decision, with a SHA-256 manifest.

    Letters go in byte for byte as stored (as sent); hashes.txt lists every
    file's SHA-256 and, for letters, whether it matches the hash recorded when
    the letter was generated.
    """
    files: dict[str, bytes] = {}
    notes: list[str] = []
    records = db.session.scalars(select(DecisionRecord).where(DecisionRecord.application_id == application.id)
                                 .order_by(DecisionRecord.decided_at, DecisionRecord.id)).all()
    try:
        from ..documents.decision_record import decision_record_pdf
    except ImportError:  # the document module is optional for the pack's other contents
        decision_record_pdf = None
    for record in records:
        safe = record.number.replace("/", "-")
        files[f"decision-records/{safe}.json"] = _json(decision_record_dict(record))
        if decision_record_pdf is not None:
            files[f"decision-records/{safe}.pdf"] = decision_record_pdf(record)
    from ..documents.notice import notice_pdf
    from ..services import notices as notices_service

    seen = set()
    for notice in (n for record in records for n in notices_service.notices_for_record(record)):
        if notice.id in seen:
            continue
        seen.add(notice.id)
        safe = notice.number.replace("/", "-")
        files[f"decision-notices/{safe}.json"] = _json({
            "number": notice.number, "summary": notice.summary, "content": notice.content,
            "signed_by": notice.signed_by_name, "authority": notice.authority,
            "signed_at": audit._iso(notice.signed_at), "for_publication": notice.for_publication,
            "not_for_publication_reason": notice.not_for_publication_reason,
            "supersedes": notice.supersedes.number if notice.supersedes else None,
            "content_hash": notice.content_hash, "intact": notices_service.is_intact(notice)})
        files[f"decision-notices/{safe}.pdf"] = notice_pdf(notice)
    letter_rows = []
    for letter in db.session.scalars(select(Letter).where(Letter.application_id == application.id).order_by(Letter.id)):
        name = f"letters/{letter.id}-{letter.filename.replace('/', '_')}"
        files[name] = letter.content
        actual = hashlib.sha256(letter.content).hexdigest()
        letter_rows.append({"file": name, "kind": letter.kind, "created_at": audit._iso(letter.created_at),
                            "recorded_sha256": letter.sha256, "actual_sha256": actual,
                            "matches": actual == letter.sha256})
        if actual != letter.sha256:
            notes.append(f"WARNING: {name} does not match the hash recorded when it was generated")
    files["letters.json"] = _json(letter_rows)
    files["scores.json"] = _json(_scores(application))
    files["round-questions.json"] = _json([{"section": title, "answers": rows}
                                           for title, rows in round_questions.grouped_answers(application)])
    files["conflicts.json"] = _json([conflict_dict(c) for c in db.session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id)
        .order_by(ConflictDeclaration.id))])
    files["staff-notes.json"] = _json([{"at": audit._iso(n.created_at), "by": _name(n.author_id), "note": n.body}
                                       for n in _staff_notes(application)])
    files["messages.json"] = _json([{"at": audit._iso(m.created_at), "by": _name(m.author_id),
                                     "from": "staff" if m.from_staff else "organisation", "message": m.body}
                                    for m in _messages(application)])
    files["audit-events.json"] = _json([event_dict(e) for e in audit.events_for_application(application.id)])
    chain = audit.verify_chain()
    manifest = [f"Decision pack for {application.reference} ({application.organisation.legal_name})",
                f"Audit chain: {'intact' if chain.ok else 'BROKEN at event ' + str(chain.first_broken_seq)}"
                f" ({chain.checked} events verified)", *notes, "", "SHA-256  file"]
    manifest += [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in sorted(files.items())]
    files["hashes.txt"] = ("\n".join(manifest) + "\n").encode("utf-8")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    record_export("export.decision_pack", actor=actor, application=application,
                  details={"files": sorted(files), "hashes_txt_sha256": hashlib.sha256(files["hashes.txt"]).hexdigest()})
    return f"decision-pack-{application.reference}.zip", buffer.getvalue()


def decision_records_between(date_from: date | None, date_to: date | None) -> list[DecisionRecord]:
    stmt = select(DecisionRecord).order_by(DecisionRecord.decided_at, DecisionRecord.id)
    if date_from:
        stmt = stmt.where(DecisionRecord.decided_at >= _start_of(date_from))
    if date_to:
        stmt = stmt.where(DecisionRecord.decided_at < _start_of(date_to + timedelta(days=1)))
    return list(db.session.scalars(stmt))


RECORD_CSV_HEADER = ["number", "application_reference", "organisation_name", "fund", "financial_year", "outcome",
                     "amount_requested_pence", "amount_awarded_pence", "decided_by", "authority", "decided_at",
                     "supersedes", "reasons", "content_hash"]


def decision_records_export(records: list[DecisionRecord], fmt: str, *, actor: User,
                            date_from: date | None, date_to: date | None) -> bytes:
    rows = [decision_record_dict(r) for r in records]
    if fmt == "csv":
        data = csv_bytes(RECORD_CSV_HEADER, [[row[k] for k in RECORD_CSV_HEADER] for row in rows])
    else:
        data = _json({"date_from": date_from.isoformat() if date_from else None,
                      "date_to": date_to.isoformat() if date_to else None, "decision_records": rows})
    record_export("export.decision_records", actor=actor, details={
        "format": fmt, "date_from": date_from, "date_to": date_to, "count": len(rows),
        "sha256": hashlib.sha256(data).hexdigest()})
    return data


# --- Conflicts of interest register ---------------------------------------------------

def rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id)))
