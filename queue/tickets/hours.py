"""When tickets are issued: on the hall's working days, inside its ticketing
hours, and inside a category's own hours where it has them (a leader's
reception day, say). Messages are Chinese first, then English, as the kiosk
shows them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
_ZH = "一二三四五六日"
_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Session:
    """When a category with sessions takes tickets: these weekdays (0 = Monday), start to end."""

    weekdays: frozenset[int]
    start: time
    end: time


def hall_closed(local: datetime, working_day: bool, start: time, end: time) -> str | None:
    """Why the hall issues no ticket at `local` (its own time), or None."""
    if not working_day:
        return "今天不办公 / The hall is closed today"
    if not (start <= local.time() < end):
        return f"取号时间 {start:%H:%M}–{end:%H:%M} / Tickets are issued {start:%H:%M}–{end:%H:%M}"
    return None


def category_closed(local: datetime, start: time, end: time, name: str, name_en: str) -> str | None:
    """Why this category takes no tickets at `local`, or None."""
    if start <= local.time() < end:
        return None
    return f"{name} 取号时间 {start:%H:%M}–{end:%H:%M} / {name_en}: tickets are issued {start:%H:%M}–{end:%H:%M}"


def session_closed(local: datetime, sessions: Sequence[Session], name: str, name_en: str) -> str | None:
    """Why a category open only in `sessions` (a leader's reception day: Tuesdays) takes no
    ticket at `local`, or None; no sessions: no such limit."""
    if not sessions:
        return None
    day, now = local.weekday(), local.time()
    if any(day in s.weekdays and s.start <= now < s.end for s in sessions):
        return None
    zh = "；".join(f"每周{'、'.join(_ZH[d] for d in sorted(s.weekdays))} {s.start:%H:%M}–{s.end:%H:%M}"
                  for s in sessions)
    en = "; ".join(f"{', '.join(_EN[d] for d in sorted(s.weekdays))} {s.start:%H:%M}–{s.end:%H:%M}"
                   for s in sessions)
    return f"{name} 取号时间：{zh} / {name_en}: tickets on {en}"
