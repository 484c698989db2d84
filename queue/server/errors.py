"""The errors a client causes, one class per kind. Services and stores raise
them; the app maps each kind to its HTTP status once (app.py). Each carries a
machine `code` (the class default unless told) and may carry `extra` fields
for the JSON answer, e.g. the field that failed validation."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, code: str | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra


class BadRequest(DomainError):
    """The request cannot be read (not JSON, nested too deep)."""

    code = "bad_request"


class Invalid(DomainError):
    """Well-formed but not acceptable: an unknown category, a bad date."""

    code = "invalid"


class Unauthorized(DomainError):
    """No valid sign-in."""

    code = "unauthorized"


class Forbidden(DomainError):
    """Signed in, but not allowed to do this here."""

    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The state of things does not allow it now: a full day, a ticket already called."""

    code = "conflict"


class TooLarge(DomainError):
    code = "too_large"


class TooManyRequests(DomainError):
    """Too many requests or attempts (one client, one category, one account) in a while:
    wait `retry_after` whole seconds (an `extra` field of the answer, sent as Retry-After too)."""

    code = "rate_limited"

    def __init__(self, message: str, code: str | None = None, *, retry_after: float = 1, **extra: Any):
        self.retry_after = max(1, int(-(-retry_after // 1)))  # rounded up, at least 1
        super().__init__(message, code, retry_after=self.retry_after, **extra)


class Unavailable(DomainError):
    """Something the answer needs is down (the database, a printer)."""

    code = "unavailable"
