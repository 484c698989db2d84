"""Rate limits in memory: token buckets per key, O(1) a request, bounded in size.

Remote tickets (no paired kiosk) are held per client address and per
category ([halls.limits]); pairing attempts per client address. Each server
process keeps its own buckets: with N processes a client gets at most N times
the figure, which still stops a script.
"""
from __future__ import annotations

from onewindow.server.config.halls import Limits
from onewindow.server.errors import TooManyRequests


class TokenBuckets:
    """`capacity` requests at once, then `per_s` a second, per key. The least
    recently used keys are forgotten beyond `max_keys` (a forgotten key starts full)."""

    def __init__(self, capacity: float, per_s: float, max_keys: int = 10_000):
        self.capacity = float(capacity)
        self.per_s = per_s
        self.max_keys = max_keys
        self._b: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def level(self, key: str, now: float) -> float:
        tokens, at = self._b.get(key, (self.capacity, now))
        return min(self.capacity, tokens + max(0.0, now - at) * self.per_s)

    def wait_s(self, key: str, now: float) -> float:
        """0 when a request may go now; else the seconds until it may."""
        level = self.level(key, now)
        return 0.0 if level >= 1 else (1 - level) / self.per_s

    def take(self, key: str, now: float) -> None:
        level = self.level(key, now)
        self._b.pop(key, None)  # re-inserted last: the dict's order is the recency order
        self._b[key] = (level - 1, now)
        if len(self._b) > self.max_keys:
            del self._b[next(iter(self._b))]

    def __len__(self) -> int:
        return len(self._b)


class RemoteLimits:
    """A hall's limits on remote tickets: per client address and per category."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.clients = TokenBuckets(limits.remote_client_burst, limits.remote_per_client_per_hour / 3600)
        self.categories = TokenBuckets(limits.remote_per_category_per_minute,
                                       limits.remote_per_category_per_minute / 60)

    def check(self, category: str, client: str, now: float) -> None:
        """Count one remote ticket, or raise TooManyRequests (nothing counted) with the wait."""
        wait_client = self.clients.wait_s(client, now)
        wait_cat = self.categories.wait_s(category, now)
        if wait_client or wait_cat:
            raise TooManyRequests(
                "取号过于频繁，请稍后再试，或到大厅取号机取号 / "
                "too many remote tickets; try again later or take one at the hall's kiosk",
                retry_after=max(wait_client, wait_cat), limit="client" if wait_client >= wait_cat else "category")
        self.clients.take(client, now)
        self.categories.take(category, now)

    def remote_cap(self, daily_cap: int) -> int | None:
        """How many of a category's daily_cap remote tickets may take (None: no cap)."""
        if not daily_cap:
            return None
        return int(daily_cap * self.limits.remote_share)
