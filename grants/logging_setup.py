"""Structured JSON logs with a request id on every line, and no personal data.

Every line is one JSON object. Lines written while a request is handled carry
its request id (also sent back as the X-Request-Id header), so one request's
lines can be found together. gunicorn's access lines use the same format and
take the id from the response header (GunicornLogger below).

Personal data stays out: the app never logs form bodies, names or email
addresses, query strings are dropped, sign-in/reset tokens in paths are
masked, client addresses are truncated to their network, and as a last guard
anything shaped like an email address is masked in every field of every line.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import sys
from typing import IO, Any

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Paths whose last segment is a secret token (email confirmation, password reset).
TOKEN_PATH_RE = re.compile(r"/(confirm|reset-password)/[^/?]+")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def scrub(text: str) -> str:
    """Mask email addresses wherever they appear (exception text, SQL parameters...)."""
    return EMAIL_RE.sub("[email]", text)


def safe_path(path: str) -> str:
    """The path without its query string, with secret tokens masked."""
    path = path.split("?", 1)[0]
    return TOKEN_PATH_RE.sub(lambda m: f"/{m.group(1)}/[token]", path)


def network_of(address: str | None) -> str | None:
    """A client's network (IPv4 /24, IPv6 /48): enough to spot abuse, not to identify a person."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class GrantsJsonFormatter(JsonFormatter):
    """JSON lines; every string value is scrubbed of email addresses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "asctime": "time", "name": "logger"})
        super().__init__(FORMAT, *args, **kwargs)

    def process_log_record(self, log_record: dict) -> dict:
        return {key: _scrub_value(value) for key, value in log_record.items()}


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v) for v in value]
    return value


class RequestContextFilter(logging.Filter):
    """Adds the request id (and method and safe path) to lines written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            if has_request_context():
                record.request_id = g.get("request_id", "-")
                record.method = request.method
                record.path = safe_path(request.path)  # paths carry ids, never names or emails
            else:
                record.request_id = "-"
        return True


def make_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(GrantsJsonFormatter())
    handler.addFilter(RequestContextFilter())
    return handler


def init_app(app: Flask, stream: IO[str] | None = None) -> None:
    """Send the app's, the libraries' and gunicorn's lines through one JSON handler."""
    if app.config.get("TESTING") and stream is None:
        return
    handler = make_handler(stream)
    app.logger.handlers = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False
    root = logging.getLogger()
    # Replace only handlers we added before, so a test runner's capture stays.
    root.handlers = [h for h in root.handlers if not getattr(h, "_grants", False)]
    handler._grants = True  # type: ignore[attr-defined]
    root.addHandler(handler)


try:  # gunicorn is a dependency, but keep the app importable without it (e.g. flask shell tools)
    from gunicorn.glogging import Logger as _GunicornBaseLogger
except ImportError:  # pragma: no cover
    _GunicornBaseLogger = object  # type: ignore[assignment,misc]


def access_fields(*, status: Any, method: str, path: str, headers: list[tuple[str, str]],
                  remote_addr: str | None, duration_seconds: float, response_bytes: Any) -> dict:
    """The fields of one access line; the request id comes from the app's X-Request-Id header."""
    request_id = next((v for k, v in headers if k.lower() == "x-request-id"), "-") or "-"
    code = status if isinstance(status, int) else int(str(status).split(" ", 1)[0] or 0)
    return {
        "request_id": request_id,
        "method": method,
        "path": safe_path(path),
        "status": code,
        "duration_ms": round(duration_seconds * 1000, 1),
        "bytes": response_bytes if isinstance(response_bytes, int) else None,
        "client_network": network_of(remote_addr),
    }


class GunicornLogger(_GunicornBaseLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with JSON lines; access lines carry the app's request id.

    Set with `logger_class` in gunicorn.conf.py. The access line is written
    after the response, outside the request context, so the id is read from
    the X-Request-Id header the app put on the response.
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(GrantsJsonFormatter())
                handler.addFilter(RequestContextFilter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog and not self.cfg.logconfig and not self.cfg.logconfig_dict:
            return
        fields = access_fields(
            status=getattr(resp, "status_code", None) or resp.status,
            method=environ.get("REQUEST_METHOD", "-"),
            path=environ.get("PATH_INFO", "") or "",
            headers=list(getattr(resp, "headers", []) or []),
            remote_addr=environ.get("REMOTE_ADDR"),
            duration_seconds=request_time.total_seconds(),
            response_bytes=getattr(resp, "sent", None),
        )
        try:
            self.access_log.info("request", extra=fields)
        except Exception:  # a log line must never break a response
            self.exception("Failed to write an access line")
