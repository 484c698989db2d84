"""Two hubs on one Redis stand for two server processes: they deliver the same
events in the same order, numbered without gaps or repeats, and their hall
views stay equal, even for a process that starts late."""
from __future__ import annotations

import asyncio
import itertools
import json

from support.broker import HALL, call, hall_view, take
from support.wait import wait_until_async as until

from onewindow.server.live.broker import RedisBroker
from onewindow.server.live.hub import PUBLIC_KEYS, Event, Hub, LocalBroker


def _publish_mix(hub: Hub, i: int, tag: str) -> None:
    """Public and internal events, as a hall makes them."""
    kind = i % 4
    if kind == 0:
        hub.publish(HALL, *call(i, f"w{i % 4 + 1}"), ticket_id=i)
    elif kind == 1:
        hub.publish(HALL, "queue", {"delta": {"general": 1}})
    elif kind == 2:
        hub.publish(HALL, "ticket", {"ticket": f"{tag}{i}", "status": "called", "window": "w1"}, i)
    else:
        hub.publish(HALL, "window", {"window": "w2", "status": "idle", "number": f"{tag}{i}", "clerk": None,
                                     "notice": None})


def _row(ev: Event) -> tuple:
    return ev.seq, ev.public_seq, ev.type, json.dumps(ev.data, sort_keys=True), ev.ticket_id


