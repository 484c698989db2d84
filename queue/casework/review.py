"""一审一核 (004): the window clerk accepts and examines (审查), a second person with the
reviewer role (the window's chief representative, 首席代表) reviews and signs off (审核把关、
签发) before the case completes; never someone who handled it.

And the window direct-completion rate (窗口直接办结率, 004: at least 80%)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

APPROVED, RETURNED = "review_approved", "review_returned"
REVIEW_EVENTS = (APPROVED, RETURNED)
# Events after which an earlier approval no longer holds: the case changed under it.
_VOIDS = ("suspended",)
# Events whose actor handled the case (a reviewer among them may not sign it off).
_HANDLING = ("accepted", "suspended", "resumed", "missing_listed", "visit", "completed")

DIRECT_TARGET = 0.8
# A stop that takes the case out of the window's hands: an expert panel or a hearing decides,
# not the window (专家评审, 听证). A correction (补正) or a public notice (公示) does not.
REFERRAL_REASONS = ("expert_review", "hearing")


def review_state(events: Iterable[Mapping]) -> str | None:
    """The case's sign-off as its history says: APPROVED, RETURNED or None (none yet, or an
    approval voided by a later suspension). `events` in order, each with "type"."""
    state: str | None = None
    for e in events:
        if e["type"] in REVIEW_EVENTS:
            state = e["type"]
        elif e["type"] in _VOIDS:
            state = None
    return state


def may_complete(needs_review: bool, state: str | None) -> bool:
    return not needs_review or state == APPROVED


def handlers(first_clerk: str | None, clerk: str | None, events: Iterable[Mapping]) -> set[str]:
    """Who accepted or handled the case: the ticket's first clerk, the accepting clerk and every
    staff actor of its handling events (the supervision round's events have no actor)."""
    out = {u for u in (first_clerk, clerk) if u}
    out |= {e["actor"] for e in events if e["type"] in _HANDLING and e.get("actor")}
    return out


def is_direct(case: Mapping) -> bool:
    """Completed at the window without referral: `case` has status "completed" and
    "referred" (a suspension whose reason is in REFERRAL_REASONS)."""
    return case["status"] == "completed" and not case.get("referred")


def direct_rate(cases: Iterable[Mapping]) -> tuple[int, int, float | None]:
    """(direct, completed, rate): of the completed cases, those completed at the window without
    referral; rate None without completed cases."""
    done = [c for c in cases if c["status"] == "completed"]
    direct = sum(1 for c in done if is_direct(c))
    return direct, len(done), (direct / len(done) if done else None)
