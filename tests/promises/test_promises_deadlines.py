"""compute_deadline and extend_for_suspension: every rule of the clock,
against dates worked out by hand from the 2026 notice (国办发明电〔2025〕7号:
Sep 25-27 and Oct 1-7 off, Sun Sep 20 and Sat Oct 10 worked)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from onewindow.promises.calendar import WorkingCalendar
from onewindow.promises.deadlines import (
    MAX_AMOUNT,
    Deadline,
    compute_deadline,
    extend_for_suspension,
)
from onewindow.promises.schedule import parse_schedule
from onewindow.promises.seed import seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def end(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=TZ)


def deadline(start, amount, unit="working_days", cal=CAL):
    return compute_deadline(start, amount, unit, cal, TZ)


def test_15_working_days_from_2026_09_28_across_national_day():
    # Accepted Mon Sep 28 (not counted). 1 Tue 9-29, 2 Wed 9-30; Oct 1-7 off;
    # 3 Thu 10-8, 4 Fri 10-9, 5 Sat 10-10 (make-up day); Sun 10-11 off;
    # 6-10 Mon 10-12 .. Fri 10-16; 11-15 Mon 10-19 .. Fri 10-23.
    result = deadline(at(2026, 9, 28), 15)
    assert result == Deadline(end(2026, 10, 23), provisional=False)
    assert result.at.isoformat() == "2026-10-23T23:59:59+08:00"


def test_the_day_of_acceptance_is_not_counted():
    # Tue 2026-03-10 (an ordinary week): day 1 is Wed 03-11, however late the acceptance.
    assert deadline(at(2026, 3, 10, 8, 0), 1).at == end(2026, 3, 11)
    assert deadline(at(2026, 3, 10, 23, 59), 1).at == end(2026, 3, 11)
    assert deadline(at(2026, 3, 10), 7, "calendar_days").at == end(2026, 3, 17)


def test_acceptance_on_a_weekend_counts_from_the_next_working_day():
    # Sat 2026-03-14: Mon 03-16 is day 1, Wed 03-18 day 3.
    assert deadline(at(2026, 3, 14), 1).at == end(2026, 3, 16)
    assert deadline(at(2026, 3, 14), 3).at == end(2026, 3, 18)


def test_acceptance_on_a_holiday_counts_from_the_next_working_day():
    # Sat 2026-10-03 (National Day): Thu 10-08 is day 1.
    assert deadline(at(2026, 10, 3), 1).at == end(2026, 10, 8)


def test_calendar_days_accepted_on_a_non_working_day_count_from_the_next_working_day():
    # Sat 2026-03-14 + 5 calendar days: day 1 Mon 03-16 .. day 5 Fri 03-20
    # (counting from Sunday would give Thu 03-19).
    assert deadline(at(2026, 3, 14), 5, "calendar_days").at == end(2026, 3, 20)
    # Fri 2026-10-02 (holiday) + 20 days: day 1 Thu 10-08 .. day 20 Tue 10-27.
    assert deadline(at(2026, 10, 2), 20, "calendar_days").at == end(2026, 10, 27)


def test_calendar_period_ending_on_a_weekend_ends_on_the_next_working_day():
    # Wed 2026-03-11 + 3 days = Sat 03-14 -> Mon 03-16.
    assert deadline(at(2026, 3, 11), 3, "calendar_days").at == end(2026, 3, 16)


def test_calendar_period_ending_on_a_holiday_ends_on_the_next_working_day():
    # Thu 2026-09-24 + 8 days = Fri 10-02 (National Day) -> Thu 10-08.
    assert deadline(at(2026, 9, 24), 8, "calendar_days").at == end(2026, 10, 8)


def test_calendar_period_ending_on_a_make_up_saturday_ends_there():
    # Thu 2026-10-08 + 2 days = Sat 10-10, a working day.
    assert deadline(at(2026, 10, 8), 2, "calendar_days").at == end(2026, 10, 10)


def test_hours_are_elapsed_hours_through_nights_and_holidays():
    assert deadline(at(2026, 9, 30, 16), 24, "hours") == Deadline(at(2026, 10, 1, 16), False)
    assert deadline(at(2026, 10, 3, 23, 30), 1, "hours").at == at(2026, 10, 4, 0, 30)
    assert deadline(at(2026, 3, 10, 9, 15), 48, "hours").at == at(2026, 3, 12, 9, 15)


def test_the_day_is_the_halls_day_not_utc():
    # 17:30 UTC on Tue 03-10 is 01:30 on Wed 03-11 in Shanghai; day 1 is Thu 03-12.
    start = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
    result = compute_deadline(start, 1, "working_days", CAL, "Asia/Shanghai")
    assert result.at == end(2026, 3, 12)
    assert result.at.utcoffset() == timedelta(hours=8)
    # An hours deadline comes back in the hall's zone too.
    assert compute_deadline(start, 1, "hours", CAL, TZ).at.isoformat() == "2026-03-11T02:30:00+08:00"


def test_zero_days_is_the_end_of_the_acceptance_day():
    assert deadline(at(2026, 3, 10), 0) == Deadline(end(2026, 3, 10), False)
    assert deadline(at(2026, 10, 3), 0, "calendar_days").at == end(2026, 10, 3)
    assert deadline(at(2026, 3, 10, 11, 5), 0, "hours").at == at(2026, 3, 10, 11, 5)


# A made-up 2027 schedule, loaded the way an admin would load the real one.
SCHEDULE_2027 = """
year = 2027
holidays = ["2027-01-01", "2027-02-05..2027-02-13", "2027-05-01..2027-05-05",
            "2027-10-01..2027-10-07"]
