"""Ticket categories. A category is retired (active=False), never deleted: it leaves the ticket
form while the tickets filed under it keep it."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Category, Team
from app.services.errors import ValidationFailed


@dataclass
class CategoryInput:
    name: str
    description: str | None = None
    team_id: int | None = None
    position: int = 0
    active: bool = True


def list_categories() -> list[Category]:
    """All categories in the order the ticket form shows them: position, then name."""
    return list(db.session.scalars(_ordered().options(joinedload(Category.team))))


def active_categories() -> list[Category]:
    """What a new ticket may be filed under (the ticket forms' choices), in form order."""
    return list(db.session.scalars(_ordered().where(Category.active)))


def _ordered():
    return select(Category).order_by(Category.position, func.lower(Category.name))


def count_categories() -> tuple[int, int]:
    """(all categories, active categories) for the admin overview."""
    return tuple(db.session.execute(
        select(func.count(Category.id), func.count(Category.id).filter(Category.active))).one())


def save_category(category: Category | None, data: CategoryInput) -> Category:
    """Create (``category`` None) or update a category; a name another category holds
    (case-insensitive) or an unknown default team is refused with a field error."""
    errors = _category_errors(category, data)
    if errors:
        raise ValidationFailed("Check the highlighted fields.", errors)
    if category is None:
        category = Category()
        db.session.add(category)
    category.name = data.name.strip()
    category.description = (data.description or "").strip() or None
    category.team_id, category.position, category.active = data.team_id, data.position, data.active
    db.session.flush()
    return category


def _category_errors(category: Category | None, data: CategoryInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = db.session.scalar(
        select(Category.id).where(func.lower(Category.name) == data.name.strip().lower()))
    if clash is not None and (category is None or clash != category.id):
        errors["name"] = ["Another category already has this name."]
    if data.team_id is not None and db.session.get(Team, data.team_id) is None:
        errors["team_id"] = ["Choose a team from the list."]
    return errors
