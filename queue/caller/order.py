"""Who is called next at a window: one-window calling over the window's
categories, priority first, and the anti-starvation rule that lets a normal
ticket waiting too long count as priority. The store's SQL picks each
category's head (the first waiting ticket per class); this rule chooses among them."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from onewindow.appointments import fairness


@dataclass(frozen=True, slots=True)
class Head:
    """The first waiting ticket of one category and priority class."""

    ticket_id: int
    category: str
    priority: int
    arrived_at: float


def effective_class(head: Head, now: float, starvation_limit_s: float) -> int:
    """Priority tickets go first, but a normal ticket that has waited past the
    limit counts as priority too, so a stream of priority tickets never starves it."""
    if head.priority > 0 or now - head.arrived_at >= starvation_limit_s:
        return 1
    return 0


def choose_next(
    heads: list[Head], categories: list[str], mode: str, now: float, starvation_limit_s: float,
    promise_s: Mapping[str, float] | None = None,
) -> Head | None:
    """One-window calling: among the window's categories, the highest class
    first; then (fifo) the longest waiting, or (ordered) the window's category
    order and then the longest waiting. Checked-in appointments (priority
    fairness.APPOINTMENT) follow appointments/fairness.py against walk-ins, whose
    waiting promises per category are `promise_s`."""
    rank = {c: i for i, c in enumerate(categories)}
    candidates = [h for h in heads if h.category in rank]
    if not candidates:
        return None
    ruled = fairness.classes(candidates, now, promise_s or {})  # {} without appointments among them

    def key(h: Head):
        cls = -ruled.get(h.ticket_id, effective_class(h, now, starvation_limit_s))
        if mode == "ordered":
            return (cls, rank[h.category], h.arrived_at, h.ticket_id)
        return (cls, h.arrived_at, h.ticket_id)

    return min(candidates, key=key)
