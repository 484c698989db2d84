"""The schema of cases (办件), their history and suspensions, the loaded
holiday schedules and the supervision alerts (电子监察).

Same conventions as models.py: times are UTC epoch seconds, JSON lives in
Text columns. The applicant's name and phone are stored encrypted only
(crypto.py); nothing here holds them in clear.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class CaseCounter(SQLModel, table=True):
    """The last case number given per hall and day (HP-20261123-0001)."""

    __tablename__ = "case_counter"
    hall: str = Field(primary_key=True, max_length=32)
    service_day: str = Field(primary_key=True, max_length=10)
    last: int


class CaseFile(SQLModel, table=True):
    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("hall", "number", name="uq_case_number"),
        Index("ix_case_hall_status", "hall", "status", "deadline_at"),
        Index("ix_case_provisional", "deadline_provisional", "status"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    hall: str = Field(max_length=32)
    number: str = Field(max_length=32)
    item: str = Field(max_length=40)
    ticket_id: Optional[int] = Field(default=None, index=True)
    ticket_number: Optional[str] = Field(default=None, max_length=12)
    category: str = Field(max_length=40)
    applicant_name_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    applicant_phone_enc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    project: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    accepted_at: float
    clock_from: float  # where the promise runs from: acceptance, or the ticket's issue for an instant item
    deadline_at: float
    deadline_provisional: bool = False
    promised_amount: int
    promised_unit: str = Field(max_length=16)
    statutory_amount: Optional[int] = None
    statutory_unit: Optional[str] = Field(default=None, max_length=16)
    instant: bool = False
    status: str = Field(max_length=12)  # accepted | suspended | completed | withdrawn
    first_clerk: Optional[str] = Field(default=None, max_length=64)
    clerk: Optional[str] = Field(default=None, max_length=64)
    window: Optional[str] = Field(default=None, max_length=32)
    wait_s: Optional[float] = None
    walk_s: Optional[float] = None
    service_s: Optional[float] = None
    completed_at: Optional[float] = None
    closed_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    card: str = Field(default="green", max_length=8)  # green | yellow | red
    card_at: Optional[float] = None


class CaseEvent(SQLModel, table=True):
    """Every change of a case, append-only."""

    __tablename__ = "case_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    hall: str = Field(max_length=32)
    type: str = Field(max_length=24)
    at: float
    actor: Optional[str] = Field(default=None, max_length=64)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class CaseSuspension(SQLModel, table=True):
    """A stop of the clock: 补正 (correction), expert review, hearing, public notice."""

    __tablename__ = "case_suspension"
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    reason: str = Field(max_length=20)
    from_at: float
    to_at: Optional[float] = None
    notice: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    actor: Optional[str] = Field(default=None, max_length=64)


class CalendarYear(SQLModel, table=True):
    """A year's official schedule as an administrator loaded it (overrides the seed)."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    holidays: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    workdays: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    loaded_by: Optional[str] = Field(default=None, max_length=64)
    loaded_at: float


class SupervisionAlert(SQLModel, table=True):
    """A warning or alarm, logged once (`key` is unique) and resolved later."""

    __tablename__ = "supervision_alert"
    __table_args__ = (Index("ix_alert_hall_open", "hall", "resolved_at", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: Optional[str] = Field(default=None, max_length=200, unique=True)
    hall: str = Field(max_length=32)
    # yellow | red | step_overrun | refusal_without_reason | wait_promise | calendar_missing
    kind: str = Field(max_length=32)
    level: str = Field(max_length=8)  # yellow | red
    case_id: Optional[int] = Field(default=None, index=True)
    ticket_id: Optional[int] = None
    category: Optional[str] = Field(default=None, max_length=40)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: float
    resolved_at: Optional[float] = None
    resolved_by: Optional[str] = Field(default=None, max_length=64)
