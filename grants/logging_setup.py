"""Structured JSON logs with a request id on every line, and no personal data."""
from __future__ import annotations

import logging
import sys

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.method = request.method
            record.path = request.path  # paths carry ids, never names or emails
        else:
            record.request_id = "-"
        return True


def init_app(app: Flask) -> None:
    if app.config.get("TESTING"):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestContextFilter())
    app.logger.handlers = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False
