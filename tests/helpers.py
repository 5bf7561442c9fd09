"""Test helpers: a page-checking client (after GOV.UK Notify admin's habit)."""
from __future__ import annotations

import html5lib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient


class PageError(AssertionError):
    pass


def parse(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def check_html(body: bytes) -> BeautifulSoup:
    """Every page: well-formed HTML5, a <title>, and an error summary that matches 'Error:'."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(body)
    except Exception as exc:  # html5lib raises ParseError subclasses
        raise PageError(f"invalid HTML: {exc}") from exc
    soup = parse(body)
    title = soup.title.get_text(strip=True) if soup.title else ""
    if not title:
        raise PageError("page has no <title>")
    has_summary = soup.select_one(".govuk-error-summary") is not None
    if has_summary != title.startswith("Error:"):
        raise PageError(f"error summary present={has_summary} but title is {title!r}")
    if len(soup.find_all("h1")) != 1:
        raise PageError(f"page should have exactly one <h1>, found {len(soup.find_all('h1'))}")
    return soup


class PageClient(FlaskClient):
    """A client whose get_page/post_page check the status and the page's shape."""

    def __init__(self, app, *args, **kwargs):
        super().__init__(app, app.response_class, use_cookies=True, *args, **kwargs)

    def open(self, *args, **kwargs):
        # Tests run inside one app context, which Flask reuses for every request, so
        # Flask-Login's cached user in `g` would leak from one client to the next.
        from flask import g, has_app_context

        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)

    def sign_in_as(self, user) -> None:
        """A server-side session for `user`, as if they signed in at user.last_sign_in_at."""
        from grants.extensions import db
        from grants.services import sessions

        record = sessions.start(user, ip_address="127.0.0.1")
        record.authenticated_at = user.last_sign_in_at
        db.session.commit()
        with self.session_transaction() as session:
            session["_user_id"] = record.token
            session["_fresh"] = True

    def get_page(self, url: str, *, status: int = 200, follow_redirects: bool = False, **kwargs) -> BeautifulSoup:
        response = self.get(url, follow_redirects=follow_redirects, **kwargs)
        if response.status_code != status:
            raise PageError(f"GET {url}: expected {status}, got {response.status_code}")
        if response.mimetype == "text/html":
            return check_html(response.data)
        return parse(response.data)

    def post_page(self, url: str, data: dict | None = None, *, status: int = 200, follow_redirects: bool = True,
                  **kwargs) -> BeautifulSoup:
        response = self.post(url, data=data or {}, follow_redirects=follow_redirects, **kwargs)
        if response.status_code != status:
            raise PageError(f"POST {url}: expected {status}, got {response.status_code}")
        return check_html(response.data)


def error_messages(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(" ", strip=True) for a in soup.select(".govuk-error-summary__list li")]


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def count_rows(model, **where) -> int:
    """How many rows of `model` match column == value for each keyword."""
    from grants.extensions import db

    stmt = db.select(db.func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)
