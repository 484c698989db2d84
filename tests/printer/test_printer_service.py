"""PrintService: never blocks the loop, retries, reports status changes, applies the policy."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from support.wait import wait_until_async

from onewindow.printer import (
    FakePrinter,
    NetworkPrinter,
    PaperOut,
    PrinterConfig,
    PrinterOffline,
    PrintService,
    decode,
)
from onewindow.printer.status import PrinterStatus

FAST = dict(poll_interval=0.05, status_timeout=0.5, backoff=0.01)


class Recorder:
    """Collects on_status calls; ``until`` waits for a matching one."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, PrinterStatus]] = []

    def __call__(self, printer_id: str, status: PrinterStatus) -> None:
        self.calls.append((printer_id, status))

    async def until(self, predicate, timeout: float = 3.0, since: int = 0) -> PrinterStatus:
        """The first status from call number ``since`` on that matches ``predicate``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, status in self.calls[since:]:
                if predicate(status):
                    return status
            await asyncio.sleep(0.01)
        raise AssertionError(f"no matching status in {self.calls}")


class StuckPrinter(FakePrinter):
    """A printer whose send hangs until released, like a jammed USB write."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, data: bytes) -> None:
        self.entered.set()
        self.release.wait(30)
        super().send(data)


async def test_prints_a_ticket(ticket):
    fake = FakePrinter()
    async with PrintService({"kiosk": PrinterConfig(fake, width=384)}, **FAST) as service:
        handle = await service.submit("kiosk", ticket)
        result = await handle.wait(5)
    assert result.printed and result.reason is None and result.attempts == 1
    assert decode(fake.jobs[0]).image.width == 384


async def test_failed_jobs_are_retried(ticket):
    fake = FakePrinter()
    fake.fail_next(PrinterOffline("reset"), PrinterOffline("reset"))
    async with PrintService({"kiosk": PrinterConfig(fake)}, retries=3, **FAST) as service:
        result = await (await service.submit("kiosk", ticket)).wait(5)
    assert result.printed and result.attempts == 3
    assert len(fake.jobs) == 1


async def test_retries_run_out(ticket):
    fake = FakePrinter()
    fake.fail_next(*[PrinterOffline("unplugged")] * 3)
    async with PrintService({"kiosk": PrinterConfig(fake)}, retries=2, **FAST) as service:
        result = await (await service.submit("kiosk", ticket)).wait(5)
    assert not result.printed and result.reason == "offline" and result.attempts == 3
    assert "unplugged" in result.detail and fake.jobs == []


async def test_status_changes_are_reported_and_policy_issue_keeps_issuing(ticket):
    fake, seen = FakePrinter(), Recorder()
    async with PrintService({"kiosk": PrinterConfig(fake)}, on_status=seen, **FAST) as service:
        await seen.until(lambda s: s.ok)
        fake.set_status(PrinterStatus(paper_near_end=True))
        await seen.until(lambda s: s.paper_near_end)
        assert (await (await service.submit("kiosk", ticket)).wait(5)).printed  # near end still prints

        fake.set_status(PrinterStatus(paper_out=True, detail="roll empty"))
        await seen.until(lambda s: s.paper_out)
        handle = await service.submit("kiosk", ticket)
        assert handle.done()  # decided at once: the kiosk shows the number and QR
        result = await handle.wait(0)
        assert not result.printed and result.reason == "paper_out"

        fake.set_status(PrinterStatus())
        await seen.until(lambda s: s.ok, since=3)
        polled = fake.status_reads
        await wait_until_async(lambda: fake.status_reads >= polled + 5, what="five more polls")
    statuses = [s for _, s in seen.calls]
    # One call per change, not one per poll.
    assert statuses == [PrinterStatus(), PrinterStatus(paper_near_end=True), PrinterStatus(paper_out=True),
                        PrinterStatus()]
    assert {pid for pid, _ in seen.calls} == {"kiosk"}
    assert len(fake.jobs) == 1


async def test_policy_refuse_raises(ticket):
    fake, seen = FakePrinter(PrinterStatus(offline=True, detail="cover open")), Recorder()
    config = PrinterConfig(fake, when_unavailable="refuse")
    async with PrintService({"kiosk": config}, on_status=seen, **FAST) as service:
        await seen.until(lambda s: s.offline)
        with pytest.raises(PrinterOffline, match="cover open"):
            await service.submit("kiosk", ticket)
        fake.set_status(PrinterStatus(paper_out=True))
        await seen.until(lambda s: s.paper_out)
        with pytest.raises(PaperOut):
            await service.submit("kiosk", ticket)
        assert service.status("kiosk").paper_out


async def test_async_status_callback(ticket):
    got = asyncio.Queue()

    async def on_status(printer_id, status):
        await got.put((printer_id, status))

    async with PrintService({"p1": PrinterConfig(FakePrinter())}, on_status=on_status, **FAST):
        assert await asyncio.wait_for(got.get(), 3) == ("p1", PrinterStatus())


