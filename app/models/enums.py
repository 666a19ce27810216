"""Enumerations shared by several models."""
import enum


class TicketType(enum.StrEnum):
    INCIDENT = "incident"
    SERVICE_REQUEST = "service_request"
    CHANGE = "change"

    @property
    def label(self) -> str:
        return {"incident": "Incident", "service_request": "Service request", "change": "Change"}[self.value]

    @property
    def prefix(self) -> str:
        return {"incident": "INC", "service_request": "REQ", "change": "CHG"}[self.value]


class Status(enum.StrEnum):
    DRAFT = "draft"
    NEW = "new"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"  # awaiting the requester
    PENDING = "pending"  # awaiting a vendor or third party
    UNDER_REVIEW = "under_review"  # awaiting approval
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def timestamp_field(self) -> str:
        """The Ticket column that records when this status was last entered."""
        return f"{self.value}_at"


OPEN_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD,
                           Status.PENDING, Status.UNDER_REVIEW})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


class Level(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Channel(enum.StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    PHONE = "phone"
    WALK_IN = "walk_in"
    CHAT = "chat"
    MONITORING = "monitoring"
    AGENT = "agent"  # proactive or maintenance work raised by IT itself
    API = "api"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()
