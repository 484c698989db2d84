"""The complaint's flow (002 四: 信息采集、事件立案、任务派遣、任务处置、结果反馈、核实结项、综合评价).

    received --file--> filed --dispatch--> dispatched --feedback--> fed_back
    fed_back --verify(rectified)--> closed --evaluate--> evaluated
    fed_back --verify(not_rectified)--> dispatched   (handled again: a new handling clock)

Beside the main line: `contact` (the complainant reached to confirm, any time
before closing; an unreachable attempt keeps the contact clock running),
`escalate` (one grade up, before closing), and the callback (回访, 004) once
closed, for a real-name complainant with a phone. Anything else is refused.
"""

from __future__ import annotations

STATUSES = ("received", "filed", "dispatched", "fed_back", "closed", "evaluated")
OPEN = ("received", "filed", "dispatched", "fed_back")
STEPS = ("contact", "file", "dispatch", "feedback", "verify", "evaluate", "escalate")
CALLBACK_OUTCOMES = ("satisfied", "unsatisfied", "unreachable")

# step -> {status before: status after}; an outcome may pick another (verify).
_MOVES: dict[str, dict[str, str]] = {
    "file": {"received": "filed"},
    "dispatch": {"filed": "dispatched"},
    "feedback": {"dispatched": "fed_back"},
    "verify": {"fed_back": "closed"},
    "evaluate": {"closed": "evaluated"},
    "contact": {s: s for s in OPEN},
    "escalate": {s: s for s in OPEN},
}
# The clocks a step stops (when its outcome counts) and starts.
STOPS = {"dispatch": "forward", "feedback": "handling", "verify": "verify", "contact": "contact"}
STARTS = {"dispatch": "handling", "feedback": "verify"}
NAMES = {"received": "已登记", "filed": "已立案", "dispatched": "已派遣", "fed_back": "已反馈", "closed": "已核实结项",
         "evaluated": "已评价", "contact": "联系确认", "file": "立案", "dispatch": "派遣", "feedback": "结果反馈",
         "verify": "现场核实", "evaluate": "综合评价", "escalate": "上报升级"}


class FlowError(ValueError):
    """A step the complaint's status does not allow (409)."""

    def __init__(self, message: str, code: str = "bad_complaint_step"):
        super().__init__(message)
        self.code = code


def after(status: str, step: str, outcome: str | None = None) -> str:
    """The status after `step` taken in `status`; FlowError if not allowed here."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    moves = _MOVES.get(step)
    if moves is None:
        raise ValueError(f"unknown step {step!r}")
    if status not in moves:
        raise FlowError(f"{NAMES[step]} / {step}: not allowed when the complaint is {status} ({NAMES[status]})")
    if step == "verify" and outcome == "not_rectified":
        return "dispatched"
    return moves[status]


def may_call_back(status: str, real_name: bool, has_phone: bool) -> bool:
    """004 (三)2: every real-name complainant who left a real phone is called back, once closed."""
    return status in ("closed", "evaluated") and real_name and has_phone


def callback_due(status: str, real_name: bool, has_phone: bool, outcomes: list[str]) -> bool:
    """A callback still owed: allowed, and none has reached the complainant yet."""
    return may_call_back(status, real_name, has_phone) and not any(o != "unreachable" for o in outcomes)
