"""The lunchtime rotation (午间轮岗值班) against the coverage invariant."""

from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.caller import Gap, LunchRota, Window, check_rota

WINDOWS = (
    Window("w1", ("eia", "permit"), a_clerk="li", b_clerk="wang"),
    Window("w2", ("permit", "hazwaste"), a_clerk="wang", b_clerk="zhang"),
    Window("w3", ("complaint",), a_clerk="zhang", b_clerk="li"),
)
ALL = ("eia", "permit", "hazwaste", "complaint")
NOON, ONE_THIRTY = time(12, 0), time(13, 30)


def test_full_rota_has_no_gap():
    rota = [
        LunchRota("li", ("w1", "w2", "w3"), NOON, time(12, 45)),
        LunchRota("wang", ("w1", "w2", "w3"), time(12, 45), ONE_THIRTY),
    ]
    assert check_rota(WINDOWS, rota, ALL, NOON, ONE_THIRTY) == []


def test_gaps_are_reported_per_category_as_intervals():
    rota = [
        LunchRota("li", ("w1", "w3"), NOON, time(12, 45)),
        LunchRota("wang", ("w2",), time(12, 45), ONE_THIRTY),
        LunchRota("zhang", ("w3",), time(13, 0), time(13, 15)),
    ]
    assert check_rota(WINDOWS, rota, ALL, NOON, ONE_THIRTY) == [
        Gap("hazwaste", NOON, time(12, 45)),
        Gap("complaint", time(12, 45), time(13, 0)),
        Gap("eia", time(12, 45), ONE_THIRTY),
        Gap("complaint", time(13, 15), ONE_THIRTY),
    ]


def test_only_needed_categories_count_and_unknown_ones_are_never_served():
    rota = [LunchRota("li", ("w1",), NOON, ONE_THIRTY)]
    assert check_rota(WINDOWS, rota, ["eia"], NOON, ONE_THIRTY) == []
    assert check_rota(WINDOWS, rota, ["noise"], NOON, ONE_THIRTY) == [
        Gap("noise", NOON, ONE_THIRTY)
    ]


def test_rota_lines_outside_the_period_are_clipped():
    rota = [LunchRota("li", ("w3",), time(11, 0), time(12, 10))]
    assert check_rota(WINDOWS, rota, ["complaint"], NOON, ONE_THIRTY) == [
        Gap("complaint", time(12, 10), ONE_THIRTY)
    ]


def test_seconds_are_honoured():
    rota = [LunchRota("li", ("w3",), NOON, time(12, 0, 30))]
    assert check_rota(WINDOWS, rota, ["complaint"], NOON, time(12, 1)) == [
        Gap("complaint", time(12, 0, 30), time(12, 1))
    ]


def test_empty_period_has_no_gap():
    assert check_rota(WINDOWS, [], ALL, NOON, NOON) == []


@pytest.mark.parametrize(
    "line",
    [
        LunchRota("li", ("w9",), NOON, ONE_THIRTY),
        LunchRota("li", ("w1",), ONE_THIRTY, NOON),
        LunchRota("li", ("w1",), NOON, NOON),
    ],
)
def test_bad_rota_lines_are_rejected(line):
    with pytest.raises(ValueError):
        check_rota(WINDOWS, [line], ALL, NOON, ONE_THIRTY)


def test_period_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        check_rota(WINDOWS, [], ALL, ONE_THIRTY, NOON)


# --- against a minute-by-minute brute force ---------------------------------

CATEGORIES = ["k0", "k1", "k2", "k3"]
FIRST, LAST = 11 * 60, 14 * 60  # minutes since midnight


def at(minute):
    return time(minute // 60, minute % 60)


def minutes(t):
    return t.hour * 60 + t.minute


@st.composite
def rotas(draw):
    windows = tuple(
        Window(f"w{i}", tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))))
        for i in range(draw(st.integers(1, 4)))
    )
    ids = [w.id for w in windows]
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(FIRST, LAST - 1))
        end = draw(st.integers(start + 1, LAST))
        covers = tuple(draw(st.lists(st.sampled_from(ids), max_size=3)))
        lines.append(LunchRota(draw(st.sampled_from(["li", "wang"])), covers, at(start), at(end)))
    start = draw(st.integers(FIRST, LAST))
    end = draw(st.integers(start, LAST))
    needed = draw(st.lists(st.sampled_from([*CATEGORIES, "orphan"]), max_size=4))
    return windows, lines, needed, start, end


@settings(max_examples=300, database=None, deadline=None)
@given(rotas())
def test_gaps_match_minute_by_minute_brute_force(case):
    windows, lines, needed, start, end = case
    by_id = {w.id: w for w in windows}
    unserved = set()
    for m in range(start, end):
        on_duty = [ln for ln in lines if minutes(ln.start) <= m < minutes(ln.end)]
        served = {c for ln in on_duty for wid in ln.covers for c in by_id[wid].categories}
        unserved |= {(c, m) for c in needed if c not in served}

    gaps = check_rota(windows, lines, needed, at(start), at(end))

    reported = [(g.category, m) for g in gaps for m in range(minutes(g.start), minutes(g.end))]
    assert len(reported) == len(set(reported))  # gaps never overlap
    assert set(reported) == unserved
    # Maximal: every gap is non-empty and no two gaps of a category touch.
    for g in gaps:
        assert g.start < g.end
        assert not any(h.category == g.category and h.start == g.end for h in gaps)
    assert gaps == sorted(gaps, key=lambda g: (minutes(g.start), g.category))
