"""Windows, A/B posts and where each clerk is right now.

Plain frozen data; the server maps its rows onto these. A clerk missing from a
presence mapping is signed out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

AwayReason = Literal["meeting", "lunch", "back_office", "leave", "other"]

# How a B post covers an absent A (hall configuration):
# "merge": B stays at their own window; their `next` also calls A's categories.
# "takeover": B calls at A's window, A's categories first.
Mode = Literal["merge", "takeover"]


@dataclass(frozen=True)
class Window:
    id: str
    categories: tuple[str, ...]
    a_clerk: str | None = None
    b_clerk: str | None = None


@dataclass(frozen=True)
class AwayNotice:
    """A whereabouts notice (去向留言): why, until when, whom to see instead."""

    reason: AwayReason
    back_at: datetime | None = None
    see_instead: str | None = None  # a window id or a clerk

    def __post_init__(self) -> None:
        if self.reason not in get_args(AwayReason):
            raise ValueError(f"unknown away reason {self.reason!r}")


@dataclass(frozen=True)
class Presence:
    signed_in_at: str | None = None  # window id
    away: AwayNotice | None = None

    @property
    def present(self) -> bool:
        """Signed in somewhere in the hall and not away."""
        return self.signed_in_at is not None and self.away is None


def check_mode(mode: str) -> None:
    if mode not in get_args(Mode):
        raise ValueError(f"unknown coverage mode {mode!r}")


def index_windows(windows: Sequence[Window]) -> dict[str, Window]:
    by_id = {w.id: w for w in windows}
    if len(by_id) != len(windows):
        raise ValueError("duplicate window ids")
    return by_id


def is_present(presence: Mapping[str, Presence], clerk: str | None) -> bool:
    p = presence.get(clerk) if clerk is not None else None
    return p is not None and p.present


def a_at_post(window: Window, presence: Mapping[str, Presence]) -> bool:
    """Whether the A post holder is present and signed in at this very window.

    An A signed in at another window counts as not at post, like an away A:
    either way nobody stands at this window for them, so B must cover.
    """
    if not is_present(presence, window.a_clerk):
        return False
    return presence[window.a_clerk].signed_in_at == window.id  # type: ignore[index]


def someone_here(window: Window, presence: Mapping[str, Presence]) -> bool:
    """Whether a present clerk (any clerk, a manager too) is signed in at this very window."""
    return any(p.present and p.signed_in_at == window.id for p in presence.values())


def covering_clerk(window: Window, presence: Mapping[str, Presence]) -> str | None:
    """Who serves this window's visitors for its absent A post, else None.

    The B post holder when present (wherever they are signed in). Failing B, the
    A post holder signed in at another window, unless someone is signed in here:
    a clerk signed in anywhere serves the visitors of every window where they
    hold a post and nobody else serves it, so no visitor is stranded while such
    a clerk is in the hall (issue 12, point 12).
    """
    if a_at_post(window, presence):
        return None
    if is_present(presence, window.b_clerk):
        return window.b_clerk
    if is_present(presence, window.a_clerk) and not someone_here(window, presence):
        return window.a_clerk
    return None
