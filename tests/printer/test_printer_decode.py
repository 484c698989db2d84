import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from onewindow.printer import chinese, decode, escpos
from onewindow.printer.decode import DecodeError


@st.composite
def bitmaps(draw):
    width = draw(st.integers(1, 12)) * 8
    height = draw(st.integers(1, 40))
    bits = draw(st.binary(min_size=width * height // 8, max_size=width * height // 8))
    return Image.frombytes("1", (width, height), bits)


@settings(max_examples=60)
@given(bitmaps(), st.integers(1, 17))
def test_raster_round_trip(image, band):
    job = decode(escpos.raster_job(image, band_height=band, cut_mode="partial"))
    assert job.image.tobytes() == image.tobytes()
    assert job.cut == "partial" and job.initialised


def test_native_text_round_trip():
    data = escpos.INIT + chinese.block([chinese.text_line("：￥——", magnify=3, align="right")])
    assert decode(data).lines[0].text == "：￥——"
    assert decode(data).lines[0].magnify == 3 and decode(data).lines[0].align == "right"


@pytest.mark.parametrize(
    "data",
    [
        b"\x1b@\x1bZ",  # unknown command
        b"\x1b@\x1dv0\x00\x01\x00\x05\x00\xff",  # raster cut short
        b"\x1b@abc",  # text never ended
        "汉".encode("gb18030") + b"\n",  # Chinese outside Chinese mode
    ],
)
def test_decode_refuses_what_we_never_send(data):
    with pytest.raises(DecodeError):
        decode(data)
