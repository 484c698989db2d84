"""A day at the demo hall's windows, told as coverage scenarios."""

from datetime import datetime

import pytest

from onewindow.caller import (
    AwayNotice,
    ChangeProfile,
    GoAway,
    Presence,
    ReassignPosts,
    SignIn,
    SignOut,
    Violation,
    Window,
    check_change,
    effective_profiles,
    serving_categories,
    staffed_windows,
    uncovered,
    who_can_cover,
)

EIA = ("eia_book", "eia_form", "eia_reg")
WINDOWS = (
    Window("w1", EIA, a_clerk="li", b_clerk="wang"),
    Window("w2", ("permit", "acceptance"), a_clerk="wang", b_clerk="zhang"),
    Window("w3", ("hazwaste", "complaint"), a_clerk="zhang", b_clerk="li"),
    Window("w4", ("consult", "assist"), a_clerk="zhao"),
)
ALL_IN = {
    "li": Presence("w1"),
    "wang": Presence("w2"),
    "zhang": Presence("w3"),
    "zhao": Presence("w4"),
}
LUNCH = AwayNotice("lunch", back_at=datetime(2025, 3, 3, 13, 0), see_instead="w2")
EIA_WAITING = {"eia_book": 3, "eia_form": 1, "permit": 2}


def away(*clerks, notice=LUNCH):
    return {c: Presence(p.signed_in_at, notice if c in clerks else None) for c, p in ALL_IN.items()}


def test_everyone_in_serves_own_window_only():
    cov = effective_profiles(WINDOWS, ALL_IN, "merge")
    assert cov.covering == {}
    assert cov.profiles["wang"].categories == ("permit", "acceptance")
    assert cov.profiles["wang"].window == "w2"
    assert uncovered(WINDOWS, ALL_IN, EIA_WAITING) == set()


def test_a_away_b_merges_a_categories_after_own():
    presence = away("li")
    cov = effective_profiles(WINDOWS, presence, "merge")
    assert cov.covering == {"w1": "wang"}
    wang = cov.profiles["wang"]
    assert wang.window == "w2"
    assert wang.categories == ("permit", "acceptance", *EIA)
    assert wang.covers == ("w1",)
    assert "li" not in cov.profiles
    assert uncovered(WINDOWS, presence, EIA_WAITING) == set()


def test_a_away_b_takes_over_a_window_with_a_categories_first():
    cov = effective_profiles(WINDOWS, away("li"), "takeover")
    wang = cov.profiles["wang"]
    assert wang.window == "w1"
    assert wang.categories == (*EIA, "permit", "acceptance")
    # Everyone else is untouched by the mode.
    assert cov.profiles["zhang"] == effective_profiles(WINDOWS, away("li"), "merge").profiles["zhang"]


def test_a_signed_out_is_covered_like_a_away():
    presence = {**ALL_IN, "li": Presence()}
    assert effective_profiles(WINDOWS, presence, "merge").covering == {"w1": "wang"}
    without_li = {c: p for c, p in ALL_IN.items() if c != "li"}
    assert effective_profiles(WINDOWS, without_li, "merge").covering == {"w1": "wang"}


def test_a_signed_in_at_another_window_leaves_own_window_to_b():
    presence = {**ALL_IN, "li": Presence("w4")}  # li helps at w4
    cov = effective_profiles(WINDOWS, presence, "merge")
    assert cov.covering == {"w1": "wang"}
    assert cov.profiles["li"].categories == ("consult", "assist")


def test_both_a_and_b_away_leaves_a_categories_uncovered():
    presence = away("li", "wang")
    # zhang covers wang's w2, nobody covers li's w1.
    assert effective_profiles(WINDOWS, presence, "merge").covering == {"w2": "zhang"}
    assert staffed_windows(WINDOWS, presence) == {"w2", "w3", "w4"}
    assert uncovered(WINDOWS, presence, EIA_WAITING) == {"eia_book", "eia_form"}
    # Only categories with someone waiting raise the alert.
    assert uncovered(WINDOWS, presence, {"eia_reg": 0, "permit": 1}) == set()
    # Both are signed in, so both consoles are alerted.
    assert who_can_cover("eia_book", WINDOWS, presence) == ("li", "wang")


