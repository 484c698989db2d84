"""Benchmark of the Redis broker (queue/server/live/broker.py): two hubs in one
process stand for two server processes on the Redis at 127.0.0.1:6379.

    .venv/bin/python bench/broker_bench.py [--events 19000] [--pings 2000]

- throughput: hub A publishes `--events` calls as fast as it can; the time
  until hub B has delivered the last one (both hubs number, read and apply
  every event, so this is the work of two processes on one core);
- latency: one call at a time, from `publish` on A to delivery on B.
Keys live under a prefix of the run's own and are deleted afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time

import redis

from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import Hub
from onewindow.server.live.projection import HallView

URL = "redis://127.0.0.1:6379/0"
HALL = "bench"


async def _pair(prefix: str) -> tuple[Hub, Hub]:
    hubs = []
    for _ in range(2):
        hub = Hub(RedisBroker(URL, prefix=prefix))
        hub.add_view(HallView(HALL, "大厅", "Hall", [{"id": "w1", "name": "1号窗口"}]))
        await hub.start()
        hubs.append(hub)
    return hubs[0], hubs[1]


def _call(i: int, **extra) -> dict:
    return {"ticket": f"A{i:05d}", "window": "w1", "window_name": "1号窗口", "category": "general",
            "at": "2026-11-23T10:00:00+08:00", "count": 1, **extra}


async def throughput(prefix: str, n: int) -> float:
    a, b = await _pair(prefix)
    sub, _ = b.subscribe(HALL)

    async def consume() -> None:
        for _ in range(n):
            assert await sub.get() is not None, "the subscriber fell behind"

    t0 = time.perf_counter()
    done = asyncio.create_task(consume())
    for i in range(n):
        a.publish(HALL, "call", _call(i))
        if i % 100 == 0:
            await asyncio.sleep(0)
    await asyncio.wait_for(done, 300)
    rate = n / (time.perf_counter() - t0)
    await a.stop()
    await b.stop()
    return rate


async def latency(prefix: str, n: int) -> tuple[float, float]:
    a, b = await _pair(prefix)
    sub, _ = b.subscribe(HALL)
    lags = []
    for i in range(n):
        a.publish(HALL, "call", _call(i, t=time.perf_counter()))
        ev = await asyncio.wait_for(sub.get(), 5)
        lags.append(time.perf_counter() - ev.data["t"])
        await asyncio.sleep(0.002)
    await a.stop()
    await b.stop()
    lags.sort()
    return statistics.median(lags), lags[int(n * 0.99) - 1]


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=19_000)
    p.add_argument("--pings", type=int, default=2_000)
    args = p.parse_args()
    prefixes = [f"owbench:{secrets.token_hex(4)}" for _ in range(2)]
    try:
        rate = await throughput(prefixes[0], args.events)
        p50, p99 = await latency(prefixes[1], args.pings)
    finally:
        with redis.Redis.from_url(URL) as r:
            for prefix in prefixes:
                keys = list(r.scan_iter(match=f"{prefix}:*"))
                if keys:
                    r.delete(*keys)
    print(f"throughput: {rate:,.0f} events/s published on A and delivered on A and B")
    print(f"latency publish on A -> delivered on B: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
