"""The yearly thresholds of the outlet rules (000), judged over the period the
rule names, whatever period a report shows:

- a bad-rating rate above 5% *over a year* has the outlet's head interviewed;
- an outlet (the hall, all its windows together) below 30% utilisation
  *over a year* is to be merged; one idle window is not an idle outlet.

Both are judged over the year to date: from January 1 (or the outlet's first
day, if it opened later) to the report's last day. The server sums the rows
(counts per level, serving seconds); these functions only judge.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .levels import is_bad
from .rates import Rate, above


def year_to_date(last: date, first_day: date | None = None) -> tuple[date, date]:
    """January 1 of `last`'s year (or the outlet's first day, when later) .. `last`."""
    start = date(last.year, 1, 1)
    if first_day is not None and start < first_day <= last:
        start = first_day
    return start, last


def rate_of_levels(counts: Mapping[int, int], threshold: float) -> Rate:
    """The bad-rating rate from ratings counted per level."""
    total = sum(counts.values())
    bad = sum(n for code, n in counts.items() if is_bad(code))
    return Rate(total, bad, above(bad, total, threshold))


@dataclass(frozen=True, slots=True)
class OutletUse:
    busy_s: float  # serving time of all its windows
    open_s: float  # the outlet's open time x its windows
    share: float | None
    flagged: bool  # below the threshold: to be merged

    def as_dict(self) -> dict:
        return {"busy_s": self.busy_s, "open_s": self.open_s, "share": self.share, "flagged": self.flagged}


def outlet_utilisation(busy_s: float, open_s_per_window: float, windows: int, threshold: float) -> OutletUse:
    """Serving time of all windows / (open time x windows); below `threshold` flagged."""
    capacity = open_s_per_window * windows
    share = min(busy_s / capacity, 1.0) if capacity > 0 else None
    return OutletUse(busy_s, capacity, share, share is not None and share < threshold)
