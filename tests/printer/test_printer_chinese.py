"""Native Chinese mode: our GB18030 text between python-escpos's styles."""

from dataclasses import replace

import pytest

from onewindow.printer import chinese, decode, encode, escpos
from onewindow.printer.decode import TextLine

FS_AND, FS_DOT = b"\x1c&", b"\x1c."


def test_text_line_is_a_style_then_gb18030_text():
    line = chinese.text_line("费用：￥0——免费 OK", magnify=2, align="center", bold=True)
    assert line == b"\x1d!\x11\x1bE\x01\x1ba\x01" + "费用：￥0——免费 OK".encode("gb18030") + b"\n"
    assert line == escpos.style(magnify=2, align="center", bold=True) + "费用：￥0——免费 OK".encode("gb18030") + b"\n"
    # The exact bytes of the characters python-escpos mangles.
    assert "：￥——".encode("gb18030") == b"\xa3\xba\xa3\xa4\xa1\xaa\xa1\xaa"


def test_text_line_drops_control_characters():
    assert chinese.text_line("a\x1bb\x0c") == b"\x1d!\x00\x1bE\x00\x1ba\x00ab\n"


def test_text_line_refuses_sizes_the_printer_lacks():
    with pytest.raises(ValueError, match="magnify"):
        chinese.text_line("A017", magnify=9)


def test_native_ticket_enters_and_leaves_chinese_mode(ticket):
    slip = replace(ticket, notice="请注意：过号作废，费用￥0——免费。")
    job = encode(slip, 576, mode="native")
    assert job.startswith(b"\x1b@" + FS_AND)
    start, end = job.index(FS_AND), job.index(FS_DOT)
    inside = job[start:end]
    assert "请注意：过号作废，费用￥0——免费。".encode("gb18030") in inside
    assert "环评审批".encode("gb18030") in inside
    assert b"\x1d!\x77\x1bE\x01\x1ba\x01" + b"A017\n" in inside  # the number at 8x8, bold, centred
    assert TextLine("A017", 8, "center", True) in decode(job).lines
    assert b"\x1dv0\x00" in inside  # the QR code, as an image
    assert job[end:].startswith(FS_DOT) and job.endswith(b"\x1dV\x00")
    assert job.count(FS_AND) == 1 and job.count(FS_DOT) == 1


def test_native_lines_fit_the_paper(notice):
    for width in (384, 576):
        lines = decode(encode(notice, width, mode="native")).lines
        assert lines
        assert all(chinese.columns(ln.text) * 12 * ln.magnify <= width for ln in lines)


def test_columns_count_chinese_as_double():
    assert chinese.columns("A：￥——1") == 1 + 2 + 2 + 2 + 2 + 1
