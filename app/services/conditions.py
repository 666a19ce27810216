"""One condition language for every admin-written rule: validation rules now, routing,
automation and notification rules next. One vocabulary of fields, one editor check, one
evaluator and one way to say a condition in words, so a rule means the same everywhere.

Conditions are typed. A field has a kind (text, number, date, yes/no, choice, multiple choice,
or "answered" for people and files) and, where it has them, its own values: the enum values of
type, impact, urgency and channel, the five priorities, the categories, a choice field's
options, yes/no for a checkbox. The editor accepts only values of the field's kind and stores
them typed (``true``, ``1000``, ``"2026-12-01"``, ``3``), so a ticked checkbox (stored ``true``)
matches "is yes" and numbers compare as numbers, dates as dates.

A saved condition is ``{"field": name, "op": op, "value": typed value, "type": kind}``; ``type``
records the kind the editor resolved for a catalog answer (``answers.<key>``), whose kind comes
from the catalog items' form fields, not from the ticket.
"""
import enum
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import (CatalogItem, Category, Channel, FieldType, Level, Ticket, TicketType)
from app.services.priority import PRIORITY_LABELS

ANSWER_PREFIX = "answers."
ANSWER_NAME = re.compile(r"answers\.[a-z][a-z0-9_]*")


class Kind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI = "multi"
    ANSWERED = "answered"  # a person or files: only whether it is there


OPERATORS = {"eq": "is", "ne": "is not", "in": "is one of", "contains": "contains", "has": "includes",
             "lt": "is below", "gt": "is above", "empty": "is empty", "not_empty": "is filled in"}
VALUELESS = ("empty", "not_empty")
_PRESENCE = ("empty", "not_empty")
KIND_OPERATORS = {
    Kind.TEXT: ("eq", "ne", "in", "contains", *_PRESENCE),
    Kind.NUMBER: ("eq", "ne", "in", "lt", "gt", *_PRESENCE),
    Kind.DATE: ("eq", "ne", "lt", "gt", *_PRESENCE),
    Kind.BOOLEAN: ("eq", "ne"),
    Kind.CHOICE: ("eq", "ne", "in", *_PRESENCE),
    Kind.MULTI: ("has", *_PRESENCE),
    Kind.ANSWERED: _PRESENCE,
}
_KINDS = frozenset(k.value for k in Kind)
_DATE_WORDS = {"lt": "is before", "gt": "is after"}
_KIND_OF_FIELD_TYPE = {
    FieldType.TEXT: Kind.TEXT, FieldType.LONG_TEXT: Kind.TEXT, FieldType.NUMBER: Kind.NUMBER,
    FieldType.DATE: Kind.DATE, FieldType.CHOICE: Kind.CHOICE, FieldType.MULTI_CHOICE: Kind.MULTI,
    FieldType.CHECKBOX: Kind.BOOLEAN, FieldType.USER: Kind.ANSWERED, FieldType.FILE: Kind.ANSWERED,
}
_KIND_WORDS = {Kind.TEXT: "text", Kind.NUMBER: "a number", Kind.DATE: "a date", Kind.BOOLEAN: "a checkbox",
               Kind.CHOICE: "a choice", Kind.MULTI: "a multiple choice", Kind.ANSWERED: "a person or files"}
YES_NO = ((True, "yes"), (False, "no"))
_TRUE_WORDS, _FALSE_WORDS = ("yes", "true", "1", "on", "y"), ("no", "false", "0", "off", "n", "")


def operator_words(op: str, kind: Kind | None = None) -> str:
    return (_DATE_WORDS.get(op) if kind == Kind.DATE else None) or OPERATORS.get(op, op)


@dataclass(frozen=True)
class FieldDef:
    """A field a condition can test: its name in rules, its label in words, its kind and, for
    fields with a closed set of values, those values as (typed value, words)."""

    name: str
    label: str
    kind: Kind
    options: tuple[tuple[Any, str], ...] = ()

    @property
    def operators(self) -> tuple[str, ...]:
        return KIND_OPERATORS[self.kind]

    @property
    def in_words(self) -> str:
        """What the editor shows under the field's name: "Laptop needed, a checkbox"."""
        return f"{self.label}, {_KIND_WORDS[self.kind]}"

    def words_for(self, value) -> str:
        """An option's words; a value saved as text ("1" for priority 1) finds its option too."""
        return next((words for option, words in self.options if str(option).casefold() == str(value).casefold()),
                    _plain_words(value))


