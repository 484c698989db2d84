"""Helpers of the broker tests (fixtures in conftest.py): private redis-server
processes, a small hall view, and bounded waits on subscriptions."""
from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from pathlib import Path

from onewindow.server.live.hub import Event, Subscription
from onewindow.server.live.projection import HallView

REDIS_URL = "redis://127.0.0.1:6379/0"
HALL = "h"


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as r:
            return bool(r.ping())
    except Exception:  # noqa: BLE001 - any failure: not available
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """A redis-server of a test's own (no persistence: a restart loses everything)."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisProcess":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not redis_answers(self.url):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.02)
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


def hall_view(hall: str = HALL) -> HallView:
    return HallView(hall, "测试大厅", "Test hall", [{"id": f"w{i}", "name": f"{i}号窗口"} for i in range(1, 5)])


async def take(sub: Subscription, n: int, timeout: float = 10) -> list[Event]:
    """The next n events of a subscription; fails on a drop or when they do not come in time."""
    out: list[Event] = []
    async with asyncio.timeout(timeout):
        while len(out) < n:
            ev = await sub.get()
            assert ev is not None, f"subscriber dropped after {len(out)} of {n} events"
            out.append(ev)
    return out


async def until(cond, timeout: float = 10, step: float = 0.01) -> None:
    """Wait (bounded) until cond() is true."""
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(step)


def call(i: int, window: str = "w1") -> tuple[str, dict]:
    return "call", {"ticket": f"A{i:03d}", "window": window, "window_name": f"{window[1:]}号窗口",
                    "category": "general", "at": "2026-11-23T10:00:00+08:00", "count": 1, "lang": "zh"}

