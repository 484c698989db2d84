"""Fixtures of the city tests (issue 17, points 4-6): private redis-server processes on
free ports, and hubs on the Redis broker standing for server processes on several hosts."""
from __future__ import annotations

import pytest
from support.broker import RedisProcess
from support.servers import free_port

from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import Hub


@pytest.fixture
def redis_process(tmp_path):
    """`redis_process(start=True)`: a private redis-server on a free port, stopped after the test."""
    made: list[RedisProcess] = []

    def make(start: bool = True) -> RedisProcess:
        rp = RedisProcess(free_port(), tmp_path)
        made.append(rp)
        return rp.start() if start else rp

    yield make
    for rp in made:
        rp.stop()


@pytest.fixture
async def hubs():
    """`await hubs(url, view, loader=None, **broker_options)`: a started Hub on a RedisBroker with
    the hall view `view` (and `loader` reading it 'from the database'); all stopped after the test."""
    made: list[Hub] = []

    async def make(url: str, view, loader=None, **kw) -> Hub:
        hub = Hub(RedisBroker(url, prefix="ow", **kw))
        hub.add_view(view)
        if loader is not None:
            hub.on_rebuild(view.hall, loader)
        made.append(hub)
        await hub.start()
        return hub

    yield make
    for hub in made:
        await hub.stop()
