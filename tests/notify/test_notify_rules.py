"""The pure rules of onewindow.notify: templates, segments, phones, quiet hours, backoff, receipts."""
from __future__ import annotations

from datetime import datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.clock import at

from onewindow.notify import (
    KINDS,
    InvalidPhone,
    QuietHours,
    TemplateError,
    backoff_s,
    count_segments,
    normalize_phone,
    over_daily_limit,
    render,
)
from onewindow.notify.receipts import outcome, parse_receipt
from onewindow.notify.templates import TEMPLATES
from onewindow.server.services.notifications import KINDS as SERVICE_KINDS

SIGN = "【生态环境局】"
LINK = "https://zw.example.cn/c/1234?t=AbCdEfGh12"  # 40 characters: a short link with a token
SAMPLE = {"number": "ECO-20261203-0001", "ahead": 3, "window": "3号窗口", "item": "排污许可证核发",
          "deadline": "12月24日", "link": LINK, "missing": ["营业执照副本"], "result": "，请到3号窗口领取",
          "outcome": "已电话回访并补正", "time": "12-04 09:30", "code": "12345678",
          "project": "某某新材料产业园一期", "town": "东山镇", "day": "12-08", "state": "将到访", "place": "镇政府广场"}


def test_the_service_and_the_templates_know_the_same_kinds():
    assert set(KINDS) == set(SERVICE_KINDS) == {
        "ticket_near", "ticket_called", "case_accepted", "case_suspended", "case_resumed", "case_completed",
        "case_rate_invite", "rectification_result", "complaint_received", "complaint_result",
        "appointment_reminder_day", "appointment_reminder_hour", "appointment_slot_gone", "key_project_booking",
        "visit_changed"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_renders_in_both_languages(kind, lang):
    text = render(kind, SAMPLE, lang, SIGN)
    assert text.startswith(SIGN) and "{" not in text and "}" not in text
    for p in TEMPLATES[kind][0]:
        assert str(SAMPLE[p]).strip("[]'") in text or p == "missing"


@pytest.mark.parametrize("kind", ["ticket_near", "ticket_called", "case_resumed", "case_rate_invite"])
def test_the_short_chinese_messages_fit_one_segment_with_signature_and_link(kind):
    seg = count_segments(render(kind, {**SAMPLE, "number": "A012"}, "zh", SIGN))
    assert (seg.encoding, seg.segments) == ("ucs2", 1)


def test_a_missing_parameter_or_unknown_kind_is_an_error():
    with pytest.raises(TemplateError, match="missing window"):
        render("ticket_called", {"number": "A001"})
    with pytest.raises(TemplateError, match="unknown"):
        render("birthday", {})
    assert render("case_completed", {"number": "X1", "link": "L"}) == "办件X1已办结。详情：L"  # optional result


def test_parameters_cannot_smuggle_lines_or_fields():
    text = render("ticket_called", {"number": "A001\n{link}", "window": "1号窗口"})
    assert "\n" not in text and "{link}" in text  # a value is never formatted again


@pytest.mark.parametrize("text,enc,units,segments", [
    ("", "gsm7", 0, 0),
    ("a" * 160, "gsm7", 160, 1),
    ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2),
    ("a" * 307, "gsm7", 307, 3),
    ("€" * 80, "gsm7", 160, 1),  # an extension character takes two septets
    ("€" * 81, "gsm7", 162, 2),
    ("中" * 70, "ucs2", 70, 1),
    ("中" * 71, "ucs2", 71, 2),
    ("中" * 134, "ucs2", 134, 2),
    ("中" * 135, "ucs2", 135, 3),
    ("a" * 69 + "中", "ucs2", 70, 1),  # one Chinese character makes the whole text UCS-2
    ("😀" * 35, "ucs2", 70, 1),  # outside the BMP: two units each
    ("😀" * 36, "ucs2", 72, 2),
])
def test_segments(text, enc, units, segments):
    seg = count_segments(text)
    assert (seg.encoding, seg.units, seg.segments) == (enc, units, segments)


@given(st.text(max_size=400))
def test_segments_are_the_fewest_that_hold_the_text(text):
    seg = count_segments(text)
    single, part = {"gsm7": (160, 153), "ucs2": (70, 67)}[seg.encoding]
    if seg.units <= single:
        assert seg.segments == (1 if seg.units else 0)
    else:
        assert (seg.segments - 1) * part < seg.units <= seg.segments * part


@pytest.mark.parametrize("raw,want", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0086-19912345678", "19912345678"),
    ("8613812345678", "13812345678"), ("(138)1234-5678", "13812345678"),
])
def test_phones_that_are_mobile_numbers(raw, want):
    assert normalize_phone(raw) == want


@pytest.mark.parametrize("raw", ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567x",
                                 "+1 4155550123", "010-12345678", "１３８１２３４５６７８",
                                 "13８12345678"])
def test_malformed_phones(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_quiet_hours_across_midnight():
    q = QuietHours(time(21, 0), time(8, 0))
    assert not q.quiet(at(2026, 12, 3, 20, 59))
    assert q.quiet(at(2026, 12, 3, 21, 0)) and q.quiet(at(2026, 12, 4, 7, 59))
    assert q.next_allowed(at(2026, 12, 3, 22, 15)) == at(2026, 12, 4, 8, 0)
    assert q.next_allowed(at(2026, 12, 4, 6, 0)) == at(2026, 12, 4, 8, 0)
    assert q.next_allowed(at(2026, 12, 4, 9, 0)) == at(2026, 12, 4, 9, 0)


def test_quiet_hours_within_a_day_and_never():
    q = QuietHours(time(12, 0), time(13, 30))
    assert q.next_allowed(at(2026, 12, 3, 12, 10)) == at(2026, 12, 3, 13, 30)
    assert not q.quiet(at(2026, 12, 3, 13, 30))
    never = QuietHours(time(0, 0), time(0, 0))
    assert never.next_allowed(at(2026, 12, 3, 3, 0)) == at(2026, 12, 3, 3, 0)
    assert isinstance(never.next_allowed(at(2026, 12, 3, 3, 0)), datetime)


def test_backoff_grows_spreads_and_caps():
    waits = [backoff_s(n, key=7) for n in range(1, 12)]
    assert waits == sorted(waits) and waits[0] >= 5 and waits[-1] <= 600 * 1.2
    assert backoff_s(3, key=1) != backoff_s(3, key=2)  # messages failing together spread out
    assert all(b <= 1.2 * a for a, b in zip([5, 15, 30, 60, 120, 300, 600], [backoff_s(n, 99) for n in range(1, 8)],
                                            strict=True))


def test_daily_limit():
    assert not over_daily_limit(9, 10) and over_daily_limit(10, 10)
    assert not over_daily_limit(10_000, 0)  # 0: no limit


def test_receipts():
    r = "id:0A1B2C3D sub:001 dlvrd:001 submit date:2612031000 done date:2612031001 stat:DELIVRD err:000 text:"
    assert parse_receipt(r) == ("0A1B2C3D", "DELIVRD")
    assert outcome("DELIVRD") == "delivered" and outcome("UNDELIV") == "failed" and outcome("ENROUTE") is None
    assert parse_receipt("hello") is None
