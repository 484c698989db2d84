"""Websockets read in a background thread, so that a test waits for a message
with a deadline instead of blocking for ever (or sleeping and hoping)."""
from __future__ import annotations

import json
import queue
import threading
import time

from support.wait import wait_until


class TestSocket:
    """A Starlette TestClient websocket (`client.websocket_connect(...)`), read by a thread."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, ws):
        self.ws = ws
        self.q: queue.Queue = queue.Queue()
        self.skipped: list[dict] = []  # what the last `until` passed over
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self) -> None:
        try:
            while True:
                self.q.put(self.ws.receive_json())
        except Exception as exc:
            self.q.put(exc)

    def next(self, timeout: float = 5.0) -> dict:
        """The next message; queue.Empty after `timeout` seconds."""
        msg = self.q.get(timeout=timeout)
        if isinstance(msg, Exception):
            raise AssertionError(f"socket closed: {msg!r}")
        return msg

    def until(self, pred, timeout: float = 5.0) -> dict:
        """The first message matching `pred` within `timeout` seconds; those before it are
        kept in `self.skipped`."""
        deadline = time.monotonic() + timeout
        self.skipped = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {timeout}s; "
                                     f"saw {[m.get('type') for m in self.skipped]}")
            try:
                msg = self.next(left)
            except queue.Empty:
                continue
            if pred(msg):
                return msg
            self.skipped.append(msg)


class LiveSocket:
    """A websocket of a real server (ws://...), read in a background thread: every
    message as sent (`raw`) and parsed with its arrival time (`got`, time.monotonic())."""

    def __init__(self, url: str, headers: dict | None = None, open_timeout: float = 10):
        self.url = url
        self.headers = headers
        self.open_timeout = open_timeout
        self.raw: list[str] = []
        self.got: list[tuple[float, dict]] = []
        self.ws = None
        self.error: BaseException | None = None
        self.close_code: int | None = None  # once closed
        self._cursor = 0  # `next` reads on from here
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self._ready.wait(open_timeout + 5), f"{url} did not open"
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        try:
            with connect(self.url, additional_headers=self.headers, open_timeout=self.open_timeout,
                         close_timeout=2) as ws:
                self.ws = ws
                self._ready.set()
                try:
                    for m in ws:
                        self.raw.append(m)
                        self.got.append((time.monotonic(), json.loads(m)))
                finally:
                    self.close_code = ws.close_code  # the server's close code (4401: signed out)
        except ConnectionClosed:
            pass
        except OSError as exc:
            self.error = exc
        finally:
            self._ready.set()

    @property
    def messages(self) -> list[dict]:
        """Everything received so far, the snapshot first."""
        return [m for _, m in list(self.got)]

    @property
    def snapshot(self) -> dict:
        """The first message (a hall socket's snapshot), waited for."""
        return wait_until(lambda: self.messages[:1], timeout=15, what="the snapshot")[0]

    @property
    def events(self) -> list[dict]:
        """What came after the snapshot."""
        return self.messages[1:]

    def of_type(self, t: str) -> list[dict]:
        return [m for m in self.events if m["type"] == t]

    def wait_for(self, pred, timeout: float = 15.0) -> dict:
        """The first message ever received for which pred(message) holds, waited for."""
        def found():
            return next((m for m in self.messages if pred(m)), None)

        return wait_until(found, timeout=timeout,
                          what=f"a matching message (got {[m.get('type') for m in self.messages]})")

    def next(self, pred=lambda m: True, timeout: float = 15.0) -> dict:
        """The first matching message after the one the last `next` returned, waited for."""
        def found():
            msgs = self.messages
            for i in range(self._cursor, len(msgs)):
                if pred(msgs[i]):
                    self._cursor = i + 1
                    return msgs[i]
            return None

        return wait_until(found, timeout=timeout, what="a matching message")

    def send(self, obj: dict) -> None:
        self.ws.send(json.dumps(obj))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        self.thread.join(timeout=10)
