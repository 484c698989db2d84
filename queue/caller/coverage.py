"""Coverage under the double-post rule (AB岗位责任制).

A window is staffed when a present clerk is signed in at it, or when its B post
holder is present while its A is not at post (away, signed out, or signed in at
another window), or when its A post holder is present at another window and
nobody else serves it (`covering_clerk`). The invariant: every category with
someone waiting is served by at least one staffed window.

Which categories are served does not depend on the coverage mode: in both
modes a covering B keeps serving their own categories, so the mode only
changes where B calls and in which order (see `effective_profiles`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import cast

from .posts import (
    AwayNotice,
    Mode,
    Presence,
    Window,
    check_mode,
    covering_clerk,
    index_windows,
)

_OUT = Presence()  # how a clerk missing from a presence mapping stands


@dataclass(frozen=True)
class Profile:
    """What one present clerk's `next` calls, and where."""

    clerk: str
    window: str  # where the called visitor is sent
    categories: tuple[str, ...]  # in order of preference, no repeats
    covers: tuple[str, ...]  # windows this clerk covers for an absent A


@dataclass(frozen=True)
class Coverage:
    profiles: Mapping[str, Profile]  # by clerk; present clerks only
    covering: Mapping[str, str]  # window id -> who covers it (covering_clerk)


def effective_profiles(
    windows: Sequence[Window], presence: Mapping[str, Presence], mode: Mode
) -> Coverage:
    """Each present clerk's calling profile and who covers which window.

    merge: B calls at their own window, own categories first, then covered ones.
    takeover: B calls at the first window covered as its B, covered categories
    first, then their own (their own visitors are still called, only to A's
    window). An A post holder standing in for their own window from another one
    stays where they sit in both modes: its categories come after their own.
    """
    check_mode(mode)
    by_id = index_windows(windows)
    covering = {w.id: b for w in windows if (b := covering_clerk(w, presence))}
    covered_by: dict[str, list[Window]] = {}
    for w in windows:  # window order, so the merged order is stable
        if w.id in covering:
            covered_by.setdefault(covering[w.id], []).append(w)

    profiles = {}
    for clerk, p in presence.items():
        if not p.present:
            continue
        at = cast(str, p.signed_in_at)  # present: signed in somewhere
        own_window = by_id.get(at)
        own = own_window.categories if own_window else ()
        covered = covered_by.get(clerk, [])
        as_b = [w for w in covered if w.b_clerk == clerk]
        if mode == "takeover" and as_b:
            rest = [w for w in covered if w.b_clerk != clerk]
            window = as_b[0].id
            order = tuple(c for w in as_b for c in w.categories) + own + tuple(c for w in rest for c in w.categories)
        else:
            window, order = at, own + tuple(c for w in covered for c in w.categories)
        profiles[clerk] = Profile(
            clerk=clerk,
            window=window,
            categories=tuple(dict.fromkeys(order)),
            covers=tuple(w.id for w in covered),
        )
    return Coverage(profiles=profiles, covering=covering)


def staffed_windows(
    windows: Sequence[Window], presence: Mapping[str, Presence]
) -> frozenset[str]:
    """Ids of the windows someone is serving right now."""
    signed_in = {p.signed_in_at for p in presence.values() if p.present}
    return frozenset(
        w.id for w in windows if w.id in signed_in or covering_clerk(w, presence)
    )


def serving_categories(
    windows: Sequence[Window], presence: Mapping[str, Presence]
) -> frozenset[str]:
    """Categories served by at least one staffed window."""
    staffed = staffed_windows(windows, presence)
    return frozenset(c for w in windows if w.id in staffed for c in w.categories)


def uncovered(
    windows: Sequence[Window],
    presence: Mapping[str, Presence],
    waiting: Mapping[str, int],
) -> frozenset[str]:
    """Categories with someone waiting that no staffed window serves."""
    needed = {c for c, n in waiting.items() if n > 0}
    return frozenset(needed - serving_categories(windows, presence))


def who_can_cover(
    category: str, windows: Sequence[Window], presence: Mapping[str, Presence]
) -> tuple[str, ...]:
    """Signed-in holders of an A or B post on a window serving `category`.

    These are the consoles to alert (only post holders may act at a window).
    Present clerks come first since they can act at once, then away ones who
    could come back; otherwise in window order, A before B.
    """
    holders = dict.fromkeys(
        clerk
        for w in windows
        if category in w.categories
        for clerk in (w.a_clerk, w.b_clerk)
        if clerk is not None and presence.get(clerk, _OUT).signed_in_at is not None
    )
    return tuple(sorted(holders, key=lambda c: not presence[c].present))


# --- changes a console or a manager is about to confirm ---------------------


@dataclass(frozen=True)
class GoAway:
    clerk: str
    notice: AwayNotice


@dataclass(frozen=True)
class SignOut:
    clerk: str


@dataclass(frozen=True)
class SignIn:
    """Sign in at a window; for a clerk signed in elsewhere this is a move."""

    clerk: str
    window: str


@dataclass(frozen=True)
class ChangeProfile:
    window: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ReassignPosts:
    window: str
    a_clerk: str | None
    b_clerk: str | None


Change = GoAway | SignOut | SignIn | ChangeProfile | ReassignPosts


@dataclass(frozen=True)
class Violation:
    category: str
    waiting: int
    could_cover: tuple[str, ...]  # who_can_cover after the change


def check_change(
    windows: Sequence[Window],
    presence: Mapping[str, Presence],
    waiting: Mapping[str, int],
    change: Change | Sequence[Change],
) -> list[Violation]:
    """Categories the change would newly leave uncovered, by category.

    A sequence of changes is checked as one (e.g. swapping two windows' posts),
    so no warning is raised for an intermediate state. Categories that are
    uncovered already are not repeated here; `uncovered` reports them.
    """
    changes = change if isinstance(change, Sequence) else (change,)
    after_w, after_p = tuple(windows), dict(presence)
    for c in changes:
        after_w, after_p = _apply(after_w, after_p, c)
    new = uncovered(after_w, after_p, waiting) - uncovered(windows, presence, waiting)
    return [
        Violation(cat, waiting[cat], who_can_cover(cat, after_w, after_p))
        for cat in sorted(new)
    ]


def _apply(
    windows: tuple[Window, ...], presence: dict[str, Presence], change: Change
) -> tuple[tuple[Window, ...], dict[str, Presence]]:
    by_id = index_windows(windows)
    match change:
        case GoAway(clerk, notice):
            presence = {**presence, clerk: replace(presence.get(clerk, _OUT), away=notice)}
        case SignOut(clerk):
            presence = {**presence, clerk: _OUT}
        case SignIn(clerk, window):
            _known(by_id, window)
            presence = {**presence, clerk: Presence(signed_in_at=window)}
        case ChangeProfile(window, categories):
            _known(by_id, window)
            windows = tuple(
                replace(w, categories=tuple(categories)) if w.id == window else w
                for w in windows
            )
        case ReassignPosts(window, a, b):
            _known(by_id, window)
            windows = tuple(
                replace(w, a_clerk=a, b_clerk=b) if w.id == window else w
                for w in windows
            )
        case _:
            raise TypeError(f"not a change: {change!r}")
    return windows, presence


def _known(by_id: Mapping[str, Window], window: str) -> None:
    if window not in by_id:
        raise ValueError(f"unknown window {window!r}")
