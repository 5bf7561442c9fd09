"""A clean production start, as the OPCC would make it: the officer signs in, sets up two-factor, sets up a round
through the pages (with its reporting schedule), and the public home page shows it open to applicants.

Usage: smoke_go_live.py PORT OFFICER_EMAIL OFFICER_PASSWORD. Runs after `db upgrade`, `setup` and `create-user`,
against gunicorn in production configuration. Exits non-zero, saying why, otherwise.
"""
from __future__ import annotations

import re
import sys
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pyotp
from smoke_sign_in import Browser, csrf_token, fail, sign_in


class FormFields(HTMLParser):
    """What a browser would send from the first form in the page's <main> as it stands: inputs, ticked boxes, chosen radios and
    options, textareas; plus each label's text, to fill fields by what a person reads."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}  # label text -> the id it is for
        self.ids: dict[str, tuple[str, str]] = {}  # id -> (name, value)
        self._select: str | None = None
        self._options: list[tuple[str, str, bool]] = []  # the open select's (value, text, selected)
        self.options: dict[str, list[tuple[str, str]]] = {}  # select name -> (value, text)
        self._textarea: str | None = None
        self._label_for: str | None = None
        self._label_text = ""
        self._in_form = self._in_main = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag == "form" and a.get("method") == "post" and self._in_main and not self.data:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("id"):
                self.ids[a["id"]] = (name, a.get("value", ""))
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "")))
        elif tag == "select":
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "", "selected" in a))
        elif tag == "textarea":
            self._textarea = name
            self.data.append((name, ""))
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), ""

    def handle_data(self, data):
        if self._select and self._options:
            value, text, selected = self._options[-1]
            self._options[-1] = (value, text + data, selected)
        if self._textarea:
            self.data[-1] = (self._textarea, self.data[-1][1] + data)
        if self._label_for:
            self._label_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            chosen = [value for value, _, selected in self._options if selected] or [self._options[0][0]]
            self.data.append((self._select, chosen[0]))  # a browser sends the first option when none is chosen
            self.options[self._select] = [(value, " ".join(text.split())) for value, text, _ in self._options]
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._label_for:
            self.labels[" ".join(self._label_text.split())] = self._label_for
            self._label_for = None

    def fill(self, label: str, value: str) -> None:
        """Type into the field with this label (replacing what it held)."""
        if label not in self.labels:
            fail(f"the form has no field labelled {label!r}")
        name = self.ids[self.labels[label]][0]
        self.data = [(n, v) for n, v in self.data if n != name] + [(name, value)]

    def choose(self, label: str) -> None:
        """Choose the radio button or option with this label."""
        name, value = self.ids[self.labels[label]]
        self.data = [(n, v) for n, v in self.data if n != name] + [(name, value)]

    def select_option(self, name: str, text: str) -> None:
        value = next((v for v, t in self.options.get(name, []) if t == text), None)
        if value is None:
            fail(f"the list {name!r} has no option {text!r}")
        self.data = [(n, v) for n, v in self.data if n != name] + [(name, value)]

    def date(self, prefix: str, day: date) -> None:
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
            self.data = [(n, v) for n, v in self.data if n != f"{prefix}-{part}"] + [(f"{prefix}-{part}", str(value))]


def read_form(html: str) -> FormFields:
    fields = FormFields()
    fields.feed(html)
    return fields


def errors_in(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary"', 1)
    return [unescape(m) for m in re.findall(r'<li>(?:<a href="#[^"]*">)?([^<]+)', summary[1])[:10]] \
        if len(summary) > 1 else []


def enrol_two_factor(browser: Browser, path: str) -> None:
    """Staff must set up two-factor before anything else in production: read the key as a person would type it."""
    status, _, html = browser.request("GET", path)
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    if status != 200 or not match:
        fail(f"the two-factor set-up page ({path}, status {status}) shows no key")
    code = pyotp.TOTP(match.group(1).replace(" ", "")).now()
    status, _, html = browser.request("POST", path, {"csrf_token": csrf_token(browser, path), "code": code})
    if status != 200 or "recovery code" not in html.lower():
        fail(f"two-factor set-up refused the code (status {status}; {errors_in(html)})")
    print("deploy-smoke: the officer set up two-factor sign-in")


def financial_year(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def main() -> None:
    port, email, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    public = Browser(port)
    status, _, home = public.request("GET", "/")
    if status != 200 or "There are no rounds open at the moment" not in home:
        fail(f"a fresh install's home page should say no rounds are open (status {status})")

    officer = Browser(port)
    reached = sign_in(officer, email, password)
    if "two-factor" in reached:
        enrol_two_factor(officer, reached)

    status, _, funds = officer.request("GET", "/staff/funds")
    if status != 200 or "Community Safety Fund" not in funds or "Police Property Act Fund" not in funds:
        fail(f"/staff/funds (status {status}) does not list the two funds `setup` loads")

    status, _, page = officer.request("GET", "/staff/rounds/new")
    if status != 200:
        fail(f"/staff/rounds/new answered {status}")
    form = read_form(page)
    today = date.today()
    name = f"Go-live {today:%Y%m%d}"
    form.select_option("fund_id", "Community Safety Fund (CSF)")
    form.fill("Name", name)
    form.fill("Financial year", financial_year(today))
    form.date("opens_on", today - timedelta(days=1))
    form.date("closes_on", today + timedelta(days=60))
    for label, value in (("Budget", "20,000"), ("Smallest award", "250"), ("Largest award", "5,000"),
                         ("Delegated limit", "5,000"), ("Full-payment threshold", "2,500"),
                         ("Months after the project ends that the final report is due", "3"),
                         ("Interim report for awards above", "2,500")):
        form.fill(label, value)
    form.choose("For awards above an amount")
    status, headers, html = officer.request("POST", "/staff/rounds/new", form.data)
    if status not in (302, 303):
        fail(f"setting up the round was refused (status {status}; {errors_in(html)})")
    round_path = re.sub(r"^https?://[^/]+", "", headers["Location"])
    status, _, html = officer.request("GET", round_path)
    if status != 200 or name not in html or "For awards above £2,500" not in html:
        fail(f"the new round's page ({round_path}, status {status}) does not show the round and its schedule")
    print(f"deploy-smoke: the officer set up the round {name} through the pages ({round_path})")

    status, _, home = Browser(port).request("GET", "/")
    if status != 200 or f"Community Safety Fund {name}" not in home:
        fail("the public home page does not list the new round as open")
    print("deploy-smoke: the home page lists the round as open to applicants")


if __name__ == "__main__":
    main()
