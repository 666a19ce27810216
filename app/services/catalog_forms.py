"""The form engine of the service catalog: admin-defined fields → what the employee sees,
what their answers must satisfy, and the snapshot a ticket keeps.

Pure functions over ``FieldSpec`` (plain data), so the same rules serve the portal form, the
admin preview, drafts and submission on every channel, and are unit-testable without a request.
Answers travel as strings (lists for multiple choice) under the input name ``q_<key>``; errors
are keyed the same way so that forms show each message next to its input.
"""
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, FormVersion, User

CHECKED = "yes"  # a ticked checkbox's value, also what show_if_value compares against
MAX_TEXT = 5000  # no single answer is longer, whatever the field says


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: FieldType
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
    choices: tuple[str, ...] = field(default_factory=tuple)
    default: str | None = None

    @property
    def name(self) -> str:
        """The input's name in the HTML form, and the key of its errors."""
        return f"q_{self.key}"


def spec_from_field(f: FormField) -> FieldSpec:
    return FieldSpec(key=f.key, label=f.label, type=FieldType(f.field_type), help=f.help or "",
                     required=f.required, show_if_key=f.show_if_key or None,
                     show_if_value=f.show_if_value, pattern=f.pattern or None,
                     pattern_message=f.pattern_message or None, min_value=f.min_value,
                     max_value=f.max_value, min_length=f.min_length, max_length=f.max_length,
                     choices=tuple(json.loads(f.choices or "[]")), default=f.default or None)


def item_specs(item: CatalogItem) -> list[FieldSpec]:
    return [spec_from_field(f) for f in item.fields]


def specs_to_json(specs: list[FieldSpec]) -> str:
    return json.dumps([asdict(s) for s in specs], sort_keys=True)


def specs_from_json(text: str) -> list[FieldSpec]:
    specs = []
    for raw in json.loads(text or "[]"):
        raw["type"] = FieldType(raw["type"])
        raw["choices"] = tuple(raw.get("choices") or ())
        specs.append(FieldSpec(**raw))
    return specs


def current_version(item: CatalogItem) -> FormVersion:
    """The snapshot of the item's fields as they are now, created the first time they are used.
    Tickets point at it, so editing the form later never changes what a ticket was filed with."""
    text = specs_to_json(item_specs(item))
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    version = db.session.scalar(select(FormVersion).where(
        FormVersion.item_id == item.id, FormVersion.fingerprint == fingerprint))
    if version is None:
        version = FormVersion(item_id=item.id, fingerprint=fingerprint, fields_json=text)
        db.session.add(version)
        db.session.flush()
    return version


# Reading answers --------------------------------------------------------------------------

def read_answers(specs: list[FieldSpec], formdata) -> dict:
    """Raw answers from a submitted form (a MultiDict), unvalidated: what a draft keeps."""
    answers = {}
    for spec in specs:
        if spec.type == FieldType.FILE:
            continue  # files arrive as uploads, stored by the caller
        if spec.type == FieldType.MULTI_CHOICE:
            answers[spec.key] = [v[:MAX_TEXT] for v in formdata.getlist(spec.name)][:50]
        elif spec.type == FieldType.CHECKBOX:
            answers[spec.key] = CHECKED if formdata.get(spec.name) else ""
        else:
            answers[spec.key] = (formdata.get(spec.name) or "").strip()[:MAX_TEXT]
    return answers


def initial_answers(specs: list[FieldSpec]) -> dict:
    """Defaults for a blank form."""
    answers = {}
    for spec in specs:
        if spec.type == FieldType.MULTI_CHOICE:
            answers[spec.key] = [c.strip() for c in (spec.default or "").split(",") if c.strip()]
        elif spec.type == FieldType.CHECKBOX:
            answers[spec.key] = CHECKED if (spec.default or "").lower() in ("yes", "true", "1") else ""
        else:
            answers[spec.key] = spec.default or ""
    return answers


def is_visible(spec: FieldSpec, specs_by_key: dict[str, FieldSpec], answers: dict) -> bool:
    """Shown when it has no condition, or its controlling field is shown and has the value
    (for multiple choice: includes it). Chains are followed; a cycle hides the field."""
    seen = set()
    while spec.show_if_key:
        if spec.key in seen or spec.show_if_key not in specs_by_key:
            return False
        seen.add(spec.key)
        value = answers.get(spec.show_if_key)
        expected = (spec.show_if_value or "").strip()
        matches = expected in value if isinstance(value, list) else (value or "") == expected
        if not matches:
            return False
        spec = specs_by_key[spec.show_if_key]
    return True


