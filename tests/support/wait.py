"""Waiting on a condition, with a deadline: the only way a test waits.

A fixed sleep either wastes time or is too short on a busy machine; these poll a
predicate until it holds and fail, saying what was awaited and the last answer,
when it does not hold in time. Real time (time.monotonic): what they wait for runs
in another thread, process or task. For the app's own idea of time use FakeClock.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

DEFAULT_TIMEOUT = 10.0
DEFAULT_INTERVAL = 0.02


def _failure(what: str | None, timeout: float, last: Any) -> AssertionError:
    return AssertionError(f"{what or 'condition'} not reached within {timeout} s; last: {last!r}")


def wait_until(predicate: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT,
               interval: float = DEFAULT_INTERVAL, what: str | None = None,
               pause: Callable[[float], Any] = time.sleep) -> Any:
    """predicate()'s first truthy answer, polled every `interval` seconds; AssertionError
    after `timeout` seconds. An exception from predicate() propagates at once.

    `pause(seconds)` passes the interval: with Playwright's sync API give
    `lambda s: page.wait_for_timeout(s * 1000)`, so that its event handlers run meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, last)
        pause(interval)


async def wait_until_async(predicate: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT,
                           interval: float = 0.01, what: str | None = None) -> Any:
    """As wait_until, in a coroutine: the loop runs meanwhile. predicate() may return
    an awaitable (an async predicate), which is awaited."""
    deadline = time.monotonic() + timeout
    while True:
        last = predicate()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, last)
        await asyncio.sleep(interval)
