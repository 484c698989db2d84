"""When a message may go: quiet hours, the per-recipient daily limit, retries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

# Seconds to wait after the n-th failed try (1-based); the last figure repeats.
BACKOFF_S = (5, 15, 30, 60, 120, 300, 600)


def backoff_s(tries: int, key: int = 0) -> float:
    """The wait after `tries` failed tries, spread by up to 20 % with a fixed `key` (the message id)
    so messages failing together do not all come back in the same second."""
    base = BACKOFF_S[min(max(tries, 1), len(BACKOFF_S)) - 1]
    return base * (1 + (key * 2654435761 % 1000) / 5000)


def over_daily_limit(sent_today: int, limit: int) -> bool:
    """`limit` 0: no limit."""
    return limit > 0 and sent_today >= limit


@dataclass(frozen=True)
class QuietHours:
    """No message goes out from `start` to `end` (hall time; may wrap midnight); start == end: never quiet."""

    start: time
    end: time

    def quiet(self, at: datetime) -> bool:
        t = at.timetz().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def next_allowed(self, at: datetime) -> datetime:
        """`at` itself outside quiet hours, else the end of this quiet spell (same zone as `at`)."""
        if not self.quiet(at):
            return at
        end = at.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= at:
            end = (at + timedelta(days=1)).replace(hour=self.end.hour, minute=self.end.minute, second=0,
                                                   microsecond=0)
        return end
