"""Bad-rating rates (差评率) per outlet, window and clerk over a period.

The rate is bad ratings (levels 1–2) over all ratings. Above the threshold
(5% over a year, by the outlet rules) the outlet's head is interviewed.
A rating is a mapping with at least `level`; grouping columns as given.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .levels import LEVELS, is_bad

INTERVIEW_THRESHOLD = 0.05


@dataclass(frozen=True, slots=True)
class Rate:
    total: int
    bad: int
    flagged: bool  # above the threshold: interview

    @property
    def rate(self) -> float | None:
        return self.bad / self.total if self.total else None

    def as_dict(self) -> dict:
        return {"total": self.total, "bad": self.bad, "rate": self.rate, "flagged": self.flagged}


def above(bad: int, total: int, threshold: float = INTERVIEW_THRESHOLD) -> bool:
    """bad/total > threshold, exactly (1 of 20 is 5%, not above it)."""
    return total > 0 and Fraction(bad, total) > Fraction(str(threshold))


def bad_rate(ratings: Iterable[Mapping[str, Any]], threshold: float = INTERVIEW_THRESHOLD) -> Rate:
    total = bad = 0
    for r in ratings:
        total += 1
        bad += is_bad(r["level"])
    return Rate(total, bad, above(bad, total, threshold))


def bad_rates(ratings: Iterable[Mapping[str, Any]], key: str | Callable[[Mapping], Hashable],
              threshold: float = INTERVIEW_THRESHOLD) -> dict[Hashable, Rate]:
    """The rate per group (window, clerk, hall ...); ratings without the key are left out."""
    get = (lambda r: r.get(key)) if isinstance(key, str) else key
    groups: dict[Hashable, list] = {}
    for r in ratings:
        k = get(r)
        if k is not None:
            groups.setdefault(k, []).append(r)
    return {k: bad_rate(v, threshold) for k, v in groups.items()}


def level_counts(ratings: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    out = {lv.code: 0 for lv in LEVELS}
    for r in ratings:
        out[r["level"]] += 1
    return out
