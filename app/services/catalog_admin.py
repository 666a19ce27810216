"""Admin side of the service catalog: items and their form fields (validation rules are in
services.validation_rules).

Every save checks the whole input and reports each problem against the form field it concerns
(ValidationFailed), so the admin sees every message at once. Editing an item's fields never
touches filed tickets: they keep the FormVersion snapshot they were filed with.
"""
import json
import re
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (ApprovalPolicy, CatalogItem, Category, FieldType, FormField, Level, Team,
                        TicketType)
from app.services.catalog_forms import CHECKED, FieldSpec, initial_answers, validate_answers
from app.services.errors import ValidationFailed

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)
TEXT_TYPES = (FieldType.TEXT, FieldType.LONG_TEXT)
# The settings that mean something only for some field types, and those types: the field
# editor shows each only for its types, and a save drops whatever does not apply.
SETTING_TYPES: dict[str, tuple[FieldType, ...]] = {
    **dict.fromkeys(("min_length", "max_length", "pattern", "pattern_message"), TEXT_TYPES),
    **dict.fromkeys(("min_value", "max_value"), (FieldType.NUMBER,)),
    "choices": CHOICE_TYPES,
    "default": tuple(t for t in FieldType if t != FieldType.FILE),
}
CHECK_FIELDS = "Check the highlighted fields."


def _refuse_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(CHECK_FIELDS, errors)


def swap_neighbour(rows: list, row, direction: str) -> None:
    """Renumber ``rows`` 0..n in their order, then swap ``row`` with its neighbour; at either
    end nothing moves."""
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows):
        each.position = position


def active_policies() -> list[ApprovalPolicy]:
    """What an item or rule may require (the policy pages are managed elsewhere)."""
    return list(db.session.scalars(
        select(ApprovalPolicy).where(ApprovalPolicy.active).order_by(func.lower(ApprovalPolicy.name))))


# --- Items ----------------------------------------------------------------------------------------

@dataclass
class ItemInput:
    name: str
    category_id: int | None
    summary: str = ""
    description: str = ""
    keywords: str = ""
    ticket_type: TicketType = TicketType.SERVICE_REQUEST
    delivery_days: int | None = None
    impact: Level = Level.LOW
    urgency: Level = Level.MEDIUM
    team_id: int | None = None
    approval_policy_id: int | None = None
    active: bool = True


def items_by_category() -> list[tuple[Category, list[CatalogItem]]]:
    """Every item, grouped by category in catalog order (category position, item position)."""
    items = db.session.scalars(
        select(CatalogItem).join(CatalogItem.category)
        .options(joinedload(CatalogItem.category), joinedload(CatalogItem.approval_policy))
        .order_by(Category.position, func.lower(Category.name), CatalogItem.position, CatalogItem.id))
    return [(category, list(group)) for category, group in groupby(items, key=lambda i: i.category)]


def count_items() -> tuple[int, int]:
    """(all items, active items) for the admin overview."""
    return tuple(db.session.execute(
        select(func.count(CatalogItem.id), func.count(CatalogItem.id).filter(CatalogItem.active))).one())


def save_item(item: CatalogItem | None, data: ItemInput) -> CatalogItem:
    """Create (``item`` None) or update an item; a new item, or one moved to another category,
    goes last in its category. A new item starts inactive, whatever ``data.active`` says: it has
    no form yet, and employees must not order it until its fields are there (``activation_error``)."""
    _refuse_if(_item_errors(item, data))
    new = item is None
    moved = new or item.category_id != data.category_id
    position = _next_item_position(data.category_id) if moved else item.position
    if new:
        item = CatalogItem()
        db.session.add(item)
    item.position = position
    item.name, item.category_id = data.name.strip(), data.category_id
    item.summary, item.description = (data.summary or "").strip(), (data.description or "").strip()
    item.keywords, item.ticket_type = (data.keywords or "").strip(), data.ticket_type
    item.delivery_days, item.impact, item.urgency = data.delivery_days, data.impact, data.urgency
    item.team_id, item.approval_policy_id = data.team_id, data.approval_policy_id
    item.active = False if new else data.active
    db.session.flush()
    return item


def _next_item_position(category_id: int) -> int:
    last = db.session.scalar(select(func.max(CatalogItem.position)).where(CatalogItem.category_id == category_id))
    return 0 if last is None else last + 1