def test_a_back_restores_normal_profiles():
    back = effective_profiles(WINDOWS, ALL_IN, "merge")
    during = effective_profiles(WINDOWS, away("li"), "merge")
    assert during.profiles["wang"] != back.profiles["wang"]
    assert back.profiles["wang"].categories == ("permit", "acceptance")
    assert back.profiles["li"].categories == EIA
    assert back.covering == {}


def test_b_covering_two_windows_keeps_window_order():
    windows = (
        Window("w1", ("x", "y"), a_clerk="a1", b_clerk="b"),
        Window("w2", ("y", "z"), a_clerk="a2", b_clerk="b"),
        Window("w3", ("q", "x"), a_clerk="b"),
    )
    presence = {"b": Presence("w3")}
    merge = effective_profiles(windows, presence, "merge").profiles["b"]
    assert merge.categories == ("q", "x", "y", "z")
    assert merge.covers == ("w1", "w2")
    takeover = effective_profiles(windows, presence, "takeover").profiles["b"]
    assert (takeover.window, takeover.categories) == ("w1", ("x", "y", "z", "q"))


def test_a_manager_signed_in_at_a_window_staffs_it():
    presence = {**away("li", "wang"), "boss": Presence("w1")}
    assert "w1" in staffed_windows(WINDOWS, presence)
    assert uncovered(WINDOWS, presence, EIA_WAITING) == set()
    # The manager holds no post, so is not asked to cover.
    assert "boss" not in who_can_cover("eia_book", WINDOWS, presence)


def test_category_no_window_serves_is_uncovered():
    assert uncovered(WINDOWS, ALL_IN, {"noise": 1}) == {"noise"}
    assert who_can_cover("noise", WINDOWS, ALL_IN) == ()


def test_who_can_cover_lists_present_before_away_and_skips_signed_out():
    presence = {**away("li"), "zhang": Presence()}
    # hazwaste at w3: A zhang signed out, B li signed in but away.
    assert who_can_cover("hazwaste", WINDOWS, presence) == ("li",)
    # eia at w1: A li away, B wang present; wang first.
    assert who_can_cover("eia_form", WINDOWS, presence) == ("wang", "li")


def test_serving_categories_is_union_of_staffed_windows():
    assert serving_categories(WINDOWS, away("li", "wang")) == {
        "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"
    }


# --- warning before a change is confirmed ----------------------------------


def test_going_away_while_b_is_out_warns():
    presence = {**ALL_IN, "wang": Presence()}
    # wang out: zhang covers w2; li going to lunch would leave w1 empty.
    violations = check_change(WINDOWS, presence, EIA_WAITING, GoAway("li", LUNCH))
    assert violations == [
        Violation("eia_book", 3, ("li",)),
        Violation("eia_form", 1, ("li",)),
    ]


def test_going_away_with_b_present_is_fine():
    assert check_change(WINDOWS, ALL_IN, EIA_WAITING, GoAway("li", LUNCH)) == []


def test_b_signing_out_while_a_away_warns_and_nobody_waiting_does_not():
    presence = away("li")
    assert [v.category for v in check_change(WINDOWS, presence, EIA_WAITING, SignOut("wang"))] == [
        "eia_book", "eia_form"
    ]
    assert check_change(WINDOWS, presence, {"eia_reg": 0}, SignOut("wang")) == []


def test_only_newly_uncovered_categories_are_reported():
    presence = away("li", "wang")
    waiting = {**EIA_WAITING, "hazwaste": 1}
    # eia is already uncovered; zhang leaving adds w2's and w3's waiting ones.
    got = check_change(WINDOWS, presence, waiting, SignOut("zhang"))
    assert [v.category for v in got] == ["hazwaste", "permit"]


def test_profile_change_that_drops_a_category_warns():
    change = ChangeProfile("w2", ("acceptance",))
    assert [v.category for v in check_change(WINDOWS, ALL_IN, EIA_WAITING, change)] == ["permit"]


