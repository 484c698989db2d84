"""Promised deadlines (限时办结) and how suspensions move them.

The clock, as the hall publishes it:
- the day of acceptance is not counted: day 1 of a period is the day after it;
- acceptance on a non-working day counts from the next working day, which is
  then day 1 (for calendar-day periods too);
- a calendar-day period whose last day is not a working day ends on the next
  working day;
- hour limits are elapsed hours from the start, nights and holidays included;
- a day-based deadline is the end (23:59:59) of its last day in the hall's
  time zone; amount 0 means the end of the acceptance day itself;
- a suspension (补正, expert review, hearing, public notice) moves a day-based
  deadline by the working days the clock stood still, an hour-based one by the
  exact time it stood still.

A deadline that depended on a year without a loaded schedule is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from .calendar import WorkingCalendar
from .checks import as_zone, require_aware

UNITS = ("working_days", "calendar_days", "hours")
# Statutory limits are weeks, not decades; the cap keeps a request for an
# absurd amount from walking the calendar for minutes.
MAX_AMOUNT = 10_000
END_OF_DAY = time(23, 59, 59)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    at: datetime  # aware, in the hall's time zone
    provisional: bool


def compute_deadline(
    start: datetime,
    amount: int,
    unit: str,
    calendar: WorkingCalendar,
    tz: tzinfo | str,
) -> Deadline:
    """The deadline of a promise of `amount` `unit`s from `start`."""
    require_aware("start", start)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be a whole number, got {amount!r}")
    if not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(f"amount must be between 0 and {MAX_AMOUNT}, got {amount}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    zone = as_zone(tz)
    try:
        if unit == "hours":
            return Deadline((start + timedelta(hours=amount)).astimezone(zone), False)
        start_day = start.astimezone(zone).date()
        if amount == 0:
            return Deadline(end_of(start_day, zone), False)
        if unit == "working_days":
            last = calendar.add_working_days(start_day, amount)
            looked_from = start_day + _DAY
        else:
            looked_from = start_day
            first = (
                start_day + _DAY
                if calendar.is_working_day(start_day)
                else calendar.next_working_day(start_day)
            )
            last = first + timedelta(days=amount - 1)
            if not calendar.is_working_day(last):
                last = calendar.next_working_day(last)
    except OverflowError:
        raise ValueError(f"a deadline {amount} {unit} after {start} is beyond the calendar") from None
    return Deadline(end_of(last, zone), calendar.spans_unloaded(looked_from, last))


def extend_for_suspension(
    deadline: Deadline,
    suspended_from: datetime,
    suspended_to: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo | str,
    unit: str = "working_days",
) -> Deadline:
    """Move `deadline` by the time the clock stood still.

    For an hour-based limit (`unit` "hours") that is the exact time from
    `suspended_from` to `suspended_to`. For day-based limits it is the working
    days after the day the clock stopped, up to and including the day it
    restarted (the same rule as counting a period), so stopping and
    restarting on the same day moves nothing; the deadline keeps its time of
    day. Apply once per suspension, in any order.
    """
    require_aware("deadline.at", deadline.at)
    require_aware("suspended_from", suspended_from)
    require_aware("suspended_to", suspended_to)
    if suspended_to < suspended_from:
        raise ValueError(f"suspension ends ({suspended_to}) before it starts ({suspended_from})")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    zone = as_zone(tz)
    if unit == "hours":
        try:
            return Deadline((deadline.at + (suspended_to - suspended_from)).astimezone(zone), deadline.provisional)
        except OverflowError:
            raise ValueError("the extended deadline is beyond the calendar") from None
    stopped_day = suspended_from.astimezone(zone).date()
    restarted_day = suspended_to.astimezone(zone).date()
    stopped = calendar.working_days_between(stopped_day, restarted_day)
    local = deadline.at.astimezone(zone)
    try:
        new_day = calendar.add_working_days(local.date(), stopped)
    except OverflowError:
        raise ValueError("the extended deadline is beyond the calendar") from None
    at = datetime.combine(new_day, local.time(), tzinfo=zone)
    provisional = (
        deadline.provisional
        or calendar.spans_unloaded(stopped_day + _DAY, restarted_day)
        or calendar.spans_unloaded(local.date() + _DAY, new_day)
    )
    return Deadline(at, provisional)


def end_of(day: date, zone: tzinfo) -> datetime:
    """The last second of `day` in `zone`."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)
