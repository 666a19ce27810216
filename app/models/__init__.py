"""All models, importable from one place (Alembic and the app need every table registered)."""
from app.models.activity import Attachment, Comment, LinkType, StatusPeriod, TicketEvent, TicketLink
from app.models.approval import (
    ApprovalAssignment, ApprovalDecision, ApprovalPolicy, ApprovalStep, ApprovalStepDef,
    ApproverKind, Decision, StepMode, StepState,
)
from app.models.base import utcnow
from app.models.catalog import (
    CatalogItem, Category, FieldType, FormField, FormVersion, RuleKind, ValidationRule,
)
from app.models.messaging import Notification, OutboxMessage
from app.models.queue_view import QueueView
from app.models.enums import FINAL_STATUSES, OPEN_STATUSES, Channel, Level, Status, TicketType
from app.models.ticket import Ticket, TicketCounter
from app.models.ticket_read import TicketRead
from app.models.user import Membership, Role, Team, User, UserRole

__all__ = [
    "ApprovalAssignment", "ApprovalDecision", "ApprovalPolicy", "ApprovalStep", "ApprovalStepDef",
    "ApproverKind", "CatalogItem", "Decision", "FieldType", "FormField", "FormVersion", "RuleKind",
    "StepMode", "StepState", "ValidationRule",
    "Attachment", "Category", "Channel", "Comment", "FINAL_STATUSES", "Level", "LinkType",
    "Membership", "Notification", "OPEN_STATUSES", "OutboxMessage", "QueueView", "Role", "Status",
    "StatusPeriod", "Team",
    "Ticket", "TicketCounter", "TicketEvent", "TicketLink", "TicketRead", "TicketType", "User", "UserRole",
    "utcnow",
]
