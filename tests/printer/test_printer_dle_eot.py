import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.printer import dle_eot
from onewindow.printer.status import PrinterStatus


def test_status_queries():
    assert dle_eot.status_query(1) == b"\x10\x04\x01"
    assert dle_eot.STATUS_QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    with pytest.raises(ValueError):
        dle_eot.status_query(5)


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
    assert dle_eot.parse_status(reply) == expected


def test_parse_status_explains_itself():
    assert "cover open" in dle_eot.parse_status(b"\x1a\x16\x12").detail
    assert "no status reply" in dle_eot.parse_status(b"").detail


@given(st.binary(max_size=6))
def test_parse_status_never_fails_and_silence_is_never_fine(reply):
    status = dle_eot.parse_status(reply)
    if len(reply) < 3:
        assert not status.ok
