"""Redis for the broker tests: the shared server on 127.0.0.1:6379, private
redis-server processes on free ports (outages and restarts), a small hall view,
and reading a hub's subscription with a deadline."""
from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from support.wait import wait_until

REDIS_URL = "redis://127.0.0.1:6379/0"
HALL = "h"


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as r:
            return bool(r.ping())
    except Exception:
        return False


def require_redis(url: str = REDIS_URL) -> None:
    """Skip the test when Redis does not answer (fail it on CI, where it must)."""
    if not redis_answers(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not answering at {url}")
        pytest.skip(f"Redis is not answering at {url}")


class RedisProcess:
    """A redis-server of a test's own (no persistence: a restart loses everything)."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"redis-server on port {self.port} exited with {self.proc.returncode}")
        return redis_answers(self.url)

    def start(self) -> RedisProcess:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def hall_view(hall: str = HALL):
    from onewindow.server.live.projection import HallView

    return HallView(hall, "测试大厅", "Test hall", [{"id": f"w{i}", "name": f"{i}号窗口"} for i in range(1, 5)])


async def take(sub, n: int, timeout: float = 10) -> list:
    """The next n events of a hub Subscription; fails on a drop or when they do not come in time."""
    out: list = []
    async with asyncio.timeout(timeout):
        while len(out) < n:
            ev = await sub.get()
            assert ev is not None, f"subscriber dropped after {len(out)} of {n} events"
            out.append(ev)
    return out


def call(i: int, window: str = "w1") -> tuple[str, dict]:
    """A `call` event's type and data, for hub.publish(HALL, *call(i))."""
    return "call", {"ticket": f"A{i:03d}", "window": window, "window_name": f"{window[1:]}号窗口",
                    "category": "general", "at": "2026-11-23T10:00:00+08:00", "count": 1, "lang": "zh"}
