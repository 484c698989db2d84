"""The rows the stores hand out, typed: one TypedDict per SELECT list.

Each matches its column list key for key (TICKET_COLUMNS in store/tickets.py,
the join in store/windows.py states(), CASE_COLUMNS and ALERT_COLUMNS in
store/cases.py) with the types of store/models.py. They are plain dicts at run
time (`dict(row)`); the types are for the readers.
"""
from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class TicketRow(TypedDict):
    """A `ticket` row: store/tickets.py TICKET_COLUMNS."""

    id: int
    hall: str
    category: str
    number: str
    service_day: str
    priority: int  # 0 normal, 1 priority
    status: str  # waiting | called | serving | parked | done | no_show | cancelled
    lang: str
    track_token: str
    issued_at: float
    arrived_at: float
    called_at: float | None
    last_called_at: float | None
    started_at: float | None
    finished_at: float | None
    call_count: int
    window_id: str | None
    clerk: str | None
    first_clerk: str | None
    origin_category: str | None
    target_window: str | None
    note: str
    wait_s: float | None
    walk_s: float | None
    service_s: float | None
    phone_enc: str  # the holder's phone for queue messages, encrypted ('' without one); staff see it masked
    # A call on PostgreSQL (store/tickets.py _call): whether anyone waiting asked for messages.
    notify_waiting: NotRequired[bool]


class WindowPosts(TypedDict):
    """Who is at a window and who holds its posts: what the access rules read (services/access.py)."""

    clerk: str | None  # who is signed in
    away: dict[str, Any] | None  # the away notice (decoded JSON), None when not away
    a_clerk: str | None
    b_clerk: str | None


class WindowState(WindowPosts):
    """A window's state with its A/B posts and current ticket number: store/windows.py states()."""

    window_id: str
    signed_in_at: float | None
    current_ticket: int | None
    current_number: str | None
    current_clerk: str | None  # who called the current ticket (a B covering, say)


class CaseRow(TypedDict):
    """A `case_file` row: store/cases.py CASE_COLUMNS (booleans made bool by `_case`)."""

    id: int
    hall: str
    number: str
    item: str
    ticket_id: int | None
    ticket_number: str | None
    category: str
    applicant_name_enc: str
    applicant_phone_enc: str
    project: str
    accepted_at: float
    clock_from: float
    deadline_at: float
    deadline_provisional: bool
    promised_amount: int
    promised_unit: str
    statutory_amount: int | None
    statutory_unit: str | None
    instant: bool
    status: str  # accepted | suspended | completed | withdrawn
    first_clerk: str | None
    clerk: str | None
    window_id: str | None
    wait_s: float | None
    walk_s: float | None
    service_s: float | None
    completed_at: float | None
    closed_reason: str
    card: str  # green | yellow | red
    card_at: float | None
    statutory_deadline_at: float | None  # issue 15: the law's limit, supervised apart from the promise
    statutory_provisional: bool
    visits: int  # the applicant's visits for this case (最多跑一次)


class AlertRow(TypedDict):
    """A `supervision_alert` row: store/cases.py ALERT_COLUMNS."""

    id: int
    key: str | None
    hall: str
    kind: str
    level: str  # yellow | red
    case_id: int | None
    ticket_id: int | None
    category: str | None
    message: str
    at: float
    resolved_at: float | None
    resolved_by: str | None