def visible_specs(specs: list[FieldSpec], answers: dict) -> list[FieldSpec]:
    by_key = {s.key: s for s in specs}
    return [s for s in specs if is_visible(s, by_key, answers)]


# Validating answers -----------------------------------------------------------------------

def _is_empty(value) -> bool:
    return value in (None, "", []) or value == [""]


def _check(spec: FieldSpec, value, find_user) -> tuple[object, str | None]:
    """(clean value, error message or None) for one visible, non-empty answer."""
    kind = spec.type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        if spec.min_length and len(value) < spec.min_length:
            return value, f"Write at least {spec.min_length} characters."
        if spec.max_length and len(value) > spec.max_length:
            return value, f"Keep it under {spec.max_length} characters."
        if spec.pattern:
            try:
                ok = re.fullmatch(spec.pattern, value) is not None
            except re.error:
                ok = True  # an admin's broken pattern must not block employees; admin form checks it
            if not ok:
                return value, spec.pattern_message or "This is not in the expected format."
        return value, None
    if kind == FieldType.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value, "Enter a number."
        if not math.isfinite(number):  # "nan", "inf", "1e999": float() takes them, JSON cannot
            return value, "Enter a number."
        if spec.min_value is not None and number < spec.min_value:
            return value, f"Enter at least {spec.min_value:g}."
        if spec.max_value is not None and number > spec.max_value:
            return value, f"Enter at most {spec.max_value:g}."
        return int(number) if number.is_integer() else number, None
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return value, "Enter a date as YYYY-MM-DD."
    if kind == FieldType.CHOICE:
        return (value, None) if value in spec.choices else (value, "Choose one of the options.")
    if kind == FieldType.MULTI_CHOICE:
        unknown = [v for v in value if v not in spec.choices]
        return (value, None) if not unknown else (value, "Choose only from the options.")
    if kind == FieldType.CHECKBOX:
        return (True, None) if value == CHECKED else (value, "Tick the box or leave it empty.")
    if kind == FieldType.USER:
        user = find_user(value)
        return (user.id, None) if user else (value, "No active person with that email.")
    if kind == FieldType.FILE:
        return value, None  # attachment ids, stored by the caller
    return value, "Unknown field type."


def _find_active_user(text: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == text.strip().lower(), User.active))


def validate_answers(specs: list[FieldSpec], answers: dict, find_user=_find_active_user) -> tuple[dict, dict]:
    """(clean answers of the visible fields, errors by input name). Hidden fields are dropped,
    so a conditional field's answer counts only while its condition holds."""
    clean, errors = {}, {}
    for spec in visible_specs(specs, answers):
        value = answers.get(spec.key)
        if isinstance(value, str):
            value = value.strip()
        if spec.type == FieldType.CHECKBOX and _is_empty(value):
            if spec.required:
                errors[spec.name] = ["Tick this box to continue."]
            else:
                clean[spec.key] = False
            continue
        if _is_empty(value):
            if spec.required:
                errors[spec.name] = [f"{spec.label} is required."]
            continue
        cleaned, error = _check(spec, value, find_user)
        if error:
            errors[spec.name] = [error]
        else:
            clean[spec.key] = cleaned
    return clean, errors


def display_value(spec: FieldSpec, value) -> str:
    """An answer as the ticket page shows it."""
    if spec.type == FieldType.CHECKBOX:
        return "Yes" if value else "No"
    if spec.type == FieldType.MULTI_CHOICE:
        return ", ".join(value or [])
    if spec.type == FieldType.USER and value:
        user = db.session.get(User, value)
        return f"{user.name} <{user.email}>" if user else "(unknown person)"
    if spec.type == FieldType.FILE:
        return f"{len(value or [])} file(s)"
    return "" if value is None else str(value)


def answer_rows(specs: list[FieldSpec], answers: dict) -> list[tuple[str, str]]:
    """(label, shown value) for each answered field, in form order."""
    return [(s.label, display_value(s, answers[s.key])) for s in specs if s.key in answers]
