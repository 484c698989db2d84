"""How long a visitor will wait: people ahead shared among the windows that
can call them, each taking the mean cycle of the tickets they compete with."""
from __future__ import annotations

import math


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
        return math.ceil(max(ahead, 0) * mean_cycle_s + uncovered_penalty_s)
    if open_windows <= 0:
        return math.ceil(max(ahead, 0) * mean_cycle_s)
    if ahead < idle_windows:
        return 0
    return math.ceil((ahead - idle_windows + 0.5) / open_windows * mean_cycle_s)


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


def learned_cycles(current: dict[str, float], today: dict[str, tuple[float, int]],
                   week: dict[str, tuple[float, int]]) -> tuple[dict[str, float], dict[str, int]]:
    """Each category's mean cycle and how many services it rests on: today's
    figure once it rests on a few services, else the past week's, else the
    figure it had (at first the configured guess). `today` and `week` map a
    category to (mean cycle, services logged)."""
    cycles, served = dict(current), {}
    for code in current:
        if code in today and today[code][1] >= 3:
            cycles[code], served[code] = today[code]
        elif code in week:
            cycles[code], served[code] = week[code]
    return cycles, served
