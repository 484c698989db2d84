"""The printer driver interface and the drivers that need no printer protocol I/O.

Drivers block; PrintService calls each one from its own worker thread and never
from the event loop. Every failure leaves a driver as one of our errors.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from .decode import DecodeError, decode
from .errors import PaperOut, PrinterError, PrinterOffline
from .status import PrinterStatus


class PrinterDriver(ABC):
    @abstractmethod
    def send(self, data: bytes) -> None:
        """Deliver one whole job; raise PrinterError (or a subclass) if it did not go out."""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the device now. Never raises, never waits long: trouble is a status."""

    def close(self) -> None:  # noqa: B027 -- optional: a driver holding no device has nothing to release
        """Release the device; the next call reopens it."""


class FilePrinter(PrinterDriver):
    """Appends jobs to an existing file, typically a printer device such as /dev/usb/lp0."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def send(self, data: bytes) -> None:
        try:
            # No O_CREAT: an unplugged printer must fail, not turn into a regular file.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise PrinterOffline(f"cannot open {self.path}: {exc.strerror}") from exc
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            raise PrinterOffline(f"writing to {self.path} failed: {exc.strerror}") from exc
        finally:
            os.close(fd)

    def status(self) -> PrinterStatus:
        if not self.path.exists():
            return PrinterStatus(offline=True, detail=f"{self.path} does not exist")
        if not os.access(self.path, os.W_OK):
            return PrinterStatus(offline=True, detail=f"{self.path} is not writable")
        return PrinterStatus(unknown=True, detail="a device file does not report paper")


class PreviewPrinter(PrinterDriver):
    """Writes each job as ``job-00001.png`` (and ``.txt`` for native text) for people without a printer."""

    def __init__(self, directory: str | os.PathLike[str], keep: int = 500) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.stem[4:]) for p in self.directory.glob("job-*.*") if p.stem[4:].isdigit()]
        self._next = max(numbers, default=0) + 1
        self.keep = keep  # the newest jobs kept: a demo left running for weeks must not fill the disk
        self.last_path: Path | None = None

    def send(self, data: bytes) -> None:
        try:
            job = decode(data)
        except DecodeError as exc:
            raise PrinterError(f"preview cannot read this job: {exc}") from exc
        stem = self.directory / f"job-{self._next:05d}"
        self._next += 1
        try:
            if job.lines:
                text = "\n".join(line.text for line in job.lines) + "\n"
                stem.with_suffix(".txt").write_text(text, encoding="utf-8")
                self.last_path = stem.with_suffix(".txt")
            if job.image is not None:
                job.image.save(stem.with_suffix(".png"))
                self.last_path = stem.with_suffix(".png")
        except OSError as exc:
            raise PrinterOffline(f"cannot write preview to {self.directory}: {exc}") from exc
        if self._next % max(1, self.keep // 10) == 0:
            self._prune()

    def _prune(self) -> None:
        oldest_kept = self._next - self.keep
        for p in self.directory.glob("job-*.*"):
            if p.stem[4:].isdigit() and int(p.stem[4:]) < oldest_kept:
                p.unlink(missing_ok=True)

    def status(self) -> PrinterStatus:
        if os.access(self.directory, os.W_OK):
            return PrinterStatus()
        return PrinterStatus(offline=True, detail=f"{self.directory} is not writable")


class FakePrinter(PrinterDriver):
    """In memory, for tests: records jobs, reports the status it is given, fails on demand."""

    def __init__(self, status: PrinterStatus | None = None) -> None:
        self.jobs: list[bytes] = []
        self._status = status or PrinterStatus()
        self._failures: list[PrinterError] = []
        self._lock = threading.Lock()  # the test thread and the worker thread both touch it
        self.status_reads = 0  # how often it was asked: a test waits for polls, not for time

    def set_status(self, status: PrinterStatus) -> None:
        with self._lock:
            self._status = status

    def fail_next(self, *errors: PrinterError) -> None:
        """The next sends raise these errors, one per send, in order."""
        with self._lock:
            self._failures.extend(errors)

    def send(self, data: bytes) -> None:
        with self._lock:
            if self._failures:
                raise self._failures.pop(0)
            if self._status.paper_out:
                raise PaperOut("no paper")
            if self._status.offline:
                raise PrinterOffline(self._status.detail or "offline")
            self.jobs.append(data)

    def status(self) -> PrinterStatus:
        with self._lock:
            self.status_reads += 1
            return self._status
