"""`make bench` / `python -m bench.run`: dataset, audit-verify, gunicorn under load, results.

Environment:
  BENCH_SCALE     share of the full dataset (default 1.0; 0.1 for a quick run)
  BENCH_SECONDS   seconds of load per page (default 20)
  BENCH_USERS     concurrent users per page (default 16)
  BENCH_ADMIN_URL PostgreSQL server to create the database on
                  (default postgresql://postgres@127.0.0.1:5432/postgres)
  BENCH_DATABASE  database name (default grants_bench; dropped and re-created)
  BENCH_RESULTS   where to write the results (default bench/results.md)
  BENCH_REUSE     1: keep the database from the last run (skip step 1) to re-measure quickly
"""
from __future__ import annotations

import csv
import http.client
import inspect
import os
import platform
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
BIN = Path(sys.executable).parent

TARGET_P95_MS = 150
TARGET_SHARE = 0.5
TARGET_LETTERS_PER_CORE = 50
TARGET_EXPORT_SECONDS = 10
TARGET_EXPORT_GROWTH_MB = 100
TARGET_VERIFY_SECONDS = 30
TARGET_SUMMARY_MS = 300


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Load:
    name: str
    url: str
    users: int
    status: str = "ok"  # ok | not available | error ...
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    peak_worker_mb: float = 0.0
    peak_total_mb: float = 0.0
    single_ms: float = 0.0  # median of sequential requests, nothing else loading the server
    busy_before: float = 0.0  # % of all CPUs in use in the second before this page's load (others' work)


@dataclass
class Report:
    started: datetime
    scale: float
    seconds: int
    machine: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    generate_seconds: float = 0.0
    migrate_seconds: float = 0.0
    verify_seconds: float = 0.0
    verify_output: str = ""
    loads: list[Load] = field(default_factory=list)
    ceiling: Load | None = None
    export: dict = field(default_factory=dict)
    letters: dict = field(default_factory=dict)
    workers: str = ""
    busy: bool = False
    load_at_end: str = ""
    missing_indexes: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine(database_url: str) -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    engine = create_engine(database_url)
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return {
        "CPU": cpu,
        "Cores (nproc)": str(os.cpu_count()),
        "Memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": pg,
        "Date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "Load average at start (1/5/15 min)": " / ".join(f"{v:.1f}" for v in os.getloadavg()),
    }


def recreate_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_missing_indexes() -> list[str]:
    """Indexes the models declare but the migrations do not create yet (the lead regenerates the migration).

    Measuring the models' schema, not a stale migration's; the results list each one.
    """
    from sqlalchemy import inspect as inspect_database

    from grants.extensions import db

    created = []
    with db.engine.begin() as conn:
        inspector = inspect_database(conn)
        for table in db.metadata.sorted_tables:
            present = {index["name"] for index in inspector.get_indexes(table.name)}
            for index in sorted(table.indexes, key=lambda i: i.name):
                if index.name not in present:
                    index.create(conn)
                    created.append(index.name)
    if created:
        log(f"    created model indexes missing from the migration: {', '.join(created)}")
    return created


def redis_uri() -> str:
    uri = "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(uri, socket_timeout=1).ping()
        return uri
    except Exception:
        log("Redis is not reachable: rate limits use memory://")
        return "memory://"


