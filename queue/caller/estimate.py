"""How long a visitor will wait, and how that is said: one estimate and one
rounding for the kiosk tile, the ticket, the printed slip, the phone and the
console (issue 12, points 2–4). Pure: plain numbers and times in, no clock."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from onewindow.tickets.hours import EN_WEEKDAYS, ZH_WEEKDAYS

# No visitor is assumed to take less than this at a window (seconds), however
# fast the logged services were: a few instant completions must not promise
# six people ahead a wait of one second. The hall file may set another.
MIN_CYCLE_S = 60.0
# Learned rates count as much as the configured guess once this many services
# are logged (weight n / (n + k)); below that the guess dominates.
PRIOR_SAMPLES = 10
# How far ahead `resumes_at` looks for a day the outlet opens (a van may visit once a fortnight).
HORIZON_DAYS = 31
_EN_MONTH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Wait:
    """A category's or a ticket's wait.

    `serving_now` is False when no window serves the category now (all closed,
    away, at lunch, or before opening); `resumes_at` is then the earliest known
    moment service resumes (or None), and `seconds` counts the time until then
    plus the queue after it; `today` the day of the estimate (a resumption on
    another day is said with its date)."""

    seconds: int
    serving_now: bool = True
    resumes_at: datetime | None = None
    today: date | None = None

    @property
    def minutes(self) -> int:
        return wait_minutes(self.seconds)

    def text(self) -> tuple[str, str]:
        return wait_text(self.seconds, self.serving_now, self.resumes_at, self.today)


def estimate_wait_s(ahead: int, open_windows: int, mean_cycle_s: float, idle_windows: int = 0,
                    min_cycle_s: float = MIN_CYCLE_S) -> int:
    """People ahead shared among the windows that can call them, each taking
    a mean call-to-done cycle (of the tickets those windows serve, not just
    this category's), never less than `min_cycle_s`.

    `idle_windows`, open windows with nobody at them, take the first people at
    once; when every window is busy the first in line still waits for one to
    free up: half a cycle shared among the windows, on average. With no window
    open the people ahead go one after another at the first window to open
    (which starts idle): the queue's own length, the time until it opens aside."""
    cycle = max(mean_cycle_s, min_cycle_s, 0.0)
    ahead = max(ahead, 0)
    if open_windows <= 0:
        return math.ceil(ahead * cycle)
    if ahead < idle_windows:
        return 0
    return math.ceil((ahead - idle_windows + 0.5) / open_windows * cycle)


def estimate(ahead: int, open_windows: int, mean_cycle_s: float, idle_windows: int = 0, *,
             now: datetime | None = None, resumes_at: datetime | None = None,
             min_cycle_s: float = MIN_CYCLE_S) -> Wait:
    """The one estimate every page shows. No window serving now: say so, with
    when service resumes (see `resumes_at`), and count the wait from then."""
    queue_s = estimate_wait_s(ahead, open_windows, mean_cycle_s, idle_windows, min_cycle_s)
    if open_windows > 0:
        return Wait(queue_s)
    until = 0
    if resumes_at is not None and now is not None:
        until = max(0, math.ceil((resumes_at - now).total_seconds()))
    return Wait(until + queue_s, serving_now=False, resumes_at=resumes_at,
                today=now.date() if now is not None else None)


# The outlet's service hours on a day, [] on a day it does not open.
DayHours = Callable[[date], Sequence[tuple[time, time]]]


def resumes_at(now: datetime, *, opens: time | None = None, lunch: tuple[time, time] | None = None,
               back_at: list[time] | tuple[time, ...] = (), hours: DayHours | None = None,
               horizon_days: int = HORIZON_DAYS) -> datetime | None:
    """When a category nobody serves now is served again: the earliest still to
    come today of the opening time (before opening), the end of lunch (during
    lunch) and the back-at times of the clerks away from its windows. None
    when nothing says (everyone signed out in the middle of the day).

    `hours(day)`, when given, says when the outlet serves on a day ([(start,
    end), ...]; [] on a day it does not open: not one of its opening days, a
    holiday, a day without a van's visit) and takes the place of `opens`
    (each span's start is an opening). Once the day's service is over, or on
    a day the outlet does not open, service resumes at the first opening of
    the next day it opens (up to `horizon_days` ahead), the days between
    skipped: asked on Friday evening, an outlet open Mon/Wed/Fri says Monday."""
    now_t = now.timetz().replace(tzinfo=None)
    spans: list[tuple[time, time]] = []
    if hours is not None:
        spans = sorted(hours(now.date()))
        if not spans or now_t >= spans[-1][1]:
            return _next_opening(now, hours, horizon_days)
        opens = None
    cands = [t for t in back_at if t > now_t] + [start for start, _ in spans if start > now_t]
    if opens is not None and now_t < opens:
        cands.append(opens)
    if lunch is not None and lunch[0] <= now_t < lunch[1]:
        cands.append(lunch[1])
    if not cands:
        return None
    first = min(cands)
    return now.replace(hour=first.hour, minute=first.minute, second=0, microsecond=0)


def _next_opening(now: datetime, hours: DayHours, horizon_days: int) -> datetime | None:
    """The first opening after `now`'s day on a day the outlet opens, or None within the horizon."""
    for k in range(1, horizon_days + 1):
        day = now.date() + timedelta(days=k)
        spans = hours(day)
        if spans:
            return datetime.combine(day, min(spans)[0], tzinfo=now.tzinfo)
    return None


def wait_minutes(seconds: int) -> int:
    """The one rounding: whole minutes, up (a visitor told 3 minutes should not
    wait 3½); under a minute is 0 ("very soon")."""
    return 0 if seconds < 60 else math.ceil(seconds / 60)


def wait_text(seconds: int, serving_now: bool = True, resumes_at: datetime | None = None,
              today: date | None = None) -> tuple[str, str]:
    """(Chinese, English) as every page and the slip print it; a resumption on a day other
    than `today` is said with its date and weekday."""
    if not serving_now:
        if resumes_at is None:
            return "暂无窗口服务", "No window serving now"
        hm = f"{resumes_at:%H:%M}"
        if today is not None and resumes_at.date() != today:
            d, wd = resumes_at.date(), resumes_at.weekday()
            return (f"暂无窗口服务，{d.month}月{d.day}日（周{ZH_WEEKDAYS[wd]}）{hm} 恢复",
                    f"No window serving now; resumes {EN_WEEKDAYS[wd]} {d.day} {_EN_MONTH[d.month - 1]} at {hm}")
        return f"暂无窗口服务，{hm} 恢复", f"No window serving now; resumes at {hm}"
    minutes = wait_minutes(seconds)
    if minutes == 0:
        return "即将叫号", "very soon"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"约 {minutes} 分钟", f"about {minutes} min"
    if not rest:
        return f"约 {hours} 小时", f"about {hours} h"
    return f"约 {hours} 小时 {rest} 分钟", f"about {hours} h {rest} min"


def blend_cycle_s(guess_s: float, learned_s: float, n: int, prior_samples: int = PRIOR_SAMPLES) -> float:
    """The learned mean weighted n / (n + k) against the configured guess."""
    if n <= 0:
        return guess_s
    w = n / (n + max(prior_samples, 0))
    return w * learned_s + (1 - w) * guess_s


def pool_cycle_s(pools: dict[str, tuple[str, ...]], cycle_s: dict[str, float],
                 served: dict[str, int]) -> dict[str, float]:
    """Per category, the mean cycle of the tickets it competes with: the
    people ahead of a visitor come from every category of the pool, in the
    mix the hall has been serving; with too few services logged, each
    category counts the same."""
    out = {}
    for cat, pool in pools.items():
        n = sum(served.get(c, 0) for c in pool)
        if n >= 3:
            out[cat] = sum(cycle_s[c] * served.get(c, 0) for c in pool) / n
        elif pool:
            out[cat] = sum(cycle_s[c] for c in pool) / len(pool)
        else:  # no window serves it: nothing competes, its own figure stands
            out[cat] = cycle_s[cat]
    return out


def learned_cycles(guess: dict[str, float], today: dict[str, tuple[float, int]],
                   week: dict[str, tuple[float, int]],
                   prior_samples: int = PRIOR_SAMPLES) -> tuple[dict[str, float], dict[str, int]]:
    """Each category's mean cycle and how many services it rests on: today's
    logs once they are as many as `prior_samples`, else the past week's (which
    include today's), blended with the configured `guess` by n / (n + k), so
    three instant completions move the figure a little, not all the way.
    `today` and `week` map a category to (mean cycle, services logged)."""
    cycles, served = dict(guess), {}
    for code in guess:
        t = today.get(code)
        src = t if t is not None and t[1] >= max(prior_samples, 1) else week.get(code, t)
        if src is not None and src[1] > 0:
            cycles[code] = blend_cycle_s(guess[code], src[0], src[1], prior_samples)
            served[code] = src[1]
    return cycles, served
