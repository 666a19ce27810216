"""Saved queue views: a named set of queue filters and a sort, kept as the queue's own query
string so that opening one is following a link (Zammad calls them overviews)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow
from app.models.user import Role, Team, User


class QueueView(db.Model):
    """Personal (``owner_id`` set) or published by an admin to a team or a role, never both:
    a published view belongs to no one person, so it outlives the admin who made it."""

    __tablename__ = "queue_views"
    __table_args__ = (
        CheckConstraint("(owner_id IS NOT NULL AND team_id IS NULL AND role IS NULL) OR "
                        "(owner_id IS NULL AND (team_id IS NULL) <> (role IS NULL))",
                        name="personal_or_published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The queue's canonical query string (view=open&status=pending&sort=-updated), as the filter
    # form writes it: re-read through the same form, so a filter value that no longer exists
    # (a deleted category) is reported and ignored like in any hand-edited URL.
    query: Mapped[str] = mapped_column(String(1000), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role | None] = mapped_column(str_enum(Role, "queue_view_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    team: Mapped[Team | None] = relationship()

    @property
    def published(self) -> bool:
        return self.owner_id is None

    @property
    def audience(self) -> str:
        """Who sees it, in words: "Only you", a team's name, or a role's label."""
        if self.team is not None:
            return self.team.name
        return self.role.label + "s" if self.role else "Only you"

    def __repr__(self) -> str:
        return f"<QueueView {self.name}>"
