"""Time the tests control: FakeClock (injected as Settings.clock) and Shanghai datetimes."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The FakeClock's start: Monday 2026-11-23 10:00 in Shanghai.
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    """A moment in Shanghai (10:00 unless told)."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


class FakeClock:
    """Time the tests set and move; never sleeps."""

    def __init__(self, start: datetime | None = None):
        self.now = (start or START).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, when: datetime) -> None:
        self.now = when.timestamp()
