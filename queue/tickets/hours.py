"""When tickets are issued: on the hall's working days, inside its ticketing
hours, and inside a category's own hours where it has them (a leader's
reception day, say). Messages are Chinese first, then English, as the kiosk
shows them."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
ZH_WEEKDAYS = "一二三四五六日"  # 周一 .. 周日, as the pages and slips say them
EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def days_text(days: Iterable[int]) -> tuple[str, str]:
    """Weekdays (0 = Monday) as said in messages: ("一、三、五", "Mon, Wed, Fri"), in week order."""
    ordered = sorted(days)
    return "、".join(ZH_WEEKDAYS[d] for d in ordered), ", ".join(EN_WEEKDAYS[d] for d in ordered)


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
    said = [(*days_text(s.weekdays), f"{s.start:%H:%M}–{s.end:%H:%M}") for s in sessions]
    zh = "；".join(f"每周{days_zh} {hours}" for days_zh, _, hours in said)
    en = "; ".join(f"{days_en} {hours}" for _, days_en, hours in said)
    return f"{name} 取号时间：{zh} / {name_en}: tickets on {en}"


def not_open_today(opening_days: Sequence[int]) -> str:
    """Why an outlet issues no ticket on a working day that is not one of its opening days (0 = Monday)."""
    zh, en = days_text(opening_days)
    return f"本网点今天不开放（每周{zh}开放） / This outlet does not open today (open {en})"


@dataclass(frozen=True)
class Stop:
    """A mobile outlet's published visit of the day: where, and when it serves there."""

    town: str
    start: time
    end: time


def visit_closed(local: datetime, stops: Sequence[Stop]) -> str | None:
    """Why a mobile outlet issues no ticket at `local`: no published visit today, or outside the
    hours of today's visits (the van serves only while it is in the town); None while it is."""
    if not stops:
        return "流动服务车今天没有已公布的服务安排 / The mobile outlet has no published visit today"
    now = local.time()
    if any(s.start <= now < s.end for s in stops):
        return None
    zh = "；".join(f"{s.town} {s.start:%H:%M}–{s.end:%H:%M}" for s in stops)
    en = "; ".join(f"{s.town} {s.start:%H:%M}–{s.end:%H:%M}" for s in stops)
    return f"流动服务今天：{zh} / Today's visits: {en}"


def not_offered(name: str, name_en: str) -> str:
    """Why a category takes no ticket at a mobile outlet whose visits today do not offer it."""
    return f"今天的流动服务不办理{name} / {name_en} is not offered on today's visit"
