"""A complaint's clocks (milestones), each with its own limit and unit.

- entry: entered into the system within 1 hour of receipt (000 第十六条(二));
- contact: the complainant contacted to confirm within 24 hours of receipt;
- forward: forwarded to the responsible local department within 1 working
  day of entry (000 第六条3);
- handling: the department's result back within its limit (002 四 4-5);
- verify: verified on site after the result came back (002 四 6).

Limits are configuration (config/complaints.py); these are the rules that
turn them into due times and cards.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from onewindow.promises import Deadline, WorkingCalendar, card, compute_deadline

MILESTONES = ("entry", "contact", "forward", "handling", "verify")
KEPT, MISSED = "kept", "missed"


def plan(milestone: str, start: datetime, amount: int, unit: str, calendar: WorkingCalendar,
         tz: tzinfo | str) -> Deadline:
    """When `milestone` is due, counted from `start` (hours elapsed, or working days on the calendar)."""
    if milestone not in MILESTONES:
        raise ValueError(f"milestone must be one of {', '.join(MILESTONES)}, got {milestone!r}")
    return compute_deadline(start, amount, unit, calendar, tz)


def state(due: datetime, now: datetime, *, done_at: datetime | None, amount: int, unit: str,
          calendar: WorkingCalendar, tz: tzinfo | str, warn_working_days: int = 1,
          warn_fraction: float = 0.25) -> str:
    """A clock's state at `now`: kept or missed once done; else green, yellow or red.

    Yellow as the hall's supervision says: in the last `warn_fraction` of an hour limit
    (the 1-hour entry clock: its last 15 minutes; the 24-hour contact clock: its last 6
    hours), or `warn_working_days` ahead of a day limit's due day (warn_days)."""
    if done_at is not None:
        return KEPT if done_at <= due else MISSED
    within = timedelta(hours=amount * warn_fraction) if unit == "hours" else None
    return card(due, now, calendar, tz=tz, warn_working_days=warn_days(amount, unit, warn_working_days),
                warn_within=within)


def warn_days(amount: int, unit: str, warn_working_days: int) -> int:
    """Working days of warning before a day limit's due day, never more than the limit leaves:
    a 1-working-day clock (forward) turns yellow on its due day, not the moment it starts."""
    if unit == "hours":
        return warn_working_days
    return max(0, min(warn_working_days, amount - 1))
