"""Property tests: the figures of onewindow.ratings against brute force.

Each oracle is the plainest computation that could be right: counting,
walking a grid of seconds, trying every element as the answer.
"""
from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.ratings import STEPS, StepError, Task, above, advance, bad_rate, bad_rates, level_counts
from onewindow.ratings import metrics as m

small = st.integers(min_value=0, max_value=3600)
values = st.lists(st.integers(min_value=0, max_value=10_000), max_size=60)


# ----- percentile, mean ----------------------------------------------------------------

@given(values, st.integers(min_value=1, max_value=100))
def test_percentile_is_the_smallest_value_covering_q_percent(vals, q):
    got = m.percentile(vals, q)
    if not vals:
        assert got is None
        return
    # Brute force: try every value, smallest first.
    covering = [v for v in sorted(set(vals)) if sum(x <= v for x in vals) * 100 >= q * len(vals)]
    assert got == covering[0]


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60))
def test_stat_mean_and_p90(vals):
    s = m.stat(vals)
    assert s.n == len(vals)
    assert math.isclose(s.mean, sum(vals) / len(vals), rel_tol=1e-9, abs_tol=1e-9)
    assert s.p90 in vals and min(vals) - 1e-6 <= s.mean <= max(vals) + 1e-6


# ----- rows ----------------------------------------------------------------------------

CATS = ("eia", "permit", "consult")
TARGETS = {"eia": 1800.0, "permit": 1800.0, "consult": 900.0}


@st.composite
def ticket_rows(draw):
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=30))):
        issued = draw(st.integers(min_value=0, max_value=20_000))
        status = draw(st.sampled_from(["waiting", "called", "serving", "done", "no_show", "cancelled"]))
        row = {"issued_at": float(issued), "category": draw(st.sampled_from(CATS)), "status": status,
               "window_id": None, "clerk": None, "called_at": None, "started_at": None, "finished_at": None,
               "wait_s": None, "walk_s": None, "service_s": None}
        if status in ("called", "serving", "done", "no_show"):
            wait = draw(st.integers(min_value=0, max_value=4000))
            row.update(called_at=float(issued + wait), wait_s=float(wait),
                       window_id=draw(st.sampled_from(["w1", "w2"])),
                       clerk=draw(st.sampled_from(["a", "b", "c"])))
        if status in ("serving", "done"):
            walk = draw(st.integers(min_value=0, max_value=300))
            row.update(started_at=row["called_at"] + walk, walk_s=float(walk))
        if status == "done":
            service = draw(st.integers(min_value=0, max_value=3000))
            row.update(finished_at=row["started_at"] + service, service_s=float(service))
        rows.append(row)
    return rows


@given(ticket_rows(), st.one_of(st.none(), st.integers(min_value=0, max_value=30_000)))
def test_service_level_counts_each_ticket_once(rows, now):
    lv = m.service_level(rows, TARGETS, now)
    met = total = 0
    for r in rows:
        if r["wait_s"] is not None:
            total += 1
            met += r["wait_s"] <= TARGETS[r["category"]]
        elif now is not None and r["status"] == "waiting" and now - r["issued_at"] > TARGETS[r["category"]]:
            total += 1
    assert (lv.met, lv.total) == (met, total)
    assert lv.share == (met / total if total else None)


@given(ticket_rows())
def test_groups_partition_the_rows(rows):
    for key in ("category", "window_id", "clerk"):
        by = m.figures_by(rows, key, TARGETS)
        keyed = [r for r in rows if r[key] is not None]
        assert sum(f["issued"] for f in by.values()) == len(keyed)
        assert sum(f["served"] for f in by.values()) == sum(r["status"] == "done" for r in keyed)
        for k, f in by.items():
            mine = [r["wait_s"] for r in keyed if r[key] == k and r["wait_s"] is not None]
            assert f["wait"]["n"] == len(mine)
            assert f["wait"]["p90"] == m.percentile(mine, 90)


@given(ticket_rows(), st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=5000),
       st.sampled_from([60, 300, 900]))
