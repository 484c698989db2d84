"""The voice channel's schedule (onewindow.display.schedule), on an injected
clock: plain numbers for the time, durations from a model of espeak-ng's
(measured: the chime 1.5 s, a Mandarin call ~3.5 s, an English one ~3.7 s)."""
from __future__ import annotations

import itertools

import pytest

from onewindow.display import Call, Plan, VoiceChannel, VoicePolicy, announce_together, batch_parts

CHIME_S, GAP_S = 1.5, 0.3
PER_CALL_S = {"zh": 3.5, "en": 3.7}


def duration(plan: Plan) -> float:
    """What espeak-ng takes to say `plan`, give or take."""
    parts = batch_parts(plan.calls, plan.langs, chime=plan.chime)
    spoken = sum(PER_CALL_S[p.lang] * len(plan.calls) for p in parts if p.lang != "chime")
    return CHIME_S * plan.chime + spoken + GAP_S * len(parts)


def run(channel: VoiceChannel, arrivals: list[tuple[float, Call]], until: float = 1000.0):
    """Drive the channel as the announcer does: add calls as their time comes,
    take each plan when due. Returns [(start, end, plan)]."""
    arrivals = sorted(arrivals, key=lambda a: a[0])
    said, now = [], 0.0
    while now < until:
        while arrivals and arrivals[0][0] <= now:
            channel.add(arrivals.pop(0)[1], now)
        due = channel.due()
        nxt = min([t for t in (due, arrivals[0][0] if arrivals else None) if t is not None], default=None)
        if nxt is None:
            break
        now = max(now, nxt)
        while arrivals and arrivals[0][0] <= now:
            channel.add(arrivals.pop(0)[1], now)
        plan = channel.take(now)
        if plan is not None:
            d = duration(plan)
            channel.started(d, now)
            said.append((now, now + d, plan))
    return said


def burst(n: int = 10, within: float = 1.0) -> list[tuple[float, Call]]:
    return [(i * within / n, Call(f"{'AB'[i % 2]}{i + 1:03d}", str(i % 6 + 1))) for i in range(n)]


def first_sayings(said):
    return [(s, e, p) for s, e, p in said if p.round == 1]


def test_a_burst_of_ten_is_said_completely_in_order_within_a_minute():
    said = run(VoiceChannel(), burst())
    firsts = first_sayings(said)
    tickets = [c.ticket for _, _, p in firsts for c in p.calls]
    assert tickets == [c.ticket for _, c in burst()]  # each once, in call order
    last_end = max(e for _, e, p in firsts if "A009" in [c.ticket for c in p.calls] or
                   "B010" in [c.ticket for c in p.calls])
    assert last_end < 60, said
    # several numbers in one announcement, said once, Mandarin only while calls queue up
    assert [len(p.calls) for _, _, p in firsts] == [4, 4, 2]
    assert all(p.langs == ("zh",) for _, _, p in firsts)
    # never two at once
    for (_, end, _), (start, _, _) in itertools.pairwise(said):
        assert start >= end


def test_one_call_at_a_time_as_before_would_take_over_three_minutes():
    """The old schedule (each call alone, chime + Mandarin + English twice) as a policy:
    the figure the new one is measured against."""
    old = VoiceChannel(VoicePolicy(batch=1, english="always", gather_s=0))
    said = run(old, burst())
    assert sum(1 for _, _, p in said if p.round == 1) == 10
    assert max(e for _, e, _ in said) > 100


def test_a_lone_call_is_said_in_full_and_repeated():
    ch = VoiceChannel(VoicePolicy(repeat=2))
    said = run(ch, [(0.0, Call("A001", "3"))])
    assert [(p.round, p.chime, p.langs) for _, _, p in said] == [(1, True, ("zh", "en")), (2, False, ("zh", "en"))]
    assert said[0][0] == pytest.approx(1.0)  # it waited gather_s for calls made with it


