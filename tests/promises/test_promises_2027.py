"""2027 deadlines against an independent computation (issue 15, point 8): before
the State Council's 2027 notice is loaded, the days off fixed by the national
holiday rules (lunar dates and the Qingming solar term included) are known
years ahead; only the make-up working days stay unknown. 200 random starts and
amounts through 2027, checked against the `holidays` package's statutory days
(its "(observed)" days are its own guesses at the notice, left out)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from onewindow.promises import compute_deadline, seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def statutory_days_off(year: int) -> set[date]:
    return {d for d, name in holidays.China(years=year).items() if "observed" not in name.lower()}


OFF = statutory_days_off(2027) | statutory_days_off(2028)


def oracle(start: date, amount: int) -> date:
    """The amount-th day after `start` that is neither a weekend nor a statutory day off."""
    day, left = start, amount
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in OFF:
            left -= 1
    return day


def test_2027_is_not_loaded_here():
    assert not CAL.is_loaded(2027)  # else this test checks the notice, not the rules


def test_the_statutory_days_off_of_2027():
    # 元旦, 除夕 + 春节 初一-初三, 清明, 劳动节 x2, 端午, 中秋, 国庆 x3: 13 days.
    assert len(statutory_days_off(2027)) == 13
    for day in (date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)):
        assert not CAL.is_working_day(day), day


@pytest.mark.parametrize("seed", range(200))
def test_2027_deadlines_match_the_statutory_days_off(seed):
    rng = random.Random(seed)
    start_day = date(2027, 1, 1) + timedelta(days=rng.randrange(365))
    amount = rng.randint(1, 60)
    start = datetime.combine(start_day, time(rng.randint(8, 17), rng.choice((0, 30))), TZ)
    d = compute_deadline(start, amount, "working_days", CAL, TZ)
    assert d.at.date() == oracle(start_day, amount), (start, amount)
    assert d.provisional  # the make-up days are still unknown


def test_the_issue_example():
    d = compute_deadline(datetime(2027, 2, 1, 10, tzinfo=TZ), 7, "working_days", CAL, TZ)
    assert d.at.date() == date(2027, 2, 12)  # not 02-10: 02-05 (除夕) and 02-08 (初三) are days off
