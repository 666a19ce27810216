"""Domain errors. Views turn them into a form error, a flash or a 4xx with the message."""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    """Input that policy refuses; ``field_errors`` maps form field names to messages."""

    status_code = 422


class IllegalTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    """Someone else got there first: a claim lost, or a save built on an old version."""

    status_code = 409


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404
