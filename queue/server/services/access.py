"""Who may act at a window, and what a window's `next` serves, under the
A/B double-post rule. The rules themselves live in `onewindow.caller` (pure
functions over plain data); this module maps the server's rows onto them.

`states` are the rows of window_state joined with window_post (see
store/windows.py), keyed by window id; `own` maps each window id to its
configured categories, in configuration order (which fixes the order of a
merged profile and which window a takeover B goes to).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import cast, get_args

from onewindow.caller import AwayNotice, Coverage, Presence, Window, effective_profiles
from onewindow.caller.posts import AwayReason
from onewindow.server.store.rows import TicketRow, WindowPosts

_REASONS = frozenset(get_args(AwayReason))


def caller_view(
    own: Mapping[str, list[str] | tuple[str, ...]] | None, states: Mapping[str, WindowPosts]
) -> tuple[list[Window], dict[str, Presence]]:
    """The windows (with their current posts) and each signed-in clerk's presence.

    Without `own` the windows carry no categories (enough to decide who covers
    whom, which does not depend on categories)."""
    order = list(own) if own is not None else sorted(states)
    windows = [
        Window(w, tuple(own[w]) if own is not None else (), states[w]["a_clerk"], states[w]["b_clerk"])
        for w in order if w in states
    ]
    presence: dict[str, Presence] = {}
    for w in order:
        st = states.get(w)
        if st is None or not st["clerk"]:
            continue
        away = st["away"]
        notice = None
        if away:
            reason = away.get("reason") if isinstance(away, dict) else None
            notice = AwayNotice(cast(AwayReason, reason) if reason in _REASONS else "other",
                                see_instead=away.get("see_instead") if isinstance(away, dict) else None)
        presence[st["clerk"]] = Presence(signed_in_at=w, away=notice)
    return windows, presence


def coverage(own: Mapping[str, list[str] | tuple[str, ...]] | None, states: Mapping[str, WindowPosts],
             mode: str) -> Coverage:
    """Every present clerk's calling profile, and who covers which window (caller.covering_clerk)."""
    windows, presence = caller_view(own, states)
    return effective_profiles(windows, presence, mode)  # type: ignore[arg-type]


def present(states: Mapping[str, WindowPosts], username: str) -> bool:
    """Signed in at some window of the hall and not away."""
    return any(s["clerk"] == username and not s["away"] for s in states.values())


def holder_absent(state: WindowPosts) -> bool:
    """Nobody at the window, or whoever is there stepped away."""
    return state["clerk"] is None or bool(state["away"])


def may_act(username: str, is_manager: bool, window: str, states: Mapping[str, WindowPosts]) -> bool:
    """Managers anywhere; the clerk signed in at the window; and the window's B
    post holder while covering it (present, with the A post away, signed out
    or signed in at another window)."""
    if is_manager:
        return True
    st = states.get(window)
    if st is None:
        return False
    if st["clerk"] == username:
        return True
    return coverage(None, states, "merge").covering.get(window) == username


def serves(username: str, ticket: TicketRow, states: Mapping[str, WindowPosts]) -> bool:
    """The clerk who called a visitor may finish with them while signed in
    anywhere: a B who served at A's window when A came back, say."""
    return ticket.get("clerk") == username and any(s["clerk"] == username for s in states.values())


def may_sign_in(username: str, is_manager: bool, window: str, states: Mapping[str, WindowPosts]) -> bool:
    """A clerk signs in where they hold a post (or at a window with no posts)."""
    st = states.get(window)
    if st is None:
        return False
    if is_manager:
        return True
    posts = {st["a_clerk"], st["b_clerk"]} - {None}
    return not posts or username in posts


def covered_windows(username: str, states: Mapping[str, WindowPosts], own: Mapping | None = None) -> list[str]:
    """Windows `username` covers right now: as their B post, or as an A post standing in from elsewhere."""
    return [w for w, b in coverage(own, states, "merge").covering.items() if b == username]


def next_plan(
    window: str, own: Mapping[str, list[str]], states: Mapping[str, WindowPosts], mode: str, clerk: str | None = None
) -> tuple[list[str], tuple[str, ...]]:
    """What `next` at `window` serves when `clerk` (default: whoever is signed
    in there) presses it: the categories in order, and the windows whose
    directed visitors (transferred to or parked at a window) it may call.

    At the window of the clerk's profile (their own window in merge mode, the
    first covered window in takeover mode) it is the profile: own categories
    then covered ones (merge), or covered ones then own (takeover), and the
    directed visitors of every window they cover, so that A's visitors keep
    their places while B covers. Anywhere else (a B acting directly at A's
    window in merge mode, a manager at any window) it is that window's own
    categories and directed visitors."""
    who = clerk if clerk is not None else (states[window]["clerk"] if window in states else None)
    profile = coverage(own, states, mode).profiles.get(who) if who else None
    if profile is None or profile.window != window:
        return list(own[window]), (window,)
    home = next((w for w, s in states.items() if s["clerk"] == who), window)
    return list(profile.categories), tuple(dict.fromkeys((window, *profile.covers, home)))


def next_categories(
    window: str, own: Mapping[str, list[str]], states: Mapping[str, WindowPosts], mode: str, clerk: str | None = None
) -> list[str]:
    """The categories of `next_plan`."""
    return next_plan(window, own, states, mode, clerk)[0]


def open_per_category(own: Mapping[str, list[str]], states: Mapping[str, WindowPosts], mode: str) -> dict[str, int]:
    """How many present clerks' `next` serves each category (the estimate's windows)."""
    counts: dict[str, int] = {}
    for p in coverage(own, states, mode).profiles.values():
        for c in p.categories:
            counts[c] = counts.get(c, 0) + 1
    return counts


# ----- cases, consoles, printing: who may see or change what (issue 13, point 4) ---------------
# The README's "Who may do what" table is this section in words.


def post_holder(username: str, window: str | None, states: Mapping[str, WindowPosts]) -> bool:
    """Holds the A or B post of `window`."""
    st = states.get(window) if window else None
    return st is not None and username in (st["a_clerk"], st["b_clerk"])


def may_view_window(username: str, is_manager: bool, window: str | None, states: Mapping[str, WindowPosts]) -> bool:
    """A window's console (and its printer): a post holder of the window, the clerk signed in
    there, or a manager."""
    if is_manager:
        return True
    st = states.get(window) if window else None
    return st is not None and (st["clerk"] == username or post_holder(username, window, states))


def may_handle_case(username: str, is_manager: bool, case_clerk: str | None, case_window: str | None,
                    states: Mapping[str, WindowPosts]) -> bool:
    """Suspend, resume, complete, withdraw or print a case: the clerk who accepted it, a post
    holder (A or B) of the window it was accepted at, or a manager."""
    return is_manager or (case_clerk is not None and case_clerk == username) or post_holder(
        username, case_window, states)


def may_handle_ticket(username: str, is_manager: bool, ticket_clerk: str | None, ticket_window: str | None,
                      states: Mapping[str, WindowPosts]) -> bool:
    """Print a ticket's notice: the clerk serving (or who served) it, or whoever may view its window."""
    return (ticket_clerk is not None and ticket_clerk == username) or may_view_window(
        username, is_manager, ticket_window, states)
