"""Redis away or restarted: publishing never waits, events are kept in order
and go out once Redis answers, and no subscriber ever sees seq go back."""
from __future__ import annotations

import asyncio
import inspect
import logging
from types import SimpleNamespace

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from support.broker import HALL, call, take
from support.servers import free_port
from support.wait import wait_until_async as until

from onewindow.server.live.hub import Event, Hub, Subscription

FAST = {"start_timeout_s": 0.5, "block_ms": 200}


def _unreachable_logs(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "onewindow.broker" and "unreachable" in r.getMessage()]


def _count_scripts(monkeypatch) -> dict[str, int]:
    """Counts the brokers' script calls (joins, heartbeats, publishes): their tries to reach Redis."""
    tries = {"n": 0}
    evalsha = aioredis.Redis.evalsha

    def counted(self, *args, **kw):
        tries["n"] += 1
        return evalsha(self, *args, **kw)

    monkeypatch.setattr(aioredis.Redis, "evalsha", counted)
    return tries


async def test_publish_never_waits_while_redis_is_down_and_recovers(redis_process, hubs, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="onewindow.broker")
    tries = _count_scripts(monkeypatch)
    rp = redis_process(free_port(), start=False)  # nothing listens on this port yet
    async with asyncio.timeout(10):  # start waits for Redis only a moment (start_timeout_s), then serves
        hub = await hubs(rp.url, "ow", **FAST)
    assert any("did not answer within" in r.getMessage() for r in caplog.records)
    sub, snap = hub.subscribe(HALL)
    assert snap["seq"] == 0

    # publish is no coroutine and only queues the event (how fast it is: bench/broker_bench.py).
    assert not inspect.iscoroutinefunction(hub.publish)
    for i in range(1, 501):
        hub.publish(HALL, *call(i))
        assert hub.broker.outbox_size == i
    # The broker goes on trying meanwhile: a try after the publishes failed too, and delivered nothing.
    before = tries["n"]
    await until(lambda: tries["n"] > before, what="another try to reach Redis")
    assert sub.queue.empty(), "nothing is delivered without Redis (numbers come from Redis)"
    assert hub.broker.outbox_size == 500
    assert len(_unreachable_logs(caplog)) == 1, "an outage is logged once, however many retries"

    await asyncio.to_thread(rp.start)
    events = await take(sub, 500, timeout=20)
    assert [e.seq for e in events] == list(range(1, 501))
    assert [e.data["ticket"] for e in events] == [f"A{i:03d}" for i in range(1, 501)]
    assert hub.broker.outbox_size == 0
    assert any("answers again" in r.getMessage() for r in caplog.records)
    assert len(_unreachable_logs(caplog)) == 1


