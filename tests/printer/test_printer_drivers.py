from __future__ import annotations

from typing import ClassVar

import escpos.exceptions
import escpos.printer
import pytest
from PIL import Image

from onewindow.printer import (
    FakePrinter,
    FilePrinter,
    PaperOut,
    PreviewPrinter,
    PrinterError,
    PrinterOffline,
    SerialPrinter,
    UsbPrinter,
    encode,
    render,
)
from onewindow.printer.status import PrinterStatus


def test_file_printer_appends_to_an_existing_device_file(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    printer = FilePrinter(device)
    printer.send(b"\x1b@one")
    printer.send(b"\x1b@two")
    assert device.read_bytes() == b"\x1b@one\x1b@two"
    assert printer.status().unknown and printer.status().can_print


def test_file_printer_never_creates_a_missing_device(tmp_path):
    printer = FilePrinter(tmp_path / "lp0")
    with pytest.raises(PrinterOffline, match="lp0"):
        printer.send(b"\x1b@")
    assert not (tmp_path / "lp0").exists()
    assert printer.status().offline


def test_preview_writes_the_ticket_as_png(tmp_path, ticket):
    preview = PreviewPrinter(tmp_path / "preview")
    preview.send(encode(ticket, 384))
    assert preview.last_path == tmp_path / "preview" / "job-00001.png"
    with Image.open(preview.last_path) as png:
        assert png.convert("1").tobytes() == render(ticket, 384).tobytes()
    assert preview.status().ok


def test_preview_numbering_survives_a_restart_and_native_jobs_become_text(tmp_path, notice):
    PreviewPrinter(tmp_path).send(encode(notice, 576))
    preview = PreviewPrinter(tmp_path)
    preview.send(encode(notice, 576, mode="native"))
    assert (tmp_path / "job-00002.txt").read_text(encoding="utf-8").count("法定代表人授权委托书") == 1
    assert preview.last_path == tmp_path / "job-00002.txt"


def test_preview_keeps_only_the_newest_jobs(tmp_path, ticket):
    preview = PreviewPrinter(tmp_path, keep=20)  # pruned every second job
    data = encode(ticket, 384)
    for _ in range(45):
        preview.send(data)
    kept = sorted(int(p.stem[4:]) for p in tmp_path.glob("job-*.png"))
    assert kept[-1] == 45 and 20 <= len(kept) <= 22
    assert kept == list(range(kept[0], 46))  # the newest, without holes


def test_preview_rejects_bytes_it_cannot_read(tmp_path):
    with pytest.raises(PrinterError, match="preview"):
        PreviewPrinter(tmp_path).send(b"\x1b@\x1bZ")


def test_fake_printer_records_fails_and_reports():
    fake = FakePrinter()
    fake.fail_next(PrinterOffline("cable"))
    with pytest.raises(PrinterOffline):
        fake.send(b"1")
    fake.send(b"2")
    fake.set_status(PrinterStatus(paper_out=True))
    with pytest.raises(PaperOut):
        fake.send(b"3")
    assert fake.jobs == [b"2"] and fake.status().paper_out


# --- USB and serial: python-escpos's classes replaced by stand-ins -------------------


class StandInDevice:
    """Looks like an opened pyusb device or pyserial port."""

    def __init__(self, reply: bytes = b"\x12\x12\x12", error: Exception | None = None) -> None:
        self.written: list[bytes] = []
        self.reply, self.error = reply, error
        self.timeout = self.write_timeout = None

    def write(self, *args):
        if self.error:
            raise self.error
        self.written.append(bytes(args[1] if len(args) > 1 else args[0]))

    def read(self, *args):
        out, self.reply = self.reply, b""
        return out


def stand_in(device=None, usable=True, open_error=None):
    class StandIn:
        opened: ClassVar[list] = []

        @staticmethod
        def is_usable():
            return usable

        def __init__(self, *args, **kwargs):
            self.args = args
            self.device = device

        def open(self):
            if open_error:
                raise open_error
            StandIn.opened.append(self.args)

        def close(self):
            pass

    return StandIn


@pytest.mark.parametrize(("cls", "make"), [("Usb", lambda: UsbPrinter(0x0416, 0x5011)),
                                           ("Serial", lambda: SerialPrinter("/dev/ttyS0"))])
def test_missing_backend_is_our_error(monkeypatch, cls, make):
    monkeypatch.setattr(escpos.printer, cls, stand_in(usable=False))
    printer = make()
    with pytest.raises(PrinterError, match=r"python-escpos\["):
        printer.send(b"\x1b@")
    assert printer.status().offline


@pytest.mark.parametrize(("cls", "make"), [("Usb", lambda: UsbPrinter(0x0416, 0x5011)),
                                           ("Serial", lambda: SerialPrinter("/dev/ttyS0"))])
def test_device_not_found_is_offline(monkeypatch, cls, make):
    monkeypatch.setattr(escpos.printer, cls, stand_in(open_error=escpos.exceptions.DeviceNotFoundError("unplugged")))
    printer = make()
    with pytest.raises(PrinterOffline, match="unplugged"):
        printer.send(b"\x1b@")
    status = printer.status()
    assert status.offline and "unplugged" in status.detail


@pytest.mark.parametrize(("cls", "make"), [("Usb", lambda: UsbPrinter(0x0416, 0x5011)),
                                           ("Serial", lambda: SerialPrinter("/dev/ttyS0"))])
def test_status_and_send_over_an_opened_device(monkeypatch, cls, make):
    device = StandInDevice(reply=b"\x12\x12\x1e")
    monkeypatch.setattr(escpos.printer, cls, stand_in(device))
    printer = make()
    assert printer.status() == PrinterStatus(paper_near_end=True)
    printer.send(b"\x1b@job")
    assert device.written == [b"\x10\x04\x01\x10\x04\x02\x10\x04\x04", b"\x1b@job"]


def test_io_error_drops_the_device_so_the_next_call_reopens(monkeypatch):
    device = StandInDevice(error=OSError(5, "Input/output error"))
    standin = stand_in(device)
    monkeypatch.setattr(escpos.printer, "Usb", standin)
    printer = UsbPrinter(0x0416, 0x5011)
    with pytest.raises(PrinterOffline, match="Input/output"):
        printer.send(b"\x1b@")
    device.error = None
    printer.send(b"\x1b@")
    assert len(standin.opened) == 2 and device.written == [b"\x1b@"]


def test_silent_usb_device_is_offline_quickly(monkeypatch):
    monkeypatch.setattr(escpos.printer, "Usb", stand_in(StandInDevice(reply=b"")))
    status = UsbPrinter(0x0416, 0x5011, status_timeout=0.2).status()
    assert status.offline and "no status reply" in status.detail
