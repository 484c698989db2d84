"""USB and serial printers: python-escpos finds and opens the device, we do the talking.

We write and read the opened device directly so that status queries get a short
timeout of their own, and map python-escpos, pyusb and pyserial errors (all
``escpos.exceptions.Error`` or ``OSError``) to ours.
"""

from __future__ import annotations

import errno
import time
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import escpos.exceptions
import escpos.printer

from .dle_eot import STATUS_KINDS, STATUS_QUERY, parse_status
from .drivers import PrinterDriver
from .errors import PrinterError, PrinterOffline
from .status import PrinterStatus


class _EscposDevice(PrinterDriver):
    extra = ""  # the python-escpos extra that installs the backend

    def __init__(self, *, timeout: float, status_timeout: float) -> None:
        self.timeout, self.status_timeout = timeout, status_timeout
        self._printer: Any = None

    @abstractmethod
    def _escpos_class(self) -> type[Any]: ...

    @abstractmethod
    def _open(self, cls: type) -> Any: ...

    @abstractmethod
    def _write(self, printer: Any, data: bytes, timeout: float) -> None: ...

    @abstractmethod
    def _read(self, printer: Any, timeout: float) -> bytes: ...

    def send(self, data: bytes) -> None:
        with self._mapped("printing"):
            self._write(self._connected(), data, self.timeout)

    def status(self) -> PrinterStatus:
        deadline = time.monotonic() + self.status_timeout
        reply = b""
        try:
            with self._mapped("status query"):
                printer = self._connected()
                self._write(printer, STATUS_QUERY, self.status_timeout)
                while len(reply) < len(STATUS_KINDS) and (left := deadline - time.monotonic()) > 0:
                    reply += self._read(printer, left)
        except PrinterError as exc:
            return PrinterStatus(offline=True, detail=str(exc))
        return parse_status(reply)

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except Exception:
                pass

    def _connected(self) -> Any:
        if self._printer is None:
            cls = self._escpos_class()
            if not cls.is_usable():
                raise PrinterError(f"{cls.__name__} printing needs `pip install python-escpos[{self.extra}]`")
            printer = self._open(cls)
            printer.open()
            self._printer = printer
        return self._printer

    @contextmanager
    def _mapped(self, doing: str) -> Iterator[None]:
        try:
            yield
        except PrinterError:
            raise
        except (escpos.exceptions.Error, OSError, ValueError) as exc:
            self.close()  # reopen next time: the cable may have been replugged
            raise PrinterOffline(f"{self!r}: {doing} failed: {exc}") from exc


class UsbPrinter(_EscposDevice):
    extra = "usb"

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        timeout: float = 10.0,
        status_timeout: float = 1.5,
    ) -> None:
        super().__init__(timeout=timeout, status_timeout=status_timeout)
        self.vendor_id, self.product_id, self.in_ep, self.out_ep = vendor_id, product_id, in_ep, out_ep

    def __repr__(self) -> str:
        return f"UsbPrinter({self.vendor_id:#06x}, {self.product_id:#06x})"

    def _escpos_class(self) -> type:
        return escpos.printer.Usb

    def _open(self, cls: type) -> Any:
        return cls(self.vendor_id, self.product_id, in_ep=self.in_ep, out_ep=self.out_ep)

    def _write(self, printer: Any, data: bytes, timeout: float) -> None:
        printer.device.write(self.out_ep, data, round(timeout * 1000))  # pyusb counts milliseconds

    def _read(self, printer: Any, timeout: float) -> bytes:
        try:
            return bytes(printer.device.read(self.in_ep, 16, max(1, round(timeout * 1000))))
        except OSError as exc:
            # pyusb raises on a read timeout; silence is judged by the caller, not an error.
            if getattr(exc, "errno", None) == errno.ETIMEDOUT or "Timeout" in type(exc).__name__:
                return b""
            raise


class SerialPrinter(_EscposDevice):
    extra = "serial"

    def __init__(
        self, devfile: str, baudrate: int = 9600, *, timeout: float = 10.0, status_timeout: float = 1.5
    ) -> None:
        super().__init__(timeout=timeout, status_timeout=status_timeout)
        self.devfile, self.baudrate = devfile, baudrate

    def __repr__(self) -> str:
        return f"SerialPrinter({self.devfile!r}, {self.baudrate})"

    def _escpos_class(self) -> type:
        return escpos.printer.Serial

    def _open(self, cls: type) -> Any:
        return cls(self.devfile, self.baudrate, timeout=self.status_timeout)

    def _write(self, printer: Any, data: bytes, timeout: float) -> None:
        # pyserial waits forever by default when flow control holds the line.
        printer.device.write_timeout = timeout
        printer.device.write(data)

    def _read(self, printer: Any, timeout: float) -> bytes:
        printer.device.timeout = timeout
        return bytes(printer.device.read(len(STATUS_KINDS)))
