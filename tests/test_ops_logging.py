"""Logs: JSON lines, each with the request id, and never an email address."""
from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import request, template_rendered

from grants import logging_setup


@pytest.fixture
def log_stream(app):
    """The app's logging switched on (as in production) into a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = (list(app.logger.handlers), app.logger.propagate, app.logger.level, list(root.handlers))
    stream = io.StringIO()
    logging_setup.init_app(app, stream=stream)
    yield stream
    app.logger.handlers, app.logger.propagate, _, root.handlers = saved
    app.logger.setLevel(saved[2])


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_failed_sign_in_logs_json_with_the_request_id_and_no_email(app, demo, client, log_stream):
    """Are a failed sign-in's log lines JSON with its request id, even when code logs the email typed in?"""

    def careless_logging(sender, template, context, **extra):
        # Stands in for any future code that logs what a user typed.
        if request.method == "POST":
            sender.logger.warning("sign-in failed for %s", request.form.get("email"))
            logging.getLogger("grants.library").error("lookup failed: [parameters: ('%s',)]",
                                                      request.form.get("email"))

    with template_rendered.connected_to(careless_logging, app):
        response = client.post("/account/sign-in",
                               data={"email": "applicant@example.org", "password": "wrong password 123"})
    assert response.status_code == 200
    request_id = response.headers["X-Request-Id"]
    lines = _lines(log_stream)
    assert len(lines) == 2
    for line in lines:
        assert line["request_id"] == request_id
        assert line["path"] == "/account/sign-in"
        assert "@" not in json.dumps(line)
        assert "applicant" not in json.dumps(line)
        assert "wrong password" not in json.dumps(line)
    assert lines[0]["message"] == "sign-in failed for [email]"


def test_lines_outside_a_request_are_json_too(app, log_stream):
    """Does a line written by a command (no request) still come out as JSON with a request_id field?"""
    app.logger.info("outbox sent to someone@example.org")
    (line,) = _lines(log_stream)
    assert line["request_id"] == "-"
    assert line["message"] == "outbox sent to [email]"
    assert line["level"] == "INFO"


def test_gunicorn_access_line_carries_the_request_id_and_hides_tokens_and_addresses():
    """Does gunicorn's access line carry the app's request id, with no query string, token or full client IP?"""
    stream = io.StringIO()
    cfg = SimpleNamespace(accesslog="-", logconfig=None, logconfig_dict={}, errorlog="-", loglevel="info",
                          syslog=False, capture_output=False, user=0, group=0, access_log_format="",
                          logconfig_json=None, syslog_addr=None, syslog_prefix=None, syslog_facility="user",
                          disable_redirect_access_to_syslog=False, dogstatsd_tags="", statsd_host=None,
                          statsd_prefix="")
    logger = logging_setup.GunicornLogger.__new__(logging_setup.GunicornLogger)
    logger.cfg = cfg
    logger.access_log = logging.getLogger("test.gunicorn.access")
    logger.access_log.handlers = [logging_setup.make_handler(stream)]
    logger.access_log.setLevel(logging.INFO)
    logger.access_log.propagate = False
    resp = SimpleNamespace(status="200 OK", status_code=200, sent=1234,
                           headers=[("Content-Type", "text/html"), ("X-Request-Id", "abc123")])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/account/reset-password/s3cr3t-token",
               "QUERY_STRING": "email=someone@example.org", "REMOTE_ADDR": "203.0.113.77"}
    logger.access(resp, None, environ, timedelta(milliseconds=12.5))
    (line,) = _lines(stream)
    assert line["request_id"] == "abc123"
    assert line["status"] == 200
    assert line["path"] == "/account/reset-password/[token]"
    assert line["client_network"] == "203.0.113.0/24"
    assert line["duration_ms"] == 12.5
    text = stream.getvalue()
    assert "s3cr3t" not in text and "someone" not in text and "203.0.113.77" not in text
