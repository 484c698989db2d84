import pytest
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from onewindow.printer import encode, escpos
from onewindow.printer.status import PrinterStatus

FS_AND, FS_DOT = b"\x1c&", b"\x1c."


def sample_image(width=576, height=300):
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 200, 120), fill=0)
    draw.ellipse((300, 50, 500, 280), fill=0)
    return image


def test_raster_matches_python_escpos_for_each_band():
    # python-escpos is an independent encoder of GS v 0: same image, same bytes.
    image = sample_image()
    ours = escpos.raster(image, band_height=128)
    theirs = Dummy(profile="TM-T20II")  # a 576-dot profile, so it does not warn
    theirs.image(image, fragment_height=128, impl="bitImageRaster")
    assert ours == theirs.output
    assert ours.count(b"\x1dv0\x00") == 3  # 300 rows in bands of 128


def test_raster_job_is_init_image_feed_cut():
    job = escpos.raster_job(sample_image(384, 10), cut_mode="partial", feed_lines=5)
    assert job.startswith(b"\x1b@\x1dv0\x00" + (48).to_bytes(2, "little") + (10).to_bytes(2, "little"))
    assert job.endswith(b"\x1bd\x05\x1dV\x01")
    assert escpos.raster_job(sample_image(384, 10)).endswith(b"\x1dV\x00")
    assert escpos.raster_job(sample_image(384, 10), cut_mode="none").endswith(b"\x1bd\x04")


def test_raster_width_is_padded_to_whole_bytes():
    data = escpos.raster(Image.new("1", (10, 2), 0))
    assert data[4:8] == b"\x02\x00\x02\x00"
    assert data[8:] == b"\xff\xc0\xff\xc0"  # 10 black dots then 6 white padding dots


def test_text_line_writes_gb18030_in_the_printers_own_sequence():
    line = escpos.text_line("费用：￥0——免费 OK", magnify=2, align="center", bold=True)
    assert line == (
        b"\x1ba\x01" + b"\x1bE\x01" + b"\x1d!\x11" + "费用：￥0——免费 OK".encode("gb18030") + b"\n"
    )
    # The exact bytes of the characters python-escpos mangles.
    assert "：￥——".encode("gb18030") == b"\xa3\xba\xa3\xa4\xa1\xaa\xa1\xaa"


def test_text_line_drops_control_characters():
    assert escpos.text_line("a\x1bb\x0c") == b"\x1ba\x00\x1bE\x00\x1d!\x00ab\n"


def test_native_ticket_enters_and_leaves_chinese_mode(ticket):
    from dataclasses import replace

    slip = replace(ticket, notice="请注意：过号作废，费用￥0——免费。")
    job = encode(slip, 576, mode="native")
    assert job.startswith(b"\x1b@" + FS_AND)
    start, end = job.index(FS_AND), job.index(FS_DOT)
    inside = job[start:end]
    assert "请注意：过号作废，费用￥0——免费。".encode("gb18030") in inside
    assert "环评审批".encode("gb18030") in inside
    assert b"\x1d!\x77" + b"A017\n" in inside  # the number at 8x8
    assert b"\x1dv0\x00" in inside  # the QR code, as an image
    assert job[end:].startswith(FS_DOT) and job.endswith(b"\x1dV\x00")
    assert job.count(FS_AND) == 1 and job.count(FS_DOT) == 1


def test_native_lines_fit_the_paper(notice):
    from onewindow.printer import decode

    for width in (384, 576):
        lines = decode(encode(notice, width, mode="native")).lines
        assert lines
        assert all(escpos.columns(ln.text) * 12 * ln.magnify <= width for ln in lines)


def test_columns_count_chinese_as_double():
    assert escpos.columns("A：￥——1") == 1 + 2 + 2 + 2 + 2 + 1


def test_status_queries():
    assert escpos.status_query(1) == b"\x10\x04\x01"
    assert escpos.STATUS_QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    with pytest.raises(ValueError):
        escpos.status_query(5)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b"\x12\x12\x12", PrinterStatus()),
        (b"\x12\x12\x1e", PrinterStatus(paper_near_end=True)),
        (b"\x12\x12\x16", PrinterStatus(paper_near_end=True)),  # one near-end bit is enough
        (b"\x1a\x32\x7e", PrinterStatus(paper_out=True)),
        (b"\x12\x12\x72", PrinterStatus(paper_out=True)),
        (b"\x1a\x16\x12", PrinterStatus(offline=True)),  # cover open
        (b"\x1a\x56\x7e", PrinterStatus(offline=True, paper_out=True)),  # cover open and no paper
        (b"\x1a\x12\x12", PrinterStatus(offline=True)),
        (b"", PrinterStatus(offline=True)),
        (b"\x12", PrinterStatus(unknown=True)),
        (b"\x00\x12\x12", PrinterStatus(unknown=True)),  # fixed bits wrong: not a status byte
    ],
)
def test_parse_status(reply, expected):
    assert escpos.parse_status(reply) == expected


def test_parse_status_explains_itself():
    assert "cover open" in escpos.parse_status(b"\x1a\x16\x12").detail
    assert "no status reply" in escpos.parse_status(b"").detail


@given(st.binary(max_size=6))
def test_parse_status_never_fails_and_silence_is_never_fine(reply):
    status = escpos.parse_status(reply)
    if len(reply) < 3:
        assert not status.ok