async def test_an_overflowing_outbox_drops_the_oldest_and_says_so(redis_process, hubs, caplog):
    rp = redis_process(free_port(), start=False)
    hub = await hubs(rp.url, "ow", outbox_max=50, **FAST)
    sub, _ = hub.subscribe(HALL)
    for i in range(1, 81):
        hub.publish(HALL, *call(i))
    assert hub.broker.outbox_size == 50
    assert any("outbox full" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert _broker_metrics(hub) == {"onewindow_broker_up": 0, "onewindow_broker_outbox_events": 50,
                                    "onewindow_broker_dropped_events_total": 30, "onewindow_broker_leader": 0}
    await asyncio.to_thread(rp.start)
    events = await take(sub, 50, timeout=20)
    assert [e.seq for e in events] == list(range(1, 51))
    assert events[0].data["ticket"] == "A031" and events[-1].data["ticket"] == "A080"
    await until(lambda: any("30 live event(s) were dropped" in r.getMessage() for r in caplog.records))
    await until(lambda: _broker_metrics(hub)["onewindow_broker_leader"] == 1)
    assert _broker_metrics(hub) == {"onewindow_broker_up": 1, "onewindow_broker_outbox_events": 0,
                                    "onewindow_broker_dropped_events_total": 30, "onewindow_broker_leader": 1}


def _broker_metrics(hub: Hub) -> dict:
    """The broker's samples as /metrics renders them (hall HALL's where labelled)."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from onewindow.server.services import metrics as prom

    registry = CollectorRegistry(auto_describe=False)
    registry.register(prom._Fixed(prom._broker_families(SimpleNamespace(hub=hub, halls={HALL: None}))))
    return {s.name: s.value for fam in text_string_to_metric_families(generate_latest(registry).decode())
            for s in fam.samples if s.name.startswith("onewindow_broker_") and s.labels.get("hall", HALL) == HALL}


def _seqs(events: list[Event | None]) -> list[int]:
    return [e.seq for e in events if e is not None]


async def _drain(sub: Subscription, hub: Hub, log: list, stop: asyncio.Event) -> None:
    """Record every event; when dropped, record the drop, resubscribe and record the snapshot's seq."""
    while not stop.is_set():
        try:
            ev = await asyncio.wait_for(sub.get(), 0.05)
        except TimeoutError:
            continue
        if ev is None:
            sub, snap = hub.subscribe(HALL)
            log.append(("snapshot", snap["seq"]))
        else:
            log.append(("event", ev.seq))


def _never_back(log: list) -> None:
    """Within one subscription seq goes up by exactly one; a resync starts from its snapshot."""
    last = 0
    for kind, seq in log:
        if kind == "event":
            assert seq == last + 1, f"seq {seq} after {last}: {log}"
        last = seq


def _pause_reader(hub: Hub) -> tuple[asyncio.Event, asyncio.Event]:
    """Hold the hub's stream reader before its next XREAD until `go` is set; `held` is set
    once the reader waits there. Returns (go, held)."""
    go, held = asyncio.Event(), asyncio.Event()
    xread = hub.broker._rr.xread

    async def holding(*args, **kw):
        held.set()
        await go.wait()
        return await xread(*args, **kw)

    hub.broker._rr.xread = holding
    return go, held


async def test_a_redis_restart_is_seamless_for_processes_that_were_in_step(redis_process, hubs):
    rp = redis_process()
    a, b = await hubs(rp.url, "ow", **FAST), await hubs(rp.url, "ow", **FAST)
    sa, _ = a.subscribe(HALL)
    sb, _ = b.subscribe(HALL)
    for i in range(1, 21):
        (a if i % 2 else b).publish(HALL, "queue", {"delta": {"general": 1}})
    await take(sa, 20)
    await take(sb, 20)

    await asyncio.to_thread(rp.stop)  # everything Redis held is gone
    for i in range(21, 41):
        (a if i % 2 else b).publish(HALL, "queue", {"delta": {"general": 1}})
    await asyncio.to_thread(rp.start)
    ea, eb = await take(sa, 20, timeout=30), await take(sb, 20, timeout=30)
    # Both views were equal at 20: the first process back founds the new epoch from its view,
    # the other takes it over unchanged, numbering goes on, and no subscriber had to resync.
    assert [e.seq for e in ea] == [e.seq for e in eb] == list(range(21, 41))
    await until(lambda: a.views[HALL].seq == b.views[HALL].seq == 40)
    assert a.views[HALL].state() == b.views[HALL].state()
    assert a.views[HALL].waiting == {"general": 40}


async def test_after_a_redis_restart_a_process_out_of_step_resyncs(redis_process, hubs):
    rp = redis_process()
    a, b = await hubs(rp.url, "ow", **FAST), await hubs(rp.url, "ow", **FAST)
    logs: dict[str, list] = {"a": [], "b": []}
    stop = asyncio.Event()
    drains = [asyncio.create_task(_drain(a.subscribe(HALL)[0], a, logs["a"], stop)),
              asyncio.create_task(_drain(b.subscribe(HALL)[0], b, logs["b"], stop))]
    try:
        for i in range(1, 8):
            a.publish(HALL, *call(i))
        await until(lambda: len(logs["a"]) == len(logs["b"]) == 7)
        # B falls behind just before Redis goes (as a busy process can, in the moment of a crash).
        go_b, held_b = _pause_reader(b)
        await asyncio.wait_for(held_b.wait(), 10)
        for i in range(8, 11):
            a.publish(HALL, *call(i))
        await until(lambda: len(logs["a"]) == 10)
        await asyncio.to_thread(rp.stop)
        a.publish(HALL, *call(11))
        b.publish(HALL, *call(12))
        await asyncio.to_thread(rp.start)
        go_b.set()

        def settled() -> bool:
            va, vb = a.views[HALL], b.views[HALL]
            return ({"A011", "A012"} <= {c["ticket"] for c in va.calls} and va.seq == vb.seq
                    and _seqs_of(logs["a"])[-1:] == _seqs_of(logs["b"])[-1:] == [va.seq])

        await until(settled, timeout=30)
    finally:
        stop.set()
        await asyncio.gather(*drains)
    # Whichever process founded the new epoch, both views are equal again; the process whose
    # view was replaced dropped its subscribers, and they resynced from a snapshot.
    assert a.views[HALL].state() == b.views[HALL].state()
    assert any(kind == "snapshot" for kind, _ in logs["a"] + logs["b"])
    _never_back(logs["a"])
    _never_back(logs["b"])


def _seqs_of(log: list) -> list[int]:
    return [seq for kind, seq in log if kind == "event"]


async def test_a_process_that_fell_behind_the_stream_takes_the_checkpoint(redis_url, prefix, hubs):
    """B stops reading while A publishes and the stream is trimmed behind B: B takes A's
    checkpoint, its subscribers resync, and its view is A's again."""
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    sb, _ = b.subscribe(HALL)
    a.publish(HALL, *call(1))
    await take(sb, 1)

    paused, held = _pause_reader(b)
    await asyncio.wait_for(held.wait(), 10)  # B's reader is now waiting on `paused`
    for i in range(2, 52):
        a.publish(HALL, *call(i, f"w{i % 4 + 1}"))
    await until(lambda: a.views[HALL].seq == 51)
    async with aioredis.Redis.from_url(redis_url, decode_responses=True) as r:
        async def checkpoint_at_51() -> bool:
            return await r.hget(f"{prefix}:h:{HALL}:cp", "seq") == "51"

        await until(checkpoint_at_51, interval=0.05, what="A's checkpoint at event 51")
        await r.xtrim(f"{prefix}:h:{HALL}:stream", maxlen=0, approximate=False)
    paused.set()
    a.publish(HALL, *call(52))
    await until(lambda: b.views[HALL].seq == 52)
    assert await asyncio.wait_for(sb.get(), 5) is None, "B's subscribers resync"
    assert b.views[HALL].state() == a.views[HALL].state()


async def test_nothing_is_numbered_in_a_restarted_redis_before_the_process_rejoins(redis_process, hubs):
    """A's reader has not noticed the restart yet when A publishes: the event waits (the publish
    script refuses a batch of a lost epoch) and goes out after A rejoined, so B gets it too."""
    rp = redis_process()
    a, b = await hubs(rp.url, "ow", **FAST), await hubs(rp.url, "ow", **FAST)
    sa, _ = a.subscribe(HALL)
    sb, _ = b.subscribe(HALL)
    for i in range(1, 21):
        a.publish(HALL, *call(i))
    await take(sa, 20)
    await take(sb, 20)
    (go_a, held_a), (go_b, held_b) = _pause_reader(a), _pause_reader(b)
    await asyncio.wait_for(asyncio.gather(held_a.wait(), held_b.wait()), 10)  # both readers are held now

    await asyncio.to_thread(rp.stop)
    await asyncio.to_thread(rp.start)
    assert not a.broker._rejoin
    a.publish(HALL, *call(21))
    # A's sender reaches the new Redis, which refuses the batch (an epoch it does not hold): A will
    # rejoin first, and the event waits in its outbox, numbered by nobody.
    await until(lambda: a.broker._rejoin, timeout=15, what="A's sender refused by the new Redis")
    assert a.broker.outbox_size == 1
    old = b.broker._epoch
    go_b.set()
    await until(lambda: b.broker._epoch != old, timeout=15)
    go_a.set()
    (ea,), (eb,) = await take(sa, 1, 15), await take(sb, 1, 15)
    assert (ea.seq, ea.data["ticket"]) == (eb.seq, eb.data["ticket"]) == (21, "A021")


async def test_a_rejoin_in_the_same_epoch_applies_no_event_twice(redis_url, prefix, hubs):
    """A rejoins while the checkpoint is behind its view (the publisher writes it at most every
    checkpoint_every_s, after its event): A keeps its view and reads on from its own place, so no
    event is applied, counted or delivered twice, and its subscriber has nothing to resync for."""
    a, b = await hubs(redis_url, prefix, **FAST), await hubs(redis_url, prefix, **FAST)

    async def not_yet(*args, **kw):  # B's checkpoint after its events: not written yet
        return 0

    b.broker._checkpoint_script = not_yet
    sa, _ = a.subscribe(HALL)
    for i in (1, 2):
        b.publish(HALL, *call(i))
    assert [e.seq for e in await take(sa, 2)] == [1, 2]
    epoch = a.broker._epoch
    a.broker._rejoin = True  # as after its sender was refused by a Redis that had lost its data
    await until(lambda: not a.broker._rejoin, what="A rejoined")
    assert a.broker._epoch == epoch
    b.publish(HALL, *call(3))
    (ev,) = await take(sa, 1)
    assert (ev.seq, ev.data["ticket"]) == (3, "A003")
    assert a.delivered_by[HALL] == 3 and a.resyncs == 0
    assert a.views[HALL].state() == b.views[HALL].state()


async def test_a_refusal_of_an_epoch_already_left_is_no_reason_to_rejoin(redis_process, hubs, monkeypatch):
    """Redis restarted empty; A's sender sent a batch in the old epoch, and A's reader rejoined
    (founding the new one) before Redis refused it: the batch goes again in the new epoch. A
    rejoin for that refusal would found yet another epoch, asking for another rebuild."""
    rp = redis_process()
    a = await hubs(rp.url, "ow", **FAST)
    asked: list[str] = []  # why the broker asked for a rebuild
    monkeypatch.setattr(a, "rebuild", lambda hall, why: asked.append(why))
    sa, _ = a.subscribe(HALL)
    a.publish(HALL, *call(1))
    await take(sa, 1)
    old = a.broker._epoch
    go_read, reader_held = _pause_reader(a)
    await asyncio.wait_for(reader_held.wait(), 10)
    publish, sent, go_send = a.broker._publish_script, asyncio.Event(), asyncio.Event()

    async def held(*args, **kw):  # the batch is on its way, in the epoch it was sent in
        sent.set()
        await go_send.wait()
        return await publish(*args, **kw)

    a.broker._publish_script = held
    await asyncio.to_thread(rp.stop)
    await asyncio.to_thread(rp.start)

    async def sender_connected() -> bool:  # so that the batch reaches the new Redis, not a dead socket
        try:
            return bool(await a.broker._r.ping())
        except RedisConnectionError:
            return False

    await until(sender_connected, what="A's sending connection on the new Redis")
    a.publish(HALL, *call(2))
    await asyncio.wait_for(sent.wait(), 10)
    go_read.set()
    await until(lambda: a.broker._epoch != old, timeout=15, what="A's reader in the new epoch")
    new = a.broker._epoch
    go_send.set()
    (ev,) = await take(sa, 1, timeout=15)
    assert (ev.seq, ev.data["ticket"]) == (2, "A002")
    assert a.broker._epoch == new
    assert asked == ["redis lost its data"]