workdays = ["2027-02-20"]
"""


def test_unloaded_year_is_provisional_and_recomputed_after_loading():
    start = at(2027, 1, 28)  # Thursday
    # Provisional (weekends and the rules' days off: 除夕 Feb 5, 春节 Feb 6-8): Jan 29 is 1,
    # Feb 1-4 are 2-5, Feb 9-12 are 6-9, Feb 15-19 are 10-14, Feb 22 is 15 -> Mon Feb 22.
    before = deadline(start, 15)
    assert before == Deadline(end(2027, 2, 22), provisional=True)
    loaded = CAL.with_schedule(parse_schedule(SCHEDULE_2027, fmt="toml", source="admin"))
    # Loaded: Jan 29, Feb 1-4 are 1-5; Feb 5-14 off; Feb 15-19 are 6-10,
    # Sat Feb 20 (make-up) 11, Feb 22-25 are 12-15 -> Thu Feb 25.
    after = deadline(start, 15, cal=loaded)
    assert after == Deadline(end(2027, 2, 25), provisional=False)


def test_provisional_when_the_period_only_runs_into_an_unloaded_year():
    # Accepted in loaded 2026, but the last days fall in 2027.
    assert deadline(at(2026, 12, 28), 5).provisional
    assert deadline(at(2026, 12, 28), 5, "calendar_days").provisional
    assert not deadline(at(2026, 12, 28), 2).provisional  # ends Wed 12-30
    assert not deadline(at(2027, 1, 5, 9), 3, "hours").provisional  # no calendar involved


def test_provisional_when_the_period_starts_in_an_unloaded_year():
    only_2026 = WorkingCalendar([CAL.schedule(2026)])
    # Accepted Wed 2025-12-24 with 2025 unknown; the days counted in late
    # December could hide a make-up day, so the answer is provisional even
    # though it ends in loaded 2026.
    result = deadline(at(2025, 12, 24), 10, cal=only_2026)
    assert result.provisional and result.at.year == 2026
    assert not deadline(at(2025, 12, 31), 3, cal=only_2026).provisional  # counts only 2026 days


def test_provisional_calendar_days_use_the_fixed_date_holidays():
    # Unloaded 2030, accepted Sat Apr 27: day 1 is Mon Apr 29, day 4 is
    # Thu May 2 (a fixed holiday) -> Fri May 3.
    result = deadline(at(2030, 4, 27), 4, "calendar_days")
    assert result == Deadline(end(2030, 5, 3), provisional=True)


def test_suspension_moves_the_deadline_by_the_working_days_stopped():
    base = deadline(at(2026, 9, 28), 15)  # Fri 10-23, see above
    # Stopped Mon 10-12 10:00, restarted Wed 10-14 15:00: Tue and Wed are the
    # stopped working days -> Mon 10-26, Tue 10-27.
    moved = extend_for_suspension(base, at(2026, 10, 12), at(2026, 10, 14, 15), CAL, TZ)
    assert moved == Deadline(end(2026, 10, 27), False)


def test_suspension_over_a_holiday_counts_only_working_days():
    base = deadline(at(2026, 9, 28), 15)
    # Stopped Wed 9-30, restarted Fri 10-9: Oct 1-7 off, so Thu 10-8 and Fri 10-9.
    moved = extend_for_suspension(base, at(2026, 9, 30), at(2026, 10, 9), CAL, TZ)
    assert moved.at == end(2026, 10, 27)


def test_suspension_within_one_day_moves_nothing():
    base = deadline(at(2026, 9, 28), 15)
    assert extend_for_suspension(base, at(2026, 10, 12, 9), at(2026, 10, 12, 16), CAL, TZ) == base


def test_suspension_keeps_an_hours_deadline_time_of_day():
    base = deadline(at(2026, 3, 10, 9, 15), 48, "hours")  # Thu 03-12 09:15
    # Stopped Wed 03-11, restarted Thu 03-12: one working day -> Fri 03-13 09:15.
    moved = extend_for_suspension(base, at(2026, 3, 11), at(2026, 3, 12), CAL, TZ)
    assert moved.at == at(2026, 3, 13, 9, 15)


def test_suspension_into_an_unloaded_year_is_provisional():
    base = deadline(at(2026, 12, 1), 15)  # Tue 12-22, still in loaded 2026
    assert base == Deadline(end(2026, 12, 22), False)
    # Stopped Wed 12-02, restarted Wed 12-16: 10 working days. From 12-22:
    # 23, 24, 25, 28, 29, 30, 31, (Jan 1 fixed holiday), Jan 4, 5, 6.
    moved = extend_for_suspension(base, at(2026, 12, 2), at(2026, 12, 16), CAL, TZ)
    assert moved == Deadline(end(2027, 1, 6), provisional=True)


def test_suspension_that_ends_before_it_starts_is_refused():
    base = deadline(at(2026, 3, 10), 3)
    with pytest.raises(ValueError, match="before it starts"):
        extend_for_suspension(base, at(2026, 3, 12), at(2026, 3, 11), CAL, TZ)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "tz", "message"),
    [
        (datetime(2026, 3, 10, 10), 3, "working_days", TZ, "time zone"),
        (date(2026, 3, 10), 3, "working_days", TZ, "datetime"),
        (at(2026, 3, 10), -1, "working_days", TZ, "amount"),
        (at(2026, 3, 10), 1.5, "working_days", TZ, "amount"),
        (at(2026, 3, 10), True, "working_days", TZ, "amount"),
        (at(2026, 3, 10), "3", "working_days", TZ, "amount"),
        (at(2026, 3, 10), MAX_AMOUNT + 1, "hours", TZ, "amount"),
        (at(2026, 3, 10), 3, "days", TZ, "unit"),
        (at(2026, 3, 10), 3, "working_days", "Mars/Olympus", "time zone"),
        (datetime(9999, 12, 30, tzinfo=TZ), 5, "working_days", TZ, "beyond"),
        (datetime(9999, 12, 30, tzinfo=TZ), 72, "hours", TZ, "beyond"),
    ],
)
def test_bad_input_is_a_clear_value_error(start, amount, unit, tz, message):
    with pytest.raises(ValueError, match=message):
        compute_deadline(start, amount, unit, CAL, tz)
