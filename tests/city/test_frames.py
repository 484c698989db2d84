"""Call screens on the frame path (issue 17, point 5; live/frames.py): behind `onewindow
serve`'s protocol each event is one WebSocket frame, built once and written to every screen
by the hub. Screens still get the snapshot first, then every public event in seq order, the
same on every socket; a screen whose socket cannot take more is dropped (1013) and resyncs."""
from __future__ import annotations

import threading

import httpx
import pytest
import uvicorn
from support.accounts import ADMIN_PASSWORD, Accounts
from support.devices import HEADER, pair
from support.halls import small_config
from support.servers import free_port
from support.sockets import LiveSocket
from support.wait import wait_until

from onewindow.server.app import create_app
from onewindow.server.live import frames
from onewindow.server.settings import Settings

HALL = "t"


class FrameServer:
    """The app under uvicorn with the protocol `onewindow serve` runs (RawFrameProtocol)."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", loop="asyncio",
                                ws="onewindow.server.live.frames:RawFrameProtocol", ws_per_message_deflate=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), timeout=20, what="the server")
        assert self.server.started
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def served(settings, monkeypatch):
    writers = {"frame": 0, "asgi": 0}
    real = frames.writer

    def counted(scope):
        w = real(scope)
        writers["frame" if w is not None else "asgi"] += 1
        return w

    monkeypatch.setattr(frames, "writer", counted)
    s = Settings(**{**settings.__dict__, "speech": "off"})
    with FrameServer(create_app(s, small_config(4))) as srv, httpx.Client(base_url=srv.url, timeout=30) as c:
        accounts = Accounts(c, ADMIN_PASSWORD)
        clerk = accounts.make("clerk1")
        kiosk = {HEADER: pair(c, accounts.admin, HALL, "kiosk")}
        assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
        yield srv, c, clerk, kiosk, writers


def _display(url: str) -> LiveSocket:
    d = LiveSocket(url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display")
    assert d.snapshot["type"] == "snapshot"
    return d


def test_every_screen_gets_every_event_in_order_on_the_frame_path(served):
    srv, c, clerk, kiosk, writers = served
    for _ in range(6):
        assert c.post(f"/api/v1/halls/{HALL}/tickets", headers=kiosk, json={"category": "general"}).status_code == 201
    screens = [_display(srv.url) for _ in range(3)]
    try:
        assert writers == {"frame": 3, "asgi": 0}, "the screens are on the frame path"
        called = [c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["number"] for _ in range(5)]
        c.post(f"/api/v1/halls/{HALL}/tickets", headers=kiosk, json={"category": "other"})
        wait_until(lambda: all(any(m["type"] == "queue" and m["waiting"].get("other") == 1 for m in s.events)
                               for s in screens), what="the last event on every screen")
        for s in screens:
            seqs = [m["seq"] for m in s.events]
            assert seqs == list(range(s.snapshot["seq"] + 1, s.snapshot["seq"] + len(seqs) + 1))
            assert [m["ticket"] for m in s.of_type("call")] == called
            assert s.raw[1:] == screens[0].raw[1:], "the same frames, byte for byte"
            assert all("ticket_id" not in m and "id" not in m for m in s.events), "public fields only"
    finally:
        for s in screens:
            s.ws.close()


def test_a_screen_that_cannot_take_more_is_dropped_and_resyncs(served, monkeypatch):
    srv, c, _clerk, kiosk, _ = served
    screen = _display(srv.url)
    monkeypatch.setattr(frames, "MAX_BUFFER", -1)  # every socket "full": the next event drops it
    c.post(f"/api/v1/halls/{HALL}/tickets", headers=kiosk, json={"category": "general"})
    wait_until(lambda: screen.close_code is not None, what="the screen dropped")
    assert screen.close_code == 1013
    assert screen.events == []
    monkeypatch.setattr(frames, "MAX_BUFFER", 1 << 20)
    again = _display(srv.url)  # reconnecting: a fresh snapshot with what it missed
    try:
        assert again.snapshot["waiting"].get("general") == 1
    finally:
        again.ws.close()


def test_a_call_and_its_queue_event_reach_each_screen_in_one_write(served, monkeypatch):
    srv, c, clerk, kiosk, _ = served
    writes: list[list[bytes]] = []  # per screen, what each transport write carried
    inner = frames.writer

    def recording(scope):
        write = inner(scope)
        if write is None:
            return None
        mine: list[bytes] = []
        writes.append(mine)

        def record(data: bytes) -> bool:
            mine.append(data)
            return write(data)

        return record

    monkeypatch.setattr(frames, "writer", recording)
    c.post(f"/api/v1/halls/{HALL}/tickets", headers=kiosk, json={"category": "general"})
    screens = [_display(srv.url) for _ in range(3)]
    try:
        number = c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["number"]
        wait_until(lambda: all(s.of_type("call") and s.of_type("queue") for s in screens), what="the call")
        assert len(writes) == 3
        for mine in writes:
            with_call = [w for w in mine if b'"type":"call"' in w]
            assert len(with_call) == 1 and number.encode() in with_call[0]
            assert b'"type":"queue"' in with_call[0], "the queue event in the call's write"
        for s in screens:
            assert [m["type"] for m in s.events][:2] == ["call", "queue"]
    finally:
        for s in screens:
            s.ws.close()
