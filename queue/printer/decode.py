"""Reading our own ESC/POS jobs back: the raster image and any native text lines.

Used by tests and by PreviewPrinter. It understands exactly the commands our
builders emit and refuses anything else, so a stray byte shows up as an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

INVERT = bytes(255 - i for i in range(256))  # a bytes.translate table flipping every bit


class DecodeError(ValueError):
    pass


@dataclass(frozen=True)
class TextLine:
    text: str
    magnify: int = 1
    align: str = "left"
    bold: bool = False


@dataclass
class DecodedJob:
    image: Image.Image | None  # all raster bands stacked, black = printed
    lines: list[TextLine] = field(default_factory=list)
    cut: str | None = None  # "full", "partial" or None
    initialised: bool = False


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_CUT = {0: "full", 48: "full", 1: "partial", 49: "partial", 65: "full", 66: "partial"}


def decode(data: bytes) -> DecodedJob:
    job = DecodedJob(image=None)
    bands: list[Image.Image] = []
    chinese, magnify, align, bold = False, 1, "left", False
    pending = bytearray()
    i = 0

    def need(count: int) -> bytes:
        if i + count > len(data):
            raise DecodeError(f"truncated command at byte {i}")
        return data[i : i + count]

    def flush_text() -> None:
        try:
            text = bytes(pending).decode("gb18030" if chinese else "ascii")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"undecodable text before byte {i}: {exc}") from exc
        job.lines.append(TextLine(text, magnify, align, bold))
        pending.clear()

    while i < len(data):
        byte = data[i]
        if byte >= 0x20:
            pending.append(byte)
            i += 1
            continue
        if byte == 0x0A:
            flush_text()
            i += 1
            continue
        if pending:
            raise DecodeError(f"text not ended by LF before byte {i}")
        head = need(2)
        if head == b"\x1b@":
            job.initialised, chinese, magnify, align, bold = True, False, 1, "left", False
            i += 2
        elif head == b"\x1bd":
            need(3)
            i += 3
        elif head == b"\x1ba":
            align = _ALIGN.get(need(3)[2], "left")
            i += 3
        elif head == b"\x1bE":
            bold = bool(need(3)[2] & 1)
            i += 3
        elif head == b"\x1d!":
            size = need(3)[2]
            if size >> 4 != size & 0x0F:
                raise DecodeError(f"unequal width and height magnification at byte {i}")
            magnify = (size & 0x0F) + 1
            i += 3
        elif head == b"\x1c&":
            chinese = True
            i += 2
        elif head == b"\x1c.":
            chinese = False
            i += 2
        elif head == b"\x1dV":
            m = need(3)[2]
            if m not in _CUT:
                raise DecodeError(f"unknown cut mode {m} at byte {i}")
            job.cut = _CUT[m]
            i += 4 if m in (65, 66) else 3
        elif head == b"\x1dv":
            header = need(8)
            if header[2:4] != b"0\x00":
                raise DecodeError(f"unsupported raster mode at byte {i}")
            width_bytes = int.from_bytes(header[4:6], "little")
            rows = int.from_bytes(header[6:8], "little")
            i += 8
            size = width_bytes * rows
            dots = need(size)
            i += size
            band = Image.frombytes("1", (width_bytes * 8, rows), dots.translate(INVERT))
            bands.append(band)
        else:
            raise DecodeError(f"unknown command {head!r} at byte {i}")
    if pending:
        raise DecodeError("text not ended by LF at the end of the job")
    if bands:
        width = max(b.width for b in bands)
        job.image = Image.new("1", (width, sum(b.height for b in bands)), 1)
        y = 0
        for band in bands:
            job.image.paste(band, (0, y))
            y += band.height
    return job
