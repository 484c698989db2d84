"""Native Chinese text: lines the printer draws in its own GB18030 font, inside FS & … FS .

Ours because python-escpos's text() never sends FS & and re-encodes characters one
by one through its code pages, which mangles "：", "￥" and "——". The styles
around the text come from python-escpos.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import escpos

CHINESE_ON = b"\x1c&"  # FS &
CHINESE_OFF = b"\x1c."  # FS .
LF = b"\n"


def text_line(text: str, *, magnify: int = 1, align: escpos.Align = "left", bold: bool = False) -> bytes:
    """One line in Chinese mode: its style, the GB18030 text, LF."""
    clean = "".join(ch for ch in text if ch >= " ")  # a stray control byte would be a command
    return escpos.style(magnify=magnify, align=align, bold=bold) + clean.encode("gb18030") + LF


def block(lines: Iterable[bytes]) -> bytes:
    """Wrap lines in FS & … FS . and restore normal size, weight and alignment."""
    return CHINESE_ON + b"".join(lines) + escpos.style() + CHINESE_OFF


def columns(text: str) -> int:
    """Width in half-width columns as the printer's font draws it: GB18030 multi-byte = 2."""
    return sum(2 if len(ch.encode("gb18030")) > 1 else 1 for ch in text)
