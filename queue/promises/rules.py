"""The days off fixed by the national holiday rules (《全国年节及纪念日放假办法》), for a year
whose State Council notice is not loaded yet.

The rules fix the days off years ahead, lunar dates and the Qingming solar term
included; only the make-up working days (调休) and the bridging days off that a
notice adds cannot be known before it, so a deadline over such a year stays
provisional. Since 2025 (the 2024 revision) 13 days:

    元旦 Jan 1; 春节 除夕 to 初三 (4); 清明 (the solar term); 劳动节 May 1-2;
    端午 5/5 (lunar); 中秋 8/15 (lunar); 国庆 Oct 1-3.

Earlier revisions are kept for the years they governed. Lunar dates and the
solar term come from the maintained `lunar_python` package.
"""
from __future__ import annotations

import functools
from datetime import date, timedelta

from lunar_python import Lunar

_DAY = timedelta(days=1)


def _lunar(year: int, month: int, day: int) -> date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> date:
    s = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(s.getYear(), s.getMonth(), s.getDay())


@functools.lru_cache(maxsize=512)
def statutory_days_off(year: int) -> frozenset[date]:
    """The days off the holiday rules in force in `year` fix, weekends or not."""
    new_year = _lunar(year, 1, 1)  # 正月初一 of the lunar year that begins in this Gregorian year
    fixed = {date(year, 1, 1), date(year, 10, 1), date(year, 10, 2), date(year, 10, 3), date(year, 5, 1)}
    if year >= 2025:  # the 2024 revision
        spring = [new_year - _DAY, new_year, new_year + _DAY, new_year + 2 * _DAY]
        fixed.add(date(year, 5, 2))
    elif year >= 2014:  # the 2013 revision: 初一 to 初三
        spring = [new_year, new_year + _DAY, new_year + 2 * _DAY]
    elif year >= 2008:  # the 2007 revision: 除夕 to 初二
        spring = [new_year - _DAY, new_year, new_year + _DAY]
    else:  # 1999: three days each for the Spring Festival, Labour Day and National Day, no traditional days
        return frozenset({*fixed, date(year, 5, 2), date(year, 5, 3), new_year, new_year + _DAY,
                          new_year + 2 * _DAY})
    days = {*fixed, *spring, _qingming(year), _lunar(year, 5, 5), _lunar(year, 8, 15)}
    return frozenset(d for d in days if d.year == year)  # 除夕 of an early Spring Festival stays in its year