async def test_paper_out_found_just_before_printing_is_not_sent(ticket):
    fake = FakePrinter()
    # Polls too rarely to notice: the check before the job must catch it.
    async with PrintService({"kiosk": PrinterConfig(fake)}, poll_interval=60, retries=0) as service:
        await wait_until_async(lambda: fake.status_reads, what="the first poll")
        fake.set_status(PrinterStatus(paper_out=True))
        result = await (await service.submit("kiosk", ticket)).wait(5)
        assert result.reason == "paper_out" and service.status("kiosk").paper_out
    assert fake.jobs == []


async def test_a_stuck_printer_never_stalls_ticketing(ticket):
    stuck, seen = StuckPrinter(), Recorder()
    # Not stalled yet while the queue fills, however slow this machine is.
    service = PrintService(
        {"kiosk": PrinterConfig(stuck, width=384)}, on_status=seen, queue_size=2, stall_after=60, **FAST
    )
    await service.start()
    try:
        first = await service.submit("kiosk", ticket)
        assert await asyncio.to_thread(stuck.entered.wait, 5)

        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        clock = asyncio.create_task(ticker())
        handles = []
        for _ in range(4):  # answered while the printer is still stuck: nothing waits for it
            handles.append(await asyncio.wait_for(service.submit("kiosk", ticket), 5))
        assert not stuck.release.is_set()
        # Two wait in the bounded queue; the rest are told at once that nothing will print.
        assert [h.done() for h in handles] == [False, False, True, True]
        assert (await handles[2].wait(0)).reason == "busy"
        assert (await first.wait(0.05)).reason == "pending"

        service.stall_after = 0.2
        offline = await seen.until(lambda s: s.offline, timeout=3)
        assert "job has run" in offline.detail
        at = ticks
        await wait_until_async(lambda: ticks >= at + 10, what="the event loop running on")
        clock.cancel()

        mark = len(seen.calls)
        stuck.release.set()
        assert (await first.wait(5)).printed
        assert all([(await h.wait(5)).printed for h in handles[:2]])
        await seen.until(lambda s: s.ok, timeout=3, since=mark)
        assert len(stuck.jobs) == 3
    finally:
        stuck.release.set()
        await service.stop()


async def test_a_status_query_that_hangs_is_offline(ticket):
    class HangingStatus(FakePrinter):
        release = threading.Event()

        def status(self):
            self.release.wait(10)
            return super().status()

    driver, seen = HangingStatus(), Recorder()
    async with PrintService({"kiosk": PrinterConfig(driver)}, on_status=seen, poll_interval=0.05, status_timeout=0.2):
        status = await seen.until(lambda s: s.offline, timeout=2)
        assert "no status within" in status.detail
        driver.release.set()


async def test_font_missing_fails_the_job_without_retrying(ticket, tmp_path):
    fake = FakePrinter()
    config = PrinterConfig(fake, font=tmp_path / "gone.ttc")
    async with PrintService({"kiosk": config}, **FAST) as service:
        result = await (await service.submit("kiosk", ticket)).wait(5)
    assert result.reason == "error" and result.attempts == 0 and "gone.ttc" in result.detail
    assert fake.jobs == []


async def test_stop_settles_waiting_jobs(ticket):
    stuck = StuckPrinter()
    service = PrintService({"kiosk": PrinterConfig(stuck)}, **FAST)
    await service.start()
    first = await service.submit("kiosk", ticket)
    await asyncio.to_thread(stuck.entered.wait, 5)
    queued = await service.submit("kiosk", ticket)
    await service.stop()
    stuck.release.set()
    assert (await first.wait(1)).reason == "stopped"
    assert (await queued.wait(1)).reason == "stopped"


async def test_unknown_printer_and_not_started(ticket):
    service = PrintService({"kiosk": PrinterConfig(FakePrinter())})
    with pytest.raises(RuntimeError, match="not started"):
        await service.submit("kiosk", ticket)
    async with service:
        with pytest.raises(KeyError, match="lobby"):
            await service.submit("lobby", ticket)


async def test_network_printer_running_out_of_paper_is_reported_within_five_seconds(ticket, fake_printer):
    """End to end with the default poll interval: fake port-9100 printer, real sockets."""
    seen = Recorder()
    driver = NetworkPrinter("127.0.0.1", fake_printer.port)
    async with PrintService({"kiosk": PrinterConfig(driver, width=384)}, on_status=seen) as service:
        await seen.until(lambda s: s.ok)
        assert (await (await service.submit("kiosk", ticket)).wait(10)).printed
        fake_printer.mode = "paper_out"
        start = time.monotonic()
        await seen.until(lambda s: s.paper_out, timeout=5)
        assert time.monotonic() - start < 5
        handle = await service.submit("kiosk", ticket)
        assert (await handle.wait(0)).reason == "paper_out"
    assert len(fake_printer.jobs) == 1 and decode(fake_printer.jobs[0]).image.width == 384


@pytest.mark.parametrize(
    "bad", [{"width": 500}, {"mode": "pdf"}, {"when_unavailable": "maybe"}, {"cut": "half"}]
)
def test_printer_config_is_checked_when_loaded(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        PrinterConfig(FakePrinter(), **bad)
