"""Drawing a slip as a 1-bit image the width of the paper, in dots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from .fonts import FontFace, find_cjk_font, load
from .layout import Block, Logo, Qr, Rule, Space, Text, layout, wrap
from .slips import Slip

WIDTHS = (384, 576)  # 58 mm and 80 mm paper at 203 dpi


def render(
    slip: Slip, width: int = 576, *, font: FontFace | str | Path | None = None, logo: Image.Image | None = None
) -> Image.Image:
    """The slip as a mode "1" image ``width`` dots wide (black = printed)."""
    return render_blocks(layout(slip, logo), width, font)


def render_blocks(blocks: Sequence[Block], width: int, font: FontFace | str | Path | None = None) -> Image.Image:
    if width not in WIDTHS:
        raise ValueError(f"paper width must be one of {WIDTHS} dots, got {width}")
    face = font if isinstance(font, FontFace) else find_cjk_font(font)
    pen = _Pen(width, face)
    strips = [pen.draw(block) for block in blocks]
    height = sum(s.height for s in strips) + 2 * pen.margin
    page = Image.new("1", (width, height), 1)
    y = pen.margin
    for strip in strips:
        page.paste(strip, (0, y))
        y += strip.height
    return page


def base_size(width: int) -> int:
    """Body text size in dots: 16 Chinese characters across the paper."""
    return width // 16


def text_size(width: int, scale: float) -> int:
    return max(12, round(base_size(width) * scale))


def qr_image(data: str, width: int) -> Image.Image:
    """A QR code with its quiet zone, in whole dots per module so scanners read it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    box = max(3, width // 2 // n)
    if n * box > width:
        box = max(1, width // n)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if cell else 1 for row in matrix for cell in row])
    return small.resize((n * box, n * box), Image.Resampling.NEAREST)


class _Pen:
    def __init__(self, width: int, face: FontFace) -> None:
        self.width = width
        self.face = face
        self.margin = width // 48
        self.base = base_size(width)

    def draw(self, block: Block) -> Image.Image:
        if isinstance(block, Text):
            return self._fit(block) if block.fit else self._text(block)
        if isinstance(block, Qr):
            return self._centered(qr_image(block.data, self.width))
        if isinstance(block, Rule):
            strip = Image.new("1", (self.width, self.base // 2), 1)
            mid = strip.height // 2
            ImageDraw.Draw(strip).rectangle((self.margin, mid - 1, self.width - self.margin, mid), fill=0)
            return strip
        if isinstance(block, Space):
            return Image.new("1", (self.width, max(1, round(self.base * block.lines))), 1)
        if isinstance(block, Logo):
            return self._centered(self._logo(block.image))
        raise TypeError(f"unknown block {block!r}")

    def _x(self, line_width: float, align: str) -> int:
        inner = self.width - 2 * self.margin
        offset = {"left": 0, "center": (inner - line_width) / 2, "right": inner - line_width}[align]
        return self.margin + max(0, round(offset))

    def _text(self, block: Text) -> Image.Image:
        font = load(self.face, text_size(self.width, block.scale))
        ascent, descent = font.getmetrics()
        row = ascent + descent
        stroke = max(1, font.size // 28) if block.bold else 0

        def ink(line: str) -> tuple[int, int]:
            # Measured by ink, not advance: a glyph may reach a dot left of its origin.
            if not line:
                return 0, 0
            left, _, right, _ = font.getbbox(line, stroke_width=stroke)
            return min(0, int(left)), int(right)

        lines = wrap(block.text, self.width - 2 * self.margin, lambda t: ink(t)[1] - ink(t)[0])
        strip = Image.new("1", (self.width, row * len(lines) + row // 6), 1)
        pen = ImageDraw.Draw(strip)
        for i, line in enumerate(lines):
            left, right = ink(line)
            x = self._x(right - left, block.align) - left
            pen.text((x, i * row), line, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
        return strip

    def _fit(self, block: Text) -> Image.Image:
        # The largest size at which the text fits on one line, tight top and bottom;
        # text too long even at body size wraps at body size instead.
        size, smallest = text_size(self.width, block.scale), text_size(self.width, 1.0)
        while True:
            font = load(self.face, size)
            stroke = max(1, size // 28) if block.bold else 0
            left, top, right, bottom = font.getbbox(block.text, stroke_width=stroke)
            if right - left <= self.width - 2 * self.margin:
                break
            if size <= smallest:
                return self._text(Text(block.text, 1.0, block.align, block.bold))
            size = max(smallest, size - 2)
        pad = self.base // 4
        strip = Image.new("1", (self.width, int(bottom - top) + 2 * pad), 1)
        x = self._x(right - left, block.align) - left
        ImageDraw.Draw(strip).text(
            (x, pad - top), block.text, font=font, fill=0, stroke_width=stroke, stroke_fill=0
        )
        return strip

    def _logo(self, image: Image.Image) -> Image.Image:
        logo = image.convert("L")
        logo.thumbnail((self.width - 2 * self.margin, self.base * 3))
        return logo.convert("1")  # Floyd–Steinberg dithering keeps greys readable

    def _centered(self, image: Image.Image) -> Image.Image:
        pad = self.base // 4
        strip = Image.new("1", (self.width, image.height + 2 * pad), 1)
        strip.paste(image, ((self.width - image.width) // 2, pad))
        return strip
