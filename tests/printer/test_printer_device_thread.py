import asyncio
import threading

import pytest
from support.wait import wait_until_async

from onewindow.printer.device_thread import DeviceThread


async def test_calls_run_in_order_on_one_thread():
    worker = DeviceThread("test-printer")
    try:
        seen = []
        results = await asyncio.gather(
            *(worker.call("send", lambda i=i: seen.append((i, threading.current_thread().name)) or i) for i in range(5))
        )
        assert results == [0, 1, 2, 3, 4]
        assert seen == [(i, "test-printer") for i in range(5)]
        with pytest.raises(ZeroDivisionError):
            await worker.call("send", lambda: 1 / 0)
    finally:
        worker.close()


async def test_activity_and_cancelling_a_call_that_has_not_started():
    worker = DeviceThread("test-printer")
    gate, ran = threading.Event(), []
    try:
        assert worker.activity() is None
        blocking = worker.call("send", gate.wait, 5)
        queued = worker.call("status", ran.append, "status")
        while worker.activity() is None or worker.activity()[0] != "send":
            await asyncio.sleep(0.01)
        queued.cancel()
        await asyncio.sleep(0)  # the cancellation reaches the thread's side on the next loop turn
        gate.set()
        assert await blocking is True
        # Calls run in order: once a later one is done, the cancelled one would have run before it.
        assert await worker.call("status", lambda: "later") == "later"
        assert ran == []
        await wait_until_async(lambda: worker.activity() is None, what="the thread idle")
    finally:
        gate.set()
        worker.close()


async def test_posted_work_failing_does_not_stop_the_thread(caplog):
    worker = DeviceThread("test-printer")
    try:
        worker.post("close", lambda: 1 / 0)
        assert await worker.call("send", lambda: "still here") == "still here"
        assert "close on the printer thread failed" in caplog.text
    finally:
        worker.close()
