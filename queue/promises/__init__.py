"""Time-limited completion promises: working-day calendar, deadlines, supervision.

Pure and I/O-free: the server stores schedules and cases, reads files and the
clock, and calls these. Every datetime in or out is timezone-aware; `tz` is
the hall's zone (a tzinfo or a name such as "Asia/Shanghai").

Calendar
    seeded_calendar() -> WorkingCalendar
        every year chinese_calendar knows, loaded (seed_schedules() for the list).
    parse_schedule(text, *, fmt="toml"|"json", source) -> YearSchedule
    schedule_from_mapping(data, *, source) -> YearSchedule
        an admin's yearly schedule (file text, or a decoded API body); raises
        ScheduleError (a ValueError) with .field, .value and .problem.
    WorkingCalendar.with_schedule(schedule) -> WorkingCalendar
        a new calendar with that year loaded (or replaced).
    WorkingCalendar.is_loaded(year), .loaded_years, .schedule(year),
    .is_working_day(day), .next_working_day(day), .add_working_days(day, n),
    .working_days_between(a, b), .spans_unloaded(first, last)
    statutory_days_off(year) -> frozenset[date]
        the days off the national holiday rules fix (lunar ones included): what a
        year without a loaded notice is answered with (only make-up days unknown).

Deadlines
    compute_deadline(start, amount, unit, calendar, tz) -> Deadline(at, provisional)
        unit is "working_days", "calendar_days" or "hours"; ValueError on bad input.
        When a year gets loaded, recompute every provisional deadline.
    extend_for_suspension(deadline, suspended_from, suspended_to, calendar, tz, unit="working_days") -> Deadline
        day units move by the working days stood still, "hours" by the exact time.
    promise_problem(promised, statutory, calendar=None, tz, years=()) -> str | None
        why a promise (amount, unit) is longer than the statutory limit, or None.

Supervision
    card(deadline_at, now, calendar, *, tz, warn_working_days=1,
         warn_within=None, completed_at=None) -> "green" | "yellow" | "red"
        yellow from warn_working_days working days ahead of the due day (1: the day before).
    working_days_left(deadline_at, now, calendar, tz) -> int
    overran(step_started, step_limit, now) -> bool
    working_days_between(a, b, calendar) -> int
"""

from .calendar import WorkingCalendar
from .deadlines import UNITS, Deadline, compute_deadline, extend_for_suspension
from .rules import statutory_days_off
from .schedule import ScheduleError, YearSchedule, parse_schedule, schedule_from_mapping
from .seed import seed_schedules, seeded_calendar
from .statutory import promise_problem
from .supervision import card, overran, working_days_between, working_days_left

__all__ = [
    "UNITS",
    "Deadline",
    "ScheduleError",
    "WorkingCalendar",
    "YearSchedule",
    "card",
    "compute_deadline",
    "extend_for_suspension",
    "overran",
    "parse_schedule",
    "promise_problem",
    "schedule_from_mapping",
    "seed_schedules",
    "seeded_calendar",
    "statutory_days_off",
    "working_days_between",
    "working_days_left",
]
