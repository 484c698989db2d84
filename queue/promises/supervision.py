"""Electronic supervision (电子监察): yellow and red cards, overrun steps.

All functions take `now` as an argument so the daily check, the dashboard and
the tests decide what time it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from .calendar import WorkingCalendar
from .checks import as_zone, require_aware

GREEN, YELLOW, RED = "green", "yellow", "red"


def working_days_between(a: date, b: date, calendar: WorkingCalendar) -> int:
    """Working days d with a < d <= b (negative when b is before a)."""
    return calendar.working_days_between(a, b)


def working_days_left(
    deadline_at: datetime, now: datetime, calendar: WorkingCalendar, tz: tzinfo | str
) -> int:
    """Working days left before the deadline, today included if it is one.

    On the deadline's own day 1 is left; on the working day before it, 2.
    After the deadline's day, 0.
    """
    require_aware("deadline_at", deadline_at)
    require_aware("now", now)
    zone = as_zone(tz)
    today = now.astimezone(zone).date()
    last = deadline_at.astimezone(zone).date()
    if last < today:
        return 0
    return calendar.working_days_between(today, last) + calendar.is_working_day(today)


def card(
    deadline_at: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    tz: tzinfo | str,
    warn_working_days: int = 1,
    warn_within: timedelta | None = None,
    completed_at: datetime | None = None,
) -> str:
    """"green", "yellow" or "red" for a case due at `deadline_at`.

    Red once `now` is past the deadline; a completed case keeps red if it was
    completed late and is green otherwise. Yellow from `warn_working_days`
    working days ahead of the due day: with 1 (the default) from the working
    day before it, with 0 on the due day only; or, if
    `warn_within` is given (hour-based promises, waiting promises), when at
    most that much time is left. `tz` is the hall's: it decides which day `now`
    falls on, whatever offset the stored deadline carries.
    """
    require_aware("deadline_at", deadline_at)
    require_aware("now", now)
    if isinstance(warn_working_days, bool) or not isinstance(warn_working_days, int) or warn_working_days < 0:
        raise ValueError(f"warn_working_days must be a whole number >= 0, got {warn_working_days!r}")
    if warn_within is not None and warn_within < timedelta(0):
        raise ValueError(f"warn_within must not be negative, got {warn_within}")
    if completed_at is not None:
        require_aware("completed_at", completed_at)
        return RED if completed_at > deadline_at else GREEN
    if now > deadline_at:
        return RED
    if warn_within is not None:
        return YELLOW if deadline_at - now <= warn_within else GREEN
    # working_days_left counts the due day itself: what is left *before* it is one less.
    ahead = working_days_left(deadline_at, now, calendar, tz) - 1
    return YELLOW if ahead <= warn_working_days else GREEN


def overran(step_started: datetime, step_limit: timedelta, now: datetime) -> bool:
    """True if a step begun at `step_started` has run longer than `step_limit`.

    For a step limited in working days, compute its deadline with
    compute_deadline and compare `now` with it instead.
    """
    require_aware("step_started", step_started)
    require_aware("now", now)
    if not isinstance(step_limit, timedelta) or step_limit < timedelta(0):
        raise ValueError(f"step_limit must be a non-negative timedelta, got {step_limit!r}")
    return now - step_started > step_limit
