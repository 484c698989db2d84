"""The clerk side of the hall: A/B double posts, coverage, lunch rotation.

Pure functions over frozen dataclasses; no I/O, no clock. Public API:

Data (posts.py)
    Window(id, categories, a_clerk=None, b_clerk=None)
    AwayNotice(reason, back_at=None, see_instead=None)
        reason: "meeting" | "lunch" | "back_office" | "leave" | "other"
    Presence(signed_in_at=None, away=None)   .present -> bool
        presence is a Mapping[clerk, Presence]; a missing clerk is signed out
    Mode = "merge" | "takeover"

Coverage (coverage.py)
    effective_profiles(windows, presence, mode) -> Coverage
        Coverage.profiles: {clerk: Profile(clerk, window, categories, covers)}
        Coverage.covering: {window id: covering_clerk}
    covering_clerk(window, presence) -> clerk | None: who serves an absent A's
        window: its B if present, else its A signed in elsewhere when nobody is
        signed in there (no visitor stranded while a post holder is in)
    staffed_windows(windows, presence) -> frozenset[window id]
    serving_categories(windows, presence) -> frozenset[category]
    uncovered(windows, presence, waiting) -> frozenset[category]
    who_can_cover(category, windows, presence) -> tuple[clerk, ...]
    check_change(windows, presence, waiting, change) -> list[Violation]
        change: GoAway(clerk, notice) | SignOut(clerk) | SignIn(clerk, window)
                | ChangeProfile(window, categories)
                | ReassignPosts(window, a_clerk, b_clerk), or a sequence of them
        Violation(category, waiting, could_cover)

Lunch rotation (rota.py)
    check_rota(windows, rota, categories_needed, start, end) -> list[Gap]
        rota: iterable of LunchRota(clerk, covers, start, end), times half-open
        Gap(category, start, end)
"""

from .coverage import (
    Change,
    ChangeProfile,
    Coverage,
    GoAway,
    Profile,
    ReassignPosts,
    SignIn,
    SignOut,
    Violation,
    check_change,
    effective_profiles,
    serving_categories,
    staffed_windows,
    uncovered,
    who_can_cover,
)
from .posts import AwayNotice, Mode, Presence, Window, covering_clerk
from .rota import Gap, LunchRota, check_rota

__all__ = [
    "AwayNotice",
    "Change",
    "ChangeProfile",
    "Coverage",
    "Gap",
    "GoAway",
    "LunchRota",
    "Mode",
    "Presence",
    "Profile",
    "ReassignPosts",
    "SignIn",
    "SignOut",
    "Violation",
    "Window",
    "check_change",
    "check_rota",
    "covering_clerk",
    "effective_profiles",
    "serving_categories",
    "staffed_windows",
    "uncovered",
    "who_can_cover",
]
