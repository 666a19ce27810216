"""Saved queue views: a technician's own named filters, and views an admin publishes to a team
or a role (Zammad's overviews). A view stores the queue's query string; the agent blueprint
reads it back through the queue's filter form, so a saved view means exactly what its URL does.
"""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import QueueView, Role, Team, User
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.live import Stamp, stamp_value
from app.services.permissions import can_manage_queue_view, can_publish_queue_views

NAME_MAX = 80


def visible_views(user: User) -> list[QueueView]:
    """The views ``user`` sees: their own first, then those published to one of their teams or
    roles (admins also see what is published to technicians: they work the same queues)."""
    roles = set(user.roles) | ({Role.AGENT} if user.has_role(Role.ADMIN) else set())
    audience = [QueueView.owner_id == user.id, QueueView.role.in_(sorted(roles))]
    if user.team_ids:
        audience.append(QueueView.team_id.in_(sorted(user.team_ids)))
    views = db.session.scalars(select(QueueView).where(or_(*audience))
                               .options(joinedload(QueueView.team))
                               .order_by(QueueView.owner_id.is_(None), func.lower(QueueView.name), QueueView.id))
    return list(views)


# Changes to any saved view (added, renamed, removed): part of the sidebar's live stamp.
VIEWS = Stamp(lambda count, newest: f"{count}:{stamp_value(newest)}",
              select(func.count()).select_from(QueueView).scalar_subquery(),
              select(func.max(QueueView.updated_at)).scalar_subquery())


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the view a name.", {"name": ["Give the view a name."]})
    if len(name) > NAME_MAX:
        raise ValidationFailed("Name too long.", {"name": [f"Keep the name under {NAME_MAX} characters."]})
    return name


def create_view(actor: User, name: str, query: str, team: Team | None = None,
                role: Role | None = None) -> QueueView:
    """Save ``query`` as a view: personal, or published to ``team`` or ``role`` (admins only)."""
    if team is not None and role is not None:
        raise ValidationFailed("Publish to a team or a role, not both.",
                               {"audience": ["Choose one team or one role."]})
    published = team is not None or role is not None
    if published and not can_publish_queue_views(actor):
        raise PermissionDenied("Only admins publish views to a team or a role.")
    view = QueueView(name=_clean_name(name), query=query, owner_id=None if published else actor.id,
                     team=team, role=role)
    db.session.add(view)
    db.session.flush()
    return view


def rename_view(view: QueueView, actor: User, name: str) -> QueueView:
    _check_manage(view, actor)
    view.name = _clean_name(name)
    db.session.flush()
    return view


def delete_view(view: QueueView, actor: User) -> None:
    _check_manage(view, actor)
    db.session.delete(view)
    db.session.flush()


def _check_manage(view: QueueView, actor: User) -> None:
    if not can_manage_queue_view(actor, view):
        raise PermissionDenied("Only its owner (an admin, for a published view) may change this view.")
