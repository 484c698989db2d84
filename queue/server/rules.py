"""The queue's rules as plain functions: who is called next, which state
changes are allowed, what a service day is, how long a wait will be.
No I/O here; the store feeds these with rows and a clock reading.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, PARKED = (
    "waiting", "called", "serving", "done", "no_show", "cancelled", "parked",
)
STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, PARKED)
PRIORITY = {"normal": 0, "priority": 1}

# action -> the statuses it may start from
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "call": (WAITING,),
    "recall": (CALLED,),
    "start": (CALLED,),
    "complete": (SERVING, CALLED),
    "no_show": (CALLED,),
    "transfer": (CALLED, SERVING),
    "park": (CALLED, SERVING),
    "resume": (PARKED,),
    "reactivate": (NO_SHOW,),
    "cancel": (WAITING,),
}


class RuleViolation(Exception):
    """An action the ticket's state does not allow (409 at the API)."""


def check_action(action: str, status: str) -> None:
    if status not in ALLOWED_FROM[action]:
        raise RuleViolation(f"cannot {action.replace('_', '-')} a ticket that is {status}")


@dataclass(frozen=True, slots=True)
class Head:
    """The first waiting ticket of one category and priority class."""

    ticket_id: int
    category: str
    priority: int
    arrived_at: float


def effective_class(head: Head, now: float, starvation_limit_s: float) -> int:
    """Priority tickets go first, but a normal ticket that has waited past the
    limit counts as priority too, so a stream of priority tickets never starves it."""
    if head.priority > 0 or now - head.arrived_at >= starvation_limit_s:
        return 1
    return 0


def choose_next(
    heads: list[Head], categories: list[str], mode: str, now: float, starvation_limit_s: float
) -> Head | None:
    """One-window calling: among the window's categories, the highest class
    first; then (fifo) the longest waiting, or (ordered) the window's category
    order and then the longest waiting."""
    rank = {c: i for i, c in enumerate(categories)}
    candidates = [h for h in heads if h.category in rank]
    if not candidates:
        return None

    def key(h: Head):
        cls = -effective_class(h, now, starvation_limit_s)
        if mode == "ordered":
            return (cls, rank[h.category], h.arrived_at, h.ticket_id)
        return (cls, h.arrived_at, h.ticket_id)

    return min(candidates, key=key)


def service_day(now: float, tz: ZoneInfo) -> str:
    """The hall's calendar date at `now`: numbers restart when it changes."""
    return _day_at_second(math.floor(now), tz)  # dates change on whole seconds in every zone


# Per whole second: under load, every request of the same second asks again.
@functools.lru_cache(maxsize=256)
def _day_at_second(second: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(second, tz).date().isoformat()


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def estimate_wait_s(ahead: int, open_windows: int, mean_cycle_s: float, uncovered_penalty_s: float = 0,
                    idle_windows: int = 0) -> int:
    """People ahead shared among the windows that can call them, each taking
    a mean call-to-done cycle (of the tickets those windows serve, not just
    this category's). With no window open the wait is counted as if one were
    (the longest honest figure short of 'unknown').

    `idle_windows`, open windows with nobody at them, take the first people at
    once; when every window is busy the first in line still waits for one to
    free up: half a cycle shared among the windows, on average.

    `uncovered_penalty_s` is for a category left uncovered while the hall is
    staffed (the coverage invariant broken: nobody present serves it): with no
    window open the estimate is then that single-window figure plus the
    penalty (the time for a covering clerk to come back or be reassigned), so
    even the first in line is told to expect a wait."""
    if open_windows <= 0 and uncovered_penalty_s > 0:
        return int(math.ceil(max(ahead, 0) * mean_cycle_s + uncovered_penalty_s))
    if open_windows <= 0:
        return int(math.ceil(max(ahead, 0) * mean_cycle_s))
    if ahead < idle_windows:
        return 0
    return int(math.ceil((ahead - idle_windows + 0.5) / open_windows * mean_cycle_s))


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


def iso(ts: float | None, tz: ZoneInfo) -> str | None:
    """Local time to the second, as the API shows every time."""
    if ts is None:
        return None
    # fromtimestamp rounds to the microsecond before isoformat drops the fraction.
    return _iso_at_second(math.floor(ts + 5e-7), tz)


@functools.lru_cache(maxsize=1024)
def _iso_at_second(second: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(second, tz).isoformat()


def utc_now() -> float:
    """Seconds since the epoch (UTC): the clock every rule takes."""
    return time.time()
