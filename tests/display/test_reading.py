import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.display.reading import read_window, spell_ticket, zh_cardinal

ZH_DIGITS = "零一二三四五六七八九"
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def test_ticket_is_read_one_symbol_at_a_time():
    assert spell_ticket("A012", "zh") == "A 零 一 二"
    assert spell_ticket("A012", "en") == "A, zero, one, two"


def test_ticket_separators_dropped_and_letters_capitalised():
    assert spell_ticket(" b-007 ", "zh") == "B 零 零 七"


@given(st.from_regex(r"[A-Z]{1,2}[0-9]{1,4}", fullmatch=True))
def test_every_symbol_is_one_word(ticket):
    zh = spell_ticket(ticket, "zh").split(" ")
    en = spell_ticket(ticket, "en").split(", ")
    assert len(zh) == len(en) == len(ticket)
    for symbol, z, e in zip(ticket, zh, en, strict=False):
        if symbol.isdigit():
            assert (z, e) == (ZH_DIGITS[int(symbol)], EN_DIGITS[int(symbol)])
        else:
            assert z == e == symbol


@pytest.mark.parametrize("ticket", ["", "  ", "--"])
def test_ticket_without_symbols_is_refused(ticket):
    with pytest.raises(ValueError):
        spell_ticket(ticket, "zh")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        spell_ticket("A1", "fr")


@pytest.mark.parametrize(("n", "zh"), [
    (0, "零"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (100, "一百"),
    (105, "一百零五"), (110, "一百一十"), (1001, "一千零一"), (1010, "一千零一十"),
    (9999, "九千九百九十九"), (12345, "一二三四五"),
])
def test_chinese_cardinals(n, zh):
    assert zh_cardinal(n) == zh


@pytest.mark.parametrize(("window", "zh", "en"), [
    ("3", "三", "3"),
    ("12", "十二", "12"),
    ("03", "三", "3"),
    ("A3", "A 三", "A-3"),
    ("综合2", "综合 二", "综合-2"),
])
def test_window_is_read_as_a_number(window, zh, en):
    assert read_window(window, "zh") == zh
    assert read_window(window, "en") == en
