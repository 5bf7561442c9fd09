"""Sign in through the real sign-in form (CSRF token, cookies) as a browser behind nginx would.

Usage: smoke_sign_in.py PORT EMAIL PASSWORD. Exits non-zero, saying why, unless
a wrong password is refused and the right one reaches a signed-in page (for staff
in production that is the two-factor set-up page).
"""
from __future__ import annotations

import http.client
import re
import sys
from urllib.parse import urlencode, urlsplit


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, referer: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        # nginx terminates TLS and says so; secure cookies are therefore sent back as a browser would.
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "User-Agent": "deploy-smoke"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = referer or self.origin + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text


def fail(message: str) -> None:
    print(f"deploy-smoke: sign-in FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def csrf_token(browser: Browser, path: str = "/account/sign-in") -> str:
    status, _, html = browser.request("GET", path)
    if status != 200:
        fail(f"GET {path} answered {status}")
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        fail(f"{path} has no CSRF token")
    return match.group(1)


def sign_in(browser: Browser, email: str, password: str) -> str:
    """Sign in through the form; return the path of the signed-in page reached (exits on failure)."""
    status, _, html = browser.request("POST", "/account/sign-in",
                                      {"csrf_token": csrf_token(browser), "email": email,
                                       "password": "not-the-password-1"})
    if status != 200 or "govuk-error-summary" not in html:
        fail(f"a wrong password was not refused with an error (status {status})")

    status, headers, html = browser.request("POST", "/account/sign-in",
                                            {"csrf_token": csrf_token(browser), "email": email,
                                             "password": password})
    if status not in (302, 303):
        errors = re.findall(r'<a href="#[^"]*">([^<]+)</a>', html)
        fail(f"the right password did not sign in (status {status}; {errors or 'no error shown'})")
    location = headers["Location"]
    for _ in range(3):
        path = urlsplit(location).path or "/"
        if "/account/sign-in" in path:
            fail(f"sent back to sign in ({location})")
        if "two-factor" in path:
            status, _, html = browser.request("GET", path)
            if status == 200 and "<h1" in html:
                print(f"deploy-smoke: signed in; reached two-factor set-up at {path}")
                return path
            fail(f"two-factor page {path} answered {status}")
        status, headers, html = browser.request("GET", path)
        if status in (301, 302, 303):
            location = headers["Location"]
            continue
        if status == 200 and 'action="/account/sign-out"' in html:
            print(f"deploy-smoke: signed in; reached {path}")
            return path
        fail(f"after signing in, {path} answered {status}")
    fail("too many redirects after signing in")
    return ""


def main() -> None:
    port, email, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sign_in(Browser(port), email, password)


if __name__ == "__main__":
    main()
