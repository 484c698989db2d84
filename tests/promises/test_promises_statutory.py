"""Statutory limits (issue 15, point 7): a promise longer than the law's limit
is refused, in the same unit by amount, across units by the deadlines."""

from onewindow.promises import seeded_calendar
from onewindow.promises.statutory import promise_problem

CAL = seeded_calendar()


def test_same_unit_compares_amounts():
    assert promise_problem((15, "working_days"), (15, "working_days")) is None
    assert promise_problem((7, "working_days"), (15, "working_days")) is None
    problem = promise_problem((70, "working_days"), (15, "working_days"))
    assert problem is not None and "70 working_days" in problem and "statutory 15 working_days" in problem


def test_across_units_a_holiday_can_carry_a_promise_past_the_law():
    # 10 working days is 14 calendar days over plain weeks, but 20 over the National Day week.
    assert promise_problem((10, "working_days"), (20, "calendar_days"), CAL, "Asia/Shanghai", [2026]) is not None
    assert promise_problem((10, "working_days"), (30, "calendar_days"), CAL, "Asia/Shanghai", [2026]) is None
    assert promise_problem((24, "hours"), (1, "working_days"), CAL, "Asia/Shanghai", [2026]) is None
    assert promise_problem((72, "hours"), (1, "working_days"), CAL, "Asia/Shanghai", [2026]) is not None
