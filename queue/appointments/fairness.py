"""The fairness rule between appointments and walk-ins (documented in the README).

A checked-in appointment's ticket has its own class (APPOINTMENT) and its place in
the queue (`arrived_at`) is its slot's start. From that start it counts as priority,
placed at its start time: it goes ahead of every ordinary walk-in, behind the
priority visitors who were there before its start. It never goes ahead of a walk-in
who has waited longer than that walk-in's category's waiting promise: while an
appointment is due, such a walk-in counts as priority too, and came before the
appointment's start (or else the appointment has waited longer still). Checked in
early, before its start, it waits as an ordinary ticket that arrived at its start.

With the appointment share of each period kept below what the windows serve, the
appointment is called within `call_within_min` of its start; the reports count
those that were not.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

APPOINTMENT = 2  # a ticket's priority value for a checked-in appointment (0 normal, 1 priority)


class _Head(Protocol):
    @property
    def ticket_id(self) -> int: ...
    @property
    def category(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def arrived_at(self) -> float: ...


def due(head: _Head, now: float) -> bool:
    return head.priority == APPOINTMENT and now >= head.arrived_at


def classes(heads: Iterable[_Head], now: float, promise_s: Mapping[str, float]) -> dict[int, int]:
    """The class (1 priority, 0 ordinary) this rule gives, by ticket id: every appointment (1 once
    due, else 0) and, while one is due, each ordinary walk-in past its category's waiting promise (1).
    Heads not in the answer keep the caller's own rule (caller/order.py effective_class)."""
    heads = list(heads)
    out = {h.ticket_id: int(due(h, now)) for h in heads if h.priority == APPOINTMENT}
    if any(out.values()):
        for h in heads:
            if h.priority == 0 and h.category in promise_s and now - h.arrived_at >= promise_s[h.category]:
                out[h.ticket_id] = 1
    return out
