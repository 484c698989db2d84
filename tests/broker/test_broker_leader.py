"""One server process does the hall-wide duties (coverage and printer alerts):
the holder of a lease in Redis; when it stops, another takes over."""
from __future__ import annotations

import asyncio

from onewindow.server.live.hub import Hub


async def _until(check, timeout: float = 8.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


async def test_exactly_one_process_leads_and_another_takes_over(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    heard: list[tuple[str, bool]] = []
    a.on_leadership(lambda lead: heard.append(("a", lead)))
    b.on_leadership(lambda lead: heard.append(("b", lead)))
    await _until(lambda: a.leads or b.leads)
    await asyncio.sleep(2.5)  # a heartbeat later, still one
    assert [a.leads, b.leads].count(True) == 1
    leader, other = (a, b) if a.leads else (b, a)

    await leader.stop()  # hands the lease back: the other takes it at its next heartbeat
    await _until(lambda: other.leads, timeout=5)
    assert heard[-1] == ("b" if other is b else "a", True)


async def test_without_a_broker_between_processes_the_one_process_leads():
    hub = Hub()
    await hub.start()
    assert hub.leads
    await hub.stop()
