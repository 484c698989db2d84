"""The announcer on its own: a hub, a config and a cache folder; no server."""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil

import pytest
from support.clock import VirtualTime

from onewindow.display import SpeechUnavailable
from onewindow.display.wav import duration_s
from onewindow.server.config import parse_config
from onewindow.server.live.hub import Hub
from onewindow.server.services import announcer as announcer_mod
from onewindow.server.services.announcer import Announcer, spoken_window


def two_halls(repeat_b: int = 3, english_b: str = "calm"):
    text = ""
    for hid, repeat, english in (("a", 2, "calm"), ("b", repeat_b, english_b)):
        text += f'''
[[halls]]
id = "{hid}"
name = "大厅{hid}"
[halls.queue]
announce_repeat = {repeat}
announce_english = "{english}"
[[halls.categories]]
code = "general"
prefix = "A"
name = "综合"
[[halls.windows]]
id = "w1"
name = "1号窗口"
number = "7"
categories = ["general"]
[[halls.windows]]
id = "x"
name = "咨询台"
name_en = "Desk B2"
categories = ["general"]
'''
    return parse_config(text, "two_halls.toml")


async def announced(hub: Hub, hall: str, n: int, publish, vt: VirtualTime | None = None) -> list[dict]:
    """The `announce` events until their first sayings cover `n` calls (with
    `vt`: each stamped with the virtual time it was published at, as `at`)."""
    sub, _ = hub.subscribe(hall, lambda e: stamped(e, vt))
    publish()
    out: list[dict] = []
    async with asyncio.timeout(20):
        while sum(len(a["calls"]) for a in out if a["round"] == 1) < n:
            out.append((await sub.get()).data)
    hub.unsubscribe(sub)
    return out


def stamped(e, vt: VirtualTime | None) -> bool:
    """A subscription filter for `announce` events that notes the (virtual) time of
    publication in the event as `at` (filters run as the event is published)."""
    if e.type != "announce":
        return False
    e.data.setdefault("at", vt() if vt else None)
    return True


def said(got: list[dict]) -> list[str]:
    return [c["ticket"] for a in got if a["round"] == 1 for c in a["calls"]]


async def test_a_burst_of_ten_calls_is_announced_completely_in_order(tmp_path):
    hub = Hub()
    await hub.start()
    vt = VirtualTime()
    ann = Announcer("fake", tmp_path, two_halls(), hub, clock=vt, sleep=vt.sleep)
    await ann.start()
    try:
        tickets = [f"A{i:03d}" for i in range(1, 11)]
        start = vt()

        def burst():
            for i, t in enumerate(tickets):
                hub.publish("a", "recall" if i == 4 else "call", {"ticket": t, "window": "w1"})

        got = await announced(hub, "a", 10, burst, vt)
        assert said(got) == tickets  # every call once, in call order
        assert [c["recall"] for a in got for c in a["calls"]] == [i == 4 for i in range(10)]
        assert [len(a["calls"]) for a in got] == [4, 1, 4, 1]  # the recall is said on its own
        assert all(a["spoken"] and a["zone"] == "main" and a["window"] == "w1" for a in got)
        assert all(a["ticket"] == a["calls"][0]["ticket"] for a in got)
        # The texts spoken, in order: every number (Mandarin spells A 零 零 一)
        engine = ann.service.engine
        zh = " ".join(t for t, v, _ in engine.calls if v == "cmn-latn-pinyin")
        spelled = [" ".join(["A", *("零一二三四五六七八九"[int(d)] for d in t[1:])]) for t in tickets]
        positions = [zh.index(s) for s in spelled]
        assert positions == sorted(positions)
        # one voice: each announcement starts once the previous has played (WAV lengths)
        for prev, nxt in itertools.pairwise(got):
            assert nxt["at"] >= prev["at"] + prev["duration_s"] - 1e-6
        last = got[-1]
        assert last["at"] + last["duration_s"] - start < 60
        for g in got:
            key = g["audio"].removeprefix("/audio/").removesuffix(".wav")
            path = ann.path_for(key)
            assert path is not None and path.stat().st_size > 1000
            assert abs(duration_s(path) - g["duration_s"]) < 0.002
    finally:
        await ann.stop()
        await hub.stop()