def _enum_options(enum_type) -> tuple[tuple[str, str], ...]:
    return tuple((e.value, e.label) for e in enum_type)


_PRIORITIES = tuple((n, f"{n} ({label.split(' ', 1)[1]})") for n, label in PRIORITY_LABELS.items())
_STATIC_FIELDS = (
    FieldDef("priority", "Priority", Kind.NUMBER, _PRIORITIES),
    FieldDef("impact", "Impact", Kind.CHOICE, _enum_options(Level)),
    FieldDef("urgency", "Urgency", Kind.CHOICE, _enum_options(Level)),
    FieldDef("ticket_type", "Type", Kind.CHOICE, _enum_options(TicketType)),
    FieldDef("channel", "Channel", Kind.CHOICE, _enum_options(Channel)),
    FieldDef("title", "Title", Kind.TEXT),
    FieldDef("description", "Description", Kind.TEXT),
    FieldDef("contact_phone", "Contact phone", Kind.TEXT),
)
# How the evaluator reads each ticket field, typed like the field's values.
READERS = {
    "priority": lambda t: t.priority,
    "impact": lambda t: t.impact.value if t.impact else None,
    "urgency": lambda t: t.urgency.value if t.urgency else None,
    "ticket_type": lambda t: t.ticket_type.value,
    "channel": lambda t: t.channel.value,
    "category": lambda t: t.category_id,
    "title": lambda t: t.title,
    "description": lambda t: t.description,
    "contact_phone": lambda t: t.contact_phone,
}
_TICKET_FIELD_LABELS = {f.name: f.label for f in _STATIC_FIELDS} | {"category": "Category"}
_STATIC_KINDS = {f.name: f.kind for f in _STATIC_FIELDS} | {"category": Kind.CHOICE}


# --- The vocabulary: which fields a rule of a given scope can test ----------------------------------

@dataclass
class Catalog:
    """What the vocabulary is built from, loaded once (three queries) for a page or a save."""

    categories: list[Category]
    items: list[CatalogItem]


def load_catalog() -> Catalog:
    categories = list(db.session.scalars(select(Category).order_by(Category.position, func.lower(Category.name))))
    items = list(db.session.scalars(select(CatalogItem).where(CatalogItem.active)
                                    .order_by(CatalogItem.category_id, CatalogItem.position, CatalogItem.id)))
    return Catalog(categories, items)


@dataclass
class Vocabulary:
    """The fields a rule of one scope can test; ``problems`` holds answer keys whose kind the
    scope's items disagree on, with the reason."""

    fields: dict[str, FieldDef] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple[FieldDef | None, str | None]:
        """(the field, None) or (None, why it cannot be tested)."""
        if name in self.fields:
            return self.fields[name], None
        if name in self.problems:
            return None, self.problems[name]
        if ANSWER_NAME.fullmatch(name):
            return None, f"No active catalog item in this rule's scope asks for {name.removeprefix(ANSWER_PREFIX)}."
        return None, "Pick a field from the list, or type answers.<key>."


def vocabulary(catalog: Catalog, ticket_type: TicketType | None = None,
               category_id: int | None = None) -> Vocabulary:
    """Ticket fields, plus the answers of the active catalog items a rule of this scope can
    meet (its type and category; every item for an unscoped rule)."""
    category = FieldDef("category", "Category", Kind.CHOICE, tuple((c.id, c.name) for c in catalog.categories))
    vocab = Vocabulary({f.name: f for f in _STATIC_FIELDS} | {"category": category})
    items = [i for i in catalog.items if (ticket_type is None or i.ticket_type == ticket_type)
             and (category_id is None or i.category_id == category_id)]
    for key, defs in _answer_defs(items).items():
        merged = _merge(key, defs)
        if isinstance(merged, str):
            vocab.problems[ANSWER_PREFIX + key] = merged
        else:
            vocab.fields[merged.name] = merged
    return vocab


