"""Display sockets behind two server processes on Redis (issue 17, point 5): a call and its
queue event, read from the stream one entry per turn of the loop, still reach each screen of
either process in ONE write, in order, the same bytes on both."""
from __future__ import annotations

from support.broker import HALL, call
from support.wait import wait_until_async as until

from onewindow.server.live.hub import PUBLIC_KEYS, Event, Hub


def _screen(hub: Hub) -> list[bytes]:
    writes: list[bytes] = []
    sub, _ = hub.subscribe(HALL, lambda e: e.type in PUBLIC_KEYS, public=True)
    hub.go_direct(sub, lambda data: writes.append(data) is None)
    return writes


async def test_a_call_reaches_each_screen_of_either_process_in_one_write(redis_url, prefix, hubs):
    a, b = await hubs(redis_url, prefix), await hubs(redis_url, prefix)
    screens = [_screen(a), _screen(a), _screen(b), _screen(b)]
    for i in (1, 2):  # as services/halls.py _publish_call: the call, the queue, the ticket, in one turn
        a.publish(HALL, *call(i), ticket_id=i)
        a.publish(HALL, "queue", {"delta": {"general": -1}})
        a.publish(HALL, "ticket", {"ticket": f"A{i:03d}", "status": "called", "window": "w1"}, i)
        await until(lambda i=i: all(len(w) >= i for w in screens), what=f"call {i} on every screen")
    for writes in screens:
        assert writes == screens[0], "the same bytes on every screen of both processes"
        assert len(writes) == 2, "one write per call"
        for i, data in enumerate(writes, 1):
            first = Event(HALL, *call(i), public_seq=2 * i - 1).public_frame()
            rest = data[len(first):]
            assert data.startswith(first), "the call first"
            assert rest[0] == 0x81 and rest[1] == len(rest) - 2, "then one more frame"
            assert rest.endswith(b'"type":"queue","seq":%d}' % (2 * i)), "the queue's"
