"""Generate the benchmark dataset fast, with bulk inserts (COPY on PostgreSQL).

Ten financial years (2017-18 .. 2026-27) of both funds: organisations and their
applicant accounts, applications with planned outputs, budget lines, areas and
objectives; awards (approved/funded/completed) with decision records, payment
instalments and payments; interim and final reports with output actuals; and an
audit trail with a valid hash chain (the head row moved to its tip).

Rows are written with SQLAlchemy Core, never the ORM, so a million rows cost
seconds; the demo accounts (password `demo-password`) sign in to load pages.
"""
from __future__ import annotations

import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import Connection, Table, func, select, text

from grants import signing
from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    AuditHead,
    BudgetLine,
    Counter,
    DecisionRecord,
    Fund,
    GrantPublication,
    Organisation,
    OrgMembership,
    Payment,
    PaymentInstalment,
    PlannedOutput,
    Report,
    ReportOutputActual,
    Round,
    User,
    UserRole,
)
from grants.models.applications import application_areas, application_objectives
from grants.services.audit import GENESIS_HASH, event_hash, event_seal_key
from grants.services.decisions import content_hash

FIRST_YEAR, LAST_YEAR = 2017, 2026
FULL = {"applications": 100_000, "awards": 30_000, "reports": 60_000, "audit_events": 1_000_000,
        "organisations": 3_000}
PAST_UNFUNDED = ["declined"] * 6 + ["withdrawn", "ineligible", "offer_lapsed"]
CURRENT_UNFUNDED = ["submitted", "submitted", "in_assessment", "in_assessment", "assessed", "draft",
                    "more_info_requested", "declined", "withdrawn"]
MEASURES = ["young people engaged", "sessions delivered", "volunteers trained", "homes made secure",
            "victims supported", "events held"]
ITEMS = ["Staff costs", "Equipment", "Venue hire", "Volunteer expenses", "Publicity", "Training"]
ACTIONS = ["application.created", "application.section_saved", "application.section_saved",
           "application.submitted", "screening.eligibility_checked", "assessment.score_saved",
           "assessment.submitted", "decision.recorded", "offer.accepted", "payment.recorded",
           "report.submitted", "report.signed_off"]
ACTORS = ["Gemma Wright <officer@example.org>", "Michael Hughes <assessor@example.org>",
          "Simon Dennis <ceo@example.org>", "Lesley Parker <finance@example.org>", "system"]


@dataclass
class Plan:
    applications: int
    awards: int
    reports: int
    audit_events: int
    organisations: int

    @classmethod
    def scaled(cls, scale: float) -> Plan:
        counts = {k: max(1, int(round(v * scale))) for k, v in FULL.items()}
        counts["organisations"] = max(20, counts["organisations"])
        counts["awards"] = min(counts["awards"], counts["applications"])
        counts["reports"] = min(counts["reports"], 2 * counts["awards"])
        return cls(**counts)


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bench_application_id: int | None = None
    bench_round_id: int | None = None
    bench_record_id: int | None = None
    bench_award_application_id: int | None = None


