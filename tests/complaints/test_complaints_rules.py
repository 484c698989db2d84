"""The pure rules of complaints (onewindow.complaints): clocks, flow, grading, duties."""
from __future__ import annotations

from datetime import timedelta

import pytest
from support.clock import SHANGHAI, at

from onewindow.complaints import (
    FlowError,
    after,
    callback_due,
    covers,
    escalate,
    grade_of,
    may_call_back,
    plan,
    responsible,
    state,
)
from onewindow.complaints.clocks import warn_days
from onewindow.promises import seeded_calendar

CAL = seeded_calendar()


def _state(due, now, done=None, amount=1, unit="hours"):
    return state(due, now, done_at=done, amount=amount, unit=unit, calendar=CAL, tz=SHANGHAI)


def test_entry_is_one_hour_after_receipt_and_turns_yellow_in_its_last_quarter():
    received = at(2026, 11, 23, 10, 0)
    due = plan("entry", received, 1, "hours", CAL, SHANGHAI).at
    assert due == at(2026, 11, 23, 11, 0)
    assert _state(due, at(2026, 11, 23, 10, 44, 59)) == "green"
    assert _state(due, at(2026, 11, 23, 10, 45)) == "yellow"
    assert _state(due, at(2026, 11, 23, 11, 0)) == "yellow"  # the due minute itself is in time
    assert _state(due, at(2026, 11, 23, 11, 0, 1)) == "red"
    assert _state(due, at(2026, 11, 23, 12), done=at(2026, 11, 23, 11)) == "kept"
    assert _state(due, at(2026, 11, 23, 12), done=at(2026, 11, 23, 11, 0, 1)) == "missed"


def test_contact_counts_24_hours_through_nights_and_weekends():
    received = at(2026, 11, 27, 16, 30)  # a Friday
    due = plan("contact", received, 24, "hours", CAL, SHANGHAI).at
    assert due == at(2026, 11, 28, 16, 30)  # Saturday: hours run on days off too
    assert _state(due, at(2026, 11, 28, 10, 29), amount=24) == "green"
    assert _state(due, at(2026, 11, 28, 10, 30), amount=24) == "yellow"  # the last 6 hours


def test_forward_is_one_working_day_and_warns_once_no_working_day_is_left_before_it():
    entered = at(2026, 11, 27, 16, 0)  # Friday afternoon
    due = plan("forward", entered, 1, "working_days", CAL, SHANGHAI).at
    assert due == at(2026, 11, 30, 23, 59, 59)  # Monday's end: the weekend does not count
    kw = {"amount": 1, "unit": "working_days"}
    assert _state(due, at(2026, 11, 27, 16, 1), **kw) == "green"  # not yellow the moment it starts
    assert _state(due, at(2026, 11, 27, 23, 59), **kw) == "green"
    assert _state(due, at(2026, 11, 28, 0, 0), **kw) == "yellow"  # the weekend: no working day before Monday
    assert _state(due, at(2026, 11, 30, 23, 59, 59), **kw) == "yellow"
    assert _state(due, at(2026, 12, 1, 0, 0), **kw) == "red"


def test_a_forward_over_the_national_day_holiday_waits_for_the_first_working_day():
    due = plan("forward", at(2026, 9, 30, 15), 1, "working_days", CAL, SHANGHAI).at
    assert due.date().isoformat() == "2026-10-08"


def test_warning_days_never_exceed_what_the_limit_leaves():
    assert [warn_days(n, "working_days", 1) for n in (0, 1, 2, 15)] == [0, 0, 1, 1]
    assert warn_days(24, "hours", 1) == 1
    with pytest.raises(ValueError):
        plan("lunch", at(2026, 11, 23), 1, "hours", CAL, SHANGHAI)


def test_the_flow_in_order_and_the_verification_that_sends_it_back():
    s = "received"
    for step_, want in (("file", "filed"), ("dispatch", "dispatched"), ("feedback", "fed_back")):
        s = after(s, step_)
        assert s == want
    assert after("fed_back", "verify", "not_rectified") == "dispatched"
    assert after("fed_back", "verify", "rectified") == "closed"
    assert after("closed", "evaluate") == "evaluated"
    assert after("dispatched", "contact") == "dispatched"
    assert after("filed", "escalate") == "filed"


@pytest.mark.parametrize(("status", "step_"), [
    ("received", "dispatch"),  # not filed yet
    ("received", "verify"),
    ("filed", "feedback"),  # not dispatched
    ("dispatched", "verify"),  # no result yet
    ("dispatched", "file"),
    ("closed", "contact"),
    ("closed", "escalate"),
    ("evaluated", "evaluate"),
    ("received", "evaluate"),
])
def test_steps_out_of_order_are_refused(status, step_):
    with pytest.raises(FlowError) as exc:
        after(status, step_)
    assert exc.value.code == "bad_complaint_step"


def test_callbacks_are_for_closed_real_name_complaints_with_a_phone():
    assert may_call_back("closed", True, True) and may_call_back("evaluated", True, True)
    assert not may_call_back("fed_back", True, True)
    assert not may_call_back("closed", False, True)  # anonymous
    assert not may_call_back("closed", True, False)  # no phone
    assert callback_due("closed", True, True, ["unreachable"])
    assert not callback_due("closed", True, True, ["unreachable", "satisfied"])


def test_grades_rise_with_repeats_and_urgency_and_escalate_to_the_top():
    assert grade_of("general") == "general"
    assert grade_of("general", repeats=2, repeat_threshold=3) == "general"
    assert grade_of("general", repeats=3, repeat_threshold=3) == "major"
    assert grade_of("general", repeats=3, repeat_threshold=3, urgent=True) == "serious"
    assert grade_of("major", urgent=True) == "serious"
    assert grade_of("serious", repeats=9, urgent=True) == "serious"
    assert escalate("general") == "major" and escalate("major") == "serious" and escalate("serious") is None
    with pytest.raises(ValueError):
        grade_of("huge")


def test_departments_by_their_duties():
    deps = [("enforcement", ["air", "water"]), ("urban", ["air.cooking_fumes", "noise.commercial"])]
    assert covers(["air"], "air.open_burning") and covers(["air"], "air")
    assert not covers(["air.cooking_fumes"], "air.open_burning")
    assert not covers(["air"], "airport")
    assert responsible(deps, "air.cooking_fumes") == ["urban", "enforcement"]  # the most specific first
    assert responsible(deps, "noise.industrial") == []


def test_a_clock_needs_aware_times():
    with pytest.raises(ValueError):
        plan("entry", at(2026, 11, 23).replace(tzinfo=None), 1, "hours", CAL, SHANGHAI)
    assert plan("entry", at(2026, 11, 23), 0, "hours", CAL, SHANGHAI).at - at(2026, 11, 23) == timedelta(0)
