"""The working-day calendar: which dates are working days (工作日).

Built from YearSchedules. A year with a schedule is *loaded* and its answers
are authoritative. A year without one is answered provisionally: weekends off
plus the days off the national holiday rules fix (rules.py: 元旦, 春节, 清明,
劳动节, 端午, 中秋, 国庆, lunar dates and the solar term included). The make-up
working days cannot be known before the State Council's notice, so anything
computed over an unloaded year must be flagged; `spans_unloaded` tells callers when.

The calendar is immutable: `with_schedule` returns a new one, so a server can
swap it in one assignment while requests keep using the old one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .rules import statutory_days_off
from .schedule import YearSchedule

_DAY = timedelta(days=1)


class WorkingCalendar:
    def __init__(self, schedules: Iterable[YearSchedule] = ()):
        by_year: dict[int, YearSchedule] = {}
        for schedule in schedules:
            if schedule.year in by_year:
                raise ValueError(f"two schedules for {schedule.year}")
            by_year[schedule.year] = schedule
        holidays = frozenset().union(*(s.holidays for s in by_year.values()))
        workdays = frozenset().union(*(s.workdays for s in by_year.values()))
        # Only possible through a notice's late-December spillover into the
        # previous year's dates; refuse rather than pick one.
        for day in sorted(holidays & workdays):
            owners = sorted(
                s.year for s in by_year.values() if day in s.holidays | s.workdays
            )
            raise ValueError(
                f"{day.isoformat()} is a holiday in one schedule and a working day "
                f"in another (schedules {owners})"
            )
        self._schedules = by_year
        self._holidays = holidays
        self._workdays = workdays

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        """A new calendar with `schedule` loaded, replacing that year's old one."""
        others = (s for y, s in self._schedules.items() if y != schedule.year)
        return WorkingCalendar([*others, schedule])

    @property
    def loaded_years(self) -> frozenset[int]:
        return frozenset(self._schedules)

    def schedule(self, year: int) -> YearSchedule | None:
        return self._schedules.get(year)

    def is_loaded(self, year: int) -> bool:
        return year in self._schedules

    def spans_unloaded(self, first: date, last: date) -> bool:
        """True if a day from first to last (inclusive) lies in a year not loaded.

        An empty span (last before first) touches no year.
        """
        if last < first:
            return False
        return any(
            y not in self._schedules for y in range(first.year, last.year + 1)
        )

    def is_working_day(self, day: date) -> bool:
        """Provisional unless `is_loaded(day.year)`."""
        if day in self._workdays:
            return True
        if day in self._holidays or day.weekday() >= 5:
            return False
        if day.year in self._schedules:
            return True
        return day not in statutory_days_off(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += _DAY
        while not self.is_working_day(day):
            day += _DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself is never counted); n=0 gives `day`."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative when b is before a.

        The inverse of add_working_days: between(d, add_working_days(d, n)) == n.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a + _DAY
        while day <= b:
            count += self.is_working_day(day)
            day += _DAY
        return count