def financial_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _defaults(table: Table) -> dict[str, Any]:
    """Each column's Python-side default (evaluated once), so every row has every column."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None:
            values[column.name] = None
        elif default.is_scalar:
            values[column.name] = default.arg
        elif default.is_callable:
            values[column.name] = default.arg(None)
        else:
            values[column.name] = None
    return values


class Writer:
    """Buffers rows per table and writes them in large batches (COPY on PostgreSQL)."""

    def __init__(self, conn: Connection, batch: int = 20_000):
        self.conn = conn
        self.batch = batch
        self.pending: dict[str, list[dict]] = {}
        self.tables: dict[str, Table] = {}
        self.templates: dict[str, dict] = {}
        self.written: dict[str, int] = {}
        self.postgres = conn.dialect.name == "postgresql"

    def add(self, table: Table, row: dict) -> None:
        name = table.name
        if name not in self.templates:
            self.tables[name] = table
            self.templates[name] = _defaults(table)
        rows = self.pending.setdefault(name, [])
        rows.append({**self.templates[name], **row})
        if len(rows) >= self.batch:
            self.flush(name)

    def flush(self, name: str | None = None) -> None:
        # Parents before children: flush in the models' dependency order.
        order = [t.name for t in db.metadata.sorted_tables]
        names = [name] if name else sorted(self.pending, key=order.index)
        if name:
            # A child batch may point at parents still buffered: write those first.
            index = order.index(name)
            names = sorted([n for n in self.pending if order.index(n) <= index], key=order.index)
        for table_name in names:
            rows = self.pending.pop(table_name, [])
            if rows:
                self._write(self.tables[table_name], rows)
                self.written[table_name] = self.written.get(table_name, 0) + len(rows)

    def _write(self, table: Table, rows: list[dict]) -> None:
        if not self.postgres:
            self.conn.execute(table.insert(), rows)
            return
        columns = [c.name for c in table.columns]
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        raw = self.conn.connection.driver_connection
        quoted = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                                for c in columns])


def _next_id(conn: Connection, model) -> int:
    return (conn.execute(select(func.max(model.id))).scalar() or 0) + 1


def generate(plan: Plan, *, seed: int = 20261122, progress=print) -> Result:
    """Fill the current app's database (which holds the demo seed) with `plan`'s volumes."""
    started = time.perf_counter()
    rng = random.Random(seed)
    result = Result()
    session = db.session
    funds = {f.code: f for f in session.scalars(select(Fund))}
    users = {u.email: u for u in session.scalars(select(User))}
    demo_applicant = users["applicant@example.org"]
    officer, finance = users["officer@example.org"], users["finance@example.org"]
    ceo, pcc = users["ceo@example.org"], users["pcc@example.org"]
    demo_org_id = demo_applicant.memberships[0].organisation_id
    password_hash = demo_applicant.password_hash
    existing_rounds = {(r.fund_id, r.financial_year): r for r in session.scalars(select(Round))}
    area_ids = [row[0] for row in session.execute(text("SELECT id FROM areas ORDER BY id"))]
    objective_ids = [row[0] for row in session.execute(text("SELECT id FROM objectives ORDER BY id"))]
    session.commit()

    conn = session.connection()
    writer = Writer(conn)
    now = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)

    # Rounds: one per fund per financial year; the demo seed already holds 2026-27's.
    round_id = _next_id(conn, Round)
    rounds: list[dict] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for code, fund in sorted(funds.items()):
            fy = financial_year(year)
            found = existing_rounds.get((fund.id, fy))
            if found is not None:
                rounds.append({"id": found.id, "fund": code, "fund_id": fund.id, "year": year, "fy": fy,
                               "threshold": found.full_payment_threshold_pence})
                continue
            big = code == "CSF"
            writer.add(Round.__table__, {
                "id": round_id, "fund_id": fund.id, "name": fy, "financial_year": fy,
                "opens_on": date(year, 4, 1), "closes_on": date(year + 1, 3, 31),
                "guidance": "Projects must finish within 12 months.",
                "budget_pence": 15_000_000 if big else 4_000_000, "min_award_pence": 25_000 if big else 10_000,
                "max_award_pence": 1_000_000 if big else 250_000, "delegated_limit_pence": 500_000,
                "full_payment_threshold_pence": 250_000, "created_at": datetime(year, 3, 1, tzinfo=timezone.utc),
            })
            rounds.append({"id": round_id, "fund": code, "fund_id": fund.id, "year": year, "fy": fy,
                           "threshold": 250_000})
            round_id += 1
    writer.flush()

    # Organisations, each with one applicant account (all sharing the demo password's hash).
    org_id, user_id = _next_id(conn, Organisation), _next_id(conn, User)
    membership_id, role_id = _next_id(conn, OrgMembership), _next_id(conn, UserRole)
    org_ids, org_users = [demo_org_id], {demo_org_id: demo_applicant.id}
    org_names = {demo_org_id: demo_applicant.memberships[0].organisation.legal_name}
    for n in range(plan.organisations - 1):
        writer.add(Organisation.__table__, {
            "id": org_id, "legal_name": f"Bench Community Group {n + 1:05d}", "org_type": "registered_charity",
            "charity_number": f"{1100000 + n}", "address_line_1": f"{n % 300 + 1} High Street",
            "town": ["Middlesbrough", "Hartlepool", "Redcar", "Stockton-on-Tees"][n % 4],
            "postcode": "TS1 1AA", "contact_name": f"Bench Contact {n + 1}",
            "contact_email": f"group{n + 1}@bench.example.org", "created_at": now - timedelta(days=3000),
        })
        writer.add(User.__table__, {
            "id": user_id, "email": f"group{n + 1}@bench.example.org", "full_name": f"Bench Contact {n + 1}",
            "password_hash": password_hash, "email_confirmed_at": now - timedelta(days=3000),
            "is_active_account": True,
            "created_at": now - timedelta(days=3000),
        })
        writer.add(UserRole.__table__, {"id": role_id, "user_id": user_id, "role": "applicant"})
        writer.add(OrgMembership.__table__, {"id": membership_id, "user_id": user_id, "organisation_id": org_id,
                                             "created_at": now - timedelta(days=3000)})
        org_ids.append(org_id)
        org_names[org_id] = f"Bench Community Group {n + 1:05d}"
        org_users[org_id] = user_id
        org_id, user_id, membership_id, role_id = org_id + 1, user_id + 1, membership_id + 1, role_id + 1
    writer.flush()

    # Applications, spread evenly over the rounds; every tenth... chosen ones are awards.
    app_id = _next_id(conn, Application)
    output_id, line_id = _next_id(conn, PlannedOutput), _next_id(conn, BudgetLine)
    record_id, instalment_id = _next_id(conn, DecisionRecord), _next_id(conn, PaymentInstalment)
    payment_id, report_id, actual_id = _next_id(conn, Payment), _next_id(conn, Report), _next_id(conn, ReportOutputActual)
    past_rounds = [r for r in rounds if r["year"] < LAST_YEAR]
    award_every = plan.applications / plan.awards
    counters: dict[str, int] = {}
    record_counters: dict[str, int] = {}
    awarded: list[tuple[int, int, list[int], dict]] = []
    reports_left = plan.reports
    applications_meta: list[tuple[int, int]] = []  # (application id, fund id) for the audit trail
    # Each record's creation event, as the service writes it: audit-verify checks records against them.
    records_created: list[dict] = []
    next_award = 0.0
    for n in range(plan.applications):
        is_award = n >= next_award and len(awarded) < plan.awards
        if is_award:
            next_award += award_every
        round_ = rounds[n % len(rounds)]
        if is_award and round_["year"] == LAST_YEAR and rng.random() < 0.7:
            round_ = past_rounds[n % len(past_rounds)]  # most awards are from past years
        year, code = round_["year"], round_["fund"]
        # The demo applicant's group has a realistic handful of applications (its dashboard).
        org = demo_org_id if n % max(1, plan.applications // 30) == 0 else org_ids[1 + n % max(1, len(org_ids) - 1)] if len(org_ids) > 1 else demo_org_id
        key = f"application:{code}:{year}"
        counters[key] = counters.get(key, 0) + 1
        opened = datetime(year, 4, 1, 9, tzinfo=timezone.utc)
        submitted = opened + timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 600))
        amount = rng.randrange(25_000 if code == "CSF" else 10_000, 1_000_000 if code == "CSF" else 250_000, 500)
        current = year == LAST_YEAR
        if is_award:
            status = rng.choice(["approved", "funded", "funded"]) if current else rng.choice(
                ["completed", "completed", "completed", "funded"])
        else:
            status = rng.choice(CURRENT_UNFUNDED if current else PAST_UNFUNDED)
        decided = submitted + timedelta(days=rng.randint(20, 60)) if status not in (
            "draft", "submitted", "in_assessment", "assessed", "more_info_requested", "withdrawn") else None
        awarded_pence = amount if is_award else None
        writer.add(Application.__table__, {
            "id": app_id, "reference": f"{code}-{year}-{counters[key]:04d}", "round_id": round_["id"],
            "organisation_id": org, "created_by_id": org_users[org], "status": status,
            "created_at": submitted - timedelta(days=7), "updated_at": decided or submitted,
            "title": f"{MEASURES[n % len(MEASURES)].capitalize()} in {['Middlesbrough', 'Hartlepool', 'Redcar', 'Stockton'][n % 4]} {n}",
            "summary": "A community project to prevent crime and anti-social behaviour.",
            "start_date": date(year, 9, 1), "end_date": date(year + 1, 8, 31),
            "need": "Local incidents have risen.", "evidence": "Police and council data.",
            "activities": "Weekly sessions run by trained volunteers.", "ward": "Central",
            "beneficiaries": "Local young people", "beneficiary_count": rng.randint(20, 500),
            "crime_reduction_reasons": "Diversionary activity at peak times.",
            "amount_requested_pence": amount, "other_funding": "None",
            "works_with_children_or_vulnerable_adults": n % 3 == 0, "safeguarding": "Policy reviewed yearly.",
            "section_status": {}, "declaration_name": None if status == "draft" else f"Bench Contact {org}",
            "declaration_position": None if status == "draft" else "Secretary",
            "submitted_at": None if status == "draft" else submitted,
            "score_percent": None if status in ("draft", "submitted") else rng.randint(35, 95),
            "needs_moderation": False, "awarded_pence": awarded_pence, "decided_at": decided,
            "accepted_at": decided + timedelta(days=10) if status in ("funded", "completed") else None,
            "completed_at": decided + timedelta(days=400) if status == "completed" else None,
        })
        writer.add(application_areas, {"application_id": app_id, "area_id": area_ids[n % len(area_ids)]})
        writer.add(application_objectives, {"application_id": app_id,
                                            "objective_id": objective_ids[n % len(objective_ids)]})
        outputs = []
        for position in (1, 2):
            writer.add(PlannedOutput.__table__, {"id": output_id, "application_id": app_id, "position": position,
                                                 "measure": MEASURES[(n + position) % len(MEASURES)],
                                                 "target": rng.randint(10, 400)})
            outputs.append(output_id)
            output_id += 1
        for position, share in ((1, amount // 2), (2, amount - amount // 2)):
            writer.add(BudgetLine.__table__, {"id": line_id, "application_id": app_id, "position": position,
                                              "item": ITEMS[(n + position) % len(ITEMS)], "cost_pence": share})
            line_id += 1
        if is_award:
            fy = round_["fy"]
            record_counters[f"{code}/{fy}"] = record_counters.get(f"{code}/{fy}", 0) + 1
            sequence = record_counters[f"{code}/{fy}"]
            decider = pcc if amount > 500_000 else ceo
            parts = [amount] if amount <= round_["threshold"] else [-(-amount // 2), amount // 2]
            triggers = ["on_acceptance"] if len(parts) == 1 else ["on_acceptance", "after_interim_report"]
            record = {
                "id": record_id, "number": f"{code}/{fy}/{sequence:03d}", "fund_id": round_["fund_id"],
                "financial_year": fy, "sequence": sequence, "application_id": app_id, "outcome": "approve_full",
                "amount_requested_pence": amount, "amount_awarded_pence": amount,
                "reasons": "Meets the fund's priorities and scored above the pass mark.",
                "public_summary": "Crime prevention work agreed with the neighbourhood policing team.",
                "feedback": None, "special_conditions": None,
                "payment_schedule": [{"amount_pence": p, "trigger": t} for p, t in zip(parts, triggers)],
                "decided_by_id": decider.id, "decided_by_name": decider.full_name,
                "authority": "Delegated authority" if decider is ceo else "Police and Crime Commissioner",
                "declaration_of_interest": "None", "organisation_name": org_names[org],
                "scores": _scores(rng), "conflicts": [], "decided_at": decided, "supersedes_id": None,
                "created_at": decided,
            }
            # A real content hash, so record pages show the record as intact.
            record["content_hash"] = content_hash(SimpleNamespace(**record))
            writer.add(DecisionRecord.__table__, record)
            # Published to the register (the register and open data show only published grants).
            writer.add(GrantPublication.__table__, {"id": record_id, "application_id": app_id,
                                                    "published_at": decided, "published_by_id": officer.id})
            records_created.append({"record_id": record_id, "number": record["number"],
                                    "content_hash": record["content_hash"], "application_id": app_id,
                                    "fund_id": round_["fund_id"]})
            if result.bench_record_id is None:
                result.bench_record_id = record_id
                result.bench_award_application_id = app_id
            record_id += 1
            for sequence, (part, trigger) in enumerate(zip(parts, triggers), start=1):
                released = status in ("funded", "completed") and (sequence == 1 or status == "completed")
                writer.add(PaymentInstalment.__table__, {
                    "id": instalment_id, "application_id": app_id, "sequence": sequence, "amount_pence": part,
                    "trigger": trigger, "released_at": decided + timedelta(days=10 + 180 * (sequence - 1)) if released else None,
                })
                if released:
                    writer.add(Payment.__table__, {
                        "id": payment_id, "application_id": app_id, "instalment_id": instalment_id,
                        "amount_pence": part, "paid_on": (decided + timedelta(days=14 + 180 * (sequence - 1))).date(),
                        "reference": f"BACS-{payment_id:07d}", "recorded_by_id": finance.id,
                        "created_at": decided + timedelta(days=14),
                    })
                    payment_id += 1
                instalment_id += 1
            awarded.append((app_id, year, outputs, {"status": status, "decided": decided}))
        applications_meta.append((app_id, round_["fund_id"]))
        if result.bench_application_id is None and org == demo_org_id:
            result.bench_application_id = app_id
        app_id += 1
    if result.bench_application_id is None:
        result.bench_application_id = app_id - 1
    result.bench_round_id = next(r["id"] for r in rounds if r["year"] == LAST_YEAR and r["fund"] == "CSF")

    # Reports: interim and final for awards, most of them submitted and signed off.
    for award_app, year, outputs, info in awarded:
        for kind, months in (("interim", 6), ("final", 15)):
            if reports_left <= 0:
                break
            due = date(year + 1, 1, 1) + timedelta(days=30 * (months - 6))
            done = info["status"] == "completed" or (kind == "interim" and info["status"] == "funded")
            writer.add(Report.__table__, {
                "id": report_id, "application_id": award_app, "kind": kind, "due_on": due,
                "status": "signed_off" if done else "not_started",
                "beneficiaries_reached": rng.randint(10, 400) if done else None, "equality_monitoring": {},
                "went_well": "Good attendance." if done else None,
                "submitted_at": datetime(due.year, due.month, due.day, tzinfo=timezone.utc) if done else None,
                "signed_off_at": datetime(due.year, due.month, due.day, tzinfo=timezone.utc) + timedelta(days=9) if done else None,
                "signed_off_by_id": officer.id if done else None,
                "created_at": info["decided"] or now,
            })
            for planned in outputs:
                writer.add(ReportOutputActual.__table__, {"id": actual_id, "report_id": report_id,
                                                          "planned_output_id": planned, "actual": rng.randint(5, 400)})
                actual_id += 1
            report_id += 1
            reports_left -= 1
    writer.flush()

    for key, value in counters.items():
        conn.execute(Counter.__table__.delete().where(Counter.key == key))
        conn.execute(Counter.__table__.insert().values(key=key, value=value))

    _audit_trail(conn, writer, plan.audit_events, applications_meta, rng, progress, records_created)
    writer.flush()
    if writer.postgres:
        for table in db.metadata.sorted_tables:
            if "id" in table.columns and table.columns["id"].primary_key and table.columns["id"].autoincrement:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"GREATEST((SELECT max(id) FROM \"{table.name}\"), 1))"))
    session.commit()
    if writer.postgres:
        # Fresh statistics for the planner, and the bulk load's dirty pages written out now
        # rather than by a checkpoint in the middle of the measurements.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(text("VACUUM ANALYZE"))
            auto.execute(text("CHECKPOINT"))
    result.counts = dict(writer.written)
    result.seconds = time.perf_counter() - started
    return result


CRITERIA = [("Need and evidence", 30), ("Crime reduction", 30), ("Delivery", 20), ("Value for money", 20)]


def _scores(rng: random.Random) -> dict:
    """A frozen assessment shaped like services.assessment.score_summary(): two assessors, four criteria."""
    assessors = []
    for name in ("Michael Hughes", "Aisha Khan"):
        values = [rng.randint(2, 5) for _ in CRITERIA]
        percent = round(sum(v * w for v, (_, w) in zip(values, CRITERIA)) / 5, 1)
        assessors.append({"name": name, "submitted_at": "2026-01-10T10:00:00+00:00", "percent": str(percent),
                          "scores": [{"criterion": c, "value": v, "not_applicable": False, "comment": "Clear plan."}
                                     for (c, _), v in zip(CRITERIA, values)]})
    overall = str(round(sum(float(a["percent"]) for a in assessors) / len(assessors), 1))
    return {
        "score_percent": overall, "moderated_score_percent": None, "score_for_ranking": overall,
        "pass_mark_percent": 50, "needs_moderation": False, "moderation": "not needed", "moderations": [],
        "criteria": [{"name": c, "weight_percent": w,
                      "mean": str(sum(a["scores"][i]["value"] for a in assessors) / len(assessors)),
                      "spread": abs(assessors[0]["scores"][i]["value"] - assessors[1]["scores"][i]["value"]),
                      "flagged": False} for i, (c, w) in enumerate(CRITERIA)],
        "assessors": assessors,
    }


def existing() -> Result:
    """The dataset a previous run left (for BENCH_REUSE): row counts and the ids pages need."""
    result = Result()
    conn = db.session.connection()
    for table in db.metadata.sorted_tables:
        result.counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    demo_org = conn.execute(text(
        "SELECT m.organisation_id FROM org_memberships m JOIN users u ON u.id = m.user_id "
        "WHERE u.email = 'applicant@example.org'")).scalar()
    result.bench_application_id = conn.execute(
        select(func.min(Application.id)).where(Application.organisation_id == demo_org)).scalar()
    result.bench_round_id = conn.execute(text(
        "SELECT r.id FROM rounds r JOIN funds f ON f.id = r.fund_id "
        "WHERE f.code = 'CSF' AND r.financial_year = :fy"), {"fy": financial_year(LAST_YEAR)}).scalar()
    result.bench_record_id = conn.execute(select(func.min(DecisionRecord.id))).scalar()
    result.bench_award_application_id = conn.execute(
        select(DecisionRecord.application_id).where(DecisionRecord.id == result.bench_record_id)).scalar()
    return result


def _audit_trail(conn: Connection, writer: Writer, total: int, applications: list[tuple[int, int]],
                 rng: random.Random, progress, records_created: list[dict] | None = None) -> None:
    """`total` events continuing the chain from its current head, then the head moved to the tip.

    Spread among them, one "decision_record.created" event per record holding its content hash
    (any left over once `total` is reached follow at the end).
    """
    seal_key = event_seal_key()  # sealed as the app seals them, so audit-verify pays for checking seals
    pending_records = deque(records_created or [])
    stride = max(1, total // max(len(pending_records), 1))
    head = conn.execute(select(AuditHead.__table__).where(AuditHead.id == 1)).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    event_id = _next_id(conn, AuditEvent)
    start = datetime(FIRST_YEAR, 4, 1, tzinfo=timezone.utc)
    span = (datetime(2026, 11, 1, tzinfo=timezone.utc) - start).total_seconds()
    step = span / max(total, 1)
    table = AuditEvent.__table__
    n = 0
    while n < total or pending_records:
        seq += 1
        app_id, fund_id = applications[n % len(applications)] if applications else (None, None)
        action = ACTIONS[n % len(ACTIONS)]
        fields = {
            "seq": seq,
            "occurred_at": start + timedelta(seconds=int(min(n, total) * step)),
            "actor_id": None, "actor_label": ACTORS[n % len(ACTORS)], "ip_address": None,
            "action": action, "entity_type": "Application", "entity_id": str(app_id) if app_id else None,
            "application_id": app_id, "fund_id": fund_id,
            "before": None, "after": {"n": n, "note": "bench"} if n % 3 == 0 else None,
            "reason": "Scored above the pass mark" if action == "decision.recorded" else None,
        }
        if pending_records and (n % stride == 0 or n >= total):
            created = pending_records.popleft()
            fields.update(action="decision_record.created", entity_type="DecisionRecord",
                          entity_id=str(created["record_id"]), application_id=created["application_id"],
                          fund_id=created["fund_id"], reason=None,
                          after={"number": created["number"], "content_hash": created["content_hash"]})
        digest = event_hash(prev, fields)
        writer.add(table, {**fields, "id": event_id, "prev_hash": prev, "hash": digest,
                           "seal": signing.seal(seal_key, digest) if seal_key else None})
        prev = digest
        event_id += 1
        n += 1
        if progress and n % 250_000 == 0:
            progress(f"  audit events: {n:,}")
    writer.flush()
    if head:
        conn.execute(AuditHead.__table__.update().where(AuditHead.id == 1).values(seq=seq, hash=prev))
    else:
        conn.execute(AuditHead.__table__.insert().values(id=1, seq=seq, hash=prev))