class Server:
    """gunicorn with gunicorn.conf.py, started and stopped by its own process id."""

    def __init__(self, target: str, port: int, env: dict, log_name: str):
        self.port = port
        self.log_path = DATA / log_name
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), target],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}")
            try:
                if get(self.port, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{path} did not answer 200 in {timeout} s: see {self.log_path}")

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def get(port: int, path: str, cookie: str | None = None, stream: bool = False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    connection.close()
    return response.status, size


class MemorySampler:
    """Peak RSS of a server's workers while a load runs (sampled every 0.2 s)."""

    def __init__(self, server: Server):
        self.server = server
        self.peak_worker = 0
        self.peak_total = 0
        self.per_worker_peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for worker in self.server.workers():
                try:
                    rss = worker.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.peak_worker = max(self.peak_worker, rss)
                self.per_worker_peak[worker.pid] = max(self.per_worker_peak.get(worker.pid, 0), rss)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def settle(servers: list[Server], expected_workers: int, timeout: float = 60) -> None:
    """Wait until every worker has booted and the machine is idle, so start-up is not measured."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(len(s.workers()) >= expected_workers for s in servers) and psutil.cpu_percent(interval=1) < 15:
            return
    log("    (machine did not settle; measuring anyway)")


def warm_up(server: Server, url: str, cookie: str | None, requests: int = 30) -> None:
    """A few requests first, so every worker has its connection pool and templates ready."""
    for _ in range(requests):
        get(server.port, url, cookie)


def single_request_ms(server: Server, url: str, cookie: str | None, requests: int = 15) -> float:
    """Median time of one request at a time: the page's own latency, without queueing."""
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = get(server.port, url, cookie)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
    return statistics.median(times)


def run_locust(load: Load, server: Server, cookie: str | None, seconds: int) -> None:
    prefix = DATA / f"locust-{secrets.token_hex(3)}"
    load.busy_before = psutil.cpu_percent(interval=1)
    env = {**os.environ, "BENCH_URL": load.url, "BENCH_COOKIE": cookie or ""}
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(load.users), "-r", str(load.users), "-t", f"{seconds}s",
               "--host", f"http://127.0.0.1:{server.port}", "--csv", str(prefix), "--only-summary",
               "--loglevel", "WARNING", "--stop-timeout", "10"]
    with MemorySampler(server) as sampler:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120)
    load.peak_worker_mb = sampler.peak_worker / 2**20
    load.peak_total_mb = sampler.peak_total / 2**20
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        load.status = f"locust failed: {done.stderr.strip()[-200:]}"
        return
    with open(stats) as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                load.requests = int(row["Request Count"])
                load.failures = int(row["Failure Count"])
                load.rps = float(row["Requests/s"])
                load.p50, load.p95, load.p99 = (float(row[k] or 0) for k in ("50%", "95%", "99%"))
    for path in DATA.glob(f"{prefix.name}*"):
        path.unlink()
    if load.failures:
        load.status = f"{load.failures} failed"


def mint_cookies(app, emails: list[str]) -> dict[str, str]:
    """Signed session cookies for bench accounts, as if each had signed in and passed two-factor."""
    from grants.extensions import db
    from grants.models import User
    from grants.services import accounts

    cookies = {}
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    with app.app_context():
        for email in emails:
            user = accounts.find_user(email)
            if user.is_staff and user.totp_enabled_at is None:
                # Production makes staff use two-factor; the bench accounts are enrolled.
                import pyotp

                user.totp_secret = pyotp.random_base32()
                user.totp_enabled_at = datetime.now(timezone.utc)
            db.session.commit()
            user = db.session.get(User, user.id)
            value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "_permanent": True,
                                      "two_factor_ok": True})
            cookies[email] = f"{name}={value}"
    return cookies