async def test_repeat_count_english_and_window_number_come_from_the_config(tmp_path):
    hub = Hub()
    await hub.start()
    vt = VirtualTime()
    ann = Announcer("fake", tmp_path, two_halls(repeat_b=3, english_b="never"), hub, clock=vt, sleep=vt.sleep)
    await ann.start()
    try:
        engine = ann.service.engine
        sub_a, _ = hub.subscribe("a", lambda e: e.type == "announce")
        sub_b, _ = hub.subscribe("b", lambda e: e.type == "announce")
        hub.publish("a", "call", {"ticket": "A001", "window": "w1"})
        hub.publish("b", "call", {"ticket": "A001", "window": "x"})
        async with asyncio.timeout(20):
            rounds_a = [(await sub_a.get()).data for _ in range(2)]
            rounds_b = [(await sub_b.get()).data for _ in range(3)]
        assert [r["round"] for r in rounds_a] == [1, 2] and [r["round"] for r in rounds_b] == [1, 2, 3]
        zh = [t for t, v, _ in engine.calls if v == "cmn-latn-pinyin"]
        en = [t for t, v, _ in engine.calls if v == "en-us"]
        assert any("七" in t for t in zh)  # Window.number "7", not the id "w1"
        assert any("B 二" in t for t in zh)  # no number: "B2" from the English name
        assert len(en) == 1 and "window 7" in en[0]  # hall b: Mandarin only
        # segments are cached per text: the repetitions synthesise nothing new
        assert len(engine.calls) == 3
        # a repetition is the languages again, without the chime
        assert rounds_a[1]["duration_s"] < rounds_a[0]["duration_s"]
    finally:
        await ann.stop()
        await hub.stop()


async def test_no_speech_warns_once_and_announces_the_chime(tmp_path, monkeypatch, caplog):
    def unavailable(*a, **kw):
        raise SpeechUnavailable("espeak-ng is not installed")

    monkeypatch.setattr(announcer_mod, "open_engine", unavailable)
    hub = Hub()
    await hub.start()
    ann = Announcer("auto", tmp_path, two_halls(), hub)  # two repeat counts: two engines wanted
    with caplog.at_level(logging.WARNING, logger="onewindow.announcer"):
        await ann.start()
    try:
        warnings = [r for r in caplog.records if r.name == "onewindow.announcer"]
        assert len(warnings) == 1
        assert "espeak-ng is not installed" in warnings[0].getMessage()
        assert "chime" in warnings[0].getMessage()
        assert ann.speech_available is False
        got = await announced(hub, "a", 2, lambda: [hub.publish("a", "call", {"ticket": t, "window": "w1"})
                                                   for t in ("A001", "A002")])
        assert said(got) == ["A001", "A002"]
        assert [g["spoken"] for g in got] == [False]  # one chime for both: the screen shows them
        got = await announced(hub, "a", 1, lambda: hub.publish("a", "call", {"ticket": "A003", "window": "w1"}))
        assert said(got) == ["A003"] and got[0]["round"] == 1
        assert got[0]["audio"] == got[0]["audio"]  # the same chime
    finally:
        await ann.stop()
        await hub.stop()


async def test_off_means_chime_only_without_a_warning(tmp_path, caplog):
    hub = Hub()
    await hub.start()
    ann = Announcer("off", tmp_path, two_halls(), hub)
    with caplog.at_level(logging.WARNING):
        await ann.start()
    try:
        assert not [r for r in caplog.records if r.name == "onewindow.announcer"]
        got = await announced(hub, "b", 1, lambda: hub.publish("b", "call", {"ticket": "A001", "window": "w1"}))
        assert got[0]["spoken"] is False and got[0]["duration_s"] > 0
    finally:
        await ann.stop()
        await hub.stop()


def test_unknown_speech_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="speech must be one of"):
        Announcer("loud", tmp_path, two_halls(), Hub())


@pytest.mark.parametrize("number, labels, spoken", [
    ("3", ("3号窗口", "w3"), "3"),
    (" 12 ", ("x",), "12"),
    ("", ("Window 5", "5号窗口", "w5"), "5"),
    ("", ("Desk B2", "咨询台", "x"), "B2"),
    ("", ("", "咨询台", "desk"), "desk"),
])
def test_spoken_window(number, labels, spoken):
    assert spoken_window(number, *labels) == spoken


