"""Statutory limits (法定时限) against the hall's promises (承诺时限).

A promise may be shorter than the law's limit, never longer: `promise_problem`
says why a configured promise is refused. Limits in the same unit compare by
amount; limits in different units (a promise in working days against a law in
calendar days, say) compare by their deadlines from every day of the
reference years given, so a holiday that stretches a working-day promise past
the law is found.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from .calendar import WorkingCalendar
from .checks import as_zone
from .deadlines import compute_deadline

REFERENCE_TIME = time(9, 0)  # starts sampled at opening; the day units end at 23:59:59 whatever the hour


def promise_problem(
    promised: tuple[int, str],
    statutory: tuple[int, str],
    calendar: WorkingCalendar | None = None,
    tz: tzinfo | str = "Asia/Shanghai",
    years: Iterable[int] = (),
) -> str | None:
    """Why a promise of `promised` (amount, unit) breaks a statutory limit, or None.

    Different units need a calendar and reference years; without them only
    the same-unit comparison is made (and a cross-unit pair passes)."""
    (p_amount, p_unit), (s_amount, s_unit) = promised, statutory
    if p_unit == s_unit:
        if p_amount > s_amount:
            return (f"{p_amount} {p_unit} is longer than the statutory {s_amount} {s_unit} "
                    f"(承诺时限不得长于法定时限)")
        return None
    if calendar is None:
        return None
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            start = datetime.combine(day, REFERENCE_TIME, tzinfo=as_zone(tz))
            ours = compute_deadline(start, p_amount, p_unit, calendar, tz).at
            law = compute_deadline(start, s_amount, s_unit, calendar, tz).at
            if ours > law:
                return (f"{p_amount} {p_unit} from {day.isoformat()} ends {ours.date().isoformat()}, after the "
                        f"statutory {s_amount} {s_unit} ({law.date().isoformat()}) (承诺时限不得长于法定时限)")
            day += timedelta(days=1)
    return None

