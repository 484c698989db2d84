"""The optional hall-PC speaker: the server itself plays each announcement,
for halls whose screens are plain TVs without sound of their own.

Playing is blocking (a player process per WAV), so it runs in a worker
thread, one WAV at a time, in the order the calls came: never overlapping,
never cut off.

    speaker = open_speaker("auto")        # aplay, paplay or sox's play; None if "off"
    queue = SpeakerQueue(speaker); await queue.start()
    queue.play(path, duration_s)          # returns at once
"""
from __future__ import annotations

import asyncio
import logging
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

log = logging.getLogger("onewindow.speaker")

# Tried in this order by "auto": ALSA, PulseAudio/PipeWire, sox.
PLAYERS = (["aplay", "-q", "{wav}"], ["paplay", "{wav}"], ["play", "-q", "{wav}"])


class Speaker(Protocol):
    def play(self, wav: Path, duration_s: float) -> None:
        """Play the WAV to its end (blocking)."""


class CommandSpeaker:
    """A player command; `{wav}` in its arguments is replaced by the file."""

    def __init__(self, argv: list[str]) -> None:
        if not any("{wav}" in a for a in argv):
            raise ValueError("a speaker command needs {wav} where the file goes")
        self.argv = argv

    def play(self, wav: Path, duration_s: float) -> None:
        cmd = [a.replace("{wav}", str(wav)) for a in self.argv]
        # A player that hangs (a stuck sound device) must not hold the queue forever.
        subprocess.run(cmd, check=True, timeout=duration_s + 10, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class FakeSpeaker:
    """Records what it was asked to play (tests)."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def play(self, wav: Path, duration_s: float) -> None:
        self.played.append(wav)


def open_speaker(spec: str) -> Speaker | None:
    """`off`: none; `auto`: the first player found on this machine; else a command with {wav}."""
    spec = spec.strip()
    if spec in ("", "off"):
        return None
    if spec == "auto":
        for argv in PLAYERS:
            if shutil.which(argv[0]):
                return CommandSpeaker(argv)
        raise ValueError("no audio player found (install alsa-utils or sox), or give a command with {wav}")
    return CommandSpeaker(shlex.split(spec))


class SpeakerQueue:
    """Plays announcements one after another in a worker thread."""

    def __init__(self, speaker: Speaker, max_pending: int = 30) -> None:
        self.speaker = speaker
        # A backlog longer than this is minutes of stale calls: newer ones are dropped and logged.
        self._queue: asyncio.Queue[tuple[Path, float]] = asyncio.Queue(maxsize=max_pending)
        self._task: asyncio.Task | None = None
        self.failures = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="onewindow-speaker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def play(self, wav: Path, duration_s: float) -> bool:
        try:
            self._queue.put_nowait((wav, duration_s))
            return True
        except asyncio.QueueFull:
            log.warning("the hall speaker is %d announcements behind; %s is not played", self._queue.qsize(), wav.name)
            return False

    async def drain(self) -> None:
        """Wait until everything queued has been played (tests, shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            wav, duration = await self._queue.get()
            try:
                await asyncio.to_thread(self.speaker.play, wav, duration)
            except Exception as exc:
                self.failures += 1
                if self.failures == 1 or self.failures % 50 == 0:
                    log.warning("the hall speaker failed to play %s (%d failures so far): %s",
                                wav.name, self.failures, exc)
            finally:
                self._queue.task_done()
