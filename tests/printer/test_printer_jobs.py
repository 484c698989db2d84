"""Slip -> printer bytes -> decoded back: what the visitor would hold in hand."""

from dataclasses import replace

import pytest

from onewindow.printer import decode, encode
from onewindow.printer.layout import Qr, Text, layout
from onewindow.printer.render import render_blocks


def block(slip, text):
    return next(b for b in layout(slip) if isinstance(b, Text) and b.text == text)


@pytest.mark.parametrize("width", [384, 576])
def test_ticket_bytes_decode_to_the_expected_ticket(width, ticket, zbar, find, ink):
    job = decode(encode(ticket, width))
    image = job.image
    assert job.initialised and job.cut == "full"
    assert image.width == width and image.height > 2 * width
    assert 0.03 < ink(image) < 0.4

    assert zbar(image) == [ticket.track_url]

    # Top to bottom: hall name, number, category, QR code.
    y_hall = find(image, render_blocks([block(ticket, ticket.hall_name)], width))
    y_number = find(image, render_blocks([block(ticket, ticket.number)], width))
    y_category = find(image, render_blocks([block(ticket, ticket.category_name_zh)], width))
    y_qr = find(image, render_blocks([Qr(ticket.track_url)], width))
    assert None not in (y_hall, y_number, y_category, y_qr)
    assert y_hall < y_number < y_category < y_qr


def test_another_number_is_not_on_the_ticket(ticket, find):
    image = decode(encode(ticket, 576)).image
    other = replace(ticket, number="A018")
    assert find(image, render_blocks([block(other, "A018")], 576)) is None
    assert find(decode(encode(other, 576)).image, render_blocks([block(other, "A018")], 576)) is not None


def test_receipt_round_trip(receipt, zbar, find):
    image = decode(encode(receipt, 576)).image
    assert zbar(image) == [receipt.track_url]
    for text in (receipt.case_number, "2024年6月3日（暂定）", receipt.clerk_name):
        assert find(image, render_blocks([block(receipt, text)], 576)) is not None, text


def test_receipt_without_tracking_prints_no_qr(receipt, zbar):
    image = decode(encode(replace(receipt, track_url=None), 384)).image
    assert zbar(image) == []


@pytest.mark.parametrize("width", [384, 576])
def test_notice_prints_every_missing_material(width, notice, find):
    image = decode(encode(notice, width, cut="partial")).image
    positions = [
        find(image, render_blocks([block(notice, f"□ {i}. {name}")], width))
        for i, name in enumerate(notice.missing, 1)
    ]
    assert None not in positions
    assert positions == sorted(positions)  # in checklist order


def test_native_mode_carries_the_same_content(notice, receipt, ticket, zbar):
    lines = [ln.text for ln in decode(encode(notice, 576, mode="native")).lines]
    text = "\n".join(lines)
    for name in notice.missing:
        assert name in text.replace("\n", "") or name in text
    job = decode(encode(ticket, 384, mode="native"))
    assert ticket.number in [ln.text for ln in job.lines]
    assert zbar(job.image) == [ticket.track_url]
    assert [b for b in layout(receipt) if isinstance(b, Qr)]


def test_unknown_mode(ticket):
    with pytest.raises(ValueError, match="mode"):
        encode(ticket, 576, mode="pdf")
