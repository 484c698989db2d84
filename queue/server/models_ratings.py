"""The schema of ratings (好差评) and the rectification tasks bad ones open.

Same conventions as models.py: times are UTC epoch seconds, JSON lives in
Text columns. A rating carries no personal data: ticket, window, clerk, level.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel


class Rating(SQLModel, table=True):
    __tablename__ = "rating"
    __table_args__ = (Index("ix_rating_hall_at", "hall", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(unique=True)  # once per ticket
    case_id: Optional[int] = None
    hall: str = Field(max_length=32)
    category: str = Field(max_length=40)
    window: Optional[str] = Field(default=None, max_length=32)
    clerk: Optional[str] = Field(default=None, max_length=64)
    channel: str = Field(max_length=8)  # pad | qr | default
    level: int  # 5 非常满意 .. 1 非常不满意
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: float


class RectificationTask(SQLModel, table=True):
    """整改: verify → rectify → feedback → callback; `steps` is the JSON list of
    the steps done, each {step, by, at, note, outcome}."""

    __tablename__ = "rectification_task"
    __table_args__ = (Index("ix_rectification_hall_state", "hall", "state", "due_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    rating_id: int = Field(unique=True, foreign_key="rating.id")
    hall: str = Field(max_length=32)
    ticket_id: int
    window: Optional[str] = Field(default=None, max_length=32)
    clerk: Optional[str] = Field(default=None, max_length=64)
    level: int
    state: str = Field(max_length=12)  # verify | rectify | feedback | callback | closed
    opened_at: float
    due_at: float
    closed_at: Optional[float] = None
    steps: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
