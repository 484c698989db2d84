"""No visitor stranded (issue 12, point 12): a clerk signed in anywhere serves the
visitors of every window where they hold a post and nobody else is serving it.

Window 1 serves only eia (A zhangwei, B lina), window 2 only permit (A lina,
B zhangwei); lina is signed out."""
from __future__ import annotations

import pytest
from support.wait import wait_until


@pytest.mark.parametrize("mode", ["merge", "takeover"])
def test_a_clerk_at_their_b_window_serves_their_a_window_nobody_else_serves(desk_factory, clock, mode):
    desk = desk_factory(mode=mode)
    eia = desk.issue("eia")  # only window 1 serves eia
    clock.advance(60)
    permit = desk.issue("permit")
    desk.sign_in("zhangwei", "w2")
    cov = wait_until(lambda: (c := desk.coverage("zhangwei"))["covering"].get("w1") == "zhangwei" and c,
                     what="zhangwei covering window 1 from window 2")
    # the coverage endpoint named zhangwei as the only one who could cover: he does
    assert (cov["uncovered"], cov["could_cover"], cov["alert"]) == ([], {}, None)
    # he stays where he sits, whatever the mode: window 2's categories then window 1's
    assert cov["profiles"]["zhangwei"]["window"] == "w2"
    assert set(cov["profiles"]["zhangwei"]["categories"]) == {"eia", "permit"}
    console = desk.console("zhangwei", "w2")
    assert console["acting_window"] == "w2"
    assert {w["code"] for w in console["waiting"]} == {"eia", "permit"}
    assert console["coverage"]["uncovered"] == []
    # the eia visitor (first in line) is called, to window 2 where zhangwei sits
    t = desk.next("zhangwei", "w2")
    assert t is not None, "the eia ticket is stranded"
    assert (t["number"], t["window"], t["clerk"]) == (eia["number"], "w2", "zhangwei")
    desk.act("zhangwei", t, "complete")
    assert desk.next("zhangwei", "w2")["number"] == permit["number"]


def test_a_clerk_is_not_a_stand_in_where_someone_else_serves(desk):
    """A present colleague signed in at the window (or its B) serves it: the A elsewhere does not cover it."""
    desk.sign_in("lina", "w1")  # B of window 1, signed in there
    desk.sign_in("zhangwei", "w2")
    cov = wait_until(lambda: (c := desk.coverage("zhangwei"))["profiles"].keys() == {"lina", "zhangwei"} and c)
    assert cov["covering"] == {"w1": "lina", "w2": "zhangwei"}
    desk.issue("eia")
    assert desk.next("zhangwei", "w2") is None  # lina serves eia at window 1
    # lina steps away: nobody else serves window 1, so zhangwei does
    desk.away("lina", "w1", "meeting")
    assert desk.next("zhangwei", "w2")["number"] == "A001"
