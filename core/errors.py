"""Domain errors that views turn into form errors or 4xx JSON bodies, never a 500."""

from __future__ import annotations


class DomainError(Exception):
    """A refused change: the message is for the person who asked for it."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"detail": str(self.message), "field": self.field, "code": self.code}


class NotPermitted(DomainError):
    """The actor does not hold the right for this change."""

    status_code = 403

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="not_permitted")


class Conflict(DomainError):
    """The object is not in a state that allows this change (e.g. already done)."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="conflict")
