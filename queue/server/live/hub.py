"""The event hub: every state change of a hall is published once, in order,
with a sequence number that increases by one per hall.

Subscribers (call screens, consoles, phones, dashboards) get a snapshot
first, then each event. Each has a bounded queue; one that falls behind is
dropped (it reconnects and takes a fresh snapshot) so publishing never waits.

Carrying events between server processes is a broker's job: `LocalBroker`
keeps them in one process; `broker.RedisBroker` numbers them in Redis for
every process serving the same halls (`--workers N`, several machines).
Callers only see `publish`, which never waits. With several processes each
applies every event to its own `HallView`, in `seq` order, so all views stay
equal; a broker that cannot vouch for that (Redis restarted, events lost)
calls `Hub.resync(hall)`: subscribers are dropped and take a fresh snapshot.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from onewindow.server.live.projection import HallView

log = logging.getLogger("onewindow.hub")

# How many turns of the loop, at most, display writes wait for more events to join them.
FLUSH_TURNS = 8

# What may ever reach a public (display) socket, per event type. Anything
# else an event carries (ticket ids, tokens, names of visitors) stays inside.
# Event types not listed never reach it: supervision and coverage alerts (case
# numbers, clerks), rating tasks, printers, posts and tickets are for staff
# (the console socket) only.
PUBLIC_KEYS: dict[str, frozenset[str]] = {
    "call": frozenset({"ticket", "window", "window_name", "window_number", "category", "at", "recall", "count"}),
    "recall": frozenset({"ticket", "window", "window_name", "window_number", "category", "at", "count"}),
    "window": frozenset({"window", "status", "number", "clerk", "notice"}),
    "notice": frozenset({"window", "notice"}),
    "queue": frozenset({"waiting"}),
    "done": frozenset({"ticket", "window"}),
    "completion": frozenset({"case", "item", "completed_at", "applicant"}),
    "screen": frozenset({"screen", "muted"}),
    "announce": frozenset({"ticket", "window", "recall", "calls", "zone", "round", "audio", "duration_s", "spoken"}),
}


@dataclass(slots=True)
class Event:
    hall: str
    type: str
    data: dict
    seq: int = 0
    # Displays see only public events, numbered on their own so that their
    # seq also goes up by exactly one (a skipped number means a lost event).
    public_seq: int = 0
    ticket_id: int | None = None  # never sent to a display
    # Published by this server process. Reactions that must happen once per event
    # (the announcer's voice) take local events only: every process sees every event.
    local: bool = True
    _text: str | None = None
    _frame: bytes | None = None

    def public_text(self) -> str:
        """The public JSON, encoded once however many screens receive it."""
        if self._text is None:
            self._text = json.dumps(self.public(), ensure_ascii=False, separators=(",", ":"))
        return self._text

    def public_frame(self) -> bytes:
        """The public JSON as one WebSocket text frame, built once however many screens receive it."""
        if self._frame is None:
            from onewindow.server.live.frames import text_frame

            self._frame = text_frame(self.public_text().encode())
        return self._frame

    def public(self) -> dict:
        keys = PUBLIC_KEYS.get(self.type, frozenset())
        out = {k: v for k, v in self.data.items() if k in keys}
        out["type"] = self.type
        out["seq"] = self.public_seq
        return out


class Broker(Protocol):
    """Numbers each hall's events and calls `deliver` once per event, in seq order.

    A broker may also have `bind(hub)`: the hub calls it once, so the broker can
    read and restore the hall views and call `hub.resync`."""

    def publish(self, event: Event) -> None: ...
    async def start(self, deliver: Callable[[Event], None]) -> None: ...
    async def stop(self) -> None: ...
    def stats(self) -> dict | None: ...  # for /metrics; None when there is nothing to report


class LocalBroker:
    """One process: numbering and delivery happen right here."""

    def __init__(self) -> None:
        self._deliver: Callable[[Event], None] | None = None
        self._seq: dict[str, int] = {}
        self._public_seq: dict[str, int] = {}

    def bind(self, hub: Hub) -> None:
        self._deliver = hub._deliver  # delivers even before start, as it always did

    async def start(self, deliver: Callable[[Event], None]) -> None:
        self._deliver = deliver

    def publish(self, event: Event) -> None:
        event.seq = self._seq.get(event.hall, 0) + 1
        self._seq[event.hall] = event.seq
        if event.type in PUBLIC_KEYS:
            event.public_seq = self._public_seq[event.hall] = self._public_seq.get(event.hall, 0) + 1
        else:
            event.public_seq = self._public_seq.get(event.hall, 0)
        assert self._deliver is not None, "hub not started"
        self._deliver(event)

    async def stop(self) -> None:
        self._deliver = None

    def stats(self) -> None:
        """Nothing between processes to report (RedisBroker.stats has the figures)."""
        return None


@dataclass(eq=False)
class Subscription:
    hall: str
    want: Callable[[Event], bool]
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=512))
    dropped: bool = False
    close_code: int = 1013  # what its socket closes with once dropped: 1013 try again; 4401 signed out
    # Set: the hub writes the public frames of the events it wants (Event.public_frame) itself instead
    # of queueing them: a display socket's transport (live/frames.py), all frames of a turn of the loop
    # in one write; False back means it fell behind: dropped.
    direct: Callable[[bytes], bool] | None = None

    async def get(self) -> Event | None:
        """The next event, or None once dropped for falling behind."""
        ev = await self.queue.get()
        return ev


# A hall's subscribers for delivery (Hub._group): the direct ones by their `want`, then the others.
_Grouped = tuple[list[tuple[Callable[[Event], bool], list[Subscription]]], list[Subscription]]


class Hub:
    def __init__(self, broker: Broker | None = None) -> None:
        self.broker = broker or LocalBroker()
        self.views: dict[str, HallView] = {}
        self._subs: dict[str, set[Subscription]] = {}
        self.delivered = 0
        self.resyncs = 0  # views replaced or numbering broken: every subscriber took a fresh snapshot
        # The same per hall, for /metrics labelled by hall (issue 17).
        self.delivered_by: dict[str, int] = {}
        self.resyncs_by: dict[str, int] = {}
        self._leadership: list[Callable[[bool], None]] = []
        self._control: list[Callable[[dict], None]] = []
        # Rebuilding a hall's view from the database (issue 17): hall -> a loader of `HallView.state()`.
        self._loaders: dict[str, Callable[[], Awaitable[dict]]] = {}
        self._rebuilding: dict[str, asyncio.Task] = {}
        # Events for direct subscribers (display sockets) not written yet, in delivery order.
        self._pending: list[tuple[Event, list[Subscription]]] = []
        self._grouped: dict[str, _Grouped] = {}  # Hub._group's, per hall
        self.rebuilds = 0  # rebuild events applied here
        self.rebuilds_by: dict[str, int] = {}
        bind = getattr(self.broker, "bind", None)
        if bind is not None:
            bind(self)

    async def start(self) -> None:
        """Start delivering. Add the halls' views first: a shared broker then
        takes them over from the processes already running."""
        await self.broker.start(self._deliver)

    async def stop(self) -> None:
        for task in list(self._rebuilding.values()):
            task.cancel()
        await self.broker.stop()
        for subs in self._subs.values():
            for s in list(subs):
                self._drop(s)

    def add_view(self, view: HallView) -> None:
        self.views[view.hall] = view

    @property
    def leads(self) -> bool:
        """Whether this process does the hall-wide duties (alerts that one process
        raises for all); always, without a broker between processes."""
        return getattr(self.broker, "leader", True)

    def on_leadership(self, callback: Callable[[bool], None]) -> None:
        self._leadership.append(callback)

    def leadership_changed(self, lead: bool) -> None:
        for cb in self._leadership:
            try:
                cb(lead)
            except Exception:
                log.exception("a leadership listener failed")

    def halls(self) -> set[str]:
        """Halls this process has a view of or a subscriber in."""
        return set(self.views) | {h for h, subs in self._subs.items() if subs}

    def resync(self, hall: str) -> None:
        """The hall's view was replaced or its numbering broke: drop every
        subscriber, so each reconnects and takes a fresh snapshot."""
        self.resyncs += 1
        self.resyncs_by[hall] = self.resyncs_by.get(hall, 0) + 1
        subs = list(self._subs.get(hall, ()))
        if subs:
            log.warning("hall %s: %d subscriber(s) resync with a fresh snapshot", hall, len(subs))
        for sub in subs:
            self._drop(sub)

    def publish(self, hall: str, type_: str, data: dict, ticket_id: int | None = None) -> None:
        self.broker.publish(Event(hall, type_, data, ticket_id=ticket_id))

    # ----- rebuilding a view from the database ------------------------------------------------

    def on_rebuild(self, hall: str, loader: Callable[[], Awaitable[dict]]) -> None:
        """`loader()` reads the hall's view from the database (a `HallView.state()`)."""
        self._loaders[hall] = loader

    def rebuild(self, hall: str, reason: str) -> None:
        """Events of the hall may be lost to every process's view (an outbox overflowed while
        Redis was away, a long outage, a process died with events unsent): read the view from
        the database and publish it as a `rebuild` event, which every process applies in seq
        order. Never waits; one rebuild per hall at a time."""
        if hall not in self._loaders or hall in self._rebuilding:
            return
        task = asyncio.get_running_loop().create_task(self._rebuild(hall, reason), name=f"onewindow-rebuild-{hall}")
        self._rebuilding[hall] = task
        task.add_done_callback(lambda _t: self._rebuilding.pop(hall, None))

    async def _rebuild(self, hall: str, reason: str, rounds: int = 3, settle_s: float = 0.5) -> None:
        # The read and the event's place in the stream are not one atomic step: an event committed
        # during the read is applied before the rebuild and may be overwritten by it (or counted
        # twice: queue deltas). So check again once the rebuild is applied and quiet, and publish
        # anew while the view and the database differ (a few rounds).
        try:
            for _ in range(rounds):
                state = await self._loaders[hall]()
                view = self.views.get(hall)
                if view is not None and _essential(view.state()) == _essential(state):
                    return
                log.warning("hall %s: rebuilding the live view from the database (%s)", hall, reason)
                self.publish(hall, "rebuild", {"state": state, "reason": reason})
                before = self.rebuilds_by.get(hall, 0)
                for _ in range(200):  # until it is applied here (bounded: Redis may be away again)
                    if self.rebuilds_by.get(hall, 0) > before:
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(settle_s)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("hall %s: rebuilding the live view failed", hall)

    def _apply_rebuild(self, event: Event) -> None:
        view = self.views.get(event.hall)
        self.rebuilds += 1
        self.rebuilds_by[event.hall] = self.rebuilds_by.get(event.hall, 0) + 1
        if view is None:
            return
        now = view.state()
        before = _essential(now)
        state = dict(event.data["state"])
        # The database has no screen list (live) nor completion ticker; a call it knows keeps the
        # details its event brought (the category).
        known = {(c.get("ticket"), c.get("window")): c for c in now["calls"]}
        state.update(seq=event.seq, public_seq=event.public_seq, screens=now["screens"],
                     completions=now["completions"],
                     calls=[known.get((c.get("ticket"), c.get("window")), c) for c in state["calls"]])
        view.restore(state)
        if _essential(view.state()) != before:
            self.resync(event.hall)  # what subscribers hold is not the view now: a fresh snapshot each

    def _deliver(self, event: Event) -> None:
        view = self.views.get(event.hall)
        if event.type == "rebuild":  # not for subscribers: they resync if their view changed
            self.delivered += 1
            self._apply_rebuild(event)
            return
        if view is not None:
            view.apply(event)
        self.delivered += 1
        self.delivered_by[event.hall] = self.delivered_by.get(event.hall, 0) + 1
        direct, queued = self._grouped.get(event.hall) or self._group(event.hall)
        for sub in queued:
            if not sub.want(event):
                continue
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("dropping a subscriber of hall %s that fell behind", event.hall)
                self._drop(sub)
        armed = bool(self._pending)
        for want, subs in direct:
            if want(event):
                self._pending.append((event, subs))
        if self._pending and not armed:
            # Written after this turn of the loop, so that a request publishing the event answers
            # first rather than after N writes, and its other events (the call, then the queue)
            # join the call's write.
            asyncio.get_running_loop().call_soon(self._write_direct, 0, 1)

    def _group(self, hall: str) -> _Grouped:
        """The hall's direct subscribers by their `want`, so that one test of an event serves every
        display socket (thousands, sharing one `want`), and the others; kept until a change."""
        direct: dict[Callable[[Event], bool], list[Subscription]] = {}
        queued = []
        for sub in self._subs.get(hall, ()):
            if sub.direct is not None:
                direct.setdefault(sub.want, []).append(sub)
            else:
                queued.append(sub)
        grouped = self._grouped[hall] = (list(direct.items()), queued)
        return grouped

    def go_direct(self, sub: Subscription, write: Callable[[bytes], bool]) -> None:
        """From now on the hub writes `sub`'s events to `write` (Subscription.direct)."""
        sub.direct = write
        self._grouped.pop(sub.hall, None)

    def _write_direct(self, turns: int, seen: int) -> None:
        """Write the pending events to the display sockets, each socket's frames in ONE write: a
        write is a send per socket (with loopback, the receiving side's TCP work too) and a read
        for each screen, so a call's two public events cost about half as much together as apart.

        Waits while events keep coming, a turn of the loop at a time (up to FLUSH_TURNS): the
        Redis reader delivers one entry per turn (broker.RedisBroker._read), so a call and its
        queue event read together still go out together."""
        n = len(self._pending)
        if (turns == 0 or n > seen) and turns < FLUSH_TURNS:
            asyncio.get_running_loop().call_soon(self._write_direct, turns + 1, n)
            return
        pending, self._pending = self._pending, []
        subs = pending[0][1]
        # The usual case: every screen of the hall wants every event (the hall's cached list itself:
        # `is` answers at once where `==` would compare thousands of sockets one by one).
        if all(p[1] is subs or p[1] == subs for p in pending):
            data = b"".join(ev.public_frame() for ev, _ in pending)
            for sub in subs:
                self._write_to(sub, data)
            return
        wants: dict[Subscription, list[Event]] = {}
        for ev, subs in pending:
            for sub in subs:
                wants.setdefault(sub, []).append(ev)
        joined: dict[tuple[int, ...], bytes] = {}  # built once per distinct set of events
        for sub, evs in wants.items():
            key = tuple(map(id, evs))
            if key not in joined:
                joined[key] = b"".join(ev.public_frame() for ev in evs)
            self._write_to(sub, joined[key])

    def _write_to(self, sub: Subscription, data: bytes) -> None:
        if sub.dropped or sub.direct is None:
            return
        if not sub.direct(data):
            log.warning("dropping a screen of hall %s that fell behind", sub.hall)
            self._drop(sub)

    def subscribe(self, hall: str, want: Callable[[Event], bool] = lambda e: True,
                  public: bool = False) -> tuple[Subscription, dict]:
        """Subscribe and take the snapshot in one step, so no event falls between them.

        `public`: a display's snapshot, numbered like `Event.public()` (public events only)."""
        sub = Subscription(hall, want)
        self._subs.setdefault(hall, set()).add(sub)
        self._grouped.pop(hall, None)
        view = self.views.get(hall)
        snap = view.snapshot() if view else {"type": "snapshot", "seq": 0}
        if public:
            snap["seq"] = view.public_seq if view else 0
        return sub, snap

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.get(sub.hall, set()).discard(sub)
        self._grouped.pop(sub.hall, None)

    def _drop(self, sub: Subscription) -> None:
        sub.dropped = True
        self.unsubscribe(sub)
        # Make room for the end marker so the reader wakes up and closes.
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(None)

    def close(self, sub: Subscription, code: int) -> None:
        """End a subscriber: its socket closes with `code` (4401: its session was revoked)."""
        sub.close_code = code
        if not sub.dropped:
            self._drop(sub)

    # ----- control messages: to every server process, never to a subscriber --------------------

    def on_control(self, callback: Callable[[dict], None]) -> None:
        """`callback(msg)` for each control message, this process's own included; `{"type": "lost"}`
        when messages from other processes may have been missed (the broker lost Redis meanwhile)."""
        self._control.append(callback)

    def control(self, msg: dict) -> None:
        """Tell every server process, this one at once (a revoked session). Not a hall event: no
        subscriber, console or display, ever receives it. Never waits."""
        self.deliver_control(msg)
        send = getattr(self.broker, "control", None)
        if send is not None:
            send(msg)

    def deliver_control(self, msg: dict) -> None:
        for cb in self._control:
            try:
                cb(msg)
            except Exception:
                log.exception("a control listener failed")

    def subscriber_count(self, hall: str | None = None) -> int:
        if hall is not None:
            return len(self._subs.get(hall, ()))
        return sum(len(s) for s in self._subs.values())


def _essential(state: dict) -> dict:
    """What a rebuild compares: the windows' status and number, the waiting counts and the
    recent calls (not the numbering, the live screen list, nor details the database lacks)."""
    return {"windows": {w: (x.get("status"), x.get("number")) for w, x in state["windows"].items()},
            "waiting": {c: n for c, n in state["waiting"].items() if n},
            "calls": [(c.get("ticket"), c.get("window"), bool(c.get("recall"))) for c in state["calls"]]}