async def test_calls_faster_than_speech_are_left_to_the_screens_after_two_minutes(tmp_path, caplog):
    """A zone's voice says about 15 calls a minute; what it could not say
    within two minutes is shown only, with one warning per flood."""
    hub = Hub()
    await hub.start()
    vt = VirtualTime()
    ann = Announcer("fake", tmp_path, two_halls(), hub, clock=vt, sleep=vt.sleep)
    await ann.start()
    try:
        max_wait = ann.zones[("a", "main")].voice.policy.max_wait_s
        flood = [f"A{i:03d}" for i in range(1, 201)]
        sub, _ = hub.subscribe("a", lambda e: stamped(e, vt))
        with caplog.at_level(logging.WARNING, "onewindow.announcer"):
            for t in flood:
                hub.publish("a", "call", {"ticket": t, "window": "w1"})
            voice = ann.zones[("a", "main")].voice
            got: list[dict] = []
            async with asyncio.timeout(20):
                while voice.due() is None:  # the calls reach the voice
                    await asyncio.sleep(0.01)
                while voice.due() is not None or not sub.queue.empty():  # until the voice falls silent
                    try:
                        got.append((await asyncio.wait_for(sub.get(), 0.2)).data)
                    except TimeoutError:
                        pass
        hub.unsubscribe(sub)
        spoken = said(got)
        assert spoken == sorted(spoken) and 0 < len(spoken) < len(flood)  # in order, some left out
        assert all(a["at"] - 1000 <= max_wait + 30 for a in got)  # nothing said very late
        assert sum("faster than they can be spoken" in r.getMessage() for r in caplog.records) == 1
    finally:
        await ann.stop()
        await hub.stop()


async def test_a_chime_only_hall_announces_every_call_of_a_burst(tmp_path):
    """Without speech, calls queued up share one chime each; none is lost."""
    hub = Hub()
    await hub.start()
    vt = VirtualTime()
    ann = Announcer("off", tmp_path, two_halls(), hub, clock=vt, sleep=vt.sleep)
    await ann.start()
    try:
        tickets = [f"A{i:03d}" for i in range(1, 101)]
        got = await announced(hub, "a", 100, lambda: [hub.publish("a", "call", {"ticket": t, "window": "w1"})
                                                       for t in tickets], vt)
        assert said(got) == tickets
        assert len(got) == 25 and not any(g["spoken"] for g in got)
    finally:
        await ann.stop()
        await hub.stop()


@pytest.mark.slow
async def test_a_burst_is_announced_within_a_minute_with_the_real_voice(tmp_path):
    """espeak-ng itself: ten calls at once, the last said (its WAV played out) within 60 s."""
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng must be installed (scripts/setup.sh installs it)")
        pytest.skip("espeak-ng is not installed")
    hub = Hub()
    await hub.start()
    vt = VirtualTime()
    ann = Announcer("espeak", tmp_path, two_halls(), hub, clock=vt, sleep=vt.sleep)
    await ann.start()
    try:
        assert ann.speech_available
        tickets = [f"A{i:03d}" for i in range(1, 11)]
        start = vt()
        got = await announced(hub, "a", 10, lambda: [hub.publish("a", "call", {"ticket": t, "window": "w1"})
                                                      for t in tickets], vt)
        assert said(got) == tickets
        for g in got:
            path = ann.path_for(g["audio"].removeprefix("/audio/").removesuffix(".wav"))
            assert path is not None and abs(duration_s(path) - g["duration_s"]) < 0.002
        last = got[-1]
        assert last["at"] + last["duration_s"] - start < 60, [(g["at"] - start, g["duration_s"]) for g in got]
    finally:
        await ann.stop()
        await hub.stop()


def test_a_burst_over_http_is_announced_completely_in_order_on_the_display_socket(live_server, hall,
                                                                                  display_reader):
    """Ten calls made by clerks within about a second (fake voice, real time): the display
    socket's `announce` events say every number once, in call order, one announcement at a time."""
    server = live_server()
    h = hall(server)
    windows = ["w1", "w2", "w3", "w4", "w5"]
    for w in windows:
        h.clerk_at(w)
    for _ in range(10):
        h.issue("consult")
    screen = display_reader(server.url)
    screen.wait_for(lambda m: m["type"] == "snapshot")
    called = [h.next(windows[i % 5])["number"] for i in range(10)]
    def said_so_far(_m) -> bool:
        return sum(len(a["calls"]) for a in screen.messages if a["type"] == "announce" and a["round"] == 1) >= 10

    screen.wait_for(said_so_far, timeout=60)
    got = [m for m in screen.messages if m["type"] == "announce" and m["round"] == 1]
    assert [c["ticket"] for a in got for c in a["calls"]] == called
    assert len(got) < 10  # several numbers in one announcement
    assert all(a["spoken"] and a["zone"] == "main" for a in got)
    for a in got:
        r = h.c.get(a["audio"])
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
