"""The `[halls.ratings]` table of the hall configuration: 好差评 rules.

    [halls.ratings]
    rectify_within = { amount = 48, unit = "hours" }   # or 5 working_days, 15 ...
    bad_rate_threshold = 0.05       # above it the outlet's head is interviewed
    utilisation_threshold = 0.30    # below it a window (outlet) is flagged
    pad_window_min = 15             # the pad may rate a ticket completed this recently
    default_after_min = 0           # 0: an unrated ticket stays unrated ...
    default_level = 0               # ... else it counts as this level (1..5) after that long
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from onewindow.ratings import Policy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RectifyWithin(_Strict):
    amount: int = Field(default=48, ge=1, le=10_000)
    unit: Literal["hours", "working_days", "calendar_days"] = "hours"


class RatingRules(_Strict):
    rectify_within: RectifyWithin = RectifyWithin()
    bad_rate_threshold: float = Field(default=0.05, gt=0, lt=1)
    utilisation_threshold: float = Field(default=0.30, ge=0, le=1)
    pad_window_min: float = Field(default=15, gt=0, le=24 * 60)
    default_after_min: float = Field(default=0, ge=0)
    default_level: int = Field(default=0, ge=0, le=5)

    @model_validator(mode="after")
    def _default(self) -> RatingRules:
        if (self.default_level == 0) != (self.default_after_min == 0):
            raise ValueError("default_level and default_after_min go together (both 0: no default)")
        return self

    def policy(self) -> Policy:
        return Policy(
            rectify_amount=self.rectify_within.amount, rectify_unit=self.rectify_within.unit,
            bad_rate_threshold=self.bad_rate_threshold, utilisation_threshold=self.utilisation_threshold,
            pad_window_s=self.pad_window_min * 60,
            default_after_s=self.default_after_min * 60 if self.default_level else None,
            default_level=self.default_level or None,
        )


def policy_of(hall) -> Policy:
    """The hall's rating policy (the defaults when its config has no ratings table)."""
    rules = getattr(hall, "ratings", None)
    return rules.policy() if isinstance(rules, RatingRules) else RatingRules().policy()