def _item_errors(item: CatalogItem | None, data: ItemInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = db.session.scalar(select(CatalogItem.id).where(
        func.lower(CatalogItem.name) == data.name.strip().lower()))
    if clash is not None and (item is None or clash != item.id):
        errors["name"] = ["Another item already has this name."]
    if data.category_id is None or db.session.get(Category, data.category_id) is None:
        errors["category_id"] = ["Choose a category from the list."]
    if data.team_id is not None and db.session.get(Team, data.team_id) is None:
        errors["team_id"] = ["Choose a team from the list."]
    if data.delivery_days is not None and data.delivery_days < 0:
        errors["delivery_days"] = ["Use 0 or more days, or leave it empty."]
    if data.approval_policy_id is not None:
        policy = db.session.get(ApprovalPolicy, data.approval_policy_id)
        if policy is None or (not policy.active and (item is None or item.approval_policy_id != policy.id)):
            errors["approval_policy_id"] = ["Choose an active approval policy."]
    if item is not None and (why := _activation_refusal(item, data.active)):
        errors["active"] = [why]
    return errors


def move_item(item: CatalogItem, direction: str) -> None:
    """One place up or down within its category."""
    siblings = list(db.session.scalars(select(CatalogItem).where(
        CatalogItem.category_id == item.category_id).order_by(CatalogItem.position, CatalogItem.id)))
    swap_neighbour(siblings, item, direction)
    db.session.flush()


def activation_error(item: CatalogItem) -> str | None:
    """Why ``item`` may not be offered to employees yet, or None: an item without a single form
    field would file tickets that say nothing but the item's name."""
    if not item.fields:
        return (f"{item.name} has no form fields yet. Add at least one field (and preview the form) "
                "before activating it, so employees have something to fill in.")
    return None


def _activation_refusal(item: CatalogItem, active: bool) -> str | None:
    """Why switching ``item`` to ``active`` is refused: only switching it on can be."""
    return activation_error(item) if active and not item.active else None


def set_item_active(item: CatalogItem, active: bool) -> None:
    """Retire (leaves the catalog; filed tickets keep it) or activate an item; activating one
    that is not ready (``activation_error``) is refused."""
    if why := _activation_refusal(item, active):
        raise ValidationFailed(why)
    item.active = active
    db.session.flush()


# --- Form fields ----------------------------------------------------------------------------------

@dataclass
class FieldInput:
    label: str
    field_type: FieldType
    key: str = ""
    help: str = ""
    required: bool = False
    show_if_key: str | None = None
    show_if_value: str | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: list[str] = field(default_factory=list)
    default: str | None = None


def key_from_label(label: str) -> str:
    """A key the admin did not type: the label in lower case, words joined by underscores."""
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"field_{key}".rstrip("_")
    return key[:60]


def earlier_fields(item: CatalogItem, form_field: FormField | None) -> list[FormField]:
    """The fields a field may depend on: those before it (all of them, for a new field)."""
    if form_field is None:
        return list(item.fields)
    return [f for f in item.fields if f.position < form_field.position and f.id != form_field.id]


def dependents(item: CatalogItem, key: str, exclude: FormField | None = None) -> list[FormField]:
    return [f for f in item.fields if f.show_if_key == key and f is not exclude]


def save_field(item: CatalogItem, form_field: FormField | None, data: FieldInput) -> FormField:
    """Create (``form_field`` None; it goes last) or update one question of ``item``'s form."""
    data.key = (data.key or "").strip() or key_from_label(data.label)
    _keep_relevant_settings(data)
    _refuse_if(_field_errors(item, form_field, data))
    if form_field is None:
        form_field = FormField(position=max((f.position for f in item.fields), default=-1) + 1)
        item.fields.append(form_field)
    for name in ("key", "label", "help", "field_type", "required", "show_if_key", "show_if_value",
                 "pattern", "pattern_message", "min_value", "max_value", "min_length", "max_length",
                 "default"):
        setattr(form_field, name, getattr(data, name))
    form_field.choices = json.dumps(data.choices)
    db.session.flush()
    return form_field


def _keep_relevant_settings(data: FieldInput) -> None:
    """Settings that mean nothing for the type are dropped, so they cannot surprise anyone later."""
    data.show_if_key = data.show_if_key or None
    data.show_if_value = ((data.show_if_value or "").strip() or None) if data.show_if_key else None
    for name, types in SETTING_TYPES.items():
        if data.field_type not in types:
            setattr(data, name, [] if name == "choices" else None)
    data.pattern = data.pattern or None
    data.pattern_message = (data.pattern_message or "").strip() or None
    data.default = (data.default or "").strip() or None


def _field_errors(item: CatalogItem, form_field: FormField | None, data: FieldInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    _check_key(item, form_field, data, add)
    _check_show_if(item, form_field, data, add)
    _check_limits(data, add)
    _check_choices(item, form_field, data, add)
    if not errors.get("choices") and data.default and not errors.get("pattern"):
        _check_default(data, add)
    return errors


def _check_key(item, form_field, data: FieldInput, add) -> None:
    if not KEY_PATTERN.fullmatch(data.key) or len(data.key) > 60:
        add("key", "Use lower-case letters, digits and _; start with a letter.")
        return
    if any(f.key == data.key and f is not form_field for f in item.fields):
        add("key", "Another field of this item already has this key.")
    elif form_field is not None and form_field.key != data.key:
        names = ", ".join(f.label for f in dependents(item, form_field.key))
        if names:
            add("key", f"Shown-if conditions of {names} use the old key; change them first.")


def _check_show_if(item, form_field, data: FieldInput, add) -> None:
    if data.show_if_key is None:
        return
    controller = next((f for f in earlier_fields(item, form_field) if f.key == data.show_if_key), None)
    if controller is None:
        add("show_if_key", "Choose a field that comes before this one.")
    elif data.show_if_value is None:
        add("show_if_value", "Say which answer makes this field appear.")
    elif FieldType(controller.field_type) in CHOICE_TYPES:
        if data.show_if_value not in json.loads(controller.choices or "[]"):
            add("show_if_value", f"Choose one of the options of {controller.label}.")
    elif controller.field_type == FieldType.CHECKBOX and data.show_if_value != CHECKED:
        add("show_if_value", f"A checkbox is “{CHECKED}” when ticked.")


def _check_limits(data: FieldInput, add) -> None:
    if data.pattern:
        try:
            re.compile(data.pattern)
        except re.error as error:
            add("pattern", f"This pattern does not work: {error}.")
    for low, high, name in ((data.min_value, data.max_value, "max_value"),
                            (data.min_length, data.max_length, "max_length")):
        if low is not None and high is not None and low > high:
            add(name, "The maximum must not be below the minimum.")
    for name in ("min_length", "max_length"):
        if (getattr(data, name) or 0) < 0:
            add(name, "Use 0 or more.")


def _check_choices(item, form_field, data: FieldInput, add) -> None:
    if data.field_type in CHOICE_TYPES and not data.choices:
        add("choices", "List the options, one per line.")
    duplicates = sorted({c for c in data.choices if data.choices.count(c) > 1})
    if duplicates:
        add("choices", f"Each option once: {', '.join(duplicates)} appears more than once.")
    if form_field is not None and data.field_type in CHOICE_TYPES:
        lost = [f.label for f in dependents(item, form_field.key) if f.show_if_value not in data.choices]
        if lost:
            add("choices", f"{', '.join(lost)} appear(s) only for an option you removed; change them first.")


def _check_default(data: FieldInput, add) -> None:
    """The default must be an answer the employee could give: the form engine judges it (a
    file field has none: ``SETTING_TYPES``)."""
    if data.field_type == FieldType.CHECKBOX:
        if data.default.lower() not in (CHECKED, "no"):
            add("default", f"Use “{CHECKED}” (ticked) or “no”.")
        return
    spec = FieldSpec(key=data.key, label=data.label, type=data.field_type, pattern=data.pattern,
                     pattern_message=data.pattern_message, min_value=data.min_value,
                     max_value=data.max_value, min_length=data.min_length, max_length=data.max_length,
                     choices=tuple(data.choices), default=data.default)
    _, errors = validate_answers([spec], initial_answers([spec]))
    for message in errors.get(spec.name, []):
        add("default", f"Not a valid default: {message}")


def delete_field(item: CatalogItem, form_field: FormField) -> None:
    """Remove a question; refused while other questions appear only depending on it, and for
    the last field of an active item (employees would be offered an empty form)."""
    names = ", ".join(f.label for f in dependents(item, form_field.key, exclude=form_field))
    if names:
        raise ValidationFailed(f"{form_field.label} cannot be deleted: {names} depend(s) on it. "
                               "Change or delete them first.")
    if item.active and item.fields == [form_field]:
        raise ValidationFailed(f"{form_field.label} is the only field of {item.name}, which employees can "
                               "order. Add another field first, or retire the item.")
    item.fields.remove(form_field)
    for position, each in enumerate(item.fields):
        each.position = position
    db.session.flush()


def move_field(item: CatalogItem, form_field: FormField, direction: str) -> None:
    """One place up or down; refused when it would put a field above the one it depends on."""
    fields = list(item.fields)
    index = fields.index(form_field)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(fields):
        first, second = sorted((form_field, fields[other]), key=fields.index)
        if second.show_if_key == first.key:
            raise ValidationFailed(f"{second.label} depends on {first.label}, so it must stay below it.")
    swap_neighbour(fields, form_field, direction)
    db.session.flush()
