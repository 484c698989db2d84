"""ESC/POS commands built by python-escpos: initialise, raster images, text styles, feeds, cuts.

Each builder runs python-escpos against a ``Dummy`` printer and returns the bytes
it collected: pure, no I/O. Raster jobs draw the whole slip as a bitmap
(``GS v 0``), which prints Chinese correctly on any printer. What the library
gets wrong stays ours: native Chinese text (chinese.py) and status (dle_eot.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from escpos.printer import Dummy
from PIL import Image

Cut = Literal["full", "partial", "none"]
Align = Literal["left", "center", "right"]

# 576 dots at 203 dpi with both cuts: image() takes our 384 and 576 dot slips without
# a warning, and cut("PART") stays partial (profiles without it silently cut in full).
PROFILE = "TM-T20II"
# Small bands keep cheap printers with tiny receive buffers from dropping rows.
BAND_HEIGHT = 128
# What python-escpos's cut() feeds before cutting; without a cutter the slip is torn off there.
CUT_FEED_LINES = 6

_CUT_MODES = {"full": "FULL", "partial": "PART"}


def _collect(build: Callable[[Dummy], object]) -> bytes:
    printer = Dummy(profile=PROFILE)
    build(printer)
    return printer.output


INIT = _collect(lambda p: p.hw("INIT"))  # ESC @


def raster(image: Image.Image, band_height: int = BAND_HEIGHT) -> bytes:
    """GS v 0 bands of a 1-bit image, ``band_height`` rows each; black pixels are printed dots."""
    if band_height < 1:
        raise ValueError("band_height must be positive")
    mono = image.convert("1")
    return _collect(lambda p: p.image(mono, impl="bitImageRaster", fragment_height=band_height))


def feed_and_cut(mode: Cut = "full") -> bytes:
    """Feed the last printed line past the cutter and cut; "none" (no cutter) only feeds."""
    if mode == "none":
        return _collect(lambda p: p.print_and_feed(CUT_FEED_LINES))  # ESC d n
    return _collect(lambda p: p.cut(mode=_CUT_MODES[mode]))


def style(*, magnify: int = 1, align: Align = "left", bold: bool = False) -> bytes:
    """Size, weight and alignment of the text that follows; ``magnify`` (1..8) scales width and height."""
    if not 1 <= magnify <= 8:
        raise ValueError("magnify must be 1..8")
    return _collect(lambda p: p.set(align=align, bold=bold, custom_size=True, width=magnify, height=magnify))


def raster_job(image: Image.Image, *, cut_mode: Cut = "full", band_height: int = BAND_HEIGHT) -> bytes:
    """A complete job: initialise, the image in bands, feed past the cutter, cut."""
    return INIT + raster(image, band_height) + feed_and_cut(cut_mode)
