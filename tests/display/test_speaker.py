"""The hall-PC speaker mode: announcements played by the server itself, one
after another, in call order, never overlapping, never stopped by one failure."""
from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from support.clock import VirtualTime

from onewindow.display.speaker import CommandSpeaker, FakeSpeaker, SpeakerQueue, open_speaker
from onewindow.server.config import parse_config
from onewindow.server.live.hub import Hub
from onewindow.server.services.announcer import Announcer


class SlowSpeaker:
    """Takes a while per WAV and notes any overlap."""

    def __init__(self) -> None:
        self.played: list[str] = []
        self.playing = 0
        self.overlaps = 0
        self.lock = threading.Lock()

    def play(self, wav: Path, duration_s: float) -> None:
        with self.lock:
            self.playing += 1
            self.overlaps += self.playing > 1
        # The playback itself (what is under test is that none overlaps it): it must take a while.
        time.sleep(0.02)
        with self.lock:
            self.playing -= 1
            self.played.append(wav.name)


async def test_plays_in_order_one_at_a_time(tmp_path):
    slow = SlowSpeaker()
    q = SpeakerQueue(slow)
    await q.start()
    names = [f"call-{i:02d}.wav" for i in range(10)]
    for n in names:
        assert q.play(tmp_path / n, 0.02)
    async with asyncio.timeout(10):
        await q.drain()
    await q.stop()
    assert slow.played == names
    assert slow.overlaps == 0


async def test_a_failing_playback_does_not_silence_the_rest(tmp_path, caplog):
    out = tmp_path / "played"
    out.mkdir()
    good = tmp_path / "a.wav"
    good.write_bytes(b"RIFF")
    # A real player process: `cp` stands in for aplay; the missing file makes it fail.
    q = SpeakerQueue(CommandSpeaker(["cp", "{wav}", str(out)]))
    await q.start()
    q.play(tmp_path / "missing.wav", 0.1)
    q.play(good, 0.1)
    async with asyncio.timeout(10):
        await q.drain()
    await q.stop()
    assert q.failures == 1
    assert (out / "a.wav").read_bytes() == b"RIFF"
    assert "failed to play missing.wav" in caplog.text


async def test_a_long_backlog_drops_new_calls_instead_of_growing(tmp_path, caplog):
    q = SpeakerQueue(FakeSpeaker(), max_pending=3)  # not started: nothing is played
    accepted = [q.play(tmp_path / f"{i}.wav", 1.0) for i in range(5)]
    assert accepted == [True, True, True, False, False]
    assert "3 announcements behind" in caplog.text


def test_open_speaker_specs():
    assert open_speaker("off") is None
    assert open_speaker("") is None
    assert open_speaker("mpv --really-quiet {wav}").argv == ["mpv", "--really-quiet", "{wav}"]
    with pytest.raises(ValueError, match=r"needs \{wav\}"):
        open_speaker("aplay -q")


HALL = '''
[[halls]]
id = "h"
name = "大厅"
[halls.queue]
announce_repeat = 1
[[halls.categories]]
code = "general"
prefix = "A"
name = "综合"
[[halls.windows]]
id = "w1"
name = "1号窗口"
number = "1"
categories = ["general"]
'''


async def test_the_announcer_plays_every_call_on_the_hall_speaker(tmp_path):
    hub = Hub()
    await hub.start()
    speaker = FakeSpeaker()
    vt = VirtualTime()
    ann = Announcer("fake", tmp_path, parse_config(HALL, "hall.toml"), hub, speaker, clock=vt, sleep=vt.sleep)
    await ann.start()
    sub, _ = hub.subscribe("h", lambda e: e.type == "announce")
    try:
        for i in range(1, 6):
            hub.publish("h", "call", {"ticket": f"A{i:03d}", "window": "w1"})
        announced: list[dict] = []
        async with asyncio.timeout(20):
            while sum(len(a["calls"]) for a in announced if a["round"] == 1) < 5:
                announced.append((await sub.get()).data)
            await ann.speaker.drain()
    finally:
        await ann.stop()
        await hub.stop()
    while not sub.queue.empty():  # a repetition published meanwhile
        if (ev := sub.queue.get_nowait()) is not None:
            announced.append(ev.data)
    # The very WAVs the screens were told to play, in call order.
    assert [p.name for p in speaker.played] == [a["audio"].rsplit("/", 1)[1] for a in announced]
    assert [c["ticket"] for a in announced if a["round"] == 1 for c in a["calls"]] == [f"A{i:03d}" for i in range(1, 6)]
    assert all(p.is_file() for p in speaker.played)
