"""When tickets are issued: on the hall's working days, inside its ticketing
hours, and inside a category's own hours where it has them (a leader's
reception day, say). Messages are Chinese first, then English, as the kiosk
shows them."""
from __future__ import annotations

from datetime import datetime, time


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
