"""When tickets are issued (onewindow.tickets.hours): pure rules, no server."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from onewindow.tickets.hours import category_closed, hall_closed

TZ = ZoneInfo("Asia/Shanghai")


def at(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 24, h, m, tzinfo=TZ)


def test_the_hall_issues_inside_its_hours_on_working_days_only():
    assert hall_closed(at(9), True, time(9), time(17)) is None
    assert hall_closed(at(16, 59), True, time(9), time(17)) is None
    assert hall_closed(at(17), True, time(9), time(17)) == "取号时间 09:00–17:00 / Tickets are issued 09:00–17:00"
    assert hall_closed(at(8, 59), True, time(9), time(17)).startswith("取号时间")
    assert hall_closed(at(10), False, time(9), time(17)) == "今天不办公 / The hall is closed today"


def test_a_category_with_its_own_hours_names_itself():
    assert category_closed(at(9, 30), time(9, 30), time(11), "投诉举报", "Complaints") is None
    msg = category_closed(at(11), time(9, 30), time(11), "投诉举报", "Complaints")
    assert msg == "投诉举报 取号时间 09:30–11:00 / Complaints: tickets are issued 09:30–11:00"
