"""ESC/POS byte builders and status parsing: pure functions, no I/O.

Raster jobs draw the whole slip as a bitmap (``GS v 0``), which prints Chinese
correctly on any printer. The native Chinese mode writes text in the printer's
own GB18030 font instead: python-escpos's ``text()`` never sends ``FS &`` and
re-encodes characters one by one, which is what mangles "：", "￥" and "——".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from PIL import Image

from .status import PrinterStatus

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."

Cut = Literal["full", "partial", "none"]
Align = Literal["left", "center", "right"]

INVERT = bytes(255 - i for i in range(256))  # a bytes.translate table flipping every bit

# Small bands keep cheap printers with tiny receive buffers from dropping rows.
BAND_HEIGHT = 128
# DLE EOT n accepts n = 1..4 (printer, offline cause, error cause, paper sensor).
STATUS_KINDS = (1, 2, 4)


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def feed(lines: int) -> bytes:
    """ESC d n: print what is buffered and feed n lines."""
    return ESC + b"d" + bytes([max(0, min(255, lines))])


def cut(mode: Cut = "full") -> bytes:
    """GS V m; "none" for printers without a cutter."""
    return {"full": GS + b"V\x00", "partial": GS + b"V\x01", "none": b""}[mode]


def raster(image: Image.Image, band_height: int = BAND_HEIGHT) -> bytes:
    """GS v 0 bands of a 1-bit image; black pixels are printed dots."""
    if band_height < 1:
        raise ValueError("band_height must be positive")
    mono = image.convert("1")
    width, height = mono.size
    width_bytes = (width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, height), 1)
    padded.paste(mono, (0, 0))
    # In PIL's mode "1" a set bit is white; the printer wants a set bit for black.
    dots = padded.tobytes().translate(INVERT)
    out = bytearray()
    for top in range(0, height, band_height):
        rows = min(band_height, height - top)
        out += GS + b"v0\x00" + _u16(width_bytes) + _u16(rows)
        out += dots[top * width_bytes : (top + rows) * width_bytes]
    return bytes(out)


def raster_job(
    image: Image.Image, *, cut_mode: Cut = "full", feed_lines: int = 4, band_height: int = BAND_HEIGHT
) -> bytes:
    """A complete job: initialise, the image in bands, feed past the cutter, cut."""
    return INIT + raster(image, band_height) + feed(feed_lines) + cut(cut_mode)


def text_line(text: str, *, magnify: int = 1, align: Align = "left", bold: bool = False) -> bytes:
    """One line for Chinese mode: ESC a align, ESC E bold, GS ! size, GB18030 text, LF.

    ``magnify`` (1..8) scales both width and height of ASCII and Chinese characters.
    """
    if not 1 <= magnify <= 8:
        raise ValueError("magnify must be 1..8")
    clean = "".join(ch for ch in text if ch >= " ")  # a stray control byte would be a command
    size = (magnify - 1) << 4 | (magnify - 1)
    return (
        ESC + b"a" + bytes([("left", "center", "right").index(align)])
        + ESC + b"E" + bytes([int(bold)])
        + GS + b"!" + bytes([size])
        + clean.encode("gb18030")
        + LF
    )


def chinese_block(lines: Iterable[bytes]) -> bytes:
    """Wrap text lines in FS & … FS . and restore normal size and alignment."""
    reset = GS + b"!\x00" + ESC + b"E\x00" + ESC + b"a\x00"
    return CHINESE_ON + b"".join(lines) + reset + CHINESE_OFF


def columns(text: str) -> int:
    """Width in half-width columns as the printer's font draws it: GB18030 multi-byte = 2."""
    return sum(2 if len(ch.encode("gb18030")) > 1 else 1 for ch in text)


# --- status -----------------------------------------------------------------------


def status_query(kind: int) -> bytes:
    """DLE EOT n, a real-time request the printer answers with one byte."""
    if kind not in (1, 2, 3, 4):
        raise ValueError("DLE EOT accepts n = 1..4")
    return DLE + EOT + bytes([kind])


STATUS_QUERY = b"".join(status_query(n) for n in STATUS_KINDS)


def _valid(byte: int) -> bool:
    # Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear.
    return byte & 0x93 == 0x12


def parse_status(reply: bytes, kinds: Sequence[int] = STATUS_KINDS) -> PrinterStatus:
    """Turn the replies to ``kinds`` (sent in that order) into a PrinterStatus.

    An empty reply is an offline printer: never read silence as "paper adequate".
    """
    if not reply:
        return PrinterStatus(offline=True, detail="no status reply")
    answers = {kind: byte for kind, byte in zip(kinds, reply) if _valid(byte)}
    printer, cause, paper = answers.get(1), answers.get(2), answers.get(4)
    details: list[str] = []

    paper_out = bool(paper is not None and paper & 0x60) or bool(cause is not None and cause & 0x20)
    near_end = bool(paper is not None and paper & 0x0C) and not paper_out
    stopped = printer is not None and bool(printer & 0x08)
    if cause is not None:
        for bit, text in ((0x04, "cover open"), (0x40, "printer error"), (0x08, "paper being fed")):
            if cause & bit:
                details.append(text)
    # A stop explained by paper end alone is reported as paper_out, not offline.
    offline = bool(cause is not None and cause & 0x44) or (stopped and not paper_out)
    if stopped and not details and not paper_out:
        details.append("printer reports offline")
    if paper_out:
        details.append("paper out")
    elif near_end:
        details.append("paper near end")
    unknown = any(kind not in answers for kind in kinds)
    if unknown:
        details.append("incomplete status reply")
    return PrinterStatus(
        offline=offline,
        paper_out=paper_out,
        paper_near_end=near_end,
        unknown=unknown,
        detail=", ".join(details),
    )
