"""Appointment slots of one category on one day.

A day the outlet opens (`working`: its opening days on the working-day calendar,
holidays closed, make-up days open; a van's days of published visits; the server
decides, Hall.opens_on) has the hall's hours less lunch, or a van's visit hours
(`hours`), cut into slots of `slot_min`; extended-hours sessions (weekday
sessions, e.g. Thursdays 17:00-19:00) add periods on the days it opens; a dated
session (a holiday appointment session) opens its period on that date whatever
the calendar says. Each slot holds `capacity` bookings, never more than
`share` of what the windows serving the category get through in it, so walk-ins
are never starved."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from onewindow.tickets.hours import days_text


@dataclass(frozen=True, slots=True)
class Session:
    """Extra appointment hours: `day` only (any day, a holiday too), or the working days
    among `weekdays` (0 = Monday). `categories` empty: every category taking appointments."""

    start: time
    end: time
    day: date | None = None
    weekdays: frozenset[int] = frozenset()
    categories: frozenset[str] = frozenset()

    def applies(self, day: date, working: bool, category: str) -> bool:
        if self.categories and category not in self.categories:
            return False
        if self.day is not None:
            return self.day == day
        return working and day.weekday() in self.weekdays


@dataclass(frozen=True, slots=True)
class Rules:
    """One category's appointment rules (config: [halls.categories.appointments])."""

    slot_min: int = 30
    capacity: int = 2
    share: float = 0.5  # of each slot's throughput at most, kept for appointments
    ahead_days: int = 14
    windows: int = 1  # windows serving the category
    service_min: float = 10  # a visitor's mean service time


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int


def slot_capacity(rules: Rules) -> int:
    """The configured capacity, capped by the share of the slot's throughput (windows x slot / service)."""
    throughput = rules.windows * rules.slot_min / rules.service_min
    return max(0, min(rules.capacity, math.floor(rules.share * throughput + 1e-9)))


def periods(day: date, working: bool, open_: time, close: time, lunch: tuple[time, time] | None,
            sessions: Iterable[Session], category: str,
            hours: Sequence[tuple[time, time]] | None = None) -> list[tuple[time, time]]:
    """The day's appointment periods, in order, overlaps merged. `hours`: a van's hours that day
    (its visits offering the category) in place of open to close less lunch."""
    out: list[tuple[time, time]] = []
    if working and hours is not None:
        out += hours
    elif working:
        if lunch and open_ < lunch[0] and lunch[1] < close:
            out += [(open_, lunch[0]), (lunch[1], close)]
        else:
            out.append((open_, close))
    out += [(s.start, s.end) for s in sessions if s.applies(day, working, category)]
    merged: list[tuple[time, time]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def day_slots(day: date, tz: tzinfo, working: bool, open_: time, close: time, lunch: tuple[time, time] | None,
              sessions: Sequence[Session], category: str, rules: Rules,
              hours: Sequence[tuple[time, time]] | None = None) -> list[Slot]:
    """The day's slots; `working`: the outlet opens that day (see the module's docstring)."""
    cap = slot_capacity(rules)
    if cap <= 0:
        return []
    step = timedelta(minutes=rules.slot_min)
    out = []
    for a, b in periods(day, working, open_, close, lunch, sessions, category, hours):
        t, end = datetime.combine(day, a, tz), datetime.combine(day, b, tz)
        while t + step <= end:
            out.append(Slot(t, t + step, cap))
            t += step
    return out


def closed_day(day: date, opening_days: Sequence[int] | None) -> str:
    """Why nothing can be booked on `day`, a day the outlet does not open: a fixed outlet names its
    opening days (0 = Monday), a van (None) has no published visit offering the service then."""
    if opening_days is None:
        return (f"流动服务车 {day.isoformat()} 没有办理此事项的已公布服务 / The mobile outlet has no published "
                f"visit offering this service on {day.isoformat()}")
    zh, en = days_text(opening_days)
    return (f"本网点 {day.isoformat()} 不开放（每周{zh}开放，节假日除外） / "
            f"This outlet does not open on {day.isoformat()} (open {en}, public holidays excepted)")


def bookable_day(day: date, today: date, ahead_days: int) -> bool:
    return today <= day <= today + timedelta(days=ahead_days)


def nearest_free(free: Iterable[Slot], wanted: datetime, n: int = 3) -> list[Slot]:
    """The `n` free slots closest to `wanted`, in time order (the 409 of a full slot)."""
    near = sorted(free, key=lambda s: (abs((s.start - wanted).total_seconds()), s.start))[:n]
    return sorted(near, key=lambda s: s.start)
