"""The server's rows mapped onto onewindow.caller (access.py), and the
estimate rule for an uncovered category: plain functions, no server."""
from __future__ import annotations

import pytest

from onewindow.caller import AwayNotice, Presence
from onewindow.caller.estimate import estimate, estimate_wait_s
from onewindow.server.services import access

OWN = {"w1": ["eia"], "w2": ["permit"], "w3": ["eia", "permit", "consult"]}
POSTS = {"w1": ("zhang", "li"), "w2": ("li", "zhang"), "w3": ("wang", None)}


def states(**at: str | tuple[str, dict]) -> dict:
    """Rows of window_state joined with window_post: states(w1="zhang", w2=("li", {"reason": "lunch"}))."""
    out = {}
    for w, (a, b) in POSTS.items():
        who = at.get(w)
        clerk, away = (who, None) if isinstance(who, str) or who is None else who
        out[w] = {"window": w, "clerk": clerk, "away": away, "a_clerk": a, "b_clerk": b, "current_ticket": None}
    return out


def test_rows_become_windows_and_presence():
    windows, presence = access.caller_view(OWN, states(w1="zhang", w2=("li", {"reason": "lunch", "see_instead": "w1"})))
    assert [(w.id, w.categories, w.a_clerk, w.b_clerk) for w in windows] == [
        ("w1", ("eia",), "zhang", "li"), ("w2", ("permit",), "li", "zhang"),
        ("w3", ("eia", "permit", "consult"), "wang", None)]
    assert presence == {"zhang": Presence("w1"), "li": Presence("w2", AwayNotice("lunch", see_instead="w1"))}
    # an unknown reason in an old row still counts as away
    _, presence = access.caller_view(OWN, states(w1=("zhang", {"reason": "coffee"})))
    assert presence["zhang"].away.reason == "other" and not presence["zhang"].present


@pytest.mark.parametrize("mode", ["merge", "takeover"])
def test_present_a_serves_own_window(mode):
    st = states(w1="zhang", w2="li")
    assert access.next_plan("w1", OWN, st, mode) == (["eia"], ("w1",))
    assert access.next_plan("w2", OWN, st, mode, "li") == (["permit"], ("w2",))
    assert not access.may_act("li", False, "w1", st)


def test_merge_b_serves_own_then_covered_and_takes_a_directed_visitors():
    st = states(w1=("zhang", {"reason": "meeting"}), w2="li")
    assert access.next_plan("w2", OWN, st, "merge", "li") == (["permit", "eia"], ("w2", "w1"))
    # acting directly at A's window: that window's own queue
    assert access.next_plan("w1", OWN, st, "merge", "li") == (["eia"], ("w1",))
    assert access.may_act("li", False, "w1", st) and not access.may_act("wang", False, "w1", st)
    assert access.covered_windows("li", st, OWN) == ["w1"]


def test_takeover_b_calls_at_a_window_with_a_categories_first():
    st = states(w1=("zhang", {"reason": "meeting"}), w2="li")
    assert access.next_plan("w1", OWN, st, "takeover", "li") == (["eia", "permit"], ("w1", "w2"))
    assert access.next_plan("w2", OWN, st, "takeover", "li") == (["permit"], ("w2",))


def test_a_signed_in_elsewhere_is_not_at_post():
    # zhang (A of w1) works at w3, which has no posts for him; li (B of w1) covers w1
    st = states(w2="li", w3="zhang")
    assert access.coverage(OWN, st, "merge").covering == {"w1": "li"}
    assert access.may_act("li", False, "w1", st)


def test_an_away_b_does_not_cover_and_a_manager_acts_anywhere():
    st = states(w2=("li", {"reason": "leave"}))
    assert access.coverage(OWN, st, "merge").covering == {}
    assert not access.may_act("li", False, "w1", st)
    assert access.may_act("boss", True, "w1", st)
    assert access.next_plan("w1", OWN, st, "merge", "boss") == (["eia"], ("w1",))


def test_open_per_category_counts_present_clerks_profiles():
    st = states(w1=("zhang", {"reason": "meeting"}), w2="li", w3="wang")
    assert access.open_per_category(OWN, st, "merge") == {"permit": 2, "eia": 2, "consult": 1}
    assert access.open_per_category(OWN, states(), "merge") == {}


def test_no_window_open_is_said_not_penalised():
    """Issue 12, point 3: an uncovered category is told as such (serving_now False), its people
    ahead one after another at the first window to open, not a made-up penalty on top."""
    cycle = 600
    for ahead in range(0, 6):
        w = estimate(ahead, 0, cycle)
        assert (w.serving_now, w.seconds) == (False, ahead * cycle)
        assert w.text() == ("暂无窗口服务", "No window serving now")
    assert estimate(3, 2, cycle).serving_now and estimate_wait_s(0, 0, cycle) == 0
