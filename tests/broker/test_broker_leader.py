"""One server process does the hall-wide duties (coverage and printer alerts):
the holder of a lease in Redis; when it stops, another takes over."""
from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from support.wait import wait_until_async

from onewindow.server.live.hub import Hub


async def _heartbeats(redis_url: str, prefix: str) -> dict[str, float]:
    """Each process's liveness entry: the time its last heartbeat said it is alive until."""
    async with aioredis.Redis.from_url(redis_url, decode_responses=True) as r:
        return dict(await r.zrange(f"{prefix}:workers", 0, -1, withscores=True))


@pytest.mark.slow  # real heartbeats (every 2 s): ~4 s
async def test_exactly_one_process_leads_and_another_takes_over(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    heard: list[tuple[str, bool]] = []
    a.on_leadership(lambda lead: heard.append(("a", lead)))
    b.on_leadership(lambda lead: heard.append(("b", lead)))
    await wait_until_async(lambda: a.leads or b.leads, timeout=8, what="a leader")
    assert [a.leads, b.leads].count(True) == 1

    # A heartbeat later (each process has renewed its entry, and the leader its lease), still one.
    first = await _heartbeats(redis_url, prefix)
    assert set(first) == {a.broker.origin, b.broker.origin}

    async def both_beat_again() -> bool:
        now = await _heartbeats(redis_url, prefix)
        return set(now) == set(first) and all(now[o] > first[o] for o in first)

    await wait_until_async(both_beat_again, timeout=8, interval=0.05, what="a heartbeat of both processes")
    assert [a.leads, b.leads].count(True) == 1
    leader, other = (a, b) if a.leads else (b, a)

    await leader.stop()  # hands the lease back: the other takes it at its next heartbeat
    await wait_until_async(lambda: other.leads, timeout=5, what="the other process leading")
    assert heard[-1] == ("b" if other is b else "a", True)


async def test_without_a_broker_between_processes_the_one_process_leads():
    hub = Hub()
    await hub.start()
    assert hub.leads
    await hub.stop()
