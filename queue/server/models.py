"""The schema, as SQLModel tables. Alembic migrations are generated from it.

Times are UTC epoch seconds (float): portable between SQLite and PostgreSQL,
cheap to compare on the hot paths; the API turns them into ISO 8601 in the
hall's time zone. Dates of a service day are 'YYYY-MM-DD' in the hall's zone.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    password_hash: str
    role: str = Field(max_length=16)  # clerk | manager | admin
    display_name: str = ""
    title: str = ""  # shown on the post card: 科员, 窗口负责人
    active: bool = True
    created_at: float


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: float
    expires_at: float


class TicketCounter(SQLModel, table=True):
    """The last number issued per hall, category and service day."""

    __tablename__ = "ticket_counter"
    hall: str = Field(primary_key=True, max_length=32)
    category: str = Field(primary_key=True, max_length=40)
    service_day: str = Field(primary_key=True, max_length=10)
    last: int


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("hall", "service_day", "number", name="uq_ticket_number"),
        # call-next reads only waiting tickets: keep that index small.
        Index(
            "ix_ticket_waiting",
            "hall", "category", "priority", "arrived_at", "id",
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index(
            "ix_ticket_targeted",
            "hall", "target_window", "arrived_at", "id",
            sqlite_where=text("status = 'waiting' AND target_window IS NOT NULL"),
            postgresql_where=text("status = 'waiting' AND target_window IS NOT NULL"),
        ),
        Index("ix_ticket_day", "hall", "service_day", "status"),
        # The day's close looks for tickets an earlier day left open: few, whatever the history.
        Index(
            "ix_ticket_open",
            "hall", "service_day",
            sqlite_where=text("status IN ('waiting', 'called', 'serving', 'parked')"),
            postgresql_where=text("status IN ('waiting', 'called', 'serving', 'parked')"),
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    category: str = Field(max_length=40)
    number: str = Field(max_length=12)
    service_day: str = Field(max_length=10)
    priority: int = 0  # 0 normal, 1 priority (elderly, disabled, green channel)
    status: str = Field(max_length=12)
    lang: str = Field(default="zh", max_length=8)
    track_token: str = Field(max_length=64)
    issued_at: float
    arrived_at: float  # the place in the queue: kept on transfer, moved on go-last
    called_at: Optional[float] = None  # first call
    last_called_at: Optional[float] = None
    started_at: Optional[float] = None
    finished_at: Optional[float] = None
    call_count: int = 0
    window: Optional[str] = Field(default=None, max_length=32)
    clerk: Optional[str] = Field(default=None, max_length=64)
    first_clerk: Optional[str] = Field(default=None, max_length=64)  # 首问负责
    origin_category: Optional[str] = Field(default=None, max_length=40)
    target_window: Optional[str] = Field(default=None, max_length=32)  # transferred to a window
    note: str = ""
    wait_s: Optional[float] = None  # issue -> first call
    walk_s: Optional[float] = None  # call -> start
    service_s: Optional[float] = None  # start -> done


class TicketEvent(SQLModel, table=True):
    """Every change of a ticket, append-only."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_event_hall_at", "hall", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    ticket_id: int = Field(index=True)
    type: str = Field(max_length=20)
    at: float
    clerk: Optional[str] = Field(default=None, max_length=64)
    window: Optional[str] = Field(default=None, max_length=32)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class WindowState(SQLModel, table=True):
    """Who is at a window now, and whether they stepped away."""

    __tablename__ = "window_state"
    hall: str = Field(primary_key=True, max_length=32)
    window: str = Field(primary_key=True, max_length=32)
    clerk: Optional[str] = Field(default=None, max_length=64)
    signed_in_at: Optional[float] = None
    away: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON notice or ''
    current_ticket: Optional[int] = None


class WindowPost(SQLModel, table=True):
    """A and B post holders of a window; seeded from the config, changed by a manager."""

    __tablename__ = "window_post"
    hall: str = Field(primary_key=True, max_length=32)
    window: str = Field(primary_key=True, max_length=32)
    a_clerk: Optional[str] = Field(default=None, max_length=64)
    b_clerk: Optional[str] = Field(default=None, max_length=64)
    changed_by: Optional[str] = Field(default=None, max_length=64)
    changed_at: Optional[float] = None


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: float
    actor: Optional[str] = Field(default=None, max_length=64)
    action: str = Field(max_length=40)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


from . import models_cases  # noqa: E402,F401 - registers the case tables for Alembic
from . import models_ratings  # noqa: E402,F401 - registers the rating tables for Alembic
