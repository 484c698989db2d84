"""Complaints and reports (投诉举报) and the 12369 flow, as pure rules.

No I/O: the server stores complaints, their clocks and steps, reads the
clock, and calls these. Sources: 000 第六条3 and 第十六条(二) (the three
intake milestones), 002 四 (the case flow), 002 二 / 004 (classification and
grading, escalation), 004 (三)2 (callbacks).

Clocks (clocks.py)
    MILESTONES; plan(milestone, start, amount, unit, calendar, tz) -> Deadline
    state(due, now, *, done_at, amount, unit, calendar, tz, warn_working_days, warn_fraction)
        -> "green" | "yellow" | "red" (open) or "kept" | "missed" (done)
Flow (flow.py)
    STATUSES, STEPS; after(status, step, outcome) -> the next status, or FlowError (409)
    what each step stops and starts: STOPS, STARTS
Grading (grading.py)
    GRADES; grade_of(base, repeats=, repeat_threshold=, urgent=); escalate(grade)
Departments (duties.py)
    covers(duties, type_code); responsible(departments, type_code)
"""

from .clocks import MILESTONES, plan, state
from .duties import covers, responsible
from .flow import CALLBACK_OUTCOMES, STATUSES, STEPS, FlowError, after, callback_due, may_call_back
from .grading import GRADES, escalate, grade_of

__all__ = [
    "CALLBACK_OUTCOMES",
    "GRADES",
    "MILESTONES",
    "STATUSES",
    "STEPS",
    "FlowError",
    "after",
    "callback_due",
    "covers",
    "escalate",
    "grade_of",
    "may_call_back",
    "plan",
    "responsible",
    "state",
]
