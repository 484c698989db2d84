"""The pure rules of appointments: slots on the working-day calendar, the check-in
window's edges, the ID number's check, the no-show block, the card reader driver."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from onewindow.appointments import (
    InvalidIdNumber,
    Rules,
    Session,
    blocked_until,
    check_in_state,
    closed_day,
    day_slots,
    is_valid_id_number,
    nearest_free,
    normalize_id_number,
    slot_capacity,
)
from onewindow.appointments.idcard import check_char
from onewindow.appointments.reader import FakeReader, KeyboardWedgeReader
from onewindow.promises import seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()
RULES = Rules(slot_min=30, capacity=2, share=0.5, ahead_days=14, windows=2, service_min=15)
LUNCH = (time(11, 30), time(13, 30))


def slots(day: date, sessions=(), category="eia", rules=RULES):
    return day_slots(day, TZ, CAL.is_working_day(day), time(9), time(17), LUNCH, list(sessions), category, rules)


def test_a_working_day_has_the_hours_less_lunch_in_slots():
    got = slots(date(2026, 11, 24))  # a Tuesday
    assert [s.start.strftime("%H:%M") for s in got] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert all(s.capacity == 2 and (s.end - s.start).seconds == 1800 for s in got)


def test_a_holiday_closes_slots_and_a_weekend_too():
    assert slots(date(2026, 10, 1)) == []  # National Day
    assert slots(date(2026, 11, 28)) == []  # a Saturday


def test_a_make_up_working_day_has_slots():
    assert date(2026, 9, 20).weekday() == 6  # a Sunday, worked in place of a holiday (调休)
    assert len(slots(date(2026, 9, 20))) == 12


def test_an_extended_session_opens_slots_on_working_days_only():
    thursday = Session(time(17), time(19), weekdays=frozenset({3}))
    got = slots(date(2026, 11, 26), [thursday])
    assert [s.start.strftime("%H:%M") for s in got][-4:] == ["17:00", "17:30", "18:00", "18:30"]
    assert slots(date(2026, 10, 1), [thursday]) == []  # a Thursday, but National Day


def test_a_dated_holiday_session_opens_slots_on_a_holiday():
    new_year = Session(time(9), time(11, 30), day=date(2026, 1, 1), categories=frozenset({"eia"}))
    got = slots(date(2026, 1, 1), [new_year])
    assert [s.start.strftime("%H:%M") for s in got] == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert slots(date(2026, 1, 1), [new_year], category="permit") == []  # another category's day off


def test_a_van_has_slots_in_its_visit_hours_and_a_closed_day_says_when_the_outlet_opens():
    # `working` is whether the outlet opens (the server: Hall.opens_on); a van's hours are its visits'.
    visits = [(time(9), time(10)), (time(14), time(15))]
    got = day_slots(date(2026, 11, 24), TZ, True, time(9), time(17), LUNCH, [], "eia", RULES, hours=visits)
    assert [s.start.strftime("%H:%M") for s in got] == ["09:00", "09:30", "14:00", "14:30"]
    assert day_slots(date(2026, 11, 24), TZ, False, time(9), time(17), LUNCH, [], "eia", RULES, hours=visits) == []
    assert closed_day(date(2026, 11, 24), [4, 0, 2]) == (
        "本网点 2026-11-24 不开放（每周一、三、五开放，节假日除外） / This outlet does not open on 2026-11-24 "
        "(open Mon, Wed, Fri, public holidays excepted)")
    assert closed_day(date(2026, 11, 25), None).startswith("流动服务车 2026-11-25 没有办理此事项的已公布服务")


def test_capacity_keeps_the_walk_ins_share():
    assert slot_capacity(RULES) == 2  # 0.5 x (2 windows x 30 min / 15 min) = 2
    assert slot_capacity(Rules(capacity=10, share=0.5, windows=2, slot_min=30, service_min=15)) == 2
    assert slot_capacity(Rules(capacity=10, share=0.5, windows=1, slot_min=30, service_min=60)) == 0
    assert slots(date(2026, 11, 24), rules=Rules(windows=1, slot_min=30, service_min=60)) == []


def test_nearest_free_slots():
    day = slots(date(2026, 11, 24))
    wanted = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    free = [s for s in day if s.start != wanted]
    near = nearest_free(free, wanted, 3)
    assert [s.start.strftime("%H:%M") for s in near] == ["09:00", "09:30", "10:30"]  # ties: the earlier


START = datetime(2026, 11, 24, 10, 0, tzinfo=TZ).timestamp()


@pytest.mark.parametrize(("offset", "state"), [
    (-15 * 60 - 1, "early"), (-15 * 60, "on_time"), (0, "on_time"), (10 * 60, "on_time"), (10 * 60 + 1, "late")])
def test_check_in_window_edges(offset, state):
    assert check_in_state(START + offset, START, 15, 10) == state


VALID = "11010519491231002X"  # the standard's own example


def test_id_number_checksum():
    assert check_char("11010519491231002") == "X"
    assert normalize_id_number(" 11010519491231002x ") == VALID
    assert is_valid_id_number("11010120000101001" + check_char("11010120000101001"))
    assert not is_valid_id_number("44052418800101001" + check_char("44052418800101001"))  # born 1880
    for bad in ("110105194912310021", "11010519491331002X", "1101051949123100", "01010519491231002X", ""):
        assert not is_valid_id_number(bad), bad
    with pytest.raises(InvalidIdNumber, match="check"):
        normalize_id_number("110105194912310021")


def test_repeated_no_shows_block_booking():
    day = 86400.0
    now = 100 * day
    assert blocked_until([now - 5 * day, now - 2 * day], now, 3, 90, 30) is None
    assert blocked_until([now - 5 * day, now - 2 * day, now - day], now, 3, 90, 30) == now + 29 * day
    assert blocked_until([now - 95 * day, now - 2 * day, now - day], now, 3, 90, 30) is None  # one too old
    assert blocked_until([now - 40 * day, now - 39 * day, now - 35 * day], now, 3, 90, 30) is None  # served
    assert blocked_until([now] * 5, now, 0, 90, 30) is None  # limit 0: never


def test_card_readers():
    wedge = KeyboardWedgeReader()
    wedge.feed("1101051949")
    assert wedge.read() is None  # not a whole line yet
    wedge.feed("1231002x\r\n12345\n")
    assert wedge.read() == VALID
    assert wedge.read() is None  # the stray line was no ID number
    fake = FakeReader([VALID])
    assert fake.read() == VALID and fake.read() is None
