"""The Redis broker's fixtures: the real Redis on 127.0.0.1:6379 under a key
prefix of each test's own (deleted afterwards), private redis-server
processes on free ports (outages and restarts), and hubs that play the part
of server processes. Helpers live in support.broker."""
from __future__ import annotations

import secrets

import pytest
from support.broker import REDIS_URL, RedisProcess, hall_view, require_redis
from support.servers import free_port

from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import Hub


@pytest.fixture
def redis_url() -> str:
    require_redis()
    return REDIS_URL


@pytest.fixture
def prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    p = f"owtest:{secrets.token_hex(6)}"
    yield p
    with redis.Redis.from_url(redis_url) as r:
        keys = list(r.scan_iter(match=f"{p}:*", count=1000))
        if keys:
            r.delete(*keys)


@pytest.fixture
def redis_process(tmp_path):
    """`redis_process(port=None, start=True)`: a private redis-server, stopped after the test."""
    made: list[RedisProcess] = []

    def make(port: int | None = None, start: bool = True) -> RedisProcess:
        rp = RedisProcess(port or free_port(), tmp_path)
        made.append(rp)
        return rp.start() if start else rp

    yield make
    for rp in made:
        rp.stop()


@pytest.fixture
async def hubs():
    """`await hubs(url, prefix, view=True, **broker_options)`: a started Hub on a RedisBroker,
    standing for one server process; all are stopped after the test."""
    made: list[Hub] = []

    async def make(url: str, prefix: str, view: bool = True, **kw) -> Hub:
        hub = Hub(RedisBroker(url, prefix=prefix, **kw))
        if view:
            hub.add_view(hall_view())
        made.append(hub)
        await hub.start()
        return hub

    yield make
    for hub in made:
        await hub.stop()
