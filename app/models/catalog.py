"""How tickets are classified and what employees can ask for: categories, the service catalog
with its admin-defined forms, and validation rules."""
import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow
from app.models.enums import Level, TicketType
from app.models.user import Team

if TYPE_CHECKING:
    from app.models.approval import ApprovalPolicy


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    # The queue a ticket in this category lands in until routing rules say otherwise.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team | None] = relationship()

    def __repr__(self) -> str:
        return f"<Category {self.name}>"


class FieldType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    CHECKBOX = "checkbox"
    USER = "user"  # answer: a user id, picked by name or email
    FILE = "file"  # answer: attachment ids

    @property
    def label(self) -> str:
        return {"long_text": "Long text", "multi_choice": "Multiple choice",
                "user": "Person"}.get(self.value, self.value.capitalize())


class CatalogItem(db.Model):
    """Something employees can ask for (or report) from the catalog, with its own form."""

    __tablename__ = "catalog_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    keywords: Mapped[str] = mapped_column(String(300), default="")  # extra words for search
    ticket_type: Mapped[TicketType] = mapped_column(str_enum(TicketType, "ticket_type"),
                                                    default=TicketType.SERVICE_REQUEST)
    # What the requester can expect, in business days; None: "depends".
    delivery_days: Mapped[int | None] = mapped_column(Integer)
    # Items fix impact and urgency (hence priority); employees are not asked.
    impact: Mapped[Level] = mapped_column(str_enum(Level, "impact"), default=Level.LOW)
    urgency: Mapped[Level] = mapped_column(str_enum(Level, "urgency"), default=Level.MEDIUM)
    # Who fulfils it; None: the category's team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    approval_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("approval_policies.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category] = relationship()
    team: Mapped[Team | None] = relationship()
    approval_policy: Mapped["ApprovalPolicy | None"] = relationship()
    fields: Mapped[list["FormField"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="FormField.position",
        lazy="selectin")

    @property
    def needs_approval(self) -> bool:
        return self.approval_policy is not None and self.approval_policy.active

    def __repr__(self) -> str:
        return f"<CatalogItem {self.name}>"


class FormField(db.Model):
    """One question on an item's form. Editing fields never changes filed tickets: a ticket
    keeps the FormVersion (snapshot) it was filed with."""

    __tablename__ = "form_fields"
    __table_args__ = (UniqueConstraint("item_id", "key", name="uq_form_fields_item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))  # stable name of the answer, e.g. "justification"
    label: Mapped[str] = mapped_column(String(200))
    help: Mapped[str] = mapped_column(String(500), default="")
    field_type: Mapped[FieldType] = mapped_column(str_enum(FieldType, "field_type"))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown (and, if required, required) only when the field named here has this value.
    show_if_key: Mapped[str | None] = mapped_column(String(60))
    show_if_value: Mapped[str | None] = mapped_column(String(200))
    pattern: Mapped[str | None] = mapped_column(String(300))  # a regular expression, text fields
    pattern_message: Mapped[str | None] = mapped_column(String(200))
    min_value: Mapped[float | None]  # numbers: value; dates: not used
    max_value: Mapped[float | None]
    min_length: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    default: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[CatalogItem] = relationship(back_populates="fields")


class FormVersion(db.Model):
    """An immutable snapshot of an item's fields, shared by every ticket filed with it."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("item_id", "fingerprint", name="uq_form_versions_item_fp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of fields_json
    fields_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleKind(enum.StrEnum):
    REQUIRE = "require"  # when the conditions hold, these fields must be filled
    REFUSE = "refuse"  # when the conditions hold, the submission is refused
    APPROVE = "approve"  # when the conditions hold, this approval policy applies

    @property
    def label(self) -> str:
        return {"require": "Require fields", "refuse": "Refuse", "approve": "Require approval"}[self.value]


class ValidationRule(db.Model):
    """Admin-written policy beyond one item, checked on the server for every channel."""

    __tablename__ = "validation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Scope; None matches every type / category.
    ticket_type: Mapped[TicketType | None] = mapped_column(str_enum(TicketType, "ticket_type"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    # JSON list of {"field", "op", "value" (typed), "type"}; all must hold. See services.conditions.
    conditions: Mapped[str] = mapped_column(Text, default="[]")
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind, "rule_kind"))
    required_fields: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of field names
    # Shown to the user next to the field(s) concerned (or at the top).
    message: Mapped[str] = mapped_column(String(500))
    approval_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("approval_policies.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category | None] = relationship()
    approval_policy: Mapped["ApprovalPolicy | None"] = relationship()
