"""The queue's rules as pure functions: who is called next, which actions a
state allows, what a service day is, how long a wait will be."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.caller.estimate import estimate_wait_s, pool_cycle_s
from onewindow.caller.order import Head, choose_next, effective_class
from onewindow.tickets import lifecycle, numbering
from onewindow.tickets.lifecycle import RuleViolation, check_action
from onewindow.tickets.times import iso, service_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI).timestamp()
LIMIT = 30 * 60


def head(tid: int, cat: str = "eia", prio: int = 0, at_min: float = 0.0) -> Head:
    return Head(tid, cat, prio, T0 + at_min * 60)


# ----- choose_next ---------------------------------------------------------------------


def test_no_candidates():
    assert choose_next([], ["eia"], "fifo", T0, LIMIT) is None
    # heads of categories the window does not serve are ignored
    assert choose_next([head(1, "permit")], ["eia"], "fifo", T0, LIMIT) is None


def test_fifo_longest_waiting_across_categories():
    heads = [head(1, "eia", at_min=2), head(2, "permit", at_min=1), head(3, "consult", at_min=3)]
    assert choose_next(heads, ["eia", "permit", "consult"], "fifo", T0 + 600, LIMIT).ticket_id == 2


def test_priority_before_longer_waiting_normal():
    heads = [head(1, "eia", prio=0, at_min=0), head(2, "permit", prio=1, at_min=5)]
    assert choose_next(heads, ["eia", "permit"], "fifo", T0 + 6 * 60, LIMIT).ticket_id == 2


def test_among_priority_the_longest_waiting():
    heads = [head(1, "eia", prio=1, at_min=4), head(2, "permit", prio=1, at_min=3), head(3, "eia", prio=0, at_min=0)]
    assert choose_next(heads, ["eia", "permit"], "fifo", T0 + 5 * 60, LIMIT).ticket_id == 2


def test_same_arrival_breaks_ties_by_id():
    heads = [head(7, "eia", at_min=1), head(5, "permit", at_min=1)]
    assert choose_next(heads, ["eia", "permit"], "fifo", T0 + 120, LIMIT).ticket_id == 5


def test_anti_starvation_normal_past_limit_beats_priority_stream():
    normal = head(1, "eia", prio=0, at_min=0)
    # Just before the limit a fresh priority ticket still goes first ...
    stream = [head(10 + i, "permit", prio=1, at_min=29) for i in range(1)]
    assert choose_next([normal, *stream], ["eia", "permit"], "fifo", T0 + 29.9 * 60, LIMIT).ticket_id == 10
    # ... at the limit the normal ticket counts as priority and, having waited longest, is called,
    # however many priority tickets keep arriving.
    assert choose_next([normal, *stream], ["eia", "permit"], "fifo", T0 + LIMIT, LIMIT).ticket_id == 1
    many = [head(100 + i, "permit", prio=1, at_min=1 + i) for i in range(20)]
    assert choose_next([normal, *many], ["eia", "permit"], "fifo", T0 + 45 * 60, LIMIT).ticket_id == 1


def test_anti_starvation_does_not_jump_older_priority():
    # A starving normal ticket joins the priority class; it does not overtake a priority ticket that waited longer.
    heads = [head(1, "eia", prio=1, at_min=0), head(2, "permit", prio=0, at_min=1)]
    assert choose_next(heads, ["eia", "permit"], "fifo", T0 + 40 * 60, LIMIT).ticket_id == 1


def test_limit_is_configurable():
    heads = [head(1, "eia", prio=0, at_min=0), head(2, "permit", prio=1, at_min=4)]
    now = T0 + 5 * 60
    assert choose_next(heads, ["eia", "permit"], "fifo", now, 30 * 60).ticket_id == 2
    assert choose_next(heads, ["eia", "permit"], "fifo", now, 5 * 60).ticket_id == 1


def test_ordered_mode_follows_category_order():
    heads = [head(1, "eia", at_min=0), head(2, "consult", at_min=5), head(3, "complaint", at_min=9)]
    cats = ["complaint", "consult", "eia"]
    now = T0 + 10 * 60
    assert choose_next(heads, cats, "ordered", now, LIMIT).ticket_id == 3
    assert choose_next(heads, cats, "fifo", now, LIMIT).ticket_id == 1
    assert choose_next(heads[:2], cats, "ordered", now, LIMIT).ticket_id == 2


def test_ordered_mode_priority_still_first():
    heads = [head(1, "complaint", prio=0, at_min=0), head(2, "eia", prio=1, at_min=5)]
    assert choose_next(heads, ["complaint", "eia"], "ordered", T0 + 6 * 60, LIMIT).ticket_id == 2


def test_ordered_mode_anti_starvation():
    heads = [head(1, "eia", prio=0, at_min=0), head(2, "complaint", prio=0, at_min=1)]
    cats = ["complaint", "eia"]
    assert choose_next(heads, cats, "ordered", T0 + 10 * 60, LIMIT).ticket_id == 2
    # eia waited past the limit: it is lifted into the first class, above complaint's normal ticket
    assert choose_next(heads, cats, "ordered", T0 + 30 * 60, 30 * 60).ticket_id == 1


def test_effective_class():
    assert effective_class(head(1, prio=1), T0, LIMIT) == 1
    assert effective_class(head(1, prio=0), T0 + LIMIT - 1, LIMIT) == 0
    assert effective_class(head(1, prio=0), T0 + LIMIT, LIMIT) == 1


# ----- property: choose_next equals a brute-force sort ------------------------------------

CATS = ["eia", "permit", "acceptance", "consult", "complaint"]


@st.composite
def scenarios(draw):
    n = draw(st.integers(0, 12))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    heads = [
        Head(tid, draw(st.sampled_from(CATS)), draw(st.sampled_from([0, 1])),
             T0 + draw(st.integers(0, 120)) * 60)  # minute resolution: ties in arrival happen
        for tid in ids
    ]
    served = draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=len(CATS), unique=True))
    mode = draw(st.sampled_from(["fifo", "ordered"]))
    now = T0 + draw(st.integers(120, 300)) * 60
    limit = draw(st.sampled_from([60.0, 15 * 60, 30 * 60, 3 * 3600]))
    return heads, served, mode, now, limit


def brute_force(heads, served, mode, now, limit):
    pool = [h for h in heads if h.category in served]
    if not pool:
        return None

    def lifted(h):
        return h.priority == 1 or (now - h.arrived_at) >= limit

    # Sort stably, least significant key first.
    pool.sort(key=lambda h: h.ticket_id)
    pool.sort(key=lambda h: h.arrived_at)
    if mode == "ordered":
        pool.sort(key=lambda h: served.index(h.category))
    pool.sort(key=lambda h: 0 if lifted(h) else 1)
    return pool[0]


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_choose_next_equals_brute_force(scenario):
    heads, served, mode, now, limit = scenario
    assert choose_next(list(heads), served, mode, now, limit) == brute_force(heads, served, mode, now, limit)


# ----- check_action ------------------------------------------------------------------------

ALLOWED = {
    "call": {"waiting"},
    "recall": {"called"},
    "start": {"called"},
    "complete": {"called", "serving"},
    "no_show": {"called"},
    "transfer": {"called", "serving"},
    "park": {"called", "serving"},
    "resume": {"parked"},
    "reactivate": {"no_show"},
    "cancel": {"waiting"},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("status", lifecycle.STATUSES)
def test_check_action(action, status):
    if status in ALLOWED[action]:
        check_action(action, status)
    else:
        with pytest.raises(RuleViolation) as exc:
            check_action(action, status)
        assert status in str(exc.value)


def test_terminal_states_allow_nothing_but_reactivation():
    for status in ("done", "cancelled"):
        for action in ALLOWED:
            with pytest.raises(RuleViolation):
                check_action(action, status)


# ----- service_day ---------------------------------------------------------------------------


def test_service_day_changes_at_shanghai_midnight_not_utc():
    before = datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI).timestamp()
    assert service_day(before, SHANGHAI) == "2026-11-23"
    assert service_day(before + 1, SHANGHAI) == "2026-11-24"
    # 16:00 UTC is midnight in Shanghai: the UTC date lags behind
    assert datetime.fromtimestamp(before + 1, ZoneInfo("UTC")).date().isoformat() == "2026-11-23"
    # UTC midnight (08:00 in Shanghai) changes nothing
    utc_midnight = datetime(2026, 11, 24, 0, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert service_day(utc_midnight - 1, SHANGHAI) == service_day(utc_midnight + 1, SHANGHAI) == "2026-11-24"


def test_service_day_other_zone():
    t = datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI).timestamp()
    assert service_day(t, ZoneInfo("Asia/Shanghai")) == "2026-11-23"
    assert service_day(t, ZoneInfo("Asia/Tokyo")) == "2026-11-24"


def test_service_day_each_hour_of_a_day():
    start = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    for h in range(24):
        assert service_day((start + timedelta(hours=h, minutes=30)).timestamp(), SHANGHAI) == "2026-11-23"


# ----- numbers and estimates -----------------------------------------------------------------


def test_format_number():
    assert numbering.format_number("A", 1) == "A001"
    assert numbering.format_number("B", 42) == "B042"
    assert numbering.format_number("AB", 1000) == "AB1000"


@pytest.mark.parametrize(
    "ahead, windows, idle, cycle, expected",
    [
        (0, 3, 0, 600, 100),  # every window busy: half a cycle shared by three
        (-1, 3, 1, 600, 0),
        (0, 3, 1, 600, 0),  # an idle window calls at once
        (2, 3, 1, 600, 300),  # one goes to the idle window; 1.5 cycles shared by three
        (1, 1, 0, 600, 900),
        (6, 3, 0, 600, 1300),
        (7, 3, 0, 600, 1500),
        (5, 2, 0, 100.5, 277),  # ceil(276.375)
        (4, 0, 0, 300, 1200),  # no window open: counted as one, people one after another
        (0, 0, 0, 300, 0),
    ],
)
def test_estimate_wait_s(ahead, windows, idle, cycle, expected):
    assert estimate_wait_s(ahead, windows, cycle, idle_windows=idle) == expected


@given(st.integers(0, 500), st.integers(1, 20), st.integers(0, 20), st.floats(1, 7200))
def test_estimate_wait_monotone(ahead, windows, idle, cycle):
    idle = min(idle, windows)
    e = estimate_wait_s(ahead, windows, cycle, idle_windows=idle)
    assert isinstance(e, int) and e >= 0
    assert estimate_wait_s(ahead + 1, windows, cycle, idle_windows=idle) >= e
    assert estimate_wait_s(ahead, windows + 1, cycle, idle_windows=idle) <= e
    assert estimate_wait_s(ahead, windows + 1, cycle, idle_windows=idle + 1) <= e


def test_pool_cycle_follows_the_mix_served():
    pools = {"a": ("a", "b"), "b": ("a", "b"), "c": ("c",)}
    cycles = {"a": 600.0, "b": 200.0, "c": 300.0}
    # b served three times as often as a: the people ahead are mostly b's
    assert pool_cycle_s(pools, cycles, {"a": 1, "b": 3}) == {"a": 300.0, "b": 300.0, "c": 300.0}
    # too few services logged: each category of the pool counts the same
    assert pool_cycle_s(pools, cycles, {"a": 1}) == {"a": 400.0, "b": 400.0, "c": 300.0}
    # a category no window serves (allowed in a hall file): its own figure, not a division by zero
    assert pool_cycle_s({"d": ()}, {"d": 900.0}, {}) == {"d": 900.0}


@pytest.mark.parametrize("ts", [1795400000.0, 1795400000.4999994, 1795400000.9999996, 1795400000.9999994,
                                1795399999.999, 1795486399.5, 0.25])
def test_iso_shows_the_second_datetime_would_show(ts):
    for tz in (SHANGHAI, ZoneInfo("UTC"), ZoneInfo("America/St_Johns")):
        assert iso(ts, tz) == datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
    assert iso(None, SHANGHAI) is None


@settings(max_examples=3000)
@given(st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False))
def test_iso_agrees_with_datetime_at_any_instant(ts):
    assert iso(ts, SHANGHAI) == datetime.fromtimestamp(ts, SHANGHAI).isoformat(timespec="seconds")