def _answer_defs(items: list[CatalogItem]) -> dict[str, list[tuple[str, FieldDef]]]:
    found: dict[str, list[tuple[str, FieldDef]]] = {}
    for item in items:
        for f in item.fields:
            found.setdefault(f.key, []).append((item.name, answer_def(f)))
    return found


def answer_def(form_field) -> FieldDef:
    """A catalog form field as a condition field: its kind from its type, its options."""
    kind = _KIND_OF_FIELD_TYPE[FieldType(form_field.field_type)]
    options = YES_NO if kind == Kind.BOOLEAN else ()
    if kind in (Kind.CHOICE, Kind.MULTI):
        options = tuple((c, c) for c in json.loads(form_field.choices or "[]"))
    return FieldDef(ANSWER_PREFIX + form_field.key, form_field.label, kind, options)


def _merge(key: str, defs: list[tuple[str, FieldDef]]) -> FieldDef | str:
    """One field for a key several items ask for: the same kind is one field (options pooled);
    different kinds cannot be compared, so the key is refused, naming the items."""
    kinds = {d.kind for _, d in defs}
    if len(kinds) > 1:
        where = ", ".join(f"{_KIND_WORDS[d.kind]} in {item}" for item, d in defs)
        return (f"answers.{key} is {where}: scope the rule to a type or category where it has one "
                "kind, or give the fields different keys.")
    first = defs[0][1]
    options = tuple(dict.fromkeys(o for _, d in defs for o in d.options))
    return FieldDef(first.name, first.label, first.kind, options)


# --- The editor: text typed by an admin → a typed condition ------------------------------------------

def parse_condition(vocab: Vocabulary, name: str, op: str, text: str) -> tuple[dict | None, dict[str, str]]:
    """(the condition to store, None-free) or (None, {"field"|"op"|"value": message}). Values
    must be the field's own: one of its options, a number, a date (YYYY-MM-DD)."""
    definition, problem = vocab.lookup(name)
    if definition is None:
        return None, {"field": problem}
    if op not in definition.operators:
        allowed = ", ".join(f"“{operator_words(o, definition.kind)}”" for o in definition.operators)
        return None, {"op": f"{definition.label} takes {allowed}."}
    if op in VALUELESS:
        return _stored(definition, op, None), {}
    if not text.strip():
        return None, {"value": f"“{operator_words(op, definition.kind)}” needs a value."}
    parts = [p for p in (p.strip() for p in text.split(",")) if p] if op == "in" else [text]
    values, error = [], None
    for part in parts:
        value, error = parse_value(definition, part)
        if error:
            return None, {"value": error}
        values.append(value)
    return _stored(definition, op, values if op == "in" else values[0]), {}


def _stored(definition: FieldDef, op: str, value) -> dict:
    return {"field": definition.name, "op": op, "value": value, "type": definition.kind.value}


def parse_value(definition: FieldDef, text: str) -> tuple[Any, str | None]:
    """(typed value, None) or (None, message naming what the field accepts)."""
    text = text.strip()
    if definition.options:
        for value, words in definition.options:
            if text.casefold() in (str(value).casefold(), words.casefold()) or _is_priority_code(text, value):
                return value, None
        shown = ", ".join(words for _, words in definition.options[:12])
        return None, f"{definition.label} is one of: {shown}."
    if definition.kind == Kind.NUMBER:
        number = parse_number(text)
        return (number, None) if number is not None else (None, f"{definition.label} is a number: enter one.")
    if definition.kind == Kind.DATE:
        day = parse_date(text)
        return (day.isoformat(), None) if day else (None, f"{definition.label} is a date: use YYYY-MM-DD.")
    return text, None


def _is_priority_code(text: str, value) -> bool:
    return isinstance(value, int) and text.upper() == f"P{value}"


