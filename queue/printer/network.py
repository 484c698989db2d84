"""A printer on the network, raw ESC/POS on TCP port 9100 (JetDirect style)."""

from __future__ import annotations

import socket
import time

from .dle_eot import STATUS_KINDS, STATUS_QUERY, parse_status
from .drivers import PrinterDriver
from .errors import PrinterOffline
from .status import PrinterStatus


class NetworkPrinter(PrinterDriver):
    """One connection per job and per status query, so a printer restart needs no reconnect logic.

    ``status()`` answers within ``status_timeout`` seconds. Silence and a closed
    connection both mean offline: python-escpos reads an empty reply as "paper
    adequate" and waits 60 s for it, which would hide a dead printer.
    """

    def __init__(self, host: str, port: int = 9100, *, timeout: float = 10.0, status_timeout: float = 1.5) -> None:
        self.host, self.port = host, port
        self.timeout, self.status_timeout = timeout, status_timeout

    def __repr__(self) -> str:
        return f"NetworkPrinter({self.host!r}, {self.port})"

    def send(self, data: bytes) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
                _drain(sock)
        except OSError as exc:  # includes timeouts, refused and reset connections
            raise PrinterOffline(f"{self.host}:{self.port}: {exc.strerror or exc}") from exc

    def status(self) -> PrinterStatus:
        deadline = time.monotonic() + self.status_timeout
        reply = bytearray()
        try:
            with socket.create_connection((self.host, self.port), timeout=self.status_timeout) as sock:
                sock.sendall(STATUS_QUERY)
                while len(reply) < len(STATUS_KINDS):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    sock.settimeout(remaining)
                    chunk = sock.recv(16)
                    if not chunk:
                        if not reply:
                            return PrinterStatus(offline=True, detail="connection closed without a reply")
                        break
                    reply += chunk
        except TimeoutError:
            pass  # judged below on what arrived in time
        except OSError as exc:
            return PrinterStatus(offline=True, detail=f"unreachable: {exc.strerror or exc}")
        if not reply:
            return PrinterStatus(offline=True, detail=f"no status reply within {self.status_timeout:g} s")
        return parse_status(bytes(reply))


def _drain(sock: socket.socket) -> None:
    # Closing with unread bytes (a printer's unsolicited status) makes the kernel send
    # a reset, which can discard the tail of the job; so read until the printer closes.
    deadline = time.monotonic() + 1.0
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(min(0.2, left))
            if not sock.recv(256):
                return
    except OSError:
        pass  # the job has gone out; silence or a late reset changes nothing
