"""Real-browser fixtures: the app served on 127.0.0.1, driven by Debian's Chromium.

Playwright for Python drives the system browser by its executable path; no
browser is ever downloaded. Without chromium these tests are skipped, unless
GRANTS_REQUIRE_BROWSER=1 (CI), when they fail instead.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _browser():
    if not CHROMIUM:
        if os.environ.get("GRANTS_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, monkeypatch):
    """The test app on a real port, with CSRF on as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser_page(_browser, live_server):
    context = _browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, email: str, password: str = "demo-password") -> None:
    page.goto("/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Wait for the landing page, so the next navigation cannot race the sign-in.
    page.wait_for_url(lambda url: "/account/sign-in" not in url)


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page for WCAG 2.0/2.1/2.2 A and AA rules."""
    # Evaluated through the devtools protocol, so the page's strict CSP (no
    # inline script) stays on while axe runs.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: " + json.dumps(violations, indent=1)
