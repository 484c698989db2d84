"""The rectification task a bad rating opens: verify → rectify → feedback → callback.

核实 (verify the complaint), 整改 (rectify), 反馈 (tell the rater what was done),
回访 (call the rater back and record whether they are satisfied). Each step
records who did it and when; the task is due a configurable time after the
rating (48 hours by default; some provinces count 5 or 15 working days).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from onewindow.promises import WorkingCalendar, compute_deadline
from onewindow.promises.checks import as_zone

from .levels import is_bad

STEPS: tuple[str, ...] = ("verify", "rectify", "feedback", "callback")
CLOSED = "closed"
STEP_NAMES = {
    "verify": ("核实", "Verify"),
    "rectify": ("整改", "Rectify"),
    "feedback": ("反馈", "Feedback to the rater"),
    "callback": ("回访", "Callback"),
    CLOSED: ("已办结", "Closed"),
}
# What a step may conclude; the callback's outcome is the rater's verdict.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "verify": ("substantiated", "unsubstantiated"),
    "rectify": ("done",),
    "feedback": ("told", "unreachable"),
    "callback": ("satisfied", "unsatisfied", "unreachable"),
}


class StepError(ValueError):
    """A step out of order, on a closed task, or back in time."""


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    by: str
    at: float  # epoch seconds
    note: str = ""
    outcome: str = ""

    def as_dict(self) -> dict:
        return {"step": self.step, "by": self.by, "at": self.at, "note": self.note, "outcome": self.outcome}


@dataclass(frozen=True, slots=True)
class Task:
    opened_at: float
    due_at: float
    steps: tuple[Step, ...] = field(default=())

    @property
    def state(self) -> str:
        """The step waiting to be done, or "closed"."""
        return STEPS[len(self.steps)] if len(self.steps) < len(STEPS) else CLOSED

    @property
    def closed_at(self) -> float | None:
        return self.steps[-1].at if self.state == CLOSED else None

    def overdue(self, now: float) -> bool:
        """Still open after its due time, or closed after it."""
        end = self.closed_at
        return (end if end is not None else now) > self.due_at


def opens_task(level: int) -> bool:
    """A bad rating (差评) opens a rectification task: checked, fixed and the
    rater told within the policy's limit (48 hours by default)."""
    return is_bad(level)


def advance(task: Task, step: str, by: str, at: float, note: str = "", outcome: str = "") -> Task:
    """The task with `step` done by `by` at `at`; only the next step may be done."""
    if task.state == CLOSED:
        raise StepError("the task is closed")
    if step != task.state:
        raise StepError(f"the next step is {task.state}, not {step}")
    if not by:
        raise StepError("a step needs who did it")
    last = task.steps[-1].at if task.steps else task.opened_at
    if at < last:
        raise StepError("a step cannot be done before the previous one")
    allowed = OUTCOMES[step]
    if outcome == "":
        outcome = allowed[0]
    if outcome not in allowed:
        raise StepError(f"{step} concludes {' or '.join(allowed)}, not {outcome!r}")
    return replace(task, steps=(*task.steps, Step(step, by, at, note, outcome)))


def from_steps(opened_at: float, due_at: float, steps: list[dict]) -> Task:
    """Rebuild a task from stored steps (replayed, so stored rubbish is refused)."""
    task = Task(opened_at, due_at)
    for s in steps:
        task = advance(task, s["step"], s["by"], s["at"], s.get("note", ""), s.get("outcome", ""))
    return task


def due_at(opened_at: float, amount: int, unit: str, calendar: WorkingCalendar, tz: tzinfo | str) -> float:
    """When a task opened at `opened_at` is due: hours elapsed, or working/calendar days
    by the hall's calendar (the day of the rating is not counted)."""
    if unit == "hours":
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValueError(f"amount must be a whole number of hours, got {amount!r}")
        return opened_at + timedelta(hours=amount).total_seconds()
    start = datetime.fromtimestamp(opened_at, as_zone(tz))
    return compute_deadline(start, amount, unit, calendar, tz).at.timestamp()
