import pytest

from onewindow.printer import FontMissing, render
from onewindow.printer.layout import Text, layout
from onewindow.printer.render import base_size, qr_image, render_blocks


@pytest.mark.parametrize("width", [384, 576])
def test_slips_are_one_bit_at_paper_width(width, ticket, receipt, notice, ink):
    for slip in (ticket, receipt, notice):
        image = render(slip, width)
        assert image.mode == "1" and image.width == width
        assert width < image.height < width * 6
        assert 0.03 < ink(image) < 0.4


def test_other_widths_are_refused(ticket):
    with pytest.raises(ValueError, match="384, 576"):
        render(ticket, 500)


def test_configured_font_missing(ticket, tmp_path):
    with pytest.raises(FontMissing):
        render(ticket, 576, font=tmp_path / "missing.ttf")


@pytest.mark.parametrize("width", [384, 576])
def test_number_is_the_biggest_thing_on_the_ticket(width, ticket, find):
    page = render(ticket, width)
    number = next(b for b in layout(ticket) if isinstance(b, Text) and b.text == ticket.number)
    strip = render_blocks([number], width)
    assert find(page, strip) is not None
    # Taller than four lines of body text, and almost as wide as the paper.
    assert strip.height > 4 * base_size(width)
    inked = strip.convert("L").point(lambda v: 255 - v).getbbox()
    assert inked[2] - inked[0] > 0.7 * width


def test_long_text_wraps_inside_the_paper(notice, ink):
    image = render(notice, 384)
    margin = 384 // 48
    assert ink(image.crop((0, 0, margin, image.height))) == 0
    assert ink(image.crop((384 - margin + 1, 0, 384, image.height))) == 0


def test_qr_modules_are_whole_dots_with_a_quiet_zone(zbar):
    image = qr_image("https://example.cn/x", 384)
    modules = 25 + 2 * 4  # version 2 and four modules of quiet zone on each side
    assert image.width == image.height and image.width % modules == 0
    dot = image.width // modules
    assert dot >= 3
    border = image.crop((0, 0, image.width, 4 * dot))
    assert border.getextrema() == (1, 1)  # mode 1: all white
    assert zbar(image) == ["https://example.cn/x"]


def test_logo_is_printed_on_top(ticket, find):
    from PIL import Image, ImageDraw

    logo = Image.new("L", (200, 100), 255)
    ImageDraw.Draw(logo).ellipse((10, 10, 190, 90), fill=0)
    page = render(ticket, 576, logo=logo)
    plain = render(ticket, 576)
    assert page.height > plain.height
    y_logo = find(page, render_blocks(layout(ticket, logo)[:1], 576))
    y_hall = find(page, render_blocks([layout(ticket)[0]], 576))
    assert y_logo is not None and y_hall is not None and y_logo < y_hall
