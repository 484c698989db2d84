"""Yearly thresholds on any period (issue 15, point 10): the ">5% bad ratings →
interview" flag and the "<30% utilisation → merge" flag are judged over the
year to date and per outlet (the hall, all its windows), whatever period the
report shows; scripted ratings and tickets, the clock injected."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from support.clock import SHANGHAI, at
from support.halls import HALL

from onewindow.promises import seeded_calendar
from onewindow.ratings import Rate
from onewindow.ratings.thresholds import outlet_utilisation, rate_of_levels, year_to_date


def test_the_pure_rules():
    assert year_to_date(date(2026, 11, 23)) == (date(2026, 1, 1), date(2026, 11, 23))
    assert year_to_date(date(2026, 11, 23), date(2026, 6, 1)) == (date(2026, 6, 1), date(2026, 11, 23))
    assert year_to_date(date(2026, 11, 23), date(2025, 6, 1)) == (date(2026, 1, 1), date(2026, 11, 23))
    assert rate_of_levels({5: 19, 1: 1}, 0.05) == Rate(20, 1, False)  # 5% is not above 5%
    assert rate_of_levels({5: 18, 4: 0, 2: 1, 1: 1}, 0.05) == Rate(20, 2, True)
    use = outlet_utilisation(busy_s=3 * 3600, open_s_per_window=8 * 3600, windows=2, threshold=0.3)
    assert (use.open_s, use.share, use.flagged) == (16 * 3600, pytest.approx(3 / 16), True)


def rate(hall, n: int, level: int, when: datetime, first_id: int) -> None:
    """`n` ratings of `level` at `when`, straight into the table (scripted history)."""
    def fn(tx):
        for i in range(n):
            tx.execute("INSERT INTO rating (ticket_id, hall, category, window_id, clerk, channel, level, reasons, "
                       "comment, at) VALUES (:tid, :hall, 'eia', 'w1', 'zhangwei', 'pad', :level, '[]', '', :at)",
                       {"tid": first_id + i, "hall": HALL, "level": level, "at": when.timestamp()})
    hall.client.portal.call(hall.runtime.db.write, fn)


def report(hall, first: str, last: str | None = None) -> dict:
    r = hall.client.get(f"/api/v1/halls/{HALL}/reports", headers=hall.manager,
                        params={"from": first, "to": last or first})
    assert r.status_code == 200, r.text
    return r.json()


def test_one_bad_rating_today_is_no_interview_when_the_year_is_good(hall):
    rate(hall, 40, 5, at(2026, 3, 2), 10_000)
    rate(hall, 1, 1, at(2026, 11, 23, 9, 30), 20_000)
    r = report(hall, "2026-11-23")
    assert (r["ratings"]["total"], r["ratings"]["bad"]) == (1, 1)  # the day: 100% bad ...
    assert r["ratings"]["interview"] is False  # ... but the year: 1 of 41
    yearly = r["thresholds"]
    assert (yearly["from"], yearly["to"]) == ("2026-01-01", "2026-11-23")
    assert (yearly["bad_rate"]["total"], yearly["bad_rate"]["bad"], yearly["interview"]) == (41, 1, False)

    rate(hall, 3, 2, at(2026, 6, 1), 30_000)
    quiet = report(hall, "2026-11-22")  # a Sunday without a rating
    assert quiet["ratings"]["total"] == 0
    assert quiet["ratings"]["interview"] is True
    assert quiet["thresholds"]["bad_rate"]["rate"] == pytest.approx(3 / 43)  # up to 11-22: today's not yet
    # Last year's ratings are another year's business.
    assert report(hall, "2025-12-31")["thresholds"]["bad_rate"]["total"] == 0


def open_s(first: date, last: date, until: datetime) -> float:
    """Open time of one window, 09:00-17:00 on working days, the independent way."""
    cal, total = seeded_calendar(), 0.0
    day = first
    while day <= last:
        if cal.is_working_day(day):
            a = datetime.combine(day, time(9), SHANGHAI).timestamp()
            b = min(datetime.combine(day, time(17), SHANGHAI).timestamp(), until.timestamp())
            total += max(b - a, 0)
        day = date.fromordinal(day.toordinal() + 1)
    return total


def test_utilisation_is_judged_per_outlet_over_the_year(make_hall, clock):
    clock.set(at(2026, 2, 2, 10))  # the hall's first day
    hall = make_hall()
    hall.accept("eia_report_form", service_s=2 * 3600)  # w1 busy 10:00-12:00
    clock.set(at(2026, 11, 23, 10))
    hall.client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=hall.clerk)
    hall.accept("eia_report_form", service_s=7 * 3600)  # w1 busy all day: 10:00-17:00
    r = report(hall, "2026-11-23")
    w1 = next(u for u in r["utilisation"] if u["key"] == "w1")
    assert w1["share"] == pytest.approx(7 / 8)  # the day's figure stays
    assert all(u["flagged"] is None for u in r["utilisation"])  # a window is not an outlet
    outlet = r["thresholds"]["utilisation"]
    windows = len(r["utilisation"])
    expected_open = open_s(date(2026, 2, 2), date(2026, 11, 23), at(2026, 11, 23, 17)) * windows
    assert outlet["busy_s"] == pytest.approx(9 * 3600)
    assert outlet["open_s"] == pytest.approx(expected_open)
    assert outlet["share"] == pytest.approx(9 * 3600 / expected_open)
    assert outlet["flagged"] is True and r["thresholds"]["merge"] is True
