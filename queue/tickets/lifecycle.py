"""A ticket's life: its statuses, its priority classes, and which action may
start from which status. Plain data; the store enforces it in every transaction."""
from __future__ import annotations

WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, PARKED = (
    "waiting", "called", "serving", "done", "no_show", "cancelled", "parked",
)
STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, PARKED)
PRIORITY = {"normal": 0, "priority": 1}

# action -> the statuses it may start from
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "call": (WAITING,),
    "recall": (CALLED,),
    "start": (CALLED,),
    "complete": (SERVING, CALLED),
    "no_show": (CALLED,),
    "transfer": (CALLED, SERVING),
    "park": (CALLED, SERVING),
    "resume": (PARKED,),
    "reactivate": (NO_SHOW,),
    "cancel": (WAITING,),
}


class RuleViolation(Exception):
    """An action the ticket's state does not allow (409 at the API)."""


def check_action(action: str, status: str) -> None:
    if status not in ALLOWED_FROM[action]:
        raise RuleViolation(f"cannot {action.replace('_', '-')} a ticket that is {status}")
