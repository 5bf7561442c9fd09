"""Running behind a reverse proxy, and the checked-in gunicorn settings."""
from __future__ import annotations

import runpy
from pathlib import Path

from flask import request

from grants.access import PUBLIC, access

from .ops_support import installation

ROOT = Path(__file__).resolve().parent.parent


def _client_address_app(tmp_path, **config):
    app = installation(f"sqlite:///{tmp_path / 'proxy.sqlite'}", str(tmp_path / "uploads"))
    app.config.update(config)
    return app


def test_behind_nginx_the_app_sees_the_client_address_and_https(tmp_path, monkeypatch):
    """With PROXY_FIX=1, do rate limits and the audit trail see the client's address and https, not nginx's?"""
    monkeypatch.setenv("PROXY_FIX", "1")
    app = _client_address_app(tmp_path)
    seen = {}

    @app.get("/__whoami")
    @access(PUBLIC)
    def whoami():
        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    app.test_client().get("/__whoami", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                          headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "198.51.100.7", "secure": True}


def test_without_proxy_fix_forwarded_headers_are_not_trusted(tmp_path, monkeypatch):
    """Without PROXY_FIX, can a client fake its address with X-Forwarded-For? (It must not.)"""
    monkeypatch.delenv("PROXY_FIX", raising=False)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    app = _client_address_app(tmp_path)
    seen = {}

    @app.get("/__whoami")
    @access(PUBLIC)
    def whoami():
        seen.update(addr=request.remote_addr)
        return "ok"

    app.test_client().get("/__whoami", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                          headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen == {"addr": "203.0.113.9"}


def test_gunicorn_settings_read_the_environment_with_safe_defaults(monkeypatch):
    """Does gunicorn.conf.py bind to localhost by default, cap workers, log JSON and take overrides from the env?"""
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8000"
    assert 1 <= settings["workers"] <= 9
    assert settings["logger_class"] == "grants.logging_setup.GunicornLogger"
    assert settings["accesslog"] == "-"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["bind"], settings["workers"]) == ("0.0.0.0:9000", 3)
