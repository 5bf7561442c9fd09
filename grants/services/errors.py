"""Typed errors that services raise and views translate into messages."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. `message` is written for the person who tried it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):
    """The user may not do this (to this application)."""


class InvalidTransition(DomainError):
    """The application is not in a state where this can happen."""


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.values())) if errors else "Check your answers"
        super().__init__(first, field=next(iter(errors), None))
        self.errors = errors


class BudgetExceeded(DomainError):
    """An award would take the round's commitments above its budget."""


class LimitExceeded(DomainError):
    """A decision above the decision maker's delegated limit."""


class Immutable(DomainError):
    """Decision records, letters, payments and audit events are never changed."""
