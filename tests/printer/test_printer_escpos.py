"""The raster image, feed and cut of every job are python-escpos's bytes, and those bytes are what ESC/POS says."""

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from onewindow.printer import decode, encode, escpos, render

LIBRARY_CUT = {"full": "FULL", "partial": "PART"}


def sample_image(width=576, height=300):
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 200, 120), fill=0)
    draw.ellipse((300, 50, 500, 280), fill=0)
    return image


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("cut", ["full", "partial", "none"])
def test_raster_job_is_what_python_escpos_builds(ticket, width, cut):
    # An independent python-escpos session, called as its documentation says.
    library = Dummy(profile="TM-T20II")
    library.hw("INIT")
    library.image(render(ticket, width), impl="bitImageRaster", fragment_height=128)
    if cut == "none":
        library.print_and_feed(6)
    else:
        library.cut(mode=LIBRARY_CUT[cut])
    assert encode(ticket, width, cut=cut) == library.output


class Spy:
    """Replaces python-escpos's builders with ones writing visible markers, to see where each byte comes from."""

    def __init__(self, monkeypatch):
        self.calls = []
        for name in ("image", "cut", "print_and_feed", "set"):
            monkeypatch.setattr(Dummy, name, self._marker(name))

    def _marker(self, name):
        def write(printer, *args, **kwargs):
            self.calls.append((name, args, kwargs))
            printer._raw(f"<{name}>".encode())

        return write


def test_every_raster_job_byte_comes_from_python_escpos(ticket, monkeypatch):
    spy = Spy(monkeypatch)
    assert encode(ticket, 384, cut="partial") == escpos.INIT + b"<image><cut>"
    (image_args, image_kwargs), (_, cut_kwargs) = spy.calls[0][1:], spy.calls[1][1:]
    assert image_args[0].tobytes() == render(ticket, 384).tobytes()
    assert image_kwargs == {"impl": "bitImageRaster", "fragment_height": 128}
    assert cut_kwargs == {"mode": "PART"}
    spy.calls.clear()
    assert encode(ticket, 384, cut="none") == escpos.INIT + b"<image><print_and_feed>"
    assert spy.calls[-1][1] == (6,)


def test_native_jobs_take_everything_but_the_chinese_text_from_python_escpos(ticket, monkeypatch):
    Spy(monkeypatch)
    job = encode(ticket, 576, mode="native")
    assert job.startswith(escpos.INIT + b"\x1c&<set>") and job.endswith(b"<set>\x1c.<cut>")
    assert job.count(b"<image>") == 1  # the QR code
    assert b"<set>A017\n" in job
    assert b"\x1b" not in job[len(escpos.INIT) :] and b"\x1d" not in job  # no command of our own making


def test_raster_bands_and_their_headers():
    image = sample_image()
    data = escpos.raster(image, band_height=128)
    headers = [data[i : i + 8] for i in range(len(data)) if data.startswith(b"\x1dv0\x00", i)]
    row = (576 // 8).to_bytes(2, "little")
    assert headers == [b"\x1dv0\x00" + row + rows.to_bytes(2, "little") for rows in (128, 128, 44)]
    assert decode(data).image.tobytes() == image.tobytes()


def test_raster_width_is_padded_to_whole_bytes():
    data = escpos.raster(Image.new("1", (10, 2), 0))
    assert data[4:8] == b"\x02\x00\x02\x00"
    assert data[8:] == b"\xff\xc0\xff\xc0"  # 10 black dots then 6 white padding dots


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 72), st.integers(1, 300), st.integers(1, 200))
def test_raster_of_any_size_decodes_to_the_same_image(width, height, band):
    image = Image.effect_noise((width, height), 64).convert("1")
    back = decode(escpos.raster_job(image, band_height=band)).image
    on_paper = Image.new("1", ((width + 7) // 8 * 8, height), 1)  # padded to whole bytes with white
    on_paper.paste(image)
    assert back.tobytes() == on_paper.tobytes()


def test_init_feed_and_cut():
    assert escpos.INIT == b"\x1b@"
    assert escpos.feed_and_cut("full") == b"\x1bd\x06\x1dV\x00"  # ESC d 6, GS V 0
    assert escpos.feed_and_cut("partial") == b"\x1bd\x06\x1dV\x01"
    assert escpos.feed_and_cut("none") == b"\x1bd\x06"  # torn off where the cutter would cut
    assert decode(escpos.INIT + escpos.feed_and_cut("partial")).cut == "partial"


def test_style():
    assert escpos.style(magnify=8, align="right", bold=True) == b"\x1d!\x77\x1bE\x01\x1ba\x02"
    assert escpos.style() == b"\x1d!\x00\x1bE\x00\x1ba\x00"
    with pytest.raises(ValueError, match="magnify"):
        escpos.style(magnify=0)