def test_per_interval_against_filtering(rows, start, span, step):
    end = start + span
    buckets = m.per_interval(rows, start, end, step)
    assert len(buckets) == math.ceil(span / step)
    for b in buckets:
        lo, hi = b.start, min(b.start + step, end)
        assert b.arrivals == sum(lo <= r["issued_at"] < hi for r in rows)
        waits = [r["wait_s"] for r in rows if r["called_at"] is not None and lo <= r["called_at"] < hi]
        assert b.called == len(waits)
        assert b.wait_max == (max(waits) if waits else None)
        if waits:
            assert math.isclose(b.wait_mean, sum(waits) / len(waits))


# ----- intervals and utilisation: a grid of whole seconds ------------------------------

intervals = st.lists(st.tuples(small, small).map(lambda p: (min(p), max(p))), max_size=12)


def covered(ivs) -> set[int]:
    return {s for a, b in ivs for s in range(a, b)}


@given(intervals)
def test_merge_covers_the_same_seconds_with_disjoint_intervals(ivs):
    merged = m.merge(ivs)
    assert covered(merged) == covered(ivs)
    assert m.length(ivs) == len(covered(ivs))
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))


@given(intervals, intervals)
def test_overlap_is_the_shared_seconds(xs, ys):
    assert m.overlap(xs, ys) == len(covered(xs) & covered(ys))
    assert m.overlap(xs, ys) == m.overlap(ys, xs)


@given(st.lists(st.tuples(st.sampled_from(["w1", "w2", "w3"]), small, small), max_size=15), intervals,
       st.sampled_from([0.0, 0.3, 0.5]))
def test_utilisation_against_a_grid(serving, open_hours, threshold):
    rows = [{"window_id": w, "started_at": float(min(a, b)), "finished_at": float(max(a, b))} for w, a, b in serving]
    util = m.utilisation(rows, ["w1", "w2", "w3", "w4"], open_hours, threshold)
    open_s = covered(open_hours)
    for w in ("w1", "w2", "w3", "w4"):
        busy = covered((int(r["started_at"]), int(r["finished_at"])) for r in rows if r["window_id"] == w)
        u = util[w]
        assert u.busy_s == len(busy & open_s) and u.open_s == len(open_s)
        if open_s:
            assert u.share == len(busy & open_s) / len(open_s)
            assert u.flagged == (Fraction(len(busy & open_s), len(open_s)) < Fraction(str(threshold)))
        else:
            assert u.share is None and not u.flagged


# ----- ratings -------------------------------------------------------------------------

ratings = st.lists(st.fixed_dictionaries({"level": st.integers(min_value=1, max_value=5),
                                          "window_id": st.sampled_from(["w1", "w2", None])}), max_size=80)


@given(ratings, st.sampled_from([0.05, 0.1, 0.3]))
def test_bad_rate_against_counting(rs, threshold):
    r = bad_rate(rs, threshold)
    bad = sum(x["level"] <= 2 for x in rs)
    assert (r.total, r.bad) == (len(rs), bad)
    # above the threshold, in whole numbers: bad / total > threshold
    assert r.flagged == (len(rs) > 0 and bad * 100 > round(threshold * 100) * len(rs))
    per = bad_rates(rs, "window_id", threshold)
    assert sum(x.total for x in per.values()) == sum(x["window_id"] is not None for x in rs)
    assert sum(level_counts(rs).values()) == len(rs)


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=400))
def test_above_five_percent_is_strict(bad, total):
    bad = min(bad, total)
    assert above(bad, total) == (bad * 20 > total)


# ----- the task's state machine ---------------------------------------------------------

@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(min_value=-100, max_value=1000)), max_size=10))
def test_task_accepts_exactly_the_next_step_forward_in_time(attempts):
    task = Task(opened_at=1000.0, due_at=1000.0 + 48 * 3600)
    done = 0
    last = 1000.0
    for step, dt in attempts:
        at = last + dt
        expected_ok = done < len(STEPS) and step == STEPS[done] and at >= last
        try:
            task = advance(task, step, "boss", at)
        except StepError:
            assert not expected_ok
            continue
        assert expected_ok
        done += 1
        last = at
    assert len(task.steps) == done
    assert task.state == (STEPS[done] if done < len(STEPS) else "closed")
    assert (task.closed_at is not None) == (done == len(STEPS))
