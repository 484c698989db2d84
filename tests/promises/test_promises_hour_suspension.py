"""Suspensions of hour-based limits (issue 15, point 9) move the deadline by the
exact time the clock stood still, not by whole working days."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from onewindow.promises import compute_deadline, extend_for_suspension, seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def at(d, hh, mm=0):
    return datetime(2026, 3, d, hh, mm, tzinfo=TZ)


DUE = compute_deadline(at(10, 10), 24, "hours", CAL, TZ)  # Tue 10:00 + 24 h: Wed 10:00


def test_a_two_hour_stop_moves_a_24_hour_deadline_by_two_hours():
    moved = extend_for_suspension(DUE, at(10, 12), at(10, 14), CAL, TZ, unit="hours")
    assert moved.at == at(11, 12) and not moved.provisional


def test_an_overnight_stop_moves_it_by_the_hours_it_stood():
    moved = extend_for_suspension(DUE, at(10, 16), at(11, 9), CAL, TZ, unit="hours")
    assert moved.at - DUE.at == timedelta(hours=17)


def test_day_units_still_move_by_working_days():
    due = compute_deadline(at(10, 10), 3, "working_days", CAL, TZ)
    assert extend_for_suspension(due, at(10, 12), at(10, 14), CAL, TZ).at == due.at
