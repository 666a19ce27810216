"""typed conditions in validation rules

Revision ID: 7a0000000001
Revises: 5e1f0a7b0b02
Create Date: 2026-12-01 14:15:00

Validation rules stored every condition value as the text the admin typed, so "answers.laptop
is yes" never matched a ticked checkbox (stored ``true``). services.conditions now stores and
compares typed values; this revision converts the rules already saved: checkbox answers to
true/false, numbers and priorities to numbers, enum values to their stored form, categories to
their id, "is one of" to a list, and records the kind of each catalog answer. A value that
cannot be read as its field's kind is kept as it was (it never matched before either), and the
rule list shows it for an admin to fix.

The conversion is plain functions over JSON (no app imports, so later code changes cannot
change what this revision does); tests call them directly.
"""
import json
import math
import re

from alembic import op
import sqlalchemy as sa


revision = '7a0000000001'
down_revision = '5e1f0a7b0b02'
branch_labels = None
depends_on = None

ENUM_FIELDS = ("impact", "urgency", "ticket_type", "channel")
TEXT_FIELDS = ("title", "description", "contact_phone")
KIND_OF_FIELD_TYPE = {"text": "text", "long_text": "text", "number": "number", "date": "date",
                      "choice": "choice", "multi_choice": "multi", "checkbox": "boolean",
                      "user": "answered", "file": "answered"}
TRUE_WORDS, FALSE_WORDS = ("yes", "true", "1", "on", "y"), ("no", "false", "0", "off", "n")


def to_number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value).strip().replace(" ", "")
    text = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text) else text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return int(number) if number.is_integer() else number


def to_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else value


def typed_value(kind: str, value, categories: dict[str, int]):
    """One value (never a list) as ``kind``; unreadable values are kept."""
    if kind == "number":
        return to_number(value)
    if kind == "boolean":
        return to_bool(value)
    if kind == "enum":
        return re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if kind == "category":
        return categories.get(str(value).strip().lower(), value)
    return str(value).strip() if value is not None else ""


def field_kind(name: str, answer_kinds: dict[str, str]) -> str | None:
    """The kind a condition on ``name`` compares as; None for an answer whose kind is unknown
    or ambiguous (the rule is left for the admin)."""
    if name == "priority":
        return "number"
    if name in ENUM_FIELDS:
        return "enum"
    if name == "category":
        return "category"
    if name.startswith("answers."):
        return answer_kinds.get(name.removeprefix("answers."))
    return "text"


def convert_condition(condition: dict, answer_kinds: dict[str, str], categories: dict[str, int]) -> dict:
    """One stored condition, typed. ``answer_kinds``: answer key → kind, for the keys whose
    catalog fields agree; ``categories``: lower-case name → id."""
    name, op_name, value = condition.get("field", ""), condition.get("op", "eq"), condition.get("value")
    kind = field_kind(name, answer_kinds)
    out = {"field": name, "op": op_name, "value": value}
    if name.startswith("answers.") and kind:
        out["type"] = kind
    if op_name in ("empty", "not_empty"):
        out["value"] = None
    elif kind is None:
        return out
    elif op_name in ("lt", "gt"):
        out["value"] = to_number(value) if kind != "date" else str(value).strip()
    elif op_name == "in":
        parts = value if isinstance(value, list) else [p for p in str(value or "").split(",") if p.strip()]
        out["value"] = [typed_value(kind, p, categories) for p in parts]
    elif kind == "multi" and op_name == "eq":
        out["op"], out["value"] = "has", str(value).strip()
    else:
        out["value"] = typed_value(kind, value, categories)
    return out


def convert_conditions(text: str | None, answer_kinds: dict[str, str], categories: dict[str, int]) -> str:
    return json.dumps([convert_condition(c, answer_kinds, categories) for c in json.loads(text or "[]")])


def untyped_condition(condition: dict, category_names: dict[int, str]) -> dict:
    """A typed condition as the text the code before this revision compared against."""
    def words(value):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if condition.get("field") == "category" and isinstance(value, int):
            return category_names.get(value, str(value))
        return "" if value is None else str(value)

    value = condition.get("value")
    text = ", ".join(words(v) for v in value) if isinstance(value, list) else words(value)
    op_name = "eq" if condition.get("op") == "has" else condition.get("op", "eq")
    return {"field": condition.get("field", ""), "op": op_name, "value": text}


def answer_kinds_from(rows) -> dict[str, str]:
    """Answer key → kind over every catalog item's fields; keys with two kinds are left out."""
    kinds: dict[str, set[str]] = {}
    for key, field_type in rows:
        kinds.setdefault(key, set()).add(KIND_OF_FIELD_TYPE.get(field_type, "text"))
    return {key: found.pop() for key, found in kinds.items() if len(found) == 1}


rules = sa.table('validation_rules', sa.column('id', sa.Integer), sa.column('conditions', sa.Text))
form_fields = sa.table('form_fields', sa.column('key', sa.String), sa.column('field_type', sa.String))
categories_table = sa.table('categories', sa.column('id', sa.Integer), sa.column('name', sa.String))


def _rewrite(convert) -> None:
    conn = op.get_bind()
    for rule_id, text in conn.execute(sa.select(rules.c.id, rules.c.conditions)).all():
        new = convert(text)
        if new != text:
            conn.execute(rules.update().where(rules.c.id == rule_id).values(conditions=new))


def upgrade():
    conn = op.get_bind()
    kinds = answer_kinds_from(conn.execute(sa.select(form_fields.c.key, form_fields.c.field_type)).all())
    names = {name.lower(): cid for cid, name in conn.execute(sa.select(categories_table.c.id, categories_table.c.name))}
    _rewrite(lambda text: convert_conditions(text, kinds, names))


def downgrade():
    conn = op.get_bind()
    names = dict(conn.execute(sa.select(categories_table.c.id, categories_table.c.name)).all())
    _rewrite(lambda text: json.dumps([untyped_condition(c, names) for c in json.loads(text or "[]")]))
