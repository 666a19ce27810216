"""Validation rules: admin-written policy checked on the server for every ticket, whatever the
channel (portal, agent, email, monitoring), on submission and on agent edits.

A rule has a scope (ticket type and/or category, or every ticket), conditions that must all
hold, and a kind: REQUIRE (these fields must be filled), REFUSE (this combination is not
allowed) or APPROVE (this approval policy applies). This module only applies rules to a
ticket; what a condition means, typed, is services.conditions, and rules are written through
services.validation_rules.
"""
import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.extensions import db
from app.models import ApprovalPolicy, RuleKind, Ticket, ValidationRule
from app.services.conditions import all_hold, field_value


def error_key(name: str) -> str:
    """Where a message about ``name`` shows: the input of that field."""
    return f"q_{name.removeprefix('answers.')}" if name.startswith("answers.") else name


def applies(rule: ValidationRule, ticket: Ticket) -> bool:
    if rule.ticket_type is not None and rule.ticket_type != ticket.ticket_type:
        return False
    if rule.category_id is not None and rule.category_id != ticket.category_id:
        return False
    return all_hold(json.loads(rule.conditions or "[]"), ticket)


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