def test_moving_to_another_window_can_uncover():
    # a clerk standing in at w4 without a post there (zhao, its A, is out) moves to w1
    presence = {**ALL_IN, "zhao": Presence(), "boss": Presence("w4")}
    assert [v.category for v in check_change(WINDOWS, presence, {"consult": 2}, SignIn("boss", "w1"))] == [
        "consult"
    ]


@pytest.mark.parametrize("mode", ["merge", "takeover"])
def test_a_clerk_serves_their_a_window_from_their_b_window(mode):
    """No visitor stranded (issue 12, point 12): li (A of w1) moves to w3, where she is B,
    while wang (w1's B) and zhang are out: she serves w1's visitors from where she sits."""
    presence = {**ALL_IN, "wang": Presence(), "zhang": Presence()}
    assert check_change(WINDOWS, presence, {"eia_reg": 2}, SignIn("li", "w3")) == []
    moved = {**presence, "li": Presence("w3")}
    cov = effective_profiles(WINDOWS, moved, mode)
    assert cov.covering == {"w1": "li", "w3": "li"}
    li = cov.profiles["li"]
    assert li.window == "w3" and li.covers == ("w1", "w3")
    assert li.categories == ("hazwaste", "complaint", *EIA)
    assert uncovered(WINDOWS, moved, {"eia_reg": 2}) == set()
    # someone else signed in at w1 serves it: li does not stand in
    with_boss = {**moved, "boss": Presence("w1")}
    assert effective_profiles(WINDOWS, with_boss, mode).covering == {"w3": "li"}
    # nor while she is away: eia waits for her, who could come back
    gone = {**moved, "li": Presence("w3", LUNCH)}
    assert uncovered(WINDOWS, gone, {"eia_reg": 2}) == {"eia_reg"}
    assert who_can_cover("eia_reg", WINDOWS, gone) == ("li",)


def test_a_sequence_of_changes_is_checked_as_one():
    # li at lunch; wang (w1's B) is called to a meeting, and the manager hands
    # w1's B post to zhao in the same confirmation.
    presence = away("li")
    meeting = GoAway("wang", AwayNotice("meeting"))
    hand_over = ReassignPosts("w1", "li", "zhao")
    # zhang covers w2 (permit) for wang, but nobody would cover w1...
    assert [v.category for v in check_change(WINDOWS, presence, EIA_WAITING, meeting)] == [
        "eia_book", "eia_form"
    ]
    # ...unless zhao takes w1's B post in the same confirmation.
    assert check_change(WINDOWS, presence, EIA_WAITING, [hand_over, meeting]) == []
    assert check_change(WINDOWS, presence, EIA_WAITING, (meeting, hand_over)) == []
    # Every change of the sequence counts, the last one too.
    got = check_change(WINDOWS, presence, EIA_WAITING, [hand_over, meeting, SignOut("zhao")])
    assert [v.category for v in got] == ["eia_book", "eia_form"]


def test_reassigning_b_post_away_from_the_covering_clerk_warns():
    presence = away("li")
    change = ReassignPosts("w1", "li", None)
    assert [v.category for v in check_change(WINDOWS, presence, EIA_WAITING, change)] == [
        "eia_book", "eia_form"
    ]


def test_check_change_does_not_touch_its_inputs():
    presence = dict(ALL_IN)
    windows = list(WINDOWS)
    check_change(windows, presence, EIA_WAITING, [GoAway("li", LUNCH), ReassignPosts("w1", None, None)])
    assert presence == ALL_IN
    assert tuple(windows) == WINDOWS


@pytest.mark.parametrize(
    "change",
    [SignIn("li", "w9"), ChangeProfile("w9", ()), ReassignPosts("w9", None, None)],
)
def test_unknown_window_is_rejected(change):
    with pytest.raises(ValueError, match="w9"):
        check_change(WINDOWS, ALL_IN, {}, change)


def test_bad_mode_reason_and_duplicate_windows_are_rejected():
    with pytest.raises(ValueError, match="mode"):
        effective_profiles(WINDOWS, ALL_IN, "share")
    with pytest.raises(ValueError, match="reason"):
        AwayNotice("smoke")
    with pytest.raises(ValueError, match="duplicate"):
        effective_profiles(WINDOWS + WINDOWS[:1], ALL_IN, "merge")
