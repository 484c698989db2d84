"""The hub's writes to display sockets (issue 17, point 5; Hub._write_direct): the frames of one
turn of the loop go to each socket in ONE write, every event in order, shared by the sockets
that want the same events; a socket that cannot take more is dropped."""
from __future__ import annotations

import asyncio

from support.broker import HALL, call
from support.wait import wait_until_async as until

from onewindow.server.live.hub import PUBLIC_KEYS, Event, Hub


def public(ev: Event) -> bool:
    return ev.type in PUBLIC_KEYS


def _direct(hub: Hub, want=public, ok: bool = True) -> list[bytes]:
    """A direct subscriber (a display socket) whose writes are recorded; `ok` False: always full."""
    writes: list[bytes] = []
    sub, _ = hub.subscribe(HALL, want, public=True)

    def write(data: bytes) -> bool:
        writes.append(data)
        return ok

    hub.go_direct(sub, write)
    return writes


def _publish_call(hub: Hub, i: int) -> None:
    """What a call publishes in one turn (services/halls.py _publish_call)."""
    hub.publish(HALL, *call(i), ticket_id=i)
    hub.publish(HALL, "queue", {"delta": {"general": -1}})
    hub.publish(HALL, "ticket", {"ticket": f"A{i:03d}", "status": "called", "window": "w1"}, i)


async def test_a_call_reaches_each_screen_in_one_write_with_its_events_in_order():
    hub = Hub()
    screens = [_direct(hub) for _ in range(3)]
    _publish_call(hub, 1)
    await until(lambda: all(screens), what="the writes")
    frames = [Event(HALL, *call(1), public_seq=1).public_frame(),
              Event(HALL, "queue", {"delta": {"general": -1}}, public_seq=2).public_frame()]
    for writes in screens:
        assert writes == [b"".join(frames)], "one write: the call, then the queue"
    _publish_call(hub, 2)
    await until(lambda: all(len(w) == 2 for w in screens), what="the second call")
    assert all(w[1] == screens[0][1] and w[1].startswith(b"\x81") and b'"A002"' in w[1] for w in screens), \
        "the next write is the next call's: nothing of the first came apart"


async def test_events_delivered_a_turn_apart_still_share_the_write():
    # The Redis reader delivers one entry per turn of the loop (broker.RedisBroker._read).
    hub = Hub()
    writes = _direct(hub)
    hub.publish(HALL, *call(1), ticket_id=1)
    await asyncio.sleep(0)
    hub.publish(HALL, "queue", {"delta": {"general": -1}})
    await until(lambda: writes, what="the write")
    assert len(writes) == 1 and writes[0].index(b'"call"') < writes[0].index(b'"queue"')


async def test_screens_wanting_different_events_each_get_theirs_in_order():
    hub = Hub()
    calls_only = _direct(hub, lambda e: e.type == "call")
    every = _direct(hub)
    also = _direct(hub, lambda e: e.type == "call")
    _publish_call(hub, 1)
    hub.publish(HALL, *call(2), ticket_id=2)
    await until(lambda: calls_only and every and also, what="the writes")
    assert len(calls_only) == len(every) == len(also) == 1
    assert calls_only[0] == also[0] and calls_only[0] is also[0], "built once, shared"
    assert calls_only[0].count(b'"type":"call"') == 2 and b'"queue"' not in calls_only[0]
    e = every[0]
    assert e.index(b'"A001"') < e.index(b'"queue"') < e.index(b'"A002"')


async def test_a_screen_that_cannot_take_more_is_dropped_and_the_others_go_on():
    hub = Hub()
    full = _direct(hub, ok=False)
    fine = _direct(hub)
    assert hub.subscriber_count(HALL) == 2
    _publish_call(hub, 1)
    await until(lambda: hub.subscriber_count(HALL) == 1, what="the full screen dropped")
    _publish_call(hub, 2)
    await until(lambda: len(fine) == 2, what="the other screen's second call")
    assert len(full) == 1, "nothing more written to a dropped screen"