def test_repetitions_and_english_are_configurable():
    said = run(VoiceChannel(VoicePolicy(repeat=3, english="never")), [(0.0, Call("A001", "3"))])
    assert [(p.round, p.langs) for _, _, p in said] == [(1, ("zh",)), (2, ("zh",)), (3, ("zh",))]
    said = run(VoiceChannel(VoicePolicy(repeat=1, english="always")), burst(3))
    assert [(len(p.calls), p.langs) for _, _, p in said] == [(3, ("zh", "en"))]


def test_a_new_call_takes_the_place_of_a_repetition():
    ch = VoiceChannel(VoicePolicy(repeat=2))
    said = run(ch, [(0.0, Call("A001", "3")), (5.0, Call("A002", "4"))])
    assert [([c.ticket for c in p.calls], p.round) for _, _, p in said] == [(["A001"], 1), (["A002"], 1),
                                                                             (["A002"], 2)]


def test_recalls_are_said_apart_from_first_calls_and_order_is_kept():
    calls = [Call("A001", "1"), Call("A002", "2"), Call("A003", "3", recall=True), Call("A004", "4")]
    said = run(VoiceChannel(), [(0.1 * i, c) for i, c in enumerate(calls)])
    groups = [[(c.ticket, c.recall) for c in p.calls] for _, _, p in first_sayings(said)]
    assert groups == [[("A001", False), ("A002", False)], [("A003", True)], [("A004", False)]]


def test_a_ticket_waiting_twice_is_said_once_to_its_latest_window():
    ch = VoiceChannel()
    ch.add(Call("A001", "1"), 0.0)
    ch.add(Call("A002", "2"), 0.0)
    ch.add(Call("A001", "5", recall=True), 0.5)
    plan = ch.take(1.0)
    assert plan is not None and plan.calls == (Call("A001", "5"), Call("A002", "2"))


def test_nothing_is_due_before_its_time():
    ch = VoiceChannel(VoicePolicy(gather_s=1.0))
    assert ch.due() is None and ch.take(0.0) is None
    ch.add(Call("A001", "1"), 10.0)
    assert ch.due() == 11.0 and ch.take(10.5) is None
    plan = ch.take(11.0)
    assert plan is not None
    ch.started(8.0, 11.0)
    ch.add(Call("A002", "1"), 12.0)
    assert ch.due() == 19.0 and ch.take(18.9) is None


def test_calls_unsaid_too_long_are_left_to_the_screen():
    ch = VoiceChannel(VoicePolicy(max_wait_s=60, max_pending=5))
    ch.started(200.0, 0.0)  # the voice is busy for long
    for i in range(7):
        ch.add(Call(f"A{i:03d}", "1"), 1.0 + i)
    assert ch.dropped == 2  # beyond max_pending
    assert ch.take(100.0) is None  # still busy; meanwhile the five waited over 60 s
    assert ch.dropped == 7 and ch.pending == []
    ch.add(Call("Z999", "1"), 150.0)
    plan = ch.take(200.0)
    assert plan is not None and [c.ticket for c in plan.calls] == ["Z999"]
    assert ch.dropped == 7


def test_texts_of_calls_said_together():
    a = announce_together([Call("A003", "1"), Call("B005", "4")])
    assert a.captions["zh"] == "请 A003 号到 1 号窗口，B005 号到 4 号窗口"
    assert a.spoken["zh"] == "请 A 零 零 三 号到 一 号窗口，B 零 零 五 号到 四 号窗口"
    assert a.captions["en"] == "Calling number A003, to window 1; number B005, to window 4"
    again = announce_together([Call("A003", "1", True), Call("B005", "4", True)])
    assert again.captions["zh"].startswith("再次呼叫 A003 号到 1 号窗口")
    # one call reads as it always did
    assert announce_together([Call("A003", "1")]).captions["zh"] == "请 A003 号到 1 号窗口办理"
    with pytest.raises(ValueError):
        announce_together([Call("A003", "1"), Call("B005", "4", True)])


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"batch": 0}, {"english": "sometimes"}, {"max_wait_s": 0}])
def test_bad_policies_fail_early(kwargs):
    with pytest.raises(ValueError):
        VoicePolicy(**kwargs)
