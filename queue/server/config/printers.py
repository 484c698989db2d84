"""Printer driver specs as written in the hall configuration, e.g. `tcp://10.0.0.7:9100`.

`parse_driver` is pure and used by config.py, so a bad spec stops the server
with `file:line: field: message`; `make_driver` builds the driver at start.

    preview                 PNG files under the data directory (the demo; no printer needed)
    none                    this printer is not used
    fake                    an in-memory printer (tests)
    tcp://HOST[:PORT]       raw ESC/POS over the network (port 9100 by default)
    file:/dev/usb/lp0       a device file the kernel's printer driver provides
    usb:VID:PID             a USB printer by its hex vendor and product ids, e.g. usb:0416:5011
    serial:/dev/ttyS0[@BAUD] a serial printer (9600 baud by default)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("preview", "none", "fake", "tcp", "file", "usb", "serial")
_TCP = re.compile(r"^tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?::(?P<port>\d{1,5}))?/?$")
_USB = re.compile(r"^usb:(?P<vid>[0-9A-Fa-f]{4}):(?P<pid>[0-9A-Fa-f]{4})$")
_SERIAL = re.compile(r"^serial:(?P<dev>/[^@\s]+)(?:@(?P<baud>\d{3,7}))?$")
_FILE = re.compile(r"^file:(?P<path>/\S+)$")


@dataclass(frozen=True)
class DriverSpec:
    kind: str
    host: str = ""
    port: int = 9100
    path: str = ""
    vendor_id: int = 0
    product_id: int = 0
    baudrate: int = 9600


def parse_driver(text: str) -> DriverSpec:
    """The spec, or ValueError saying what a valid one looks like."""
    s = text.strip()
    if s in ("preview", "none", "fake"):
        return DriverSpec(s)
    if m := _TCP.match(s):
        port = int(m["port"] or 9100)
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is out of range")
        return DriverSpec("tcp", host=m["host"].strip("[]"), port=port)
    if m := _FILE.match(s):
        return DriverSpec("file", path=m["path"])
    if m := _USB.match(s):
        return DriverSpec("usb", vendor_id=int(m["vid"], 16), product_id=int(m["pid"], 16))
    if m := _SERIAL.match(s):
        return DriverSpec("serial", path=m["dev"], baudrate=int(m["baud"] or 9600))
    raise ValueError(f"unknown printer driver {text!r}; use preview, none, tcp://host:9100, "
                     "file:/dev/usb/lp0, usb:VID:PID (hex) or serial:/dev/ttyS0[@9600]")


def make_driver(spec: DriverSpec, preview_dir: Path):
    """The blocking driver for a spec (call it off the event loop: preview creates its folder)."""
    from onewindow import printer as p

    if spec.kind == "preview":
        return p.PreviewPrinter(preview_dir)
    if spec.kind == "fake":
        return p.FakePrinter()
    if spec.kind == "tcp":
        return p.NetworkPrinter(spec.host, spec.port)
    if spec.kind == "file":
        return p.FilePrinter(spec.path)
    if spec.kind == "usb":
        return p.UsbPrinter(spec.vendor_id, spec.product_id)
    if spec.kind == "serial":
        return p.SerialPrinter(spec.path, spec.baudrate)
    raise ValueError(f"printer driver {spec.kind!r} has no device")
