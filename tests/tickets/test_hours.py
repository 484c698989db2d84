"""When tickets are issued (onewindow.tickets.hours): pure rules, no server."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from onewindow.tickets.hours import Stop, category_closed, hall_closed, not_offered, not_open_today, visit_closed

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


def test_an_outlet_names_its_opening_days():
    assert not_open_today([5, 1]) == ("本网点今天不开放（每周二、六开放） / "
                                      "This outlet does not open today (open Tue, Sat)")


def test_a_van_issues_during_todays_visits_only():
    stops = [Stop("东山镇", time(9), time(11, 30)), Stop("西岭乡", time(14), time(16))]
    assert visit_closed(at(9), stops) is None and visit_closed(at(15, 59), stops) is None
    assert visit_closed(at(12), stops) == ("流动服务今天：东山镇 09:00–11:30；西岭乡 14:00–16:00 / "
                                           "Today's visits: 东山镇 09:00–11:30; 西岭乡 14:00–16:00")
    assert visit_closed(at(16), stops).startswith("流动服务今天")
    assert visit_closed(at(10), []) == ("流动服务车今天没有已公布的服务安排 / "
                                        "The mobile outlet has no published visit today")
    assert not_offered("排污许可", "Discharge permit") == ("今天的流动服务不办理排污许可 / Discharge permit is not "
                                                      "offered on today's visit")
