"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (the systemd unit's
EnvironmentFile), so the file itself never needs editing on a server.
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The classic 2 x cores + 1, capped: each worker holds its own database pool,
# and more workers than PostgreSQL's connections only queue there instead.
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 9))
# A few threads per worker cover requests that wait on the database or SMTP.
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

# Long enough for the biggest export; anything slower is a bug to find, not to wait for.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak can never build up over years of uptime.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# Heartbeat files on a RAM disk: a slow /tmp must never make the arbiter kill workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only the reverse proxy on this host may tell us the scheme (X-Forwarded-Proto).
# Set PROXY_FIX=1 too, so the app also trusts its X-Forwarded-For for the client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# JSON lines on stderr (journald keeps them); access lines carry the request id.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "grants.logging_setup.GunicornLogger"

proc_name = "grants"

# No runtime control socket (gunicorn 25+): systemctl reload/stop manage the service, and
# several installations on one server would otherwise share one socket path.
control_socket_disable = True
