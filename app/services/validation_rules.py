"""Validation rules as admins write them: create, edit, order and delete, each condition checked
and stored typed by services.conditions (the one condition language), so that what the editor
accepts is exactly what services.policy evaluates.

Every save checks the whole input and reports each problem against the form field it concerns
(ValidationFailed); condition errors are keyed by row, ``condition<n>_field|op|value``.
"""
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ApprovalPolicy, Category, RuleKind, TicketType, ValidationRule
from app.services import conditions
from app.services.catalog_admin import CHECK_FIELDS, swap_neighbour
from app.services.errors import ValidationFailed

MAX_CONDITIONS = 3
# Fields a REQUIRE rule can ask for: the ticket fields, or any catalog answer by key.
REQUIRABLE = {"priority": "Priority (1-5)", "impact": "Impact", "urgency": "Urgency", "ticket_type": "Type",
              "channel": "Channel", "category": "Category", "title": "Title", "description": "Description",
              "contact_phone": "Contact phone"}


@dataclass
class RuleInput:
    name: str
    kind: RuleKind
    message: str
    ticket_type: TicketType | None = None
    category_id: int | None = None
    # One (field, op, value) per condition row of the form; blank rows are ("", op, "").
    conditions: list[tuple[str, str, str]] = field(default_factory=list)
    required_fields: list[str] = field(default_factory=list)
    approval_policy_id: int | None = None
    active: bool = True


@dataclass
class RuleRow:
    """A rule as the rules list shows it: its conditions in words and what it requires."""

    rule: ValidationRule
    conditions: list[str]
    required: list[str]


def list_rules() -> list[RuleRow]:
    """Every rule in order, its conditions in words (one catalog load for the whole list)."""
    catalog = conditions.load_catalog()
    rules = db.session.scalars(select(ValidationRule).options(
        joinedload(ValidationRule.category), joinedload(ValidationRule.approval_policy))
        .order_by(ValidationRule.position, ValidationRule.id))
    return [RuleRow(rule, describe_conditions(rule, catalog), json.loads(rule.required_fields or "[]"))
            for rule in rules]


def describe_conditions(rule: ValidationRule, catalog: conditions.Catalog) -> list[str]:
    vocab = conditions.vocabulary(catalog, rule.ticket_type, rule.category_id)
    return [conditions.describe(c, vocab) for c in json.loads(rule.conditions or "[]")]


def requirable(name: str) -> bool:
    return name in REQUIRABLE or conditions.ANSWER_NAME.fullmatch(name) is not None


def save_rule(rule: ValidationRule | None, data: RuleInput) -> ValidationRule:
    """Create (last in order) or update a rule, its conditions stored typed."""
    vocab = conditions.vocabulary(conditions.load_catalog(), data.ticket_type, data.category_id)
    typed, errors = _parse_conditions(vocab, data.conditions)
    errors.update(_rule_errors(rule, data))
    if errors:
        raise ValidationFailed(CHECK_FIELDS, errors)
    if rule is None:
        last = db.session.scalar(select(func.max(ValidationRule.position)))
        rule = ValidationRule(position=0 if last is None else last + 1)
        db.session.add(rule)
    rule.name, rule.kind, rule.message = data.name.strip(), data.kind, data.message.strip()
    rule.ticket_type, rule.category_id, rule.active = data.ticket_type, data.category_id, data.active
    rule.conditions = json.dumps(typed)
    rule.required_fields = json.dumps(data.required_fields if data.kind == RuleKind.REQUIRE else [])
    rule.approval_policy_id = data.approval_policy_id if data.kind == RuleKind.APPROVE else None
    db.session.flush()
    return rule


def _parse_conditions(vocab: conditions.Vocabulary, rows) -> tuple[list[dict], dict[str, list[str]]]:
    """The filled rows as typed conditions, and each row's problems keyed by its inputs."""
    typed, errors = [], {}
    for n, (name, op, value) in enumerate(rows[:MAX_CONDITIONS], start=1):
        name, value = name.strip(), (value or "").strip()
        if not name and not value:
            continue
        if not name:
            errors[f"condition{n}_field"] = ["Pick a field for this value."]
            continue
        condition, problems = conditions.parse_condition(vocab, name, op, value)
        if condition is not None:
            typed.append(condition)
        for part, message in problems.items():
            errors[f"condition{n}_{part}"] = [message]
    return typed, errors


def _rule_errors(rule: ValidationRule | None, data: RuleInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = db.session.scalar(select(ValidationRule.id).where(
        func.lower(ValidationRule.name) == data.name.strip().lower()))
    if clash is not None and (rule is None or clash != rule.id):
        errors["name"] = ["Another rule already has this name."]
    if not data.message.strip():
        errors["message"] = ["Write the message people see when the rule applies."]
    if data.category_id is not None and db.session.get(Category, data.category_id) is None:
        errors["category_id"] = ["Choose a category from the list."]
    errors.update(_kind_errors(rule, data))
    return errors


def _kind_errors(rule: ValidationRule | None, data: RuleInput) -> dict[str, list[str]]:
    if data.kind == RuleKind.REQUIRE:
        if not data.required_fields:
            return {"required_fields": ["Pick the fields this rule requires."]}
        unknown = [name for name in data.required_fields if not requirable(name)]
        if unknown:
            return {"required_answers": [f"Unknown field(s): {', '.join(unknown)}. Type answers.<key>."]}
    if data.kind == RuleKind.APPROVE:
        policy = db.session.get(ApprovalPolicy, data.approval_policy_id) if data.approval_policy_id else None
        if policy is None or (not policy.active and (rule is None or rule.approval_policy_id != policy.id)):
            return {"approval_policy_id": ["Choose the approval policy this rule requires."]}
    return {}


def move_rule(rule: ValidationRule, direction: str) -> None:
    rules = list(db.session.scalars(select(ValidationRule).order_by(ValidationRule.position, ValidationRule.id)))
    swap_neighbour(rules, rule, direction)
    db.session.flush()


def delete_rule(rule: ValidationRule) -> None:
    db.session.delete(rule)
    db.session.flush()