def bench_letters(app, record_ids: list[int], seconds: float = 10.0) -> dict:
    """Award letters rendered in-process from real decision records, one after another (one core)."""
    from grants.documents.letters import render_letter
    from grants.extensions import db
    from grants.models import DecisionRecord

    with app.app_context(), app.test_request_context():
        records = [db.session.get(DecisionRecord, record_id) for record_id in record_ids]
        first = render_letter(records[0], kind="award")
        if not first.startswith(b"%PDF"):
            raise RuntimeError("render_letter did not return a PDF")
        count, size, started = 0, 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            size += len(render_letter(records[count % len(records)], kind="award"))
            count += 1
        elapsed = time.perf_counter() - started
        db.session.remove()
    return {"status": "ok", "function": "grants.documents.letters.render_letter(record, kind=\"award\")",
            "letters": count, "records": len(records), "seconds": elapsed, "per_second_per_core": count / elapsed,
            "bytes": size // max(count, 1)}


def bench_export(server: Server, url: str) -> dict:
    """Two downloads, one after the other: the second is timed; memory growth covers both.

    The baseline is each worker's RSS before the first download (the workers have
    already served every page), so the growth includes whatever the export itself
    keeps, not only what a second download adds.
    """
    baseline = {w.pid: w.memory_info().rss for w in server.workers()}
    with MemorySampler(server) as sampler:
        status, _ = get(server.port, url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
        started = time.perf_counter()
        status, size = get(server.port, url, stream=True)
        elapsed = time.perf_counter() - started
    growth = max((peak - baseline.get(pid, peak) for pid, peak in sampler.per_worker_peak.items()), default=0)
    return {"status": "ok" if status == 200 else f"error {status}", "seconds": elapsed, "bytes": size,
            "growth_mb": growth / 2**20}


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    seconds = int(os.environ.get("BENCH_SECONDS", "20"))
    users = int(os.environ.get("BENCH_USERS", "16"))
    admin_url = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = os.environ.get("BENCH_DATABASE", "grants_bench")
    results_path = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.md"))
    DATA.mkdir(parents=True, exist_ok=True)
    report = Report(started=datetime.now(timezone.utc), scale=scale, seconds=seconds)

    reuse = os.environ.get("BENCH_REUSE") == "1"
    if reuse:
        log(f"(1) reusing database {name} from the last run")
        database_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    else:
        log(f"(1) fresh database {name} (scale {scale})")
        database_url = recreate_database(admin_url, name)
    report.machine = machine(database_url)
    report.busy = os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1)
    uploads = tempfile.mkdtemp(prefix="grants-bench-uploads-")
    env = {**os.environ, "GRANTS_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database_url, "UPLOAD_FOLDER": uploads, "RATELIMIT_STORAGE_URI": redis_uri(),
           "MAIL_SERVER": "", "PUBLIC_BASE_URL": "https://grants.example.org", "PROXY_FIX": "1"}
    env.pop("FLASK_DEBUG", None)
    os.environ.update(env)

    from flask_migrate import upgrade

    from bench.generate import Plan, existing, generate
    from grants import create_app, seed
    from grants.extensions import db

    app = create_app()
    with app.app_context():
        if reuse:
            generated = existing()
        else:
            started = time.perf_counter()
            upgrade()
            report.missing_indexes = create_missing_indexes()
            report.migrate_seconds = time.perf_counter() - started
            seed.seed_reference()
            csf, ppaf = seed.seed_funds()
            seed.seed_rounds(csf, ppaf)
            users_by_email = seed.seed_accounts()
            seed.seed_organisations(users_by_email)
            db.session.commit()
            plan = Plan.scaled(scale)
            log(f"    generating {plan}")
            generated = generate(plan, progress=log)
            log(f"    generated {sum(generated.counts.values()):,} rows in {generated.seconds:.1f} s")
        report.counts = dict(sorted(generated.counts.items()))
        report.generate_seconds = generated.seconds
        db.session.remove()

    log("(2) flask --app wsgi audit-verify")
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "audit-verify"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    report.verify_seconds = time.perf_counter() - started
    report.verify_output = (done.stdout or done.stderr).strip().splitlines()[-1] if (done.stdout or done.stderr) else ""
    log(f"    {report.verify_output} ({report.verify_seconds:.1f} s)")

    from bench.generate import LAST_YEAR, financial_year
    from bench.pages import CEILING_NAME, EXPORT_URL, PAGES

    cookies = mint_cookies(app, sorted({p.user for p in PAGES if p.user}))
    ids = {"application_id": generated.bench_award_application_id, "round_id": generated.bench_round_id,
           "record_id": generated.bench_record_id, "year": financial_year(LAST_YEAR)}
    with app.app_context():
        from grants.models import DecisionRecord

        letter_records = list(db.session.scalars(
            select(DecisionRecord.id).where(DecisionRecord.amount_awarded_pence.is_not(None))
            .order_by(DecisionRecord.id).limit(200)))
        db.session.remove()
    if not letter_records:
        raise RuntimeError("the dataset has no decision records for award letters")

    log("(3) gunicorn: the app and the ceiling")
    app_server = Server("wsgi:app", free_port(), env, "gunicorn-app.log")
    ceiling_server = Server("bench.ceiling:app", free_port(), env, "gunicorn-ceiling.log")
    try:
        app_server.wait("/healthz")
        ceiling_server.wait("/ceiling")
        gunicorn_settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        settle([app_server, ceiling_server], gunicorn_settings["workers"])
        report.workers = (f"{len(app_server.workers())} workers x {gunicorn_settings['threads']} threads, "
                          f"{gunicorn_settings['worker_class']}")

        log(f"(4) load: {users} users, {seconds} s per page")
        ceiling = Load(CEILING_NAME, "/ceiling", users)
        warm_up(ceiling_server, "/ceiling", None)
        ceiling.single_ms = single_request_ms(ceiling_server, "/ceiling", None)
        run_locust(ceiling, ceiling_server, None, seconds)
        report.ceiling = ceiling
        log(f"    ceiling: {ceiling.rps:.0f} req/s, p95 {ceiling.p95:.0f} ms")
        for page in PAGES:
            load = Load(page.name, page.url.format(**ids), min(page.users, users))
            cookie = cookies.get(page.user) if page.user else None
            status, _ = get(app_server.port, load.url, cookie)
            if status != 200:
                raise RuntimeError(f"{load.name} ({load.url}) answered {status}, not 200: see {app_server.log_path}")
            warm_up(app_server, load.url, cookie)
            load.single_ms = single_request_ms(app_server, load.url, cookie)
            run_locust(load, app_server, cookie, seconds)
            report.loads.append(load)
            log(f"    {load.name}: {load.status}" + (f", {load.rps:.1f} req/s, p95 {load.p95:.0f} ms"
                                                     if load.requests else ""))

        log("(6) 360Giving export, streamed, and award letters")
        report.export = bench_export(app_server, EXPORT_URL)
        log(f"    export: {report.export}")
    finally:
        app_server.stop()
        ceiling_server.stop()
        shutil.rmtree(uploads, ignore_errors=True)
    report.letters = bench_letters(app, letter_records)
    log(f"    letters: {report.letters}")
    report.load_at_end = " / ".join(f"{v:.1f}" for v in os.getloadavg())

    markdown = render(report)
    results_path.write_text(markdown)
    print()
    print(markdown)
    log(f"(7) results written to {results_path}")
    failed = [load.name for load in report.loads + [report.ceiling] if load and load.status != "ok"]
    if failed:
        log(f"FAILED: these pages did not answer 200 to every request: {', '.join(failed)}")
        return 1
    return 0


def _ms(value: float) -> str:
    return f"{value:.0f}"


def render(report: Report) -> str:
    from bench.pages import SHARE_TARGET_PAGES

    ceiling = report.ceiling
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` (scale {report.scale:g}: "
        f"{'the full dataset' if report.scale == 1 else 'a share of the full dataset'}), "
        f"run {report.machine.get('Date')}. Each page was loaded for {report.seconds} s by locust "
        "(a second process on 127.0.0.1, no think time) against gunicorn with `gunicorn.conf.py` "
        f"({report.workers}) and `GRANTS_ENV=production` on PostgreSQL.",
        "",
        "## Machine",
        "",
        *([f"**The machine was not reserved for this run: its 1-minute load average was "
           f"{report.machine.get('Load average at start (1/5/15 min)', '?').split(' / ')[0]} at the start and "
           f"{report.load_at_end.split(' / ')[0]} at the end, on {os.cpu_count()} cores (the end figure includes "
           "the benchmark's own processes). \"CPU busy before\" in the pages table shows how much other work "
           "was running as each page's load began. Figures under load from a shared machine understate what "
           "the app does on a quiet server.**", ""]
          if report.busy or float(report.load_at_end.split(" / ")[0] or 0) > 0.5 * (os.cpu_count() or 1) else []),
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in report.machine.items()],
        f"| Load average at end (1/5/15 min) | {report.load_at_end} |",
        "",
        "## Dataset",
        "",
        f"Generated in {report.generate_seconds:.1f} s (migrations {report.migrate_seconds:.1f} s).",
        *([f"Indexes declared on the models but not yet in the migration, created after it: "
           f"{', '.join(f'`{name}`' for name in report.missing_indexes)} (regenerate the migration to include them).",
           ""] if report.missing_indexes else []),
        "",
        "| table | rows generated (besides the demo seed) |",
        "|---|---:|",
        *[f"| {k} | {v:,} |" for k, v in report.counts.items()],
        "",
        "## Audit trail",
        "",
        f"`flask --app wsgi audit-verify`: {report.verify_output.rstrip('.')} in {report.verify_seconds:.1f} s "
        f"(target under {TARGET_VERIFY_SECONDS} s: {'met' if report.verify_seconds < TARGET_VERIFY_SECONDS else 'NOT met'}).",
        "",
        "## Pages",
        "",
        f"Latencies in ms. \"One request alone\" is the median of 15 sequential requests with nothing else "
        "loading the server; the rest are under load. Share of ceiling = the page's requests per second / the "
        f"ceiling's. Targets: p95 under {TARGET_P95_MS} ms; the application list and dashboard at "
        f"{TARGET_SHARE:.0%} of the ceiling or more; the fund summary under {TARGET_SUMMARY_MS} ms.",
        "",
        "| page | one request alone (median) | users | req/s | p50 | p95 | p99 | share of ceiling | peak worker RSS (MB) | all workers (MB) | CPU busy before (%) | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    rows = ([ceiling] if ceiling else []) + report.loads
    for load in rows:
        if load.requests:
            share = f"{load.rps / ceiling.rps:.0%}" if ceiling and ceiling.rps and load is not ceiling else "100%"
            verdict = []
            if load is not ceiling:
                verdict.append("p95 ok" if load.p95 < TARGET_P95_MS else "p95 over target")
                if load.name.startswith(SHARE_TARGET_PAGES) and ceiling:
                    verdict.append("throughput ok" if load.rps >= TARGET_SHARE * ceiling.rps else "throughput under target")
                if load.name.startswith("Fund summary"):
                    verdict.append(f"alone under {TARGET_SUMMARY_MS} ms" if load.single_ms < TARGET_SUMMARY_MS
                                   else f"alone over {TARGET_SUMMARY_MS} ms")
            result = ", ".join([load.status] + verdict) if load.status != "ok" else ", ".join(verdict) or "ok"
            lines.append(f"| {load.name} | {load.single_ms:.0f} | {load.users} | {load.rps:.1f} | {_ms(load.p50)} | {_ms(load.p95)} | "
                         f"{_ms(load.p99)} | {share} | {load.peak_worker_mb:.0f} | {load.peak_total_mb:.0f} | {load.busy_before:.0f} | {result} |")
        else:
            lines.append(f"| {load.name} | | {load.users} | | | | | | | | | {load.status} |")
    export = report.export
    lines += ["", "## 360Giving export (streamed)", ""]
    if export.get("status") == "ok":
        lines.append(
            f"{export['bytes'] / 2**20:.1f} MB in {export['seconds']:.1f} s "
            f"(target under {TARGET_EXPORT_SECONDS} s: {'met' if export['seconds'] < TARGET_EXPORT_SECONDS else 'NOT met'}); "
            f"worker memory grew {export['growth_mb']:.0f} MB "
            f"(target under {TARGET_EXPORT_GROWTH_MB} MB: {'met' if export['growth_mb'] < TARGET_EXPORT_GROWTH_MB else 'NOT met'})."
        )
    else:
        lines.append(f"{export.get('status', 'not run')}.")
    letters = report.letters
    lines += ["", "## Award letters (in-process, one core)", ""]
    if letters.get("status") == "ok":
        rate = letters["per_second_per_core"]
        lines.append(f"`{letters['function']}` over {letters['records']} generated decision records: "
                     f"{letters['letters']} letters ({letters['bytes'] / 1024:.0f} KB each) in {letters['seconds']:.1f} s = "
                     f"{rate:.1f} per second per core (target {TARGET_LETTERS_PER_CORE}: "
                     f"{'met' if rate >= TARGET_LETTERS_PER_CORE else 'NOT met'}).")
    else:
        lines.append(f"{letters.get('status', 'not run')}.")
    lines += ["", *notes(), ""]
    return "\n".join(lines)


def notes() -> list[str]:
    """How to read the figures (the same in every run)."""
    return [
        "## How to read these figures",
        "",
        "* Every page is the integrated app at its contract URL, signed in with the role that uses it: the demo "
        "applicant (whose group has applications in every year) for the dashboard, the grants officer for staff "
        "pages, record and fund summary, the chief executive (decision maker) for the panel, nobody for the "
        "public register. The run stops if any page answers anything but 200.",
        "* The staff application page and the decision record page show an awarded application with its "
        "generated decision record; the panel is CSF 2026-27, the current round (about 5,000 applications, "
        "several hundred of them assessed and ranked on one page: far more than a real round).",
        "* The 360Giving export is downloaded twice in a row, streamed (every published grant); the second download "
        "is timed, and worker memory growth is measured from before the first. It has its own targets (time and "
        "memory growth), not the p95 target for pages.",
        "* Award letters are rendered in-process, one after another on one core, from generated decision records "
        "(each with its payment schedule), through `grants.documents.letters.render_letter(record, kind=\"award\")`.",
        "* Under load, 16 users share 2 cores with PostgreSQL, locust and whatever else the machine is running; "
        "p95 there is mostly queueing. \"One request alone\" shows each page's own cost. \"CPU busy before\" "
        "is the share of both cores in use during the idle second just before each page's load: other work on the "
        "machine, which then competed with the measurement.",
    ]


if __name__ == "__main__":
    sys.exit(main())
