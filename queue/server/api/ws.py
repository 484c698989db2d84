"""WebSockets: call screens (public), a ticket's phone page (token), clerk consoles (signed in)."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from onewindow.server.api.common import bearer, current_user, path_int, runtime
from onewindow.server.api.security import same_origin
from onewindow.server.errors import DomainError
from onewindow.server.live import frames
from onewindow.server.live.hub import PUBLIC_KEYS, Event, Subscription
from onewindow.server.services.auth import token_digest

log = logging.getLogger("onewindow.ws")


async def _pump(ws: WebSocket, sub: Subscription, render) -> None:
    """Send each event until the subscriber is dropped or the socket closes."""
    while True:
        ev = await sub.get()
        if ev is None:  # fell behind (1013: the client reconnects and resyncs), or signed out (4401)
            await ws.close(code=sub.close_code)
            return
        text = render(ev)
        if text is not None:
            await ws.send_text(text)
            if not sub.queue.empty():
                # Fan-out fairness: one event was published to every screen's queue and
                # woke every pump; let each of them send it before this one sends the next.
                # Otherwise the last screen gets the call only after every other screen
                # has been sent everything queued behind it (2N writes instead of N).
                await asyncio.sleep(0)


async def _direct(ws: WebSocket, sub: Subscription, write) -> None:
    """A display socket on the frame path (live/frames.py): what was queued since the snapshot
    is written first, then the hub writes the events' frames itself; this waits for the drop."""
    queued = []
    while not sub.queue.empty():
        ev = sub.queue.get_nowait()
        if ev is None:
            await ws.close(code=sub.close_code)
            return
        queued.append(ev.public_frame())
    if queued and not write(b"".join(queued)):
        await ws.close(code=sub.close_code)
        return
    runtime(ws).hub.go_direct(sub, write)  # from here on, in the same turn of the loop: nothing falls between
    await sub.get()  # None: dropped (fell behind, resync, signed out)
    await ws.close(code=sub.close_code)


