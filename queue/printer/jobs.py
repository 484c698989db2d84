"""A slip as the bytes of one print job, in the printer's configured mode."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PIL import Image

from . import chinese, escpos
from .fonts import FontFace
from .layout import Block, Logo, Qr, Rule, Space, Text, layout, wrap
from .render import WIDTHS, qr_image, render_blocks
from .slips import Slip

Mode = Literal["raster", "native"]

_HALF_WIDTH_DOTS = 12  # font A: 12 x 24 dots, a Chinese character takes two columns


def encode(
    slip: Slip,
    width: int = 576,
    *,
    mode: Mode = "raster",
    font: FontFace | str | Path | None = None,
    logo: Image.Image | None = None,
    cut: escpos.Cut = "full",
) -> bytes:
    """ESC/POS bytes for ``slip``: the whole slip as an image, or native Chinese text.

    Native mode needs no font on the host (the printer draws the characters), but
    the printer must have a GB18030 font; the QR code and logo are still images.
    """
    blocks = layout(slip, logo)
    if mode == "raster":
        return escpos.raster_job(render_blocks(blocks, width, font), cut_mode=cut)
    if mode == "native":
        return native_job(blocks, width, cut=cut)
    raise ValueError(f"unknown print mode {mode!r}")


def native_job(blocks: list[Block], width: int, *, cut: escpos.Cut = "full") -> bytes:
    if width not in WIDTHS:
        raise ValueError(f"paper width must be one of {WIDTHS} dots, got {width}")
    parts: list[bytes] = []
    for block in blocks:
        if isinstance(block, Text):
            parts += _text(block, width)
        elif isinstance(block, Rule):
            parts.append(chinese.text_line("-" * (width // _HALF_WIDTH_DOTS)))
        elif isinstance(block, Space):
            parts.append(chinese.LF * max(1, round(block.lines)))  # blank lines of text
        elif isinstance(block, Qr):
            parts.append(escpos.raster(_full_width(qr_image(block.data, width), width)))
        elif isinstance(block, Logo):
            logo = block.image.convert("L")
            logo.thumbnail((width, width // 4))
            parts.append(escpos.raster(_full_width(logo.convert("1"), width)))
    return escpos.INIT + chinese.block(parts) + escpos.feed_and_cut(cut)


def _text(block: Text, width: int) -> list[bytes]:
    magnify = min(8, max(1, round(block.scale)))
    if block.fit:
        # Shrink, never below 1, until the text fits on one line.
        while magnify > 1 and chinese.columns(block.text) * magnify * _HALF_WIDTH_DOTS > width:
            magnify -= 1
    cols = width // (_HALF_WIDTH_DOTS * magnify)
    return [
        chinese.text_line(line, magnify=magnify, align=block.align, bold=block.bold)
        for line in wrap(block.text, cols, chinese.columns)
    ]


def _full_width(image: Image.Image, width: int) -> Image.Image:
    # GS v 0 ignores ESC a on many printers, so centre by padding the image itself.
    strip = Image.new("1", (width, image.height), 1)
    strip.paste(image, ((width - image.width) // 2, 0))
    return strip
