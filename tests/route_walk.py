"""Walk app.url_map: fill in URL arguments, pick a client for each route's access rule.

The hostile-input tests use this so they cover every route that exists when
they run, including routes other areas add later.
"""
from __future__ import annotations

from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from grants.access import PUBLIC, SIGNED_IN, rule_for_endpoint
from grants.models import Role

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}

# The client fixture that holds each role (first match wins for multi-role routes).
ROLE_CLIENT = {
    Role.APPLICANT: "applicant", Role.OFFICER: "officer", Role.ASSESSOR: "assessor",
    Role.DECISION_MAKER: "ceo", Role.FINANCE: "finance", Role.AUDITOR: "auditor", Role.ADMIN: "admin",
}
_ROLE_ORDER = [Role.APPLICANT, Role.OFFICER, Role.DECISION_MAKER, Role.FINANCE, Role.ASSESSOR, Role.ADMIN,
               Role.AUDITOR]


def routes(app, *, methods: set[str] | None = None) -> list[Rule]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if methods is not None and not (rule.methods & methods):
            continue
        found.append(rule)
    return sorted(found, key=lambda r: r.rule)


def url_for_rule(app, rule: Rule, values: dict | None = None) -> str:
    """Build the rule's URL, filling unknown arguments with harmless values of the right type."""
    values = dict(values or {})
    for name in rule.arguments:
        if name in values:
            continue
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "csv"
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=next(iter(rule.methods - {"HEAD", "OPTIONS"}), "GET"))


def client_name_for(rule: Rule) -> str | None:
    """Which demo account may reach this route (None: anonymous)."""
    declared = rule_for_endpoint(rule.endpoint)
    if declared is None or declared.kind == PUBLIC:
        return None
    if declared.kind == SIGNED_IN:
        return "applicant"
    for role in _ROLE_ORDER:
        if role in declared.roles:
            return ROLE_CLIENT[role]
    return None


def reachable_by_applicants(rule: Rule) -> bool:
    declared = rule_for_endpoint(rule.endpoint)
    return declared is not None and (declared.kind in (PUBLIC, SIGNED_IN) or Role.APPLICANT in declared.roles)


def row_counts(db) -> dict[str, int]:
    """Rows per table, except the audit trail (reads may record an audit event)."""
    return {
        t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
        for t in db.metadata.sorted_tables if t.name not in ("audit_events", "audit_head", "outbox_emails")
    }
