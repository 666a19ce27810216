"""Validation rules: admin-written policy checked on the server for every ticket, whatever the
channel (portal, agent, email, monitoring), on submission and on agent edits.

A rule has a scope (ticket type and/or category, or every ticket), conditions that must all
hold, and a kind: REQUIRE (these fields must be filled), REFUSE (this combination is not
allowed) or APPROVE (this approval policy applies). Fields are named as in ``FIELDS`` below, or
``answers.<key>`` for a catalog form's answer.
"""
import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.extensions import db
from app.models import ApprovalPolicy, RuleKind, Ticket, ValidationRule

# Ticket fields a rule can test or require: name -> (label, how to read it).
FIELDS = {
    "priority": ("Priority (1-5)", lambda t: t.priority),
    "impact": ("Impact", lambda t: t.impact.value if t.impact else ""),
    "urgency": ("Urgency", lambda t: t.urgency.value if t.urgency else ""),
    "ticket_type": ("Type", lambda t: t.ticket_type.value),
    "channel": ("Channel", lambda t: t.channel.value),
    "category": ("Category", lambda t: t.category.name if t.category else ""),
    "title": ("Title", lambda t: t.title),
    "description": ("Description", lambda t: t.description),
    "contact_phone": ("Contact phone", lambda t: t.contact_phone or ""),
}

OPERATORS = {
    "eq": "is", "ne": "is not", "in": "is one of (comma-separated)", "lt": "is less than",
    "gt": "is greater than", "empty": "is empty", "not_empty": "is filled in",
}


def field_value(ticket: Ticket, name: str):
    if name.startswith("answers."):
        return json.loads(ticket.answers or "{}").get(name.removeprefix("answers."), "")
    reader = FIELDS.get(name)
    return reader[1](ticket) if reader else ""


def error_key(name: str) -> str:
    """Where a message about ``name`` shows: the input of that field."""
    return f"q_{name.removeprefix('answers.')}" if name.startswith("answers.") else name


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _holds(condition: dict, ticket: Ticket) -> bool:
    value, op = field_value(ticket, condition.get("field", "")), condition.get("op", "eq")
    expected = str(condition.get("value", "")).strip()
    text = ", ".join(value) if isinstance(value, list) else str(value if value is not None else "")
    if op == "empty":
        return text.strip() == ""
    if op == "not_empty":
        return text.strip() != ""
    if op in ("lt", "gt"):
        a, b = _number(value), _number(expected)
        return a is not None and b is not None and (a < b if op == "lt" else a > b)
    if op == "in":
        options = {o.strip().lower() for o in expected.split(",")}
        return text.strip().lower() in options
    equal = text.strip().lower() == expected.lower()
    return equal if op == "eq" else not equal


def applies(rule: ValidationRule, ticket: Ticket) -> bool:
    if rule.ticket_type is not None and rule.ticket_type != ticket.ticket_type:
        return False
    if rule.category_id is not None and rule.category_id != ticket.category_id:
        return False
    return all(_holds(c, ticket) for c in json.loads(rule.conditions or "[]"))


@dataclass
class PolicyResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    approval_policies: list[ApprovalPolicy] = field(default_factory=list)

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _rules_for(ticket: Ticket) -> list[ValidationRule]:
    return list(db.session.scalars(
        select(ValidationRule).where(
            ValidationRule.active,
            or_(ValidationRule.ticket_type.is_(None), ValidationRule.ticket_type == ticket.ticket_type),
            or_(ValidationRule.category_id.is_(None), ValidationRule.category_id == ticket.category_id))
        .order_by(ValidationRule.position, ValidationRule.id)))


def evaluate(ticket: Ticket) -> PolicyResult:
    """Every active rule that applies to ``ticket``, as errors and approval policies."""
    result = PolicyResult()
    for rule in _rules_for(ticket):
        if not applies(rule, ticket):
            continue
        if rule.kind == RuleKind.REFUSE:
            result.add_error("__all__", rule.message)
        elif rule.kind == RuleKind.REQUIRE:
            for name in json.loads(rule.required_fields or "[]"):
                value = field_value(ticket, name)
                if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
                    result.add_error(error_key(name), rule.message)
        elif rule.kind == RuleKind.APPROVE and rule.approval_policy and rule.approval_policy.active:
            result.approval_policies.append(rule.approval_policy)
    return result
