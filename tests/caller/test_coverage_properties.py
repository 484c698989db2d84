"""Coverage checked against brute-force oracles on random halls.

The oracles read the rules category by category, straight from the wording of
the double-post rule, instead of going through staffed windows and profiles.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.caller import (
    AwayNotice,
    ChangeProfile,
    GoAway,
    Presence,
    ReassignPosts,
    SignIn,
    SignOut,
    Window,
    check_change,
    effective_profiles,
    serving_categories,
    uncovered,
    who_can_cover,
)

CLERKS = ["c0", "c1", "c2", "c3", "c4"]
PEOPLE = [*CLERKS, "manager"]  # holds no post but may sign in at any window
CATEGORIES = ["k0", "k1", "k2", "k3"]
NOTICES = [AwayNotice("lunch"), AwayNotice("meeting", see_instead="w0")]

hall_settings = settings(max_examples=300, database=None, deadline=None)


@st.composite
def halls(draw):
    ids = [f"w{i}" for i in range(draw(st.integers(0, 4)))]
    windows = tuple(
        Window(
            wid,
            tuple(draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))),
            draw(st.none() | st.sampled_from(CLERKS)),
            draw(st.none() | st.sampled_from(CLERKS)),
        )
        for wid in ids
    )
    presence = {}
    for person in PEOPLE:
        # Mostly signed in at a real window, so coverage actually varies;
        # "gone" is a window no longer configured, so it matches nothing.
        kind = draw(st.sampled_from(["missing", "out", "at", "away", "gone"]))
        where = draw(st.sampled_from(ids)) if ids and kind in ("at", "away") else "gone"
        if kind == "out":
            presence[person] = Presence()
        elif kind in ("at", "gone"):
            presence[person] = Presence(where)
        elif kind == "away":
            presence[person] = Presence(where, draw(st.sampled_from(NOTICES)))
    waiting = {c: draw(st.integers(0, 3)) for c in [*CATEGORIES, "orphan"]}
    return windows, presence, waiting


def oracle_uncovered(windows, presence, waiting):
    def state(clerk):
        p = presence.get(clerk)
        if p is None or p.signed_in_at is None:
            return "out"
        return "away" if p.away is not None else p.signed_in_at

    def window_staffed(w):
        a_here = w.a_clerk is not None and state(w.a_clerk) == w.id
        b_in_hall = w.b_clerk is not None and state(w.b_clerk) not in ("out", "away")
        someone_here = any(state(c) == w.id for c in presence)
        # no visitor stranded (issue 12, point 12): an A in the hall serves their window from elsewhere
        a_in_hall = w.a_clerk is not None and state(w.a_clerk) not in ("out", "away")
        return a_here or (b_in_hall and not a_here) or someone_here or a_in_hall

    alerts = set()
    for category, count in waiting.items():
        if count > 0 and not any(category in w.categories and window_staffed(w) for w in windows):
            alerts.add(category)
    return alerts


@hall_settings
@given(halls())
def test_uncovered_matches_oracle(hall):
    windows, presence, waiting = hall
    assert uncovered(windows, presence, waiting) == oracle_uncovered(windows, presence, waiting)


@hall_settings
@given(halls(), st.sampled_from(["merge", "takeover"]))
def test_profiles_serve_exactly_the_covered_categories(hall, mode):
    windows, presence, waiting = hall
    cov = effective_profiles(windows, presence, mode)
    called = {c for p in cov.profiles.values() for c in p.categories}
    # Someone's `next` calls a category iff the invariant counts it as served,
    # so a covered category is never a promise nobody keeps.
    assert called == serving_categories(windows, presence)
    waiting_now = {c for c, n in waiting.items() if n > 0}
    assert waiting_now - called == oracle_uncovered(windows, presence, waiting)


@hall_settings
@given(halls(), st.sampled_from(["merge", "takeover"]))
def test_profile_shape(hall, mode):
    windows, presence, _ = hall
    by_id = {w.id: w for w in windows}
    cov = effective_profiles(windows, presence, mode)
    assert set(cov.profiles) == {c for c, p in presence.items() if p.signed_in_at and not p.away}
    for clerk, prof in cov.profiles.items():
        own_id = presence[clerk].signed_in_at
        own = list(by_id[own_id].categories) if own_id in by_id else []
        covered = [by_id[w] for w in prof.covers]
        as_b = [w for w in covered if w.b_clerk == clerk]  # an A standing in does not move (takeover)
        rest = [w for w in covered if w.b_clerk != clerk]
        cats = lambda ws: [c for w in ws for c in w.categories]  # noqa: E731
        takeover = mode == "takeover" and as_b
        order = cats(as_b) + own + cats(rest) if takeover else own + cats(covered)
        expected = []
        for c in order:
            if c not in expected:
                expected.append(c)
        assert list(prof.categories) == expected
        assert prof.window == (as_b[0].id if takeover else own_id)
        assert list(prof.covers) == [w for w in by_id if cov.covering.get(w) == clerk]
    for wid, clerk in cov.covering.items():
        w = by_id[wid]
        a = presence.get(w.a_clerk) if w.a_clerk else None
        assert a is None or a.away is not None or a.signed_in_at != wid
        b = presence.get(w.b_clerk) if w.b_clerk else None
        if b is not None and b.present:
            assert clerk == w.b_clerk
        else:  # the A, from another window, and only where nobody is signed in
            assert clerk == w.a_clerk and presence[clerk].present
            assert not any(p.present and p.signed_in_at == wid for p in presence.values())


@hall_settings
@given(halls())
def test_who_can_cover(hall):
    windows, presence, _ = hall
    for category in CATEGORIES:
        got = who_can_cover(category, windows, presence)
        expected = {
            clerk
            for w in windows
            if category in w.categories
            for clerk in (w.a_clerk, w.b_clerk)
            if clerk in presence and presence[clerk].signed_in_at is not None
        }
        assert len(got) == len(set(got)) and set(got) == expected
        here = [presence[c].away is None for c in got]
        assert here == sorted(here, reverse=True)  # present ones first


@st.composite
def halls_and_changes(draw):
    windows, presence, waiting = draw(halls())
    ids = [w.id for w in windows]
    # Changes by present clerks are the ones that can break coverage.
    present = [c for c, p in presence.items() if p.present]
    who = st.sampled_from(present) | st.sampled_from(PEOPLE) if present else st.sampled_from(PEOPLE)
    clerk_changes = [
        st.builds(GoAway, who, st.sampled_from(NOTICES)),
        st.builds(SignOut, who),
    ]
    window_changes = [
        st.builds(SignIn, who, st.sampled_from(ids)),
        st.builds(
            ChangeProfile,
            st.sampled_from(ids),
            st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True).map(tuple),
        ),
        st.builds(
            ReassignPosts,
            st.sampled_from(ids),
            st.none() | st.sampled_from(CLERKS),
            st.none() | st.sampled_from(CLERKS),
        ),
    ]
    one = st.one_of(clerk_changes + (window_changes if ids else []))
    changes = draw(one | st.lists(one, min_size=1, max_size=3))
    return windows, presence, waiting, changes


def apply_by_hand(windows, presence, change):
    windows, presence = list(windows), dict(presence)
    if isinstance(change, GoAway):
        before = presence.get(change.clerk, Presence())
        presence[change.clerk] = Presence(before.signed_in_at, change.notice)
    elif isinstance(change, SignOut):
        presence.pop(change.clerk, None)
    elif isinstance(change, SignIn):
        presence[change.clerk] = Presence(change.window)
    else:
        i = [w.id for w in windows].index(change.window)
        old = windows[i]
        if isinstance(change, ChangeProfile):
            windows[i] = Window(old.id, change.categories, old.a_clerk, old.b_clerk)
        else:
            windows[i] = Window(old.id, old.categories, change.a_clerk, change.b_clerk)
    return windows, presence


@hall_settings
@given(halls_and_changes())
def test_check_change_agrees_with_applying_and_recomputing(case):
    windows, presence, waiting, changes = case
    after_w, after_p = windows, presence
    for change in changes if isinstance(changes, list) else [changes]:
        after_w, after_p = apply_by_hand(after_w, after_p, change)
    newly = oracle_uncovered(after_w, after_p, waiting) - oracle_uncovered(windows, presence, waiting)

    got = check_change(windows, presence, waiting, changes)
    assert [v.category for v in got] == sorted(newly)
    for v in got:
        assert v.waiting == waiting[v.category]
        assert v.could_cover == who_can_cover(v.category, after_w, after_p)
