"""Form fields shared by every journey, following GOV.UK patterns."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError

from .money import MoneyError, parse_pounds


class MoneyField(StringField):
    """Pounds typed by a person ("£1,250.50"), held as integer pence in .data."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_zero = allow_zero
        self.raw = ""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw.strip():
            self.data = None
            return
        try:
            self.data = parse_pounds(self.raw, allow_zero=self.allow_zero)
        except MoneyError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc

    def _value(self) -> str:
        if self.raw:
            return self.raw
        if self.data is None:
            return ""
        pounds, pence = divmod(int(self.data), 100)
        return f"{pounds}" if pence == 0 else f"{pounds}.{pence:02d}"


class GovDateField(Field):
    """The GOV.UK date input: three boxes named NAME-day, NAME-month, NAME-year."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = {"day": "", "month": "", "year": ""}

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.data = data if data is not None else self.default
        if isinstance(self.data, date):
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is not None:
            self.parts = {k: (formdata.get(f"{self.name}-{k}") or "").strip() for k in self.parts}
            if not any(self.parts.values()):
                self.data = None
                return
            missing = [k for k, v in self.parts.items() if not v]
            if missing:
                self.data = None
                self.process_errors.append(f"{self.label.text} must include a {' and '.join(missing)}")
                return
            try:
                day, month, year = (int(self.parts[k]) for k in ("day", "month", "year"))
                if year < 1000:
                    raise ValueError
                self.data = date(year, month, day)
            except ValueError:
                self.data = None
                self.process_errors.append(f"{self.label.text} must be a real date")


class WholeNumberField(StringField):
    """A count typed by a person: a whole number, 0 or more, commas allowed."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().replace(",", "")
        self.raw = raw
        if not raw:
            self.data = None
            return
        if not raw.isdigit():
            self.data = None
            raise ValueError("Enter a whole number, like 25")
        value = int(raw)
        if value > 10_000_000:
            raise ValueError("Enter a number of 10,000,000 or less")
        self.data = value

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else str(self.data))


def max_length(limit: int, what: str = "This"):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(f"{what} must be {limit:,} characters or fewer")

    return check


def show_refusal(form, error) -> None:
    """Show why a service refused (a DomainError) on the form: beside the field it names, else at the top."""
    from .services.errors import ValidationFailed

    if isinstance(error, ValidationFailed):
        apply_service_errors(form, error.errors)
    else:
        apply_service_errors(form, {error.field or "": error.message})


def run_service(form, call) -> bool:
    """Run one service call for a validated form: commit and True; or roll back, show the refusal on the form, False."""
    from .extensions import db
    from .services.errors import DomainError

    try:
        call()
    except DomainError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return False
    db.session.commit()
    return True


def apply_service_errors(form, errors: dict[str, str]) -> None:
    """Show a service's ValidationFailed errors beside the form's fields."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


class TextEntryForm(FlaskForm):
    """One box of text: a staff note or a message (the service checks it is there and not too long)."""

    body = TextAreaField("Text")


class MessageForm(TextEntryForm):
    """A message, with an optional file (services.attachments checks it)."""

    file = FileField("File")
