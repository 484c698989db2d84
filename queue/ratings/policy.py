"""A hall's rating rules, with the defaults of the outlet rules (DOMAIN.md)."""
from __future__ import annotations

from dataclasses import dataclass

from .levels import level


@dataclass(frozen=True, slots=True)
class Policy:
    rectify_amount: int = 48  # a bad rating is checked, fixed and the rater told within ...
    rectify_unit: str = "hours"  # ... hours, working_days or calendar_days
    bad_rate_threshold: float = 0.05  # above it the outlet's head is interviewed
    utilisation_threshold: float = 0.30  # below it an outlet is flagged (to be merged)
    pad_window_s: float = 15 * 60  # the window's pad may rate a ticket completed this recently
    default_after_s: float | None = None  # unrated this long after completion ...
    default_level: int | None = None  # ... counts as this level (None: stays unrated)

    def __post_init__(self) -> None:
        if self.rectify_unit not in ("hours", "working_days", "calendar_days"):
            raise ValueError(f"unknown unit {self.rectify_unit!r}")
        if self.default_level is not None:
            level(self.default_level)

    @property
    def gives_default(self) -> bool:
        return self.default_level is not None and self.default_after_s is not None


def default_due(completed: list[tuple[int, float]], rated: set[int], now: float, policy: Policy) -> list[int]:
    """Tickets (id, finished_at) that get the default rating now: unrated past the period."""
    after = policy.default_after_s
    if not policy.gives_default or after is None:
        return []
    return [tid for tid, fin in completed if tid not in rated and now - fin >= after]
