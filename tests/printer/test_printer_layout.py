from hypothesis import given
from hypothesis import strategies as st

from onewindow.printer.layout import NUMBER_SCALE, Qr, Text, layout, wait_text, wrap


def texts(blocks):
    return [b.text for b in blocks if isinstance(b, Text)]


def test_ticket_puts_chinese_before_english_and_the_number_largest(ticket):
    blocks = layout(ticket)
    lines = texts(blocks)
    assert lines.index("您的号码") < lines.index("Your number") < lines.index("A017")
    assert lines.index("环评审批") < lines.index("EIA approval")
    assert lines.index("前面还有 4 人") < lines.index("People ahead of you: 4")
    assert "预计等候 约 21 分钟" in lines and "Estimated wait: about 21 min" in lines
    number = next(b for b in blocks if isinstance(b, Text) and b.text == "A017")
    assert number.scale == NUMBER_SCALE == max(b.scale for b in blocks if isinstance(b, Text))
    assert [b.data for b in blocks if isinstance(b, Qr)] == [ticket.track_url]


def test_receipt_shows_deadline_as_provisional(receipt):
    lines = texts(layout(receipt))
    assert "2024年6月3日（暂定）" in lines
    assert "HP-2024-000123" in lines and "李四" in lines and "3号窗口" in lines


def test_receipt_without_tracking_has_no_qr(receipt):
    from dataclasses import replace

    assert not [b for b in layout(replace(receipt, track_url=None)) if isinstance(b, Qr)]


def test_notice_lists_every_missing_material(notice):
    lines = texts(layout(notice))
    for i, name in enumerate(notice.missing, 1):
        assert f"□ {i}. {name}" in lines
    assert "√ 环境影响评价批复文件" in lines


def test_wait_text():
    assert wait_text(30) == ("即将叫号", "very soon")
    assert wait_text(61) == ("约 2 分钟", "about 2 min")
    assert wait_text(3600) == ("约 1 小时", "about 1 h")
    assert wait_text(4500) == ("约 1 小时 15 分钟", "about 1 h 15 min")


def test_wrap_keeps_punctuation_rules():
    assert wrap("营业执照副本复印件（加盖公章）", 10, len) == ["营业执照副本复印件", "（加盖公章）"]
    assert wrap("一二三四五，六", 5, len) == ["一二三四", "五，六"]
    assert wrap("please bring ALL", 12, len) == ["please bring", "ALL"]


@given(st.text(alphabet=st.sampled_from("环评审批排污许可 abcdEFG12，。（）-/"), max_size=80), st.integers(4, 30))
def test_wrap_fits_and_loses_nothing(text, limit):
    lines = wrap(text, limit, len)
    assert all(len(line) <= limit for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
