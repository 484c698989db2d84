"""The announcer on its own: a hub, a config and a cache folder; no server."""
from __future__ import annotations

import asyncio
import logging

import pytest

from onewindow.display import SpeechUnavailable
from onewindow.server.config import parse_config
from onewindow.server.live.hub import Hub
from onewindow.server.services import announcer as announcer_mod
from onewindow.server.services.announcer import Announcer, spoken_window


def two_halls(repeat_b: int = 3):
    text = ""
    for hid, repeat in (("a", 2), ("b", repeat_b)):
        text += f'''
[[halls]]
id = "{hid}"
name = "大厅{hid}"
[halls.queue]
announce_repeat = {repeat}
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


async def announced(hub: Hub, hall: str, n: int, publish) -> list[dict]:
    sub, _ = hub.subscribe(hall, lambda e: e.type == "announce")
    publish()
    out = []
    async with asyncio.timeout(20):
        while len(out) < n:
            out.append((await sub.get()).data)
    hub.unsubscribe(sub)
    return out


async def test_a_burst_of_ten_calls_is_announced_completely_in_order(tmp_path):
    hub = Hub()
    await hub.start()
    ann = Announcer("fake", tmp_path, two_halls(), hub)
    await ann.start()
    try:
        tickets = [f"A{i:03d}" for i in range(1, 11)]

        def burst():
            for i, t in enumerate(tickets):
                hub.publish("a", "recall" if i == 4 else "call", {"ticket": t, "window": "w1"})

        got = await announced(hub, "a", 10, burst)
        assert [g["ticket"] for g in got] == tickets
        assert [g["recall"] for g in got] == [i == 4 for i in range(10)]
        assert all(g["spoken"] and g["window"] == "w1" for g in got)
        assert len({g["audio"] for g in got}) == 10
        for g in got:
            key = g["audio"].removeprefix("/audio/").removesuffix(".wav")
            path = ann.path_for(key)
            assert path is not None and path.stat().st_size > 1000
            assert abs(g["duration_s"] - round(g["duration_s"], 3)) < 1e-9
    finally:
        await ann.stop()
        await hub.stop()


async def test_repeat_count_and_window_number_come_from_the_config(tmp_path):
    hub = Hub()
    await hub.start()
    ann = Announcer("fake", tmp_path, two_halls(repeat_b=3), hub)
    await ann.start()
    try:
        engine_a = ann._services[2].engine
        engine_b = ann._services[3].engine
        assert engine_a is not engine_b  # one engine per worker thread
        await announced(hub, "a", 1, lambda: hub.publish("a", "call", {"ticket": "A001", "window": "w1"}))
        await announced(hub, "b", 1, lambda: hub.publish("b", "call", {"ticket": "A001", "window": "x"}))
        zh_a = [t for t, v, _ in engine_a.calls if v == "cmn-latn-pinyin"]
        zh_b = [t for t, v, _ in engine_b.calls if v == "cmn-latn-pinyin"]
        assert any("七" in t for t in zh_a)  # Window.number "7", not the id "w1"
        assert any("B 二" in t for t in zh_b)  # no number: "B2" from the English name
        # the WAV holds the chime and each language `repeat` times; segments are cached per text
        assert len(engine_a.calls) == 2 and len(engine_b.calls) == 2
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
        assert [g["spoken"] for g in got] == [False, False]
        assert got[0]["audio"] == got[1]["audio"]  # the same chime
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


async def test_calls_faster_than_speech_are_not_rendered_once_the_backlog_would_go_stale(tmp_path, caplog):
    """The screens skip an announcement that would start over STALE_S late; so
    does the announcer, instead of rendering audio nobody will hear."""
    hub = Hub()
    await hub.start()
    reads = []
    later = [None]  # from this many clock readings on (one per call), the hall has gone quiet

    def clock():
        reads.append(1)
        quiet = later[0] is not None and len(reads) > later[0]
        return 1000.0 + (10 * announcer_mod.STALE_S if quiet else 0.0)

    ann = Announcer("fake", tmp_path, two_halls(), hub, clock=clock)
    await ann.start()
    try:
        first = await announced(hub, "a", 1, lambda: hub.publish("a", "call", {"ticket": "A000", "window": "w1"}))
        each = first[0]["duration_s"]  # every fake announcement of this hall lasts as long
        fits = int(announcer_mod.STALE_S // each)  # after A000, these start within STALE_S
        burst = [f"A{i:03d}" for i in range(1, 3 * fits + 5)]
        later[0] = 1 + len(burst)

        def publish():
            for t in [*burst, "Z999"]:
                hub.publish("a", "call", {"ticket": t, "window": "w1"})

        sub, _ = hub.subscribe("a", lambda e: e.type == "announce")
        with caplog.at_level(logging.WARNING, "onewindow.announcer"):
            publish()
            got = []
            async with asyncio.timeout(20):
                while not got or got[-1] != "Z999":
                    got.append((await sub.get()).data["ticket"])
        hub.unsubscribe(sub)
        assert got == [*burst[:fits], "Z999"]
        assert sum("faster than they can be spoken" in r.getMessage() for r in caplog.records) == 1
    finally:
        await ann.stop()
        await hub.stop()


async def test_a_chime_only_hall_announces_every_call_of_a_burst(tmp_path):
    """Nothing to save without speech: every call gets its chime (the screens drop the stale)."""
    hub = Hub()
    await hub.start()
    ann = Announcer("off", tmp_path, two_halls(), hub, clock=lambda: 1000.0)
    await ann.start()
    try:
        tickets = [f"A{i:03d}" for i in range(1, 101)]  # 100 chimes: far more than STALE_S of them
        got = await announced(hub, "a", 100, lambda: [hub.publish("a", "call", {"ticket": t, "window": "w1"})
                                                       for t in tickets])
        assert [g["ticket"] for g in got] == tickets
        assert sum(g["duration_s"] for g in got) > announcer_mod.STALE_S
    finally:
        await ann.stop()
        await hub.stop()
