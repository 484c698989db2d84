"""Yellow and red cards with an injected clock (no sleeping)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from onewindow.promises.deadlines import compute_deadline
from onewindow.promises.seed import seeded_calendar
from onewindow.promises.supervision import (
    card,
    overran,
    working_days_between,
    working_days_left,
)

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


# Accepted Mon 2026-09-28 with 15 working days: due Fri 2026-10-23 23:59:59.
DUE = compute_deadline(at(2026, 9, 28), 15, "working_days", CAL, TZ).at


def card_at(now, **kwargs):
    return card(DUE, now, CAL, tz=TZ, **kwargs)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 10, 21, 12), "green"),  # Wed: Wed, Thu, Fri left
        (at(2026, 10, 22, 0, 0, 1), "yellow"),  # Thu: the working day before the due day
        (at(2026, 10, 23, 0, 0, 1), "yellow"),  # Fri: only the last day left
        (at(2026, 10, 23, 23, 59, 59), "yellow"),  # the deadline itself is still in time
        (at(2026, 10, 24, 0, 0, 0), "red"),  # one second past
        (at(2026, 11, 2), "red"),
    ],
)
def test_default_card_over_the_last_days(now, expected):
    assert card_at(now) == expected


def test_the_warning_window_is_configurable():
    wednesday = at(2026, 10, 21, 12)  # 2 working days before the due day
    assert card_at(wednesday, warn_working_days=1) == "green"
    assert card_at(wednesday, warn_working_days=2) == "yellow"
    assert card_at(at(2026, 10, 22), warn_working_days=0) == "green"
    assert card_at(at(2026, 10, 23), warn_working_days=0) == "yellow"


def test_holidays_are_not_time_left():
    # Due Thu 2026-10-08, right after the Oct 1-7 holiday.
    due = compute_deadline(at(2026, 9, 30), 1, "working_days", CAL, TZ).at
    assert due.date() == date(2026, 10, 8)
    assert card(due, at(2026, 9, 29), CAL, tz=TZ) == "green"  # Sep 29, 30 and Oct 8 left
    assert card(due, at(2026, 9, 30), CAL, tz=TZ) == "yellow"  # the working day before Oct 8
    assert card(due, at(2026, 9, 30), CAL, tz=TZ, warn_working_days=0) == "green"
    assert card(due, at(2026, 10, 1), CAL, tz=TZ, warn_working_days=0) == "yellow"  # only Oct 8 left
    assert working_days_left(due, at(2026, 10, 5), CAL, TZ) == 1


def test_a_make_up_saturday_is_time_left():
    due = datetime(2026, 10, 12, 23, 59, 59, tzinfo=TZ)  # Mon
    assert card(due, at(2026, 10, 9), CAL, tz=TZ) == "green"  # Fri 10-09, Sat 10-10 works, then Mon
    assert card(due, at(2026, 10, 10), CAL, tz=TZ) == "yellow"  # the make-up Saturday is the day before
    assert card(due, at(2026, 10, 10), CAL, tz=TZ, warn_working_days=0) == "green"
    assert card(due, at(2026, 10, 11), CAL, tz=TZ, warn_working_days=0) == "yellow"  # Sun: only Mon left


def test_the_halls_day_decides_not_the_stored_offset():
    # The same instants stored in UTC: 16:30 UTC Thursday is already Friday in Shanghai.
    due_utc = DUE.astimezone(UTC)
    now_utc = datetime(2026, 10, 22, 16, 30, tzinfo=UTC)
    assert card(due_utc, now_utc, CAL, tz=TZ, warn_working_days=0) == "yellow"
    assert card(due_utc, now_utc, CAL, tz=UTC, warn_working_days=0) == "green"


def test_completed_cases_keep_their_verdict():
    late = at(2026, 11, 2)
    assert card_at(late, completed_at=at(2026, 10, 23, 16)) == "green"
    assert card_at(late, completed_at=at(2026, 10, 24, 9)) == "red"


def test_hour_promises_warn_within_a_duration():
    # Complainant to be contacted within 24 hours of Tue 2026-03-10 10:00.
    due = compute_deadline(at(2026, 3, 10), 24, "hours", CAL, TZ).at
    two_hours = timedelta(hours=2)
    assert card(due, at(2026, 3, 11, 7, 59), CAL, tz=TZ, warn_within=two_hours) == "green"
    assert card(due, at(2026, 3, 11, 8, 0), CAL, tz=TZ, warn_within=two_hours) == "yellow"
    assert card(due, at(2026, 3, 11, 10, 0, 1), CAL, tz=TZ, warn_within=two_hours) == "red"


def test_overran_step():
    started = at(2026, 3, 10, 10)
    limit = timedelta(minutes=30)
    assert not overran(started, limit, at(2026, 3, 10, 10, 30))
    assert overran(started, limit, at(2026, 3, 10, 10, 30, 1))


def test_working_days_between():
    # (Sep 30, Oct 9]: Oct 1-7 off, Oct 8 and 9 work.
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 9), CAL) == 2
    assert working_days_between(date(2026, 10, 9), date(2026, 9, 30), CAL) == -2
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 9), CAL) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: card(DUE, datetime(2026, 10, 23, 9), CAL, tz=TZ),
        lambda: card(DUE.replace(tzinfo=None), at(2026, 10, 23), CAL, tz=TZ),
        lambda: card(DUE, at(2026, 10, 23), CAL, tz=TZ, warn_working_days=-1),
        lambda: card(DUE, at(2026, 10, 23), CAL, tz=TZ, warn_within=timedelta(hours=-1)),
        lambda: card(DUE, at(2026, 10, 23), CAL, tz=TZ, completed_at=datetime(2026, 10, 23)),
        lambda: card(DUE, at(2026, 10, 23), CAL, tz="Nowhere/Nothing"),
        lambda: overran(at(2026, 3, 10), 30, at(2026, 3, 10)),
        lambda: overran(datetime(2026, 3, 10), timedelta(0), at(2026, 3, 10)),
    ],
)
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
