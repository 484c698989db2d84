"""The one thread that owns a printer's driver, for callers on an event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class DeviceThread:
    """The only thread that touches one printer's driver; calls run one at a time, in order.

    A daemon thread, unlike an executor's, so a printer stuck forever cannot keep
    the server from exiting.
    """

    def __init__(self, name: str) -> None:
        self._lock = threading.Lock()
        self._pending = 0  # calls queued or running
        self._running: tuple[str, float] | None = None  # kind and monotonic start of the current call
        self._calls: queue.SimpleQueue[tuple[concurrent.futures.Future[Any] | None, str, Callable[[], Any]] | None]
        self._calls = queue.SimpleQueue()
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def call(self, kind: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._put(future, kind, functools.partial(fn, *args, **kwargs))
        # Cancelling the asyncio side cancels a call that has not started yet.
        return asyncio.wrap_future(future)

    def post(self, kind: str, fn: Callable[[], Any]) -> None:
        """Run ``fn`` after the calls already queued, nobody waiting for it."""
        self._put(None, kind, fn)

    def close(self) -> None:
        self._calls.put(None)

    def activity(self) -> tuple[str, float] | None:
        """None when idle, else the running call's kind and seconds so far ("queued", 0 between calls)."""
        with self._lock:
            if not self._pending:
                return None
            running = self._running
        if running is None:
            return "queued", 0.0
        return running[0], time.monotonic() - running[1]

    def _put(self, future: concurrent.futures.Future[Any] | None, kind: str, fn: Callable[[], Any]) -> None:
        with self._lock:
            self._pending += 1
        self._calls.put((future, kind, fn))

    def _run(self) -> None:
        while (item := self._calls.get()) is not None:
            future, kind, fn = item
            outcome: tuple[bool, Any] | None = None
            if future is None or future.set_running_or_notify_cancel():
                with self._lock:
                    self._running = (kind, time.monotonic())
                try:
                    outcome = (True, fn())
                except BaseException as exc:
                    outcome = (False, exc)
            with self._lock:
                self._running = None
                self._pending -= 1
            if outcome is None:
                continue  # cancelled before it started
            ok, value = outcome
            if future is not None and ok:
                future.set_result(value)
            elif future is not None:
                future.set_exception(value)
            elif not ok:
                log.error("%s on the printer thread failed", kind, exc_info=value)
