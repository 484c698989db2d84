"""A process's live view is rebuilt from the database when events were lost to the views
(issue 17, point 4): its outbox overflowed while Redis was away, Redis was away long, or
another process died with events it had not sent yet. Here "the database" is a hall view
that every event is applied to at once (as a commit precedes its event), read by the loader
the hall service registers with the hub in a real server."""
from __future__ import annotations

import asyncio

import redis
from support.broker import HALL, call, hall_view
from support.clock import FakeClock
from support.wait import wait_until_async as until

from onewindow.server.live import broker as broker_mod
from onewindow.server.live.hub import Event, _essential

FAST = {"start_timeout_s": 0.5, "block_ms": 200}


class Database:
    """What the hall's tables say: every change is here before its event is published."""

    def __init__(self) -> None:
        self.view = hall_view()
        self.reads = 0

    def commit(self, hub, type_: str, data: dict) -> None:
        self.view.apply(Event(HALL, type_, dict(data), self.view.seq + 1, self.view.public_seq + 1))
        hub.publish(HALL, type_, data)

    async def load(self) -> dict:
        self.reads += 1
        return self.view.state()


def _same(hub, db: Database) -> bool:
    return _essential(hub.views[HALL].state()) == _essential(db.view.state())


async def test_an_overflowed_outbox_is_made_good_from_the_database(redis_process, hubs):
    rp = redis_process()
    db = Database()
    a = await hubs(rp.url, hall_view(), db.load, outbox_max=50, **FAST)
    b = await hubs(rp.url, hall_view(), db.load, **FAST)
    sb, _ = b.subscribe(HALL)
    await asyncio.to_thread(rp.stop)
    # 30 tickets join the queue, then 50 calls: the outbox (50) keeps the calls, drops the tickets.
    for _ in range(30):
        db.commit(a, "queue", {"delta": {"general": 1}})
    for i in range(1, 51):
        db.commit(a, *call(i, f"w{i % 4 + 1}"))
    assert a.broker.outbox_size == 50 and a.broker.dropped_total == {HALL: 30}
    await asyncio.to_thread(rp.start)

    await until(lambda: _same(a, db) and _same(b, db), timeout=30, what="both views equal to the database")
    assert a.views[HALL].waiting == b.views[HALL].waiting == {"general": 30}
    assert a.views[HALL].state() == b.views[HALL].state()
    assert a.rebuilds == b.rebuilds >= 1, "rebuild events, applied by every process"
    # B's subscriber saw calls from a view that lacked the tickets: it takes a fresh snapshot.
    async with asyncio.timeout(20):
        while (ev := await sb.get()) is not None:
            assert ev.type == "call"
    _, snap = b.subscribe(HALL)
    assert snap["waiting"] == {"general": 30}
    assert {w["window"]: w["number"] for w in snap["windows"]} == {"w1": "A048", "w2": "A049", "w3": "A050",
                                                                     "w4": "A047"}


def _away_keeping_data(rp) -> None:
    """Redis goes away and comes back holding what it held (SHUTDOWN SAVE, then the restart loads
    it), as across a network outage: one that comes back empty rebuilds anyway, "redis lost its data"."""
    with redis.Redis.from_url(rp.url) as r:
        r.shutdown(save=True)
    rp.stop()


async def test_a_long_outage_rebuilds_every_hall(redis_process, hubs, monkeypatch):
    rp = redis_process()
    db = Database()
    clock = FakeClock()  # how long Redis is away, for the broker
    a = await hubs(rp.url, hall_view(), db.load, rebuild_after_s=60, clock=clock, **FAST)
    asked: list[str] = []  # why the broker asked for a rebuild
    rebuild = a.rebuild
    monkeypatch.setattr(a, "rebuild", lambda hall, why: (asked.append(why), rebuild(hall, why)))
    db.commit(a, *call(1))
    await until(lambda: _same(a, db))

    async def outage(seconds: float) -> None:
        await asyncio.to_thread(_away_keeping_data, rp)
        await until(lambda: a.broker.stats()["up"] is False, timeout=10)
        clock.advance(seconds)
        await asyncio.to_thread(rp.start)
        await until(lambda: a.broker.stats()["up"], timeout=30, what="redis answering again")

    # Meanwhile another process (on a machine whose Redis link is gone for good) served w2.
    db.view.apply(Event(HALL, "call", dict(call(2, "w2")[1]), db.view.seq + 1, db.view.public_seq + 1))
    await outage(59)  # shorter than rebuild_after_s: nothing is read from the database
    assert asked == [] and a.views[HALL].windows["w2"]["number"] is None
    await outage(60)
    await until(lambda: _same(a, db), timeout=30, what="the view rebuilt after the long outage")
    assert asked == ["redis was away 60 s"]
    assert a.views[HALL].windows["w2"]["number"] == "A002"


async def test_a_dead_process_s_unsent_events_are_made_good(redis_process, hubs, monkeypatch):
    monkeypatch.setattr(broker_mod, "ALIVE_MS", 1500)
    monkeypatch.setattr(broker_mod, "HEARTBEAT_S", 0.2)
    rp = redis_process()
    db = Database()
    a = await hubs(rp.url, hall_view(), db.load, **FAST)
    b = await hubs(rp.url, hall_view(), db.load, **FAST)
    db.commit(a, *call(1))
    await until(lambda: _same(a, db) and _same(b, db))

    # A's sender hangs (its link to Redis is gone), A acknowledges two more calls, then dies:
    # its tasks end and it never leaves Redis's list of the living.
    hang = asyncio.Event()
    sending: list[list] = []  # the batches A's sender took

    async def hung(*args, **kw):
        sending.append(kw["args"])
        await hang.wait()

    a.broker._publish_script = hung
    db.commit(a, *call(2, "w2"))
    db.commit(a, *call(3, "w3"))
    await until(lambda: sending and a.broker.outbox_size == 2, what="A's sender hanging on calls 2 and 3")
    a.broker._closing = True
    for t in a.broker._tasks:
        t.cancel()
    await asyncio.gather(*a.broker._tasks, return_exceptions=True)
    a.broker._tasks.clear()
    clients, a.broker._r, a.broker._rr = (a.broker._r, a.broker._rr), None, None  # so stop() does not leave
    for c in clients:
        await c.aclose()

    await until(lambda: _same(b, db), timeout=20, what="B's view made good from the database")
    assert [b.views[HALL].windows[w]["number"] for w in ("w1", "w2", "w3")] == ["A001", "A002", "A003"]
    assert db.reads >= 1