async def test_two_processes_deliver_the_same_events_in_the_same_order(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    sa, _ = a.subscribe(HALL)
    sb, _ = b.subscribe(HALL)
    for i in range(60):
        _publish_mix(a if i % 3 else b, i, "ab"[i % 2])
        if i % 7 == 0:
            await asyncio.sleep(0)  # a turn of the loop: the readers run between publishes (not a wait)
    ea, eb = await take(sa, 60), await take(sb, 60)
    assert [_row(e) for e in ea] == [_row(e) for e in eb]
    assert [e.seq for e in ea] == list(range(1, 61))
    public = [e.public_seq for e in ea if e.type in PUBLIC_KEYS]
    assert public == list(range(1, len(public) + 1))
    # An internal event carries the public number of the public event before it.
    for prev, ev in itertools.pairwise(ea):
        if ev.type not in PUBLIC_KEYS:
            assert ev.public_seq == prev.public_seq
    await until(lambda: a.views[HALL].seq == b.views[HALL].seq == 60)
    assert a.views[HALL].state() == b.views[HALL].state()
    assert a.views[HALL].waiting == {"general": 15}
    # Each process knows which events it published itself (the announcer speaks those only).
    assert [e.local for e in ea] == [not e.local for e in eb]
    assert sum(e.local for e in ea) == 40


async def test_concurrent_publishers_interleave_without_gaps_or_repeats(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    subs = [a.subscribe(HALL)[0], b.subscribe(HALL)[0]]
    n = 500

    async def publisher(hub: Hub, tag: str) -> None:
        for i in range(n):
            hub.publish(HALL, "ticket", {"ticket": f"{tag}{i}", "status": "waiting", "window": None}, i)
            if i % 10 == 0:
                await asyncio.sleep(0)  # a turn of the loop: the two publishers interleave (not a wait)

    got = await asyncio.gather(take(subs[0], 2 * n, 30), take(subs[1], 2 * n, 30),
                               publisher(a, "A"), publisher(b, "B"))
    ea, eb = got[0], got[1]
    assert [_row(e) for e in ea] == [_row(e) for e in eb]
    assert [e.seq for e in ea] == list(range(1, 2 * n + 1))
    tickets = [e.data["ticket"] for e in ea]
    assert len(set(tickets)) == 2 * n
    # Each process's own events keep the order it published them in.
    for tag in "AB":
        assert [t for t in tickets if t[0] == tag] == [f"{tag}{i}" for i in range(n)]


async def test_events_survive_the_json_round_trip(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    sb, _ = b.subscribe(HALL)
    data = {"ticket": "A001", "window": "w3", "window_name": "3号窗口 · 不动产", "window_number": "3",
            "category": "general", "at": "2026-11-23T10:00:00+08:00", "count": 2, "lang": "zh",
            "nested": {"list": [1, 2.5, None, True, "引号\"与\\反斜杠"]}}
    a.publish(HALL, "recall", data, ticket_id=4711)
    a.publish(HALL, "posts", {"window": "w1", "a_clerk": None, "b_clerk": "lina"})
    rec, posts = await take(sb, 2)
    assert (rec.hall, rec.type, rec.data, rec.seq, rec.public_seq, rec.ticket_id) == (
        HALL, "recall", data, 1, 1, 4711)
    assert (posts.type, posts.data, posts.seq, posts.public_seq, posts.ticket_id) == (
        "posts", {"window": "w1", "a_clerk": None, "b_clerk": "lina"}, 2, 1, None)
    # What a screen receives is exactly what the one-process broker would send.
    local = Hub(LocalBroker())
    local.add_view(hall_view())
    await local.start()
    sl, _ = local.subscribe(HALL)
    local.publish(HALL, "recall", json.loads(json.dumps(data)), ticket_id=4711)
    assert rec.public_text() == (await take(sl, 1))[0].public_text()
    assert "nested" not in rec.public_text() and "4711" not in rec.public_text()
    await local.stop()


async def test_a_display_numbering_counts_public_events_only(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    a.publish(HALL, *call(1))
    a.publish(HALL, "ticket", {"ticket": "A001", "status": "called", "window": "w1"}, 1)
    await until(lambda: b.views[HALL].seq == 2)
    sub, snap = b.subscribe(HALL, lambda e: e.type in PUBLIC_KEYS, public=True)
    assert snap["seq"] == 1 and [c["ticket"] for c in snap["calls"]] == ["A001"]
    for i in range(2, 12):
        (a if i % 2 else b).publish(HALL, "ticket", {"ticket": f"A{i:03d}", "status": "waiting", "window": None}, i)
        (b if i % 2 else a).publish(HALL, *call(i))
    events = await take(sub, 10)
    assert [e.public_seq for e in events] == list(range(2, 12))
    assert all(e.type == "call" for e in events)
    assert [json.loads(e.public_text())["seq"] for e in events] == list(range(2, 12))


async def test_a_process_starting_late_takes_over_the_view(redis_url, prefix, hubs):
    a = await hubs(redis_url, prefix)
    b = await hubs(redis_url, prefix)
    for i in range(1, 31):
        hub = a if i % 2 else b
        hub.publish(HALL, "queue", {"delta": {"general": 1}})
        hub.publish(HALL, *call(i, f"w{i % 4 + 1}"), ticket_id=i)
        hub.publish(HALL, "queue", {"delta": {"general": -1}})
        if i % 3 == 0:
            hub.publish(HALL, "done", {"ticket": f"A{i:03d}", "window": f"w{i % 4 + 1}"}, i)
        hub.publish(HALL, "screen", {"screen": f"s{i % 3}", "muted": bool(i % 2)})
    await until(lambda: a.views[HALL].seq == b.views[HALL].seq == 130)

    # The late process loaded its view "from the database" while the others kept publishing:
    # whatever it loaded, it takes the running view over and then follows the stream.
    c_view = hall_view()
    c_view.load({}, [{"ticket": "Z999", "window": "w1"}], {"general": 99})
    c = Hub(RedisBroker(redis_url, prefix=prefix))
    c.add_view(c_view)
    try:
        await c.start()
        # Taken over at the last checkpoint, then caught up from the stream.
        await until(lambda: c_view.seq == 130)
        assert c_view.state() == a.views[HALL].state()
        assert c_view.seq == 130 and c_view.waiting == {"general": 0}
        assert "Z999" not in json.dumps(c_view.state())
        sc, snap = c.subscribe(HALL)
        a.publish(HALL, *call(31))
        b.publish(HALL, "queue", {"delta": {"general": 2}})
        events = await take(sc, 2)
        assert [e.seq for e in events] == [snap["seq"] + 1, snap["seq"] + 2]
        await until(lambda: a.views[HALL].seq == b.views[HALL].seq == c_view.seq == 132)
        assert a.views[HALL].state() == b.views[HALL].state() == c_view.state()
        assert c_view.waiting == {"general": 2}
    finally:
        await c.stop()


async def test_the_first_process_continues_the_numbering_of_the_last_run(redis_url, prefix, hubs):
    """Every process stopped, then one starts again: its view (from the database) is the base,
    and seq goes on from where the last run stopped, never back to 1."""
    a = await hubs(redis_url, prefix)
    for i in range(1, 6):
        a.publish(HALL, *call(i))
    await until(lambda: a.views[HALL].seq == 5)
    await a.stop()

    again = hall_view()
    # What the database says now: B001 called at w2, serving it (a closed window's call stays out of
    # "now calling", screen point 8, so the window's state comes with it as it does at start-up).
    again.load({"w2": {"status": "serving", "number": "B001"}}, [{"ticket": "B001", "window": "w2"}],
               {"general": 7})
    b = Hub(RedisBroker(redis_url, prefix=prefix))
    b.add_view(again)
    try:
        await b.start()
        assert (again.seq, again.public_seq) == (5, 5)
        assert [c["ticket"] for c in again.calls] == ["B001"] and again.waiting == {"general": 7}
        sub, snap = b.subscribe(HALL, lambda e: e.type in PUBLIC_KEYS, public=True)
        b.publish(HALL, *call(6))
        (ev,) = await take(sub, 1)
        assert (snap["seq"], ev.seq, ev.public_seq) == (5, 6, 6)
    finally:
        await b.stop()
