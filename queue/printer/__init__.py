"""Printing tickets, case receipts and one-time notices on ESC/POS thermal printers.

Public API (everything else is internal and may change):

Slips, plain data the server fills in:
    TicketSlip(hall_name, number, category_name_zh, category_name_en, issued_at,
               ahead, estimated_wait_s, notice, track_url, windows=[])
    CaseReceipt(case_number, item_name, applicant_masked, accepted_at, deadline,
                deadline_provisional, window_name, clerk_name, query_hint, track_url=None)
    MissingMaterialsNotice(item_name, missing, provided, clerk_name, window_name,
                           issued_at, hall_name)

Rendering and bytes (pure, blocking CPU work):
    render(slip, width=576, *, font=None, logo=None) -> PIL.Image.Image   # mode "1"
    encode(slip, width=576, *, mode="raster"|"native", font=None, logo=None,
           cut="full"|"partial"|"none") -> bytes
    decode(data: bytes) -> DecodedJob(image, lines, cut, initialised)

Printing from async code:
    PrintService(printers: Mapping[str, PrinterConfig], *, on_status=None,
                 poll_interval=2.0, status_timeout=3.0, stall_after=10.0,
                 retries=3, backoff=0.5, queue_size=8)
        async start() / async stop() / async with
        async submit(printer_id, slip) -> JobHandle      # returns at once
        status(printer_id) -> PrinterStatus               # last known
    PrinterConfig(driver, width=576, mode="raster", when_unavailable="issue"|"refuse",
                  font=None, logo=None, cut="full")
    JobHandle.id, .printer_id, .done(), async .wait(timeout=None) -> JobResult
    JobResult(printed, reason, attempts, detail)
        reason: None | "paper_out" | "offline" | "busy" | "error" | "pending" | "stopped"
    PrinterStatus(offline, paper_out, paper_near_end, unknown, detail) .ok .can_print .reason

Drivers (blocking; send(data: bytes) -> None, status() -> PrinterStatus, close()):
    PrinterDriver                                        # the interface
    NetworkPrinter(host, port=9100, *, timeout=10.0, status_timeout=1.5)
    UsbPrinter(vendor_id, product_id, *, in_ep=0x82, out_ep=0x01, timeout=10.0, status_timeout=1.5)
    SerialPrinter(devfile, baudrate=9600, *, timeout=10.0, status_timeout=1.5)
    FilePrinter(path)                                    # e.g. /dev/usb/lp0
    PreviewPrinter(directory)                            # job-00001.png per job, .last_path
    FakePrinter(status=None)  .jobs .set_status() .fail_next(*errors)

Errors: PrinterError > PrinterOffline, PaperOut, FontMissing.
"""

from .decode import DecodedJob, decode
from .drivers import FakePrinter, FilePrinter, PreviewPrinter, PrinterDriver
from .errors import FontMissing, PaperOut, PrinterError, PrinterOffline
from .jobs import encode
from .network import NetworkPrinter
from .render import render
from .service import JobHandle, JobResult, PrinterConfig, PrintService
from .slips import CaseReceipt, MissingMaterialsNotice, TicketSlip
from .status import PrinterStatus
from .usb_serial import SerialPrinter, UsbPrinter

__all__ = [
    "CaseReceipt",
    "DecodedJob",
    "FakePrinter",
    "FilePrinter",
    "FontMissing",
    "JobHandle",
    "JobResult",
    "MissingMaterialsNotice",
    "NetworkPrinter",
    "PaperOut",
    "PreviewPrinter",
    "PrintService",
    "PrinterConfig",
    "PrinterDriver",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "SerialPrinter",
    "TicketSlip",
    "UsbPrinter",
    "decode",
    "encode",
    "render",
]
