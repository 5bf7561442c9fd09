"""Two app servers behind one load balancer: what one server starts, the other honours.

Usage: smoke_two_servers.py PORT_A PORT_B EMAIL PASSWORD. Both gunicorn instances
share one PostgreSQL database and one Redis. Signs in on A, then proves on B:
the session is valid, A's CSRF token is accepted (and a missing one refused),
signing out on B ends the session on A too; and the sign-in rate limit counts
requests to both servers together. Exits non-zero, saying why, otherwise.
"""
from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

from smoke_sign_in import Browser, csrf_token, fail, sign_in

SIGN_IN_LIMIT_PER_MINUTE = 20  # grants/auth/routes.py AUTH_LIMIT


def on(port: int, cookies: dict[str, str]) -> Browser:
    """A browser talking to server `port` with the given cookie jar (as a load balancer would route it)."""
    browser = Browser(port)
    browser.cookies = cookies
    return browser


def main() -> None:
    port_a, port_b, email, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    a = Browser(port_a)
    signed_in_path = sign_in(a, email, password)
    b = on(port_b, a.cookies)

    # The session made on A is valid on B.
    status, headers, html = b.request("GET", signed_in_path)
    if status != 200 or "/account/sign-in" in headers.get("Location", ""):
        fail(f"the session from server A is not valid on server B ({signed_in_path} answered {status})")
    print(f"deploy-smoke: the session signed in on :{port_a} is valid on :{port_b}")

    # A CSRF token issued by A is accepted by B; a post without one is refused.
    token = csrf_token(a, signed_in_path)
    status, _, _ = b.request("POST", "/account/sign-out", {})
    if status != 400:
        fail(f"server B accepted a sign-out without a CSRF token (status {status})")
    status, headers, _ = b.request("POST", "/account/sign-out", {"csrf_token": token})
    if status not in (302, 303):
        fail(f"server B refused server A's CSRF token (status {status})")
    status, headers, _ = a.request("GET", signed_in_path)
    if status not in (302, 303) or "/account/sign-in" not in urlsplit(headers.get("Location", "")).path:
        fail(f"after signing out on server B, server A still served {signed_in_path} (status {status})")
    print(f"deploy-smoke: :{port_a}'s CSRF token accepted by :{port_b}; signing out there ended the session on both")

    # Rate limits count across both servers (Redis): alternate wrong sign-ins between A and B.
    # With a counter per server neither would reach the limit within this many attempts.
    browsers = [on(port_a, {}), on(port_b, {})]
    for attempt in range(1, SIGN_IN_LIMIT_PER_MINUTE + 3):
        browser = browsers[attempt % 2]
        status, _, html = browser.request("GET", "/account/sign-in")
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        status, _, _ = browser.request("POST", "/account/sign-in", {
            "csrf_token": match.group(1) if match else "", "email": "nobody-smoke@example.org",
            "password": "not-the-password-1"})
        if status == 429:
            if attempt > SIGN_IN_LIMIT_PER_MINUTE:
                fail("the limit was reached, but later than one shared counter allows")
            print(f"deploy-smoke: sign-in rate limit reached after {attempt} attempts spread over both servers "
                  f"(limit {SIGN_IN_LIMIT_PER_MINUTE} per minute, shared in Redis)")
            return
    fail("the sign-in rate limit is not shared: no 429 from either server")


if __name__ == "__main__":
    main()
