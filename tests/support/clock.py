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


class VirtualTime:
    """A monotonic clock whose `sleep` moves time on instead of waiting (the
    announcer's voice channels are paced by sleeps). Concurrent sleepers see
    time move to the latest wake-up asked for: good for one voice channel."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.now += max(0.0, seconds)
        await asyncio.sleep(0)
