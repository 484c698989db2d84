"""Lunchtime rotation (午间轮岗值班) checked against the coverage invariant.

During lunch only the clerks on the rota are on duty, so a category is served
at a moment exactly when some rota line active then covers a window serving it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from itertools import pairwise

from .posts import Window, index_windows


@dataclass(frozen=True)
class LunchRota:
    """One line of the rota: `clerk` covers `covers` (window ids) over [start, end)."""

    clerk: str
    covers: tuple[str, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Gap:
    """Over [start, end) nobody on the rota serves `category`."""

    category: str
    start: time
    end: time


def check_rota(
    windows: Sequence[Window],
    rota: Iterable[LunchRota],
    categories_needed: Iterable[str],
    start: time,
    end: time,
) -> list[Gap]:
    """Maximal gaps in [start, end), ordered by start then category.

    Raises ValueError for a rota line naming an unknown window or ending before
    it starts, since the rota comes from configuration and should be fixed there.
    """
    by_id = index_windows(windows)
    rota = tuple(rota)
    for line in rota:
        if line.start >= line.end:
            raise ValueError(f"rota line ends before it starts: {line!r}")
        for w in line.covers:
            if w not in by_id:
                raise ValueError(f"rota line covers unknown window {w!r}")
    if start > end:
        raise ValueError("lunch period ends before it starts")

    needed = sorted(set(categories_needed))
    # Who is on duty only changes at rota boundaries, so checking one instant
    # per piece between consecutive boundaries is exact at any time resolution.
    cuts = sorted({start, end} | {t for ln in rota for t in (ln.start, ln.end) if start < t < end})
    open_since: dict[str, time] = {}
    gaps: list[Gap] = []
    for t0, _ in pairwise(cuts):
        served = {
            c
            for ln in rota
            if ln.start <= t0 < ln.end
            for w in ln.covers
            for c in by_id[w].categories
        }
        for cat in needed:
            if cat not in served:
                open_since.setdefault(cat, t0)
            elif cat in open_since:
                gaps.append(Gap(cat, open_since.pop(cat), t0))
    gaps.extend(Gap(cat, since, end) for cat, since in open_since.items())
    return sorted(gaps, key=lambda g: (g.start, g.category))
