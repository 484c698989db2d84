"""NetworkPrinter against a small fake port-9100 printer on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest

from onewindow.printer import NetworkPrinter, PrinterOffline, decode, encode
from onewindow.printer.status import PrinterStatus


def timed_status(printer):
    start = time.monotonic()
    status = printer.status()
    return status, time.monotonic() - start


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("normal", PrinterStatus()),
        ("near_end", PrinterStatus(paper_near_end=True)),
        ("paper_out", PrinterStatus(paper_out=True)),
        ("cover_open", PrinterStatus(offline=True)),
        ("close", PrinterStatus(offline=True)),
    ],
)
def test_status_answers(fake_printer, mode, expected):
    fake_printer.mode = mode
    status, took = timed_status(NetworkPrinter("127.0.0.1", fake_printer.port))
    assert status == expected
    assert took < 1.0


def test_closed_connection_is_offline_not_adequate_paper(fake_printer):
    fake_printer.mode = "close"
    status = NetworkPrinter("127.0.0.1", fake_printer.port).status()
    assert status.offline and not status.can_print
    assert "closed" in status.detail or "unreachable" in status.detail


def test_no_reply_is_offline_within_the_short_timeout(fake_printer):
    fake_printer.mode = "silent"
    status, took = timed_status(NetworkPrinter("127.0.0.1", fake_printer.port))
    assert status.offline and "no status reply" in status.detail
    assert 1.4 <= took < 3.0  # the default 1.5 s, not python-escpos's 60 s


def test_nobody_listening_is_offline_at_once():
    with socket.create_server(("127.0.0.1", 0)) as spare:
        port = spare.getsockname()[1]
    status, took = timed_status(NetworkPrinter("127.0.0.1", port))
    assert status.offline and took < 1.0


def test_send_delivers_the_exact_job(fake_printer, ticket):
    data = encode(ticket, 384)
    NetworkPrinter("127.0.0.1", fake_printer.port).send(data)
    deadline = time.monotonic() + 3
    while not fake_printer.jobs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake_printer.jobs == [data]
    assert decode(fake_printer.jobs[0]).image.size[0] == 384


def test_send_to_nobody_raises_offline():
    with socket.create_server(("127.0.0.1", 0)) as spare:
        port = spare.getsockname()[1]
    with pytest.raises(PrinterOffline, match=f"127.0.0.1:{port}"):
        NetworkPrinter("127.0.0.1", port, timeout=1).send(b"\x1b@")
