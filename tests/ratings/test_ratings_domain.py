"""The rating levels, reasons, the rectification task and its due time, the policy."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from onewindow.promises import seeded_calendar
from onewindow.ratings import (
    LEVELS,
    STEPS,
    InvalidRating,
    Policy,
    StepError,
    Task,
    advance,
    check_reasons,
    default_due,
    due_at,
    from_steps,
    is_bad,
    level,
)
from onewindow.ratings import metrics as m

TZ = ZoneInfo("Asia/Shanghai")
CAL = seeded_calendar()


def ts(*args) -> float:
    return datetime(*args, tzinfo=TZ).timestamp()


def test_the_national_five_levels():
    assert [(lv.code, lv.name) for lv in LEVELS] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    assert [is_bad(c) for c in (5, 4, 3, 2, 1)] == [False, False, False, True, True]
    assert level(2).bad and not level(3).bad
    for wrong in (0, 6, True, "5"):
        with pytest.raises(InvalidRating):
            level(wrong)


def test_reasons_are_kept_for_bad_ratings_only():
    assert check_reasons(1, ["slow", "attitude", "slow"]) == ("slow", "attitude")
    assert check_reasons(4, ["slow"]) == ()
    with pytest.raises(InvalidRating):
        check_reasons(1, ["rude-ish"])


def test_task_steps_in_order_with_who_and_when():
    t = Task(opened_at=100.0, due_at=100.0 + 48 * 3600)
    assert t.state == "verify" and not t.overdue(100.0 + 48 * 3600)
    assert t.overdue(100.0 + 48 * 3600 + 1)
    with pytest.raises(StepError, match="next step is verify"):
        advance(t, "rectify", "boss", 200)
    t = advance(t, "verify", "boss", 200, "查看录像，属实", "substantiated")
    with pytest.raises(StepError, match="before the previous"):
        advance(t, "rectify", "boss", 150)
    with pytest.raises(StepError, match="concludes"):
        advance(t, "rectify", "boss", 300, outcome="satisfied")
    with pytest.raises(StepError, match="who"):
        advance(t, "rectify", "", 300)
    t = advance(t, "rectify", "boss", 300)
    t = advance(t, "feedback", "boss", 400, outcome="told")
    t = advance(t, "callback", "chief", 500, outcome="satisfied")
    assert t.state == "closed" and t.closed_at == 500
    assert [(s.step, s.by, s.at, s.outcome) for s in t.steps] == [
        ("verify", "boss", 200, "substantiated"), ("rectify", "boss", 300, "done"),
        ("feedback", "boss", 400, "told"), ("callback", "chief", 500, "satisfied")]
    assert not t.overdue(10 ** 12)  # closed in time stays on time
    with pytest.raises(StepError, match="closed"):
        advance(t, "callback", "boss", 600)
    # stored and replayed
    again = from_steps(100.0, t.due_at, [s.as_dict() for s in t.steps])
    assert again == t
    assert STEPS == ("verify", "rectify", "feedback", "callback")


def test_due_in_48_hours_by_default():
    p = Policy()
    opened = ts(2026, 11, 23, 10, 32, 20)
    assert (p.rectify_amount, p.rectify_unit) == (48, "hours")
    assert due_at(opened, 48, "hours", CAL, TZ) == ts(2026, 11, 25, 10, 32, 20)


def test_due_in_working_days_crosses_the_national_day_holiday():
    # Rated on Monday 2026-09-28; day 1 is the 29th; 10-01..10-07 are off,
    # Saturday 10-10 is a make-up working day.
    opened = ts(2026, 9, 28, 15, 0)
    due = datetime.fromtimestamp(due_at(opened, 5, "working_days", CAL, "Asia/Shanghai"), TZ)
    days = [d for d in (date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9),
                        date(2026, 10, 10))]
    assert all(CAL.is_working_day(d) for d in days)
    assert due == datetime.combine(date(2026, 10, 10), time(23, 59, 59), TZ)


def test_policy_and_default_ratings():
    with pytest.raises(ValueError):
        Policy(rectify_unit="weeks")
    p = Policy(default_after_s=600, default_level=5)
    assert default_due([(1, 1000.0), (2, 1500.0), (3, 900.0)], {3}, 1600.0, p) == [1]
    assert default_due([(1, 0.0)], set(), 10 ** 6, Policy()) == []


def test_open_intervals_cut_at_now():
    d = date(2026, 11, 23)
    full = m.open_intervals([d], time(9), time(17), TZ)
    assert m.length(full) == 8 * 3600
    part = m.open_intervals([d, date(2026, 11, 24)], time(9), time(17), TZ, until=ts(2026, 11, 23, 11, 0))
    assert part == [(ts(2026, 11, 23, 9, 0), ts(2026, 11, 23, 11, 0))]


def test_percentile_definition_examples():
    assert m.percentile([600, 640, 1280, 1420, 1760], 90) == 1760
    assert m.percentile(list(range(1, 11)), 90) == 9
    assert m.percentile(list(range(1, 21)), 90) == 18
    assert m.percentile([], 90) is None
    with pytest.raises(ValueError):
        m.percentile([1], 0)
