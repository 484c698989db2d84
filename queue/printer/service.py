"""Printing for the async server: ``submit`` returns at once, printers work in their own threads.

Each printer has one thread that alone touches its driver (jobs, status queries
and closing run there in order), a bounded queue of waiting jobs, and a watcher
that polls its status and reports changes. A stuck printer fills its own queue
and is reported offline; ticketing carries on.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from .device_thread import DeviceThread
from .drivers import PrinterDriver
from .errors import PaperOut, PrinterError, PrinterOffline
from .escpos import Cut
from .jobs import Mode, encode
from .render import WIDTHS
from .slips import Slip
from .status import PrinterStatus

log = logging.getLogger(__name__)

Policy = Literal["issue", "refuse"]
Reason = Literal["paper_out", "offline", "busy", "error", "pending", "stopped"]
StatusCallback = Callable[[str, PrinterStatus], Awaitable[None] | None]


@dataclass(frozen=True)
class PrinterConfig:
    """One printer. ``when_unavailable``: "issue" keeps issuing tickets that did not
    print (the kiosk shows the number and QR instead); "refuse" makes submit raise."""

    driver: PrinterDriver
    width: int = 576
    mode: Mode = "raster"
    when_unavailable: Policy = "issue"
    font: str | Path | None = None
    logo: Image.Image | None = None
    cut: Cut = "full"

    def __post_init__(self) -> None:
        # Caught when the hall's configuration is loaded, not on the first ticket.
        for name, value, allowed in (
            ("width", self.width, WIDTHS),
            ("mode", self.mode, ("raster", "native")),
            ("when_unavailable", self.when_unavailable, ("issue", "refuse")),
            ("cut", self.cut, ("full", "partial", "none")),
        ):
            if value not in allowed:
                raise ValueError(f"printer {name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class JobResult:
    printed: bool
    reason: Reason | None = None  # why it did not print; "pending" means not finished yet
    attempts: int = 0
    detail: str = ""


class JobHandle:
    def __init__(self, job: _Job) -> None:
        self._job = job
        self.id, self.printer_id = job.id, job.printer_id

    def done(self) -> bool:
        return self._job.future.done()

    async def wait(self, timeout: float | None = None) -> JobResult:
        """The final result, or a "pending" result if ``timeout`` seconds pass first."""
        # Shielded: a kiosk request giving up must not cancel the print job.
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self._job.future)
        except TimeoutError:
            return JobResult(False, "pending", self._job.attempts, "still printing")


@dataclass(eq=False)
class _Job:
    id: int
    printer_id: str
    slip: Slip
    future: asyncio.Future[JobResult]
    attempts: int = 0

    def finish(self, result: JobResult) -> None:
        if not self.future.done():
            self.future.set_result(result)


class _Printer:
    def __init__(self, printer_id: str, config: PrinterConfig, queue_size: int) -> None:
        self.id, self.config = printer_id, config
        self.thread = DeviceThread(f"printer-{printer_id}")
        self.jobs: asyncio.Queue[_Job] = asyncio.Queue(queue_size)
        self.status = PrinterStatus(unknown=True, detail="not queried yet")
        self.tasks: list[asyncio.Task[None]] = []


class PrintService:
    """Prints slips on named printers without ever blocking the event loop.

    ``on_status(printer_id, status)`` (plain or async) is called with the first
    status observed and on every change of its flags. ``status_timeout`` bounds
    a status poll; a job running longer than ``stall_after`` seconds makes the
    printer offline. Failed jobs are tried ``retries`` more times, waiting
    ``backoff`` seconds, doubled each time.
    """

    def __init__(
        self,
        printers: Mapping[str, PrinterConfig],
        *,
        on_status: StatusCallback | None = None,
        poll_interval: float = 2.0,
        status_timeout: float = 3.0,
        stall_after: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        queue_size: int = 8,
    ) -> None:
        self._configs = dict(printers)
        self._on_status = on_status
        self.poll_interval, self.status_timeout, self.stall_after = poll_interval, status_timeout, stall_after
        self.retries, self.backoff, self.queue_size = retries, backoff, queue_size
        self._printers: dict[str, _Printer] = {}
        self._ids = itertools.count(1)
        self._callbacks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> PrintService:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._printers:
            return
        for printer_id, config in self._configs.items():
            printer = _Printer(printer_id, config, self.queue_size)
            printer.tasks = [
                asyncio.create_task(self._work(printer), name=f"print-{printer_id}"),
                asyncio.create_task(self._watch(printer), name=f"watch-{printer_id}"),
            ]
            self._printers[printer_id] = printer

    async def stop(self) -> None:
        printers, self._printers = list(self._printers.values()), {}
        for printer in printers:
            for task in printer.tasks:
                task.cancel()
            await asyncio.gather(*printer.tasks, return_exceptions=True)
            while not printer.jobs.empty():
                printer.jobs.get_nowait().finish(JobResult(False, "stopped", detail="print service stopped"))
            printer.thread.post("close", printer.config.driver.close)
            printer.thread.close()  # a stuck thread finishes on its own; it is a daemon
        for task in list(self._callbacks):
            task.cancel()

    def status(self, printer_id: str) -> PrinterStatus:
        return self._printer(printer_id).status

    async def submit(self, printer_id: str, slip: Slip) -> JobHandle:
        """Queue ``slip`` and return at once; await ``handle.wait()`` for the outcome.

        With policy "refuse", raises PaperOut or PrinterOffline instead of
        accepting a job that cannot print now.
        """
        printer = self._printer(printer_id)
        job = _Job(next(self._ids), printer_id, slip, asyncio.get_running_loop().create_future())
        refuse = printer.config.when_unavailable == "refuse"
        status = printer.status
        if not status.can_print:
            if refuse:
                raise (PaperOut if status.paper_out else PrinterOffline)(f"printer {printer_id}: {status.detail}")
            job.finish(JobResult(False, status.reason, 0, status.detail))
            return JobHandle(job)
        try:
            printer.jobs.put_nowait(job)
        except asyncio.QueueFull:
            detail = f"{self.queue_size} jobs already waiting"
            if refuse:
                raise PrinterOffline(f"printer {printer_id} is not taking jobs: {detail}") from None
            job.finish(JobResult(False, "busy", 0, detail))
        return JobHandle(job)

    # --- inside -------------------------------------------------------------------

    def _printer(self, printer_id: str) -> _Printer:
        if not self._printers:
            raise RuntimeError("PrintService is not started")
        try:
            return self._printers[printer_id]
        except KeyError:
            raise KeyError(f"unknown printer {printer_id!r}") from None

    async def _work(self, printer: _Printer) -> None:
        while True:
            job = await printer.jobs.get()
            try:
                result = await self._print(printer, job)
            except asyncio.CancelledError:
                job.finish(JobResult(False, "stopped", job.attempts, "print service stopped"))
                raise
            except Exception as exc:  # a bug must not end this printer's worker
                log.exception("printing job %s on %s failed", job.id, printer.id)
                result = JobResult(False, "error", job.attempts, repr(exc))
            job.finish(result)

    async def _print(self, printer: _Printer, job: _Job) -> JobResult:
        cfg = printer.config
        try:
            data = await printer.thread.call(
                "render", encode, job.slip, cfg.width, mode=cfg.mode, font=cfg.font, logo=cfg.logo, cut=cfg.cut
            )
        except PrinterError as exc:  # FontMissing: retrying cannot help
            log.error("cannot render job %s for %s: %s", job.id, printer.id, exc)
            return JobResult(False, "error", 0, str(exc))
        failure: Reason = "error"
        detail = ""
        delay = self.backoff
        for attempt in range(1, self.retries + 2):
            job.attempts = attempt
            try:
                status = await printer.thread.call("send", _check_and_send, cfg.driver, data)
            except PaperOut as exc:
                failure, detail = "paper_out", str(exc)
            except PrinterError as exc:
                failure, detail = "offline", str(exc)
            except Exception as exc:  # a driver broke its contract; still retry
                log.exception("driver of %s raised", printer.id)
                failure, detail = "error", repr(exc)
            else:
                self._observe(printer, status)
                if status.can_print:
                    return JobResult(True, None, attempt)
                failure, detail = status.reason or "offline", status.detail
            if attempt <= self.retries:
                log.warning("job %s on %s failed (%s), retrying in %.1f s", job.id, printer.id, detail, delay)
                await asyncio.sleep(delay)
                delay *= 2
        return JobResult(False, failure, job.attempts, detail)

    async def _watch(self, printer: _Printer) -> None:
        while True:
            await self._poll(printer)
            await asyncio.sleep(self.poll_interval)

    async def _poll(self, printer: _Printer) -> None:
        activity = printer.thread.activity()
        if activity is not None:
            # Busy: a job checks the status itself before printing; only a call that
            # never ends is news. Polling now would only queue behind it.
            kind, age = activity
            if kind == "status" and age > self.status_timeout:
                self._observe(printer, PrinterStatus(offline=True, detail=f"status query hangs ({age:.0f} s)"))
            elif kind != "status" and age > self.stall_after:
                self._observe(printer, PrinterStatus(offline=True, detail=f"a job has run for {age:.0f} s"))
            return
        try:
            async with asyncio.timeout(self.status_timeout):
                status = await printer.thread.call("status", printer.config.driver.status)
        except TimeoutError:
            # The thread was idle, so the driver alone took this long.
            status = PrinterStatus(offline=True, detail=f"no status within {self.status_timeout:g} s")
        except Exception as exc:  # drivers report trouble as a status; this one raised
            log.warning("status of %s raised %r", printer.id, exc)
            status = PrinterStatus(offline=True, detail=str(exc))
        self._observe(printer, status)

    def _observe(self, printer: _Printer, status: PrinterStatus) -> None:
        changed = status != printer.status
        printer.status = status
        if changed and self._on_status is not None:
            try:
                outcome = self._on_status(printer.id, status)
            except Exception:
                log.exception("on_status callback failed")
                return
            if inspect.isawaitable(outcome):
                task = asyncio.ensure_future(outcome)
                self._callbacks.add(task)
                task.add_done_callback(self._callback_done)

    def _callback_done(self, task: asyncio.Future[None]) -> None:
        self._callbacks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("on_status callback failed", exc_info=task.exception())


def _check_and_send(driver: PrinterDriver, data: bytes) -> PrinterStatus:
    # Ask first: a ticket sent to a printer without paper would come out long after
    # the visitor has left.
    status = driver.status()
    if status.can_print:
        driver.send(data)
    return status
