"""What gets printed: plain data, filled in by the server, free of any printer detail.

Times must be timezone-aware and are printed as they are: pass them already in
the hall's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


def _require_aware(name: str, value: datetime) -> None:
    # A naive time would print in whatever zone the host happens to run in.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class TicketSlip:
    """The queue ticket taken at the kiosk."""

    hall_name: str
    number: str
    category_name_zh: str
    category_name_en: str
    issued_at: datetime
    ahead: int
    estimated_wait_s: int | None
    notice: str
    track_url: str
    windows: list[str] = field(default_factory=list)
    # No window serves the category now: the slip says so, and when service resumes (if known).
    serving_now: bool = True
    resumes_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("issued_at", self.issued_at)
        if self.resumes_at is not None:
            _require_aware("resumes_at", self.resumes_at)


@dataclass(frozen=True)
class CaseReceipt:
    """《接收单》: proof that a case was accepted, with its promised deadline."""

    case_number: str
    item_name: str
    applicant_masked: str
    accepted_at: datetime
    deadline: date | datetime
    deadline_provisional: bool
    window_name: str
    clerk_name: str
    query_hint: str
    track_url: str | None = None

    def __post_init__(self) -> None:
        _require_aware("accepted_at", self.accepted_at)
        if isinstance(self.deadline, datetime):
            _require_aware("deadline", self.deadline)


@dataclass(frozen=True)
class MissingMaterialsNotice:
    """《一次性告知单》: every missing material, listed at once and in writing."""

    item_name: str
    missing: list[str]
    provided: list[str]
    clerk_name: str
    window_name: str
    issued_at: datetime
    hall_name: str

    def __post_init__(self) -> None:
        _require_aware("issued_at", self.issued_at)
        if not self.missing:
            raise ValueError("a one-time notice needs at least one missing material")


Slip = TicketSlip | CaseReceipt | MissingMaterialsNotice
