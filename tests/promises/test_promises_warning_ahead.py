"""Warnings that come in time (issue 15, point 12): the yellow card comes a
configurable number of working days *before* the due day; the default, 1,
is the working day before it, not the due day itself."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from onewindow.promises import card, compute_deadline, seeded_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


# Accepted Mon 2026-09-28 with 15 working days: due Fri 2026-10-23 23:59:59.
DUE = compute_deadline(at(2026, 9, 28), 15, "working_days", CAL, TZ).at


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 10, 21, 23, 59, 59), "green"),  # Wed: two working days before the due day
        (at(2026, 10, 22, 0, 0, 1), "yellow"),  # Thu: the working day before the due day
        (at(2026, 10, 23, 12), "yellow"),  # Fri: the due day
        (at(2026, 10, 24, 0, 0, 0), "red"),
    ],
)
def test_the_default_warns_on_the_working_day_before_the_due_day(now, expected):
    assert card(DUE, now, CAL, tz=TZ) == expected


def test_warn_n_working_days_ahead_skips_weekends_and_holidays():
    # Due Thu 2026-10-08, right after the Oct 1-7 holiday; the working day before is Wed 09-30.
    due = compute_deadline(at(2026, 9, 29), 2, "working_days", CAL, TZ).at
    assert due.date().isoformat() == "2026-10-08"
    assert card(due, at(2026, 9, 29), CAL, tz=TZ) == "green"
    assert card(due, at(2026, 9, 30), CAL, tz=TZ) == "yellow"
    assert card(due, at(2026, 9, 29), CAL, tz=TZ, warn_working_days=2) == "yellow"
    assert card(due, at(2026, 9, 28), CAL, tz=TZ, warn_working_days=2) == "green"


def test_zero_warns_on_the_due_day_only():
    assert card(DUE, at(2026, 10, 22, 16), CAL, tz=TZ, warn_working_days=0) == "green"
    assert card(DUE, at(2026, 10, 23, 0, 0, 1), CAL, tz=TZ, warn_working_days=0) == "yellow"
