"""Every service function that changes data records an audit event.

A static check (AST), so it covers service modules that other areas add
without anyone registering them: a public function in grants/services/*.py
that adds, deletes or updates rows, or assigns to an object's attributes,
must call audit.record, directly or through another function that does
(workflow.transition, accounts.create_user, a helper in the same module...).
A behaviour test can only try the calls someone wrote down; this sees them all.
"""
from __future__ import annotations

import ast
from pathlib import Path

import grants.services
from grants.extensions import Base

SERVICES = Path(grants.services.__file__).parent

# Functions that write without an audit event of their own, and why that is right.
EXEMPT = {
    "audit.record": "is the audit trail",
    "numbering.next_number": "a counter; the change that takes the number is audited",
    "reporting_schedule.apply_schedule": "writes checked settings for set_schedule and the round services, which audit",
    "outbox.send_template": "queues an email as part of an audited change",
    "outbox.notify_organisation": "queues an email as part of an audited change",
    "outbox.notify_role": "queues an email as part of an audited change",
    "outbox.queue_email": "queues an email as part of an audited change",
    "outbox.record_attempt": "delivery bookkeeping of queued emails, not a change to grant data",
    "sessions.start": "opens the session of a sign-in or registration that is itself audited",
    "sessions.resume": "attaches the request's session to the user it loads; stores nothing",
    "sessions.reauthenticated": "part of a sign-in code or re-authentication that is itself audited",
}

_MODEL_NAMES = {mapper.class_.__name__ for mapper in Base.registry.mappers}
_WRITE_CALLS = {"add", "add_all", "delete", "merge", "bulk_save_objects"}
_WRITE_SQL = {"update", "delete", "insert"}


class _Facts(ast.NodeVisitor):
    def __init__(self):
        self.writes: list[str] = []
        self.calls: set[str] = set()
        # Local names bound to a new plain object (`summary = Summary()`): writing
        # their attributes builds a result, it does not change stored data.
        self.plain_locals: set[str] = set()

    def visit_Call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else (
                owner.attr if isinstance(owner, ast.Attribute) else "")
            if owner_name == "session" and func.attr in _WRITE_CALLS:
                self.writes.append(f"session.{func.attr}")
            if owner_name == "session" and func.attr == "execute" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Call) and isinstance(first.func, ast.Name) and first.func.id in _WRITE_SQL:
                    self.writes.append(f"execute({first.func.id})")
            if isinstance(owner, ast.Name):
                self.calls.add(f"{owner.id}.{func.attr}")
        elif isinstance(func, ast.Name):
            self.calls.add(func.id)
        self.generic_visit(node)

    def _target(self, target):
        if isinstance(target, ast.Attribute) and isinstance(target.value, (ast.Name, ast.Attribute)):
            base = target.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id not in ("self", "cls") and base.id not in self.plain_locals:
                self.writes.append(f"{base.id}.{target.attr} =")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element)

    def visit_Assign(self, node: ast.Assign):
        value = node.value
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id[:1].isupper() and value.func.id not in _MODEL_NAMES):
            self.plain_locals.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign):
        self._target(node.target)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):  # nested functions count as part of their parent
        self.generic_visit(node)


def _service_functions() -> dict[str, tuple[ast.FunctionDef, _Facts]]:
    found = {}
    for path in sorted(SERVICES.glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = path.stem
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                facts = _Facts()
                for statement in node.body:
                    facts.visit(statement)
                found[f"{module}.{node.name}"] = (node, facts)
    return found


def _auditing(functions) -> set[str]:
    """Functions that record an audit event, directly or through another service function."""
    audits = {"audit.record"}
    changed = True
    while changed:
        changed = False
        for qualified, (_, facts) in functions.items():
            if qualified in audits:
                continue
            module = qualified.split(".")[0]
            callees = {c if "." in c else f"{module}.{c}" for c in facts.calls}
            callees |= {f"{module}.{c.split('.', 1)[1]}" for c in facts.calls if c.startswith("self.")}
            if callees & audits:
                audits.add(qualified)
                changed = True
    return audits


def test_static_check_sees_service_functions():
    """Does the check find the service modules and recognise known auditing functions?"""
    functions = _service_functions()
    audits = _auditing(functions)
    assert {"workflow.transition", "accounts.create_user", "admin.deactivate", "two_factor.enable"} <= audits


def test_every_mutating_service_function_records_an_audit_event():
    """Does any public service function change data without recording an audit event?"""
    functions = _service_functions()
    audits = _auditing(functions)
    silent = []
    for qualified, (node, facts) in functions.items():
        name = qualified.split(".", 1)[1]
        if name.startswith("_") or qualified in EXEMPT or qualified in audits:
            continue
        if facts.writes:
            silent.append(f"{qualified} (line {node.lineno}: {', '.join(sorted(set(facts.writes)))})")
    assert silent == [], "service functions that change data without audit.record:\n" + "\n".join(silent)


def test_check_would_catch_a_silent_write(tmp_path):
    """Would the check flag a function that sets an attribute and never audits? (The check itself works.)"""
    source = "def rename(*, org, name):\n    org.legal_name = name\n"
    facts = _Facts()
    for statement in ast.parse(source).body[0].body:
        facts.visit(statement)
    assert facts.writes == ["org.legal_name ="]


def test_a_representative_mutation_queues_an_audit_event(app, demo):
    """At run time, does a changing call leave an audit event pending for commit?"""
    from grants.services import admin, audit

    admin.set_decision_authority(user=demo.pcc, authority="delegated", actor=demo.admin)
    assert audit.pending_actions() == ["admin.decision_authority_changed"]
