"""Suspensions (issue 15, point 9): an hour-based promise moves by the exact time
its clock stood still; a suspension longer than the configured cap raises an
alert, once."""
from __future__ import annotations

from support.clock import at

HOURLY = {'name_en = "General matter (feedback)"\npromised = { amount = 3, unit = "working_days" }':
          'name_en = "General matter (feedback)"\npromised = { amount = 24, unit = "hours" }'}


def test_a_two_hour_stop_moves_a_24_hour_promise_by_two_hours(make_hall, demo_config):
    hall = make_hall(demo_config(replace=HOURLY))
    case = hall.accept("general_matter", category="consult")["case"]  # Mon 10:00: due Tue 10:00
    assert case["deadline"] == "2026-11-24T10:00:00+08:00"
    hall.clock.set(at(2026, 11, 23, 12))
    hall.case_action(case["id"], "suspend", {"reason": "correction", "notice": "补正", "missing": ["身份证复印件"]})
    hall.clock.set(at(2026, 11, 23, 14))
    assert hall.case_action(case["id"], "resume")["deadline"] == "2026-11-24T12:00:00+08:00"
    hall.clock.set(at(2026, 11, 23, 16))
    hall.case_action(case["id"], "suspend", {"reason": "correction", "notice": "补正"})
    hall.clock.set(at(2026, 11, 24, 9))  # overnight: 17 hours
    assert hall.case_action(case["id"], "resume")["deadline"] == "2026-11-25T05:00:00+08:00"


def overruns(hall) -> list[dict]:
    return [a for a in hall.alerts(kind="suspension_overrun")]


def test_a_suspension_past_its_cap_is_alerted_once(make_hall, demo_config):
    hall = make_hall(demo_config(replace={'suspension_cap = { amount = 20, unit = "working_days" }':
                                          'suspension_cap = { amount = 2, unit = "working_days" }'}))
    case_id = hall.accept("eia_report_form")["case"]["id"]  # Mon 11-23
    hall.case_action(case_id, "suspend", {"reason": "expert_review", "notice": "专家评审"})
    hall.clock.set(at(2026, 11, 25, 23, 59))  # Wed: two working days, the cap itself
    hall.check()
    assert overruns(hall) == []
    hall.clock.set(at(2026, 11, 26, 0, 0, 1))
    hall.check()
    hall.check()
    [alert] = overruns(hall)
    assert alert["case_id"] == case_id and alert["level"] == "yellow"
    assert "专家评审" in alert["message"] and "2 working_days" in alert["message"]
    hall.case_action(case_id, "resume")
    assert overruns(hall) == []  # settled by the restart
