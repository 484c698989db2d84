"""Property tests: compute_deadline against an independent computation.

The oracle does not use WorkingCalendar at all. It asks chinese_calendar
about every day of the seeded years once, keeps the sorted list of working
days, and answers by indexing into that list.
"""

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import given
from hypothesis import strategies as st

from onewindow.promises.calendar import WorkingCalendar
from onewindow.promises.deadlines import compute_deadline, extend_for_suspension
from onewindow.promises.seed import seed_schedules, seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()
SCHEDULES = seed_schedules()

FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)
ALL_DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
WORKING = [day for day in ALL_DAYS if chinese_calendar.is_workday(day)]

# Starts leave room for 60 working or 120 calendar days inside 2026.
starts = st.datetimes(
    min_value=datetime(2004, 1, 2), max_value=datetime(2026, 6, 30),
    timezones=st.sampled_from([TZ, UTC, timezone(timedelta(hours=-5))]),
)


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def oracle_working(start_day: date, n: int) -> date:
    # WORKING[i] is the first working day after start_day: day 1 of the period.
    return WORKING[bisect_right(WORKING, start_day) + n - 1]


def oracle_calendar(start_day: date, n: int) -> date:
    if chinese_calendar.is_workday(start_day):
        first = start_day + timedelta(days=1)
    else:
        first = WORKING[bisect_right(WORKING, start_day)]
    last = first + timedelta(days=n - 1)
    return WORKING[bisect_left(WORKING, last)]  # last itself, or the next working day


def oracle_count(a: date, b: date) -> int:
    return bisect_right(WORKING, b) - bisect_right(WORKING, a)


@given(starts, st.integers(1, 60))
def test_working_days_match_the_oracle(start, n):
    result = compute_deadline(start, n, "working_days", CAL, TZ)
    expected = oracle_working(local_day(start), n)
    assert result.at == datetime.combine(expected, time(23, 59, 59), tzinfo=TZ)
    assert not result.provisional


@given(starts, st.integers(1, 120))
def test_calendar_days_match_the_oracle(start, n):
    result = compute_deadline(start, n, "calendar_days", CAL, TZ)
    expected = oracle_calendar(local_day(start), n)
    assert result.at.date() == expected and result.at.time() == time(23, 59, 59)
    assert not result.provisional


@given(starts, st.integers(0, 2000))
def test_hours_are_plain_elapsed_time(start, n):
    result = compute_deadline(start, n, "hours", CAL, TZ)
    assert result.at - start == timedelta(hours=n)
    assert result.at.tzinfo is TZ


@given(starts, st.integers(0, 59), st.sampled_from(["working_days", "calendar_days"]))
def test_one_more_day_never_ends_earlier(start, n, unit):
    shorter = compute_deadline(start, n, unit, CAL, TZ).at
    longer = compute_deadline(start, n + 1, unit, CAL, TZ).at
    # Calendar-day periods ending Saturday and Sunday both end on Monday.
    assert longer > shorter if unit == "working_days" else longer >= shorter


@given(st.dates(FIRST, date(2026, 9, 30)), st.dates(FIRST, date(2026, 9, 30)))
def test_working_days_between_matches_the_oracle(a, b):
    assert CAL.working_days_between(a, b) == oracle_count(a, b)


@given(
    starts,
    st.integers(1, 30),
    st.sampled_from(["working_days", "calendar_days"]),
    st.sets(st.sampled_from([s.year for s in SCHEDULES])),
)
def test_a_non_provisional_answer_never_changes_when_more_years_load(start, n, unit, years):
    partial = WorkingCalendar(s for s in SCHEDULES if s.year in years)
    guess = compute_deadline(start, n, unit, partial, TZ)
    truth = compute_deadline(start, n, unit, CAL, TZ)
    if not guess.provisional:
        assert guess == truth
    # Provisional exactly when a day the count looked at lies in a missing
    # year: the days after acceptance, and the acceptance day itself for
    # calendar days (whether it is a working day decides day 1).
    first = local_day(start)
    looked_from = first + timedelta(days=1) if unit == "working_days" else first
    needed = set(range(looked_from.year, guess.at.year + 1))
    assert guess.provisional == (not needed <= years)


@given(
    st.dates(date(2026, 1, 1), date(2026, 6, 30)),
    st.integers(1, 60),
    st.dates(date(2026, 1, 1), date(2026, 6, 30)),
    st.integers(0, 20),
)
def test_suspension_moves_by_the_stopped_working_days(start_day, n, stop_day, length):
    start = datetime.combine(start_day, time(10), tzinfo=TZ)
    base = compute_deadline(start, n, "working_days", CAL, TZ)
    stopped = datetime.combine(stop_day, time(11), tzinfo=TZ)
    restarted = stopped + timedelta(days=length, hours=3)
    moved = extend_for_suspension(base, stopped, restarted, CAL, TZ)
    k = oracle_count(stop_day, local_day(restarted))
    expected = base.at.date() if k == 0 else WORKING[bisect_right(WORKING, base.at.date()) + k - 1]
    assert moved.at == datetime.combine(expected, time(23, 59, 59), tzinfo=TZ)
    assert not moved.provisional


@given(
    st.dates(date(2026, 1, 1), date(2026, 6, 30)),
    st.lists(st.tuples(st.dates(date(2026, 1, 1), date(2026, 6, 30)), st.integers(0, 10)), max_size=3),
)
def test_suspensions_apply_in_any_order(start_day, stops):
    base = compute_deadline(datetime.combine(start_day, time(10), tzinfo=TZ), 20, "working_days", CAL, TZ)

    def apply(order):
        deadline = base
        for day, length in order:
            begin = datetime.combine(day, time(9), tzinfo=TZ)
            deadline = extend_for_suspension(deadline, begin, begin + timedelta(days=length), CAL, TZ)
        return deadline

    assert apply(stops) == apply(list(reversed(stops)))
