"""The key-project tracking card (004 《重点项目服务跟踪卡》): per service step (环评编制,
技术评估, 行政审批) its limit in working days, the actual start and end, the fee against its
cap, and the satisfaction on the five levels of 好差评."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onewindow.ratings.levels import BY_CODE

STEPS = ("report", "assessment", "approval")
STEP_NAMES = {"report": ("环评编制", "Report preparation"), "assessment": ("技术评估", "Technical assessment"),
              "approval": ("行政审批", "Administrative approval")}


@dataclass(frozen=True, slots=True)
class StepState:
    started_at: float | None = None
    ended_at: float | None = None


def step_problem(state: StepState, event: str, at: float, now: float) -> str | None:
    """Why a step's start or end at `at` cannot be recorded (None: it can)."""
    if at > now + 60:
        return "cannot be in the future"
    if event == "start":
        if state.ended_at is not None:
            return "the step has ended"
        return None
    if state.started_at is None:
        return "the step has not started"
    if state.ended_at is not None:
        return "the step has already ended"
    if at < state.started_at:
        return "the end cannot be before the start"
    return None


def overrun(due: datetime | None, state: StepState, now: datetime) -> bool:
    """Past its limit: still open after the due time, or ended after it."""
    if due is None or state.started_at is None:
        return False
    end = datetime.fromtimestamp(state.ended_at, now.tzinfo) if state.ended_at is not None else now
    return end > due


def over_cap(fee: float | None, cap: float | None) -> bool:
    return fee is not None and cap is not None and fee > cap


def satisfaction_name(level: int | None) -> tuple[str, str] | None:
    if level is None:
        return None
    lv = BY_CODE[level]
    return lv.name, lv.name_en
