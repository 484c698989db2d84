"""The one estimate and the one rounding (onewindow.caller.estimate): the blend of learned and
configured rates, the floor, the words every page prints, and when service resumes."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.caller.estimate import (
    Wait,
    blend_cycle_s,
    estimate,
    estimate_wait_s,
    learned_cycles,
    pool_cycle_s,
    resumes_at,
    wait_minutes,
    wait_text,
)

SH = ZoneInfo("Asia/Shanghai")


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 23, hh, mm, tzinfo=SH)


# ----- blend and floor ----------------------------------------------------------------------------


def test_blend_weighs_n_over_n_plus_k():
    assert blend_cycle_s(600, 60, 0, 10) == 600
    assert blend_cycle_s(600, 60, 10, 10) == pytest.approx(330)
    assert blend_cycle_s(600, 60, 990, 10) == pytest.approx(0.99 * 60 + 0.01 * 600)
    assert blend_cycle_s(600, 60, 3, 0) == 60  # k = 0: the logs alone


def test_six_ahead_after_three_instant_completions_is_not_one_second():
    """Issue 12 point 4: three services logged at about a second each, six people ahead, one window."""
    guess = {"eia": 600.0}
    logs = {"eia": (1.0, 3)}
    cycles, served = learned_cycles(guess, logs, logs)
    cycle = pool_cycle_s({"eia": ("eia",)}, cycles, served)["eia"]
    wait = estimate_wait_s(6, 1, cycle)
    assert wait >= 6 * 60  # never under the floor of a minute a person
    assert wait >= 6 * 0.7 * 600  # and three samples move the configured 10 minutes only a little


@pytest.mark.parametrize("floor", [30.0, 60.0, 120.0])
def test_the_floor_holds_whatever_the_logs_say(floor):
    for cycle in (0.0, 0.5, 1.0, floor / 2):
        assert estimate_wait_s(6, 1, cycle, min_cycle_s=floor) == estimate_wait_s(6, 1, floor, min_cycle_s=floor)
    assert estimate_wait_s(6, 1, 1.0, min_cycle_s=0) == 7  # without a floor: the old 1-second-ish figure


@given(st.integers(0, 300), st.integers(0, 12), st.integers(0, 12), st.floats(0, 7200))
def test_estimate_monotone_and_floored(ahead, windows, idle, cycle):
    idle = min(idle, windows)
    e = estimate_wait_s(ahead, windows, cycle, idle_windows=idle)
    assert e >= 0
    assert estimate_wait_s(ahead + 1, windows, cycle, idle_windows=idle) >= e
    if windows == 0:  # the people ahead one after another at the first window to open
        assert e >= ahead * 60
    elif ahead >= idle:  # someone is waiting for a busy window: at least the floor shared among them
        assert e >= (ahead - idle + 0.5) / windows * 60 - 1


# ----- rounding and words -----------------------------------------------------------------------


@pytest.mark.parametrize("seconds, minutes", [(0, 0), (59, 0), (60, 1), (61, 2), (119, 2), (3600, 60), (3601, 61)])
def test_one_rounding(seconds, minutes):
    assert wait_minutes(seconds) == minutes


@given(st.integers(0, 20000))
def test_the_words_say_the_rounded_minutes(seconds):
    zh, en = wait_text(seconds)
    m = wait_minutes(seconds)
    if m == 0:
        assert (zh, en) == ("即将叫号", "very soon")
    elif m < 60:
        assert (zh, en) == (f"约 {m} 分钟", f"about {m} min")
    else:
        h, r = divmod(m, 60)
        assert zh.startswith(f"约 {h} 小时") and en.startswith(f"about {h} h")
        assert (f"{r} 分钟" in zh) == bool(r)
    assert Wait(seconds).text() == (zh, en) and Wait(seconds).minutes == m


def test_nobody_serving_is_said_with_when_it_resumes():
    assert wait_text(900, False, at(16, 30)) == ("暂无窗口服务，16:30 恢复", "No window serving now; resumes at 16:30")
    assert wait_text(900, False, None) == ("暂无窗口服务", "No window serving now")


# ----- nobody serving: when service resumes ----------------------------------------------------------


def test_resumes_at_the_earliest_of_opening_lunch_end_and_back_at():
    lunch = (time(11, 30), time(13, 30))
    assert resumes_at(at(8, 45), opens=time(9), lunch=lunch) == at(9)
    assert resumes_at(at(12, 0), opens=time(9), lunch=lunch) == at(13, 30)
    assert resumes_at(at(12, 0), opens=time(9), lunch=lunch, back_at=[time(12, 40), time(14)]) == at(12, 40)
    assert resumes_at(at(15, 0), opens=time(9), lunch=lunch, back_at=[time(16, 30)]) == at(16, 30)
    # a back-at time already past says nothing; nothing else known: None
    assert resumes_at(at(15, 0), opens=time(9), lunch=lunch, back_at=[time(14, 0)]) is None


def mwf(day: date) -> list[tuple[time, time]]:
    """An outlet open Mondays, Wednesdays and Fridays, 09:00-17:00 (the server: Hall.opens_on)."""
    return [(time(9), time(17))] if day.weekday() in (0, 2, 4) else []


def test_service_resumes_on_the_next_day_the_outlet_opens():
    fri, tue = datetime(2026, 11, 27, 18, 0, tzinfo=SH), datetime(2026, 11, 24, 8, 0, tzinfo=SH)
    assert resumes_at(fri, hours=mwf) == datetime(2026, 11, 30, 9, 0, tzinfo=SH)  # Monday, not Saturday
    assert resumes_at(tue, hours=mwf) == datetime(2026, 11, 25, 9, 0, tzinfo=SH)  # closed Tuesday: Wednesday
    assert resumes_at(tue, hours=mwf, back_at=[time(10)]) == datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    # an open day goes as before: opening, lunch end, back-at; nothing said mid-day
    lunch = (time(11, 30), time(13, 30))
    assert resumes_at(at(8, 45), hours=mwf, lunch=lunch) == at(9)
    assert resumes_at(at(12, 0), hours=mwf, lunch=lunch) == at(13, 30)
    assert resumes_at(at(15, 0), hours=mwf, lunch=lunch) is None
    # a van: the next visit today, else the first of its next visit day; none within the horizon: None
    visits = {date(2026, 11, 23): [(time(14), time(16)), (time(9), time(11))],
              date(2026, 12, 8): [(time(10), time(12))]}
    van = lambda d: visits.get(d, [])  # noqa: E731
    assert resumes_at(at(12, 0), hours=van) == at(14)
    assert resumes_at(at(16, 0), hours=van) == datetime(2026, 12, 8, 10, 0, tzinfo=SH)
    assert resumes_at(at(16, 0), hours=van, horizon_days=7) is None
    assert resumes_at(at(16, 0), hours=lambda d: []) is None


def test_a_resumption_on_another_day_is_said_with_its_date():
    fri = datetime(2026, 11, 27, 18, 0, tzinfo=SH)
    w = estimate(2, 0, 600, now=fri, resumes_at=resumes_at(fri, hours=mwf))
    assert w.text() == ("暂无窗口服务，11月30日（周一）09:00 恢复",
                        "No window serving now; resumes Mon 30 Nov at 09:00")
    assert w.seconds == (2 * 86400 + 15 * 3600) + 2 * 600
    assert estimate(2, 0, 600, now=at(8), resumes_at=at(9)).text()[1] == "No window serving now; resumes at 09:00"


def test_estimate_with_nobody_serving_counts_from_the_resumption():
    w = estimate(4, 0, 600, now=at(16, 0), resumes_at=at(16, 30))
    assert (w.serving_now, w.resumes_at) == (False, at(16, 30))
    assert w.seconds == 1800 + 4 * 600  # until then, then the four ahead one after another
    assert w.text() == ("暂无窗口服务，16:30 恢复", "No window serving now; resumes at 16:30")
    served = estimate(4, 2, 600, now=at(16, 0))
    assert served == Wait(estimate_wait_s(4, 2, 600))
    assert served.serving_now and served.resumes_at is None
