"""Checking in: the window around a slot's start inside which the visitor gets an
appointment ticket. Both edges belong to the window: `before` minutes before the
start is on time, so is `after` minutes past it; a second later is late."""
from __future__ import annotations

from typing import Literal

CheckIn = Literal["early", "on_time", "late"]


def check_in_state(now: float, start: float, before_min: float, after_min: float) -> CheckIn:
    if now < start - before_min * 60:
        return "early"
    if now > start + after_min * 60:
        return "late"
    return "on_time"


def opens_at(start: float, before_min: float) -> float:
    """When checking in for a slot starting at `start` becomes possible (the answer to 'too early')."""
    return start - before_min * 60


def no_show_due(now: float, start: float, after_min: float) -> bool:
    """A booking not checked in once its window has closed is a no-show."""
    return now > start + after_min * 60


def blocked_until(no_shows: list[float], now: float, limit: int, within_days: float, block_days: float) -> float | None:
    """Repeated no-shows block booking: `limit` no-shows (their times) within `within_days`
    block until `block_days` after the last of them; None when booking is allowed (limit 0: never blocked)."""
    if limit <= 0:
        return None
    recent = sorted(t for t in no_shows if now - t <= within_days * 86400)
    if len(recent) < limit:
        return None
    until = recent[-1] + block_days * 86400
    return until if until > now else None
