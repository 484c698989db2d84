"""WorkingCalendar: loaded years, provisional years, loading and replacing."""

from datetime import date

import pytest

from onewindow.promises.calendar import WorkingCalendar
from onewindow.promises.schedule import YearSchedule
from onewindow.promises.seed import seeded_calendar

SEEDED = seeded_calendar()


def schedule(year, holidays, workdays=(), source="test"):
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), source)


@pytest.mark.parametrize(
    "day",
    [
        date(2030, 1, 1),
        date(2030, 5, 1),
        date(2030, 5, 2),
        date(2030, 10, 1),
        date(2030, 10, 2),
        date(2030, 10, 3),
    ],
)
def test_unloaded_year_keeps_the_fixed_date_holidays(day):
    assert day.weekday() < 5  # otherwise the weekend alone would explain it
    assert not WorkingCalendar().is_working_day(day)


def test_unloaded_year_knows_the_lunar_days_off_but_no_make_up_days():
    cal = WorkingCalendar()
    assert not cal.is_working_day(date(2030, 2, 4))  # 初二, a Monday in Spring Festival 2030
    assert not cal.is_working_day(date(2030, 2, 5))  # 初三
    assert not cal.is_working_day(date(2030, 6, 5))  # 端午
    assert not cal.is_working_day(date(2030, 9, 12))  # 中秋
    assert cal.is_working_day(date(2030, 2, 6))  # the notice's bridging days are not known
    assert cal.is_working_day(date(2030, 5, 3))  # May 3 is no fixed holiday
    assert cal.is_working_day(date(2030, 10, 4))  # nor is Oct 4
    assert not cal.is_working_day(date(2030, 2, 9))  # Saturday stays off
    assert not cal.is_loaded(2030)


def test_a_loaded_year_replaces_the_fixed_date_guess():
    cal = WorkingCalendar([schedule(2030, {date(2030, 1, 1)}, {date(2030, 2, 9)})])
    assert cal.is_loaded(2030)
    assert cal.is_working_day(date(2030, 5, 1))  # the schedule did not list it
    assert cal.is_working_day(date(2030, 2, 9))  # make-up Saturday
    assert not cal.is_working_day(date(2030, 1, 1))
    assert not cal.is_working_day(date(2030, 2, 10))  # plain Sunday


def test_with_schedule_returns_a_new_calendar_and_replaces_the_year():
    first = WorkingCalendar([schedule(2030, {date(2030, 1, 1)})])
    second = first.with_schedule(schedule(2030, {date(2030, 3, 5)}, source="fix"))
    third = second.with_schedule(schedule(2031, {date(2031, 1, 1)}))
    assert not first.is_working_day(date(2030, 1, 1))
    assert second.is_working_day(date(2030, 1, 1))
    assert not second.is_working_day(date(2030, 3, 5))
    assert second.schedule(2030).source == "fix"
    assert not second.is_loaded(2031)
    assert third.loaded_years == {2030, 2031}


def test_two_schedules_for_one_year_are_refused():
    with pytest.raises(ValueError, match="2030"):
        WorkingCalendar([schedule(2030, {date(2030, 1, 1)}), schedule(2030, {date(2030, 1, 2)})])


def test_december_spillover_applies_to_its_dates():
    # The 2019 notice: 2018-12-29 (Saturday) worked, 2018-12-31 (Monday) off.
    notice_2019 = schedule(
        2019,
        {date(2018, 12, 30), date(2018, 12, 31), date(2019, 1, 1)},
        {date(2018, 12, 29)},
    )
    cal = WorkingCalendar([notice_2019])
    assert cal.is_working_day(date(2018, 12, 29))
    assert not cal.is_working_day(date(2018, 12, 31))
    assert cal.spans_unloaded(date(2018, 12, 29), date(2018, 12, 29))  # 2018 itself is not loaded


def test_schedules_that_contradict_each_other_are_refused():
    year_2018 = schedule(2018, {date(2018, 1, 1)}, {date(2018, 12, 30)})
    year_2019 = schedule(2019, {date(2018, 12, 30), date(2019, 1, 1)})
    with pytest.raises(ValueError, match="2018-12-30"):
        WorkingCalendar([year_2018, year_2019])


def test_spans_unloaded():
    cal = WorkingCalendar([schedule(2030, {date(2030, 1, 1)})])
    assert not cal.spans_unloaded(date(2030, 1, 1), date(2030, 12, 31))
    assert cal.spans_unloaded(date(2030, 12, 31), date(2031, 1, 1))
    assert cal.spans_unloaded(date(2029, 12, 31), date(2030, 1, 5))
    assert not cal.spans_unloaded(date(2031, 1, 2), date(2031, 1, 1))  # empty span


def test_stepping_over_the_2026_national_day():
    # Sep 30 (Wed) is followed by Oct 1-7 off; Oct 8 and 9 work, Sat Oct 10
    # is a make-up day, Sun Oct 11 off, Mon Oct 12 works.
    assert SEEDED.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert SEEDED.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert SEEDED.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert SEEDED.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert SEEDED.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert SEEDED.working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    assert SEEDED.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    with pytest.raises(ValueError):
        SEEDED.add_working_days(date(2026, 9, 30), -1)