def parse_number(text) -> int | float | None:
    """A finite number from a stored value or an admin's text ("1000", "1,000", "2.5", "2,5")."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return text if math.isfinite(text) else None
    cleaned = str(text or "").strip().replace(" ", "").replace("_", "")
    cleaned = cleaned.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", cleaned) else cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def parse_date(text) -> date | None:
    try:
        return date.fromisoformat(str(text or "").strip()[:10])
    except ValueError:
        return None


def parse_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().casefold()
    return True if text in _TRUE_WORDS else False if text in _FALSE_WORDS else None


# --- Words -------------------------------------------------------------------------------------------

def describe(condition: dict, vocab: Vocabulary) -> str:
    """A condition as the rules list says it: "Laptop needed is yes", "Cost is above 1,000"."""
    name, op, value = condition.get("field", ""), condition.get("op", "eq"), condition.get("value")
    definition = vocab.fields.get(name)
    kind = kind_of(condition)
    label = definition.label if definition else _TICKET_FIELD_LABELS.get(name, name)
    words = operator_words(op, kind)
    if op in VALUELESS:
        return f"{label} {words}"
    return f"{label} {words} {value_text(condition, vocab)}"


def value_text(condition: dict, vocab: Vocabulary) -> str:
    """A stored value as the editor shows it again, in words the editor accepts back."""
    value = condition.get("value")
    if condition.get("op") in VALUELESS or value is None:
        return ""
    definition = vocab.fields.get(condition.get("field", ""))
    values = value if isinstance(value, list) else [value]
    return ", ".join(definition.words_for(v) if definition else _plain_words(v) for v in values)


def _plain_words(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
    return str(value if value is not None else "")


# --- The evaluator -----------------------------------------------------------------------------------

def field_value(ticket: Ticket, name: str):
    """A ticket field or catalog answer as stored: typed (answers are the form engine's clean
    values: ``true`` for a ticked box, numbers, ISO dates, lists for multiple choice)."""
    if name.startswith(ANSWER_PREFIX):
        return json.loads(ticket.answers or "{}").get(name.removeprefix(ANSWER_PREFIX))
    reader = READERS.get(name)
    return reader(ticket) if reader else None


def kind_of(condition: dict) -> Kind:
    """The kind the condition was saved with; for one written without it (seed data, older
    code) the ticket field's kind, or what its value looks like."""
    if condition.get("type") in _KINDS:
        return Kind(condition["type"])
    name = condition.get("field", "")
    if name in _STATIC_KINDS:
        return _STATIC_KINDS[name]
    value = condition.get("value")
    if isinstance(value, bool):
        return Kind.BOOLEAN
    return Kind.NUMBER if isinstance(value, (int, float)) else Kind.TEXT


def holds(condition: dict, ticket: Ticket) -> bool:
    """Whether one condition holds for ``ticket``. Both sides are read as the condition's kind;
    a missing or unreadable answer matches only "is empty" and "is not"."""
    return compare(kind_of(condition), condition.get("op", "eq"), field_value(ticket, condition.get("field", "")),
                   condition.get("value"))


def all_hold(conditions: list[dict], ticket: Ticket) -> bool:
    return all(holds(c, ticket) for c in conditions)


def compare(kind: Kind, op: str, actual, expected) -> bool:
    if op in VALUELESS:
        return _is_empty(actual) == (op == "empty")
    if op == "ne":
        return not compare(kind, "eq", actual, expected)
    if op == "in":
        options = expected if isinstance(expected, list) else str(expected or "").split(",")
        return any(compare(kind, "eq", actual, option) for option in options)
    if op == "has" or (op == "eq" and isinstance(actual, list)):  # a list answer "is X": it includes X
        return isinstance(actual, list) and _norm(Kind.CHOICE, expected) in [_norm(Kind.CHOICE, a) for a in actual]
    a, b = _norm(kind, actual), _norm(kind, expected)
    if a is None or b is None:
        return False
    if op == "contains":
        return str(b) in str(a)
    if op in ("lt", "gt"):
        try:
            return a < b if op == "lt" else a > b
        except TypeError:
            return False
    return a == b


def _is_empty(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _norm(kind: Kind, value):
    """One side of a comparison, read as ``kind``; None when it is missing or not of the kind."""
    if kind == Kind.BOOLEAN:
        return None if value is None else parse_bool(value)
    if kind == Kind.NUMBER:
        return parse_number(value)
    if kind == Kind.DATE:
        return parse_date(value) if value not in (None, "") else None
    if _is_empty(value) or isinstance(value, list):
        return None
    return str(value).strip().casefold() if isinstance(value, str) or kind == Kind.TEXT else value
