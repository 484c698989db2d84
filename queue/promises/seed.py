"""Seed the calendar from the maintained `chinese_calendar` package.

Only years the package itself vouches for are seeded: it raises
NotImplementedError outside its data, and we probe each year rather than
assume a range. The `holidays` package is deliberately not used to fill the
gaps: for a year without an official notice it extrapolates instead of saying
it does not know, and a guessed holiday is worse than a provisional answer.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from .calendar import WorkingCalendar
from .schedule import YearSchedule

# Generous bounds for probing; the package itself decides which years it knows.
PROBE_YEARS = range(1949, 2101)
SOURCE = f"chinese_calendar {chinese_calendar.__version__}"


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def year_from_package(year: int) -> YearSchedule | None:
    """That year's schedule as the package has it, or None if it does not know it."""
    if not _package_knows(year):
        return None
    holidays, workdays = set(), set()
    day = date(year, 1, 1)
    while day.year == year:
        off, name = chinese_calendar.get_holiday_detail(day)
        if off and name:  # a named day off, weekday or weekend
            holidays.add(day)
        elif not off and day.weekday() >= 5:  # a make-up working weekend
            workdays.add(day)
        day += timedelta(days=1)
    # The package accepts any year between its first and last; a year in that
    # span with no named holiday at all would be missing data, not a real year.
    if not holidays:
        return None
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), SOURCE)


def seed_schedules() -> list[YearSchedule]:
    """Every year the package knows, oldest first."""
    found = (year_from_package(year) for year in PROBE_YEARS)
    return [schedule for schedule in found if schedule is not None]


def seeded_calendar() -> WorkingCalendar:
    """A calendar with every year the package knows loaded."""
    return WorkingCalendar(seed_schedules())
