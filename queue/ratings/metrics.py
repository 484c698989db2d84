"""The hall's figures as pure functions over plain ticket rows.

A row is a mapping with the ticket table's columns: `issued_at`, `called_at`,
`started_at`, `finished_at` (epoch seconds or None), `wait_s` (issue → first
call), `walk_s` (call → start), `service_s` (start → done), `window_id`,
`clerk`, `category`, `status`. Nothing here reads a clock or a database.

Definitions (the reports print them):
- mean and 90th percentile: over the tickets that have the figure; the
  percentile is the nearest rank (the smallest value with at least 90% of the
  values at or below it), so it is always a wait someone really had;
- service level: of the tickets called, the share whose wait was within the
  category's target; given `now`, a ticket still waiting past its target
  counts as a miss too;
- per interval: arrivals by issue time, waits by the time the ticket was called;
- utilisation: time a window was serving (start → done, overlaps counted
  once) inside the hall's open hours, divided by those open hours.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

Row = Mapping[str, Any]
Interval = tuple[float, float]
TIMINGS = {"wait": "wait_s", "walk": "walk_s", "service": "service_s"}


@dataclass(frozen=True, slots=True)
class Stat:
    n: int
    mean: float | None
    p90: float | None

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "p90": self.p90}


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (0 < q <= 100); None for no values."""
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], got {q}")
    ordered = sorted(values)
    if not ordered:
        return None
    # The rank is computed in integers: q * n / 100 rounded up.
    rank = max(1, -(-round(q * 1000) * len(ordered) // 100_000))
    return ordered[rank - 1]


def stat(values: Iterable[float]) -> Stat:
    vals = list(values)
    if not vals:
        return Stat(0, None, None)
    return Stat(len(vals), math.fsum(vals) / len(vals), percentile(vals, 90))


def timings(rows: Iterable[Row]) -> dict[str, Stat]:
    rows = list(rows)
    return {name: stat(r[col] for r in rows if r.get(col) is not None) for name, col in TIMINGS.items()}


@dataclass(frozen=True, slots=True)
class Level:
    """Service level: `met` of `total` within the target."""

    met: int
    total: int

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None

    def as_dict(self) -> dict:
        return {"met": self.met, "total": self.total, "share": self.share}


def service_level(rows: Iterable[Row], target_s: Mapping[str, float], now: float | None = None) -> Level:
    met = total = 0
    for r in rows:
        target = target_s.get(r["category"])
        if target is None:
            continue
        if r.get("wait_s") is not None:
            total += 1
            met += r["wait_s"] <= target
        elif now is not None and r.get("status") == "waiting" and now - r["issued_at"] > target:
            total += 1
    return Level(met, total)


def counts(rows: Iterable[Row]) -> dict[str, int]:
    out = {"issued": 0, "served": 0, "no_show": 0, "cancelled": 0, "waiting": 0, "in_service": 0}
    for r in rows:
        out["issued"] += 1
        s = r.get("status")
        if s == "done":
            out["served"] += 1
        elif s == "no_show":
            out["no_show"] += 1
        elif s == "cancelled":
            out["cancelled"] += 1
        elif s == "waiting":
            out["waiting"] += 1
        elif s in ("called", "serving", "parked"):
            out["in_service"] += 1
    return out


def figures(rows: Iterable[Row], target_s: Mapping[str, float], now: float | None = None) -> dict:
    """Counts, mean and p90 of wait/walk/service, and the service level of a set of tickets."""
    rows = list(rows)
    t = timings(rows)
    return {**counts(rows), **{k: v.as_dict() for k, v in t.items()},
            "service_level": service_level(rows, target_s, now).as_dict()}


def group(rows: Iterable[Row], key: str | Callable[[Row], Hashable]) -> dict[Hashable, list[Row]]:
    """Rows by a column (or a function of the row); rows whose key is None are left out."""
    get = (lambda r: r.get(key)) if isinstance(key, str) else key
    out: dict[Hashable, list[Row]] = {}
    for r in rows:
        k = get(r)
        if k is not None:
            out.setdefault(k, []).append(r)
    return out


def figures_by(rows: Iterable[Row], key: str | Callable[[Row], Hashable], target_s: Mapping[str, float],
               now: float | None = None) -> dict[Hashable, dict]:
    return {k: figures(v, target_s, now) for k, v in group(rows, key).items()}


# ----- over the day ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bucket:
    start: float
    arrivals: int
    called: int
    wait_mean: float | None
    wait_max: float | None

    def as_dict(self) -> dict:
        return {"start": self.start, "arrivals": self.arrivals, "called": self.called,
                "wait_mean": self.wait_mean, "wait_max": self.wait_max}


def per_interval(rows: Iterable[Row], start: float, end: float, step: float = 900) -> list[Bucket]:
    """Arrivals (by issue time) and waits (by call time) in [start, end) cut into `step`s."""
    if step <= 0:
        raise ValueError("step must be positive")
    n = max(0, math.ceil((end - start) / step))
    arrivals = [0] * n
    waits: list[list[float]] = [[] for _ in range(n)]
    for r in rows:
        i = _slot(r.get("issued_at"), start, end, step)
        if i is not None:
            arrivals[i] += 1
        if r.get("wait_s") is not None:
            j = _slot(r.get("called_at"), start, end, step)
            if j is not None:
                waits[j].append(r["wait_s"])
    return [Bucket(start + i * step, arrivals[i], len(waits[i]),
                   math.fsum(waits[i]) / len(waits[i]) if waits[i] else None,
                   max(waits[i]) if waits[i] else None) for i in range(n)]


def _slot(at: float | None, start: float, end: float, step: float) -> int | None:
    if at is None or not start <= at < end:
        return None
    return int((at - start) // step)


# ----- utilisation -----------------------------------------------------------------

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same time; empty ones dropped."""
    out: list[list[float]] = []
    for a, b in sorted((a, b) for a, b in intervals if b > a):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def length(intervals: Iterable[Interval]) -> float:
    return math.fsum(b - a for a, b in merge(intervals))


def overlap(xs: Iterable[Interval], ys: Iterable[Interval]) -> float:
    """Time covered by both sets of intervals (each set's overlaps counted once)."""
    a, b = merge(xs), merge(ys)
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def open_intervals(days: Iterable[date], opens: time, closes: time, tz: tzinfo,
                   until: float | None = None) -> list[Interval]:
    """The hall's open hours on each of `days`, cut off at `until` (now, for today)."""
    out = []
    for d in days:
        a = datetime.combine(d, opens, tz).timestamp()
        b = datetime.combine(d, closes, tz).timestamp()
        if until is not None:
            b = min(b, until)
        if b > a:
            out.append((a, b))
    return out


@dataclass(frozen=True, slots=True)
class Utilisation:
    busy_s: float
    open_s: float
    share: float | None
    flagged: bool

    def as_dict(self) -> dict:
        return {"busy_s": self.busy_s, "open_s": self.open_s, "share": self.share, "flagged": self.flagged}


def serving_intervals(rows: Iterable[Row]) -> dict[str, list[Interval]]:
    out: dict[str, list[Interval]] = {}
    for r in rows:
        if r.get("window_id") and r.get("started_at") is not None and r.get("finished_at") is not None:
            out.setdefault(r["window_id"], []).append((r["started_at"], r["finished_at"]))
    return out


def utilisation(rows: Iterable[Row], windows: Sequence[str], open_hours: Sequence[Interval],
                threshold: float = 0.30) -> dict[str, Utilisation]:
    """Per window: serving time within open hours / open hours; below `threshold` is flagged."""
    busy = serving_intervals(rows)
    open_s = length(open_hours)
    out = {}
    for w in windows:
        b = overlap(busy.get(w, ()), open_hours)
        share = b / open_s if open_s > 0 else None
        out[w] = Utilisation(b, open_s, share, share is not None and share < threshold)
    return out