async def _serve(ws: WebSocket, sub: Subscription, first: str, sender, on_message=None) -> None:
    """Send `first`, then run `sender` (a coroutine writing to the socket) until it ends or
    the client goes; the client's messages go to `on_message`."""
    rt = runtime(ws)
    task = None
    try:
        await ws.send_text(first)  # before the sender starts: the first message stays first
        task = asyncio.create_task(sender)
        try:
            while True:
                recv = asyncio.create_task(ws.receive())
                done, _ = await asyncio.wait({task, recv}, return_when=asyncio.FIRST_COMPLETED)
                if task in done:
                    recv.cancel()
                    task.result()
                    return
                # A disconnect ends the loop; unread, it would spin creating receive
                # tasks that fail at once.
                msg = recv.result()
                if msg["type"] == "websocket.disconnect":
                    return
                if msg.get("text") is None:  # a binary frame: these sockets speak JSON text only
                    await ws.close(code=1003)
                    return
                if on_message is not None:
                    await on_message(msg["text"])
        finally:
            task.cancel()
    except (WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
        pass
    finally:
        if task is None:
            sender.close()  # the client left before it started
        rt.hub.unsubscribe(sub)


async def follow(ws: WebSocket, sub: Subscription, kind: str, first: dict,
                 read: Callable[[], Awaitable[dict]], settle: float = 0.0) -> None:
    """One ticket's or case's phone page: `first` (its state on connect), then its state again,
    read by `read()`, whenever an event may have changed it and it did. What queued up meanwhile
    is answered once, after `settle` seconds to let a burst arrive; a dropped subscriber: 1013."""
    last = json.dumps({"type": kind, **first}, ensure_ascii=False)

    async def render_all() -> None:
        nonlocal last
        while True:
            ev = await sub.get()
            if ev is None:
                await ws.close(code=1013)
                return
            if settle:
                await asyncio.sleep(settle)
            while not sub.queue.empty():  # several changes at once: answer once
                if sub.queue.get_nowait() is None:
                    await ws.close(code=1013)
                    return
            fresh = json.dumps({"type": kind, **await read()}, ensure_ascii=False)
            if fresh != last:
                last = fresh
                await ws.send_text(fresh)
            await asyncio.sleep(0)

    await _serve(ws, sub, last, render_all())


def _public(ev: Event) -> bool:
    """What a display socket wants; one function for all of them, so the hub tests each event once."""
    return ev.type in PUBLIC_KEYS


async def display_socket(ws: WebSocket):
    """Call screens: a snapshot, then every public event. No personal data."""
    rt = runtime(ws)
    hall = ws.path_params["hall"]
    if hall not in rt.halls:
        await ws.close(code=4404)
        return
    await ws.accept()
    sub, snap = rt.hub.subscribe(hall, _public, public=True)
    screen = ws.query_params.get("screen", "")[:40]
    if screen:  # the manager's screen list: connected now, last seen (staff only, not a public event)
        rt.hub.publish(hall, "screen_link", {"screen": screen, "connected": True, "at": rt.clock()})

    async def on_message(text: str) -> None:
        # A screen reports whether the browser let it play sound.
        try:
            msg = json.loads(text)
        except ValueError:
            return
        if isinstance(msg, dict) and msg.get("type") == "audio" and screen:
            rt.hub.publish(hall, "screen", {"screen": screen, "muted": bool(msg.get("muted")), "at": rt.clock()})

    try:
        write = frames.writer(ws.scope)  # one frame per event for every screen, where the server allows
        sender = _direct(ws, sub, write) if write is not None else _pump(ws, sub, Event.public_text)
        await _serve(ws, sub, json.dumps(snap, ensure_ascii=False), sender, on_message)
    finally:
        if screen:
            rt.hub.publish(hall, "screen_link", {"screen": screen, "connected": False, "at": rt.clock()})


def cross_site(ws: WebSocket) -> bool:
    """A browser always sends Origin on a websocket: another site's page may not open a staff or
    ticket socket (the cookie would go with it). No Origin: a client that is not a browser."""
    origin = ws.headers.get("origin")
    return origin is not None and not same_origin(ws, origin)


async def ticket_socket(ws: WebSocket):
    """A visitor's phone: this ticket's state, again whenever it may have changed."""
    rt = runtime(ws)
    if cross_site(ws):
        await ws.close(code=4403)
        return
    try:
        tid = path_int(ws, "id")  # 4404 for an id out of range too
        svc, _ = await rt.ticket(tid)
        state = await svc.track(tid, ws.query_params.get("token", ""))
    except (ValueError, DomainError):
        await ws.close(code=4404)
        return
    await ws.accept()
    sub, _ = rt.hub.subscribe(svc.hall.id, lambda e: e.ticket_id == tid or e.type in ("call", "queue"))
    # Ahead changes with every call in the hall: let a burst settle, answer it once.
    await follow(ws, sub, "ticket", state, lambda: svc.track(tid, ws.query_params.get("token", "")), settle=0.2)


async def console_socket(ws: WebSocket):
    """Clerk consoles and the manager's dashboard: every event of the hall, for signed-in staff."""
    rt = runtime(ws)
    hall = ws.path_params["hall"]
    if cross_site(ws):
        await ws.close(code=4403)
        return
    try:
        user = await current_user(ws)
    except DomainError:
        await ws.close(code=4401)
        return
    if hall not in rt.halls:
        await ws.close(code=4404)
        return
    await ws.accept()
    sub, snap = rt.hub.subscribe(hall)
    # A revoked session (sign-out, deactivation, new password or role) closes it at once, code 4401.
    digest = token_digest(bearer(ws) or "")
    handle = rt.live.add(digest, user.username, lambda: rt.hub.close(sub, 4401))

    def render(ev: Event) -> str:
        out = dict(ev.data)
        out.update(type=ev.type, seq=ev.seq, ticket_id=ev.ticket_id)
        return json.dumps(out, ensure_ascii=False)

    try:
        await _serve(ws, sub, json.dumps(snap, ensure_ascii=False), _pump(ws, sub, render))
    finally:
        rt.live.discard(digest, handle)


routes = [
    WebSocketRoute("/ws/halls/{hall}/display", display_socket),
    WebSocketRoute("/ws/halls/{hall}/console", console_socket),
    WebSocketRoute("/ws/tickets/{id}", ticket_socket),
]
