"""Voice announcements for the call screens, wired into the running server.

Every `call` and `recall` of a hall goes to the voice channel of its
window's zone (onewindow.display.schedule: one voice per zone, whose screens
all play it). A channel says one announcement at a time: a lone call in full
(chime, Mandarin and English, `announce_repeat` times, the repetitions left
out when another call comes), calls that queue up together in one sentence,
once, up to `announce_batch` numbers (English per `announce_english`). For each
announcement it renders one WAV and publishes an `announce` event when it is
due: `{ticket, window, recall (of the first call), calls: [{ticket, window,
recall}], zone, round, audio: "/audio/<key>.wav", duration_s, spoken}`. The
screens of the zone play it at once (they queue it if the previous one is
still playing). The channel is paced by the WAVs' durations, so what is
published is what is being said; a call left unsaid for 120 s is shown only.

Rendering happens in `onewindow.display` (one worker thread: jobs in
submission order, one owner of the speech engine).

`settings.speech`:
- `auto`: espeak-ng through pyttsx3, else the espeak-ng command; when this
  machine cannot speak, ONE warning and chime-only announcements.
- `espeak`: the espeak-ng command only (byte-for-byte repeatable), same fallback.
- `fake`: `FakeSpeechEngine` (tones; tests and demos).
- `off`: no speech: every announcement is the chime, the screen shows the call.

`speaker` (optional): the server also plays each announcement on the hall
PC's own speaker (onewindow.display.speaker), one after another.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from onewindow.display import (
    DEFAULT_CONFIG,
    AnnouncementService,
    Call,
    FakeSpeechEngine,
    SpeechEngine,
    SpeechUnavailable,
    VoiceChannel,
    VoicePolicy,
    open_engine,
)
from onewindow.display.speaker import Speaker, SpeakerQueue
from onewindow.server.config import Config, Hall
from onewindow.server.live.hub import Hub, Subscription
from onewindow.server.tasks import cancel_all

log = logging.getLogger("onewindow.announcer")

SPEECH_MODES = ("auto", "espeak", "fake", "off")


@dataclass(eq=False)
class _Zone:
    """One zone's voice channel, the event that wakes its speaker task, and the
    window ids of the calls waiting in it (the channel holds spoken labels)."""

    hall: str
    zone: str
    voice: VoiceChannel
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    window_of: dict[str, str] = field(default_factory=dict)
    dropped: int = 0  # calls left unsaid so far
    warned: bool = False  # about the flood going on


class Announcer:
    """Turns every call and recall of every hall into `announce` events with their WAVs."""

    def __init__(self, speech: str, data_dir: Path | str, config: Config, hub: Hub,
                 speaker: Speaker | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if speech not in SPEECH_MODES:
            raise ValueError(f"speech must be one of {', '.join(SPEECH_MODES)}, not {speech!r}")
        self.speech = speech
        self.cache_dir = Path(data_dir) / "audio"
        self.config = config
        self.hub = hub
        self.clock = clock
        self.sleep = sleep
        self.service: AnnouncementService | None = None
        self.zones: dict[tuple[str, str], _Zone] = {}
        self._tasks: list[asyncio.Task] = []
        self.speech_available = False
        self.speaker = SpeakerQueue(speaker) if speaker is not None else None

    async def start(self) -> None:
        engine = await self._engine()
        self.service = AnnouncementService(self.cache_dir, engine, DEFAULT_CONFIG)
        self.speech_available = self.service.speech_available
        if self.speaker is not None:
            await self.speaker.start()
        langs = tuple(DEFAULT_CONFIG.templates)
        for hall in self.config.halls:
            q = hall.queue
            # Chime only: nothing to repeat or translate, the chime is said once per announcement.
            policy = (VoicePolicy(repeat=q.announce_repeat, english=q.announce_english, batch=q.announce_batch)
                      if self.speech_available else VoicePolicy(repeat=1, batch=q.announce_batch))
            for zone in dict.fromkeys(w.zone for w in hall.windows):
                z = self.zones[(hall.id, zone)] = _Zone(hall.id, zone, VoiceChannel(policy, langs))
                self._tasks.append(asyncio.create_task(self._speak(z), name=f"onewindow-voice-{hall.id}-{zone}"))
            # Subscribed before start() returns: no call published from now on is missed.
            sub = self._subscribe(hall.id)
            self._tasks.append(asyncio.create_task(self._run(hall, sub), name=f"onewindow-announce-{hall.id}"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks.clear()
        if self.speaker is not None:
            await self.speaker.stop()
        if self.service is not None:
            await self.service.aclose()
            self.service = None
        self.zones.clear()

    def path_for(self, key: str) -> Path | None:
        """The cached WAV behind /audio/{key}.wav, or None (unknown or malformed key).

        Blocking (a stat): call it off the event loop."""
        return self.service.path_for(key) if self.service is not None else None

    # ----- internals -------------------------------------------------------------

    async def _engine(self) -> SpeechEngine | None:
        if self.speech == "off":
            return None
        if self.speech == "fake":
            return FakeSpeechEngine()
        voices = tuple(DEFAULT_CONFIG.voices.values())
        try:
            return await asyncio.to_thread(open_engine, voices, use_pyttsx3=self.speech == "auto")
        except SpeechUnavailable as exc:
            log.warning("voice announcements are off, screens get a chime and the on-screen call: %s", exc)
            return None

    def _subscribe(self, hall: str) -> Subscription:
        # Local calls only: with several server processes (RedisBroker) each sees every call,
        # and the process that made the call announces it, once.
        return self.hub.subscribe(hall, lambda e: e.local and e.type in ("call", "recall"))[0]

    async def _run(self, hall: Hall, sub: Subscription) -> None:
        """Hands each call to its zone's channel."""
        numbers = {w.id: spoken_window(w.number, w.name_en, w.name, w.id) for w in hall.windows}
        zone_of = {w.id: w.zone for w in hall.windows}
        while True:
            try:
                while (ev := await sub.get()) is not None:
                    d = ev.data
                    z = self.zones.get((hall.id, zone_of.get(d["window"], "")))
                    if z is None:
                        continue  # not one of this hall's windows
                    z.window_of[d["ticket"]] = d["window"]
                    z.voice.add(Call(d["ticket"], numbers[d["window"]], ev.type == "recall"), self.clock())
                    z.wake.set()
            finally:
                self.hub.unsubscribe(sub)
            # Dropped for falling behind (hundreds of calls queued): start again from now.
            log.warning("announcer of hall %s fell behind; some calls were not announced", hall.id)
            sub = self._subscribe(hall.id)

    async def _speak(self, z: _Zone) -> None:
        """The zone's voice: each announcement when it is due, paced by the WAVs' lengths."""
        assert self.service is not None  # started
        while True:
            due = z.voice.due()
            if due is None:
                z.warned = False  # caught up: the next flood is warned about again
                z.wake.clear()
                await z.wake.wait()
                continue
            wait = due - self.clock()
            if wait > 0:
                await self.sleep(wait)
                continue
            plan = z.voice.take(self.clock())
            self._warn_dropped(z)
            if plan is None:
                continue
            try:
                audio = await self.service.render(plan)
            except Exception:
                log.exception("announcing %s in hall %s failed", [c.ticket for c in plan.calls], z.hall)
                continue
            z.voice.started(audio.duration_s, self.clock())
            if self.speaker is not None:
                self.speaker.play(audio.path, audio.duration_s)
            calls = [{"ticket": c.ticket, "window": z.window_of.get(c.ticket, c.window), "recall": c.recall}
                     for c in plan.calls]
            if len(z.window_of) > 1000:  # keep what is waiting and what may be repeated
                keep = {c.ticket for c in (*z.voice.pending, *plan.calls)}
                z.window_of = {t: w for t, w in z.window_of.items() if t in keep}
            self.hub.publish(z.hall, "announce", {
                **calls[0], "calls": calls, "zone": z.zone, "round": plan.round,
                "audio": f"/audio/{audio.url_key}.wav", "duration_s": round(audio.duration_s, 3),
                "spoken": audio.spoken,
            })

    def _warn_dropped(self, z: _Zone) -> None:
        if z.voice.dropped > z.dropped:
            if not z.warned:
                log.warning("hall %s, zone %s: calls come faster than they can be spoken; until the voice "
                            "catches up, the screens show some unannounced", z.hall, z.zone)
            z.warned, z.dropped = True, z.voice.dropped


def spoken_window(number: str, *labels: str) -> str:
    """What the voice says for a window: its `number`, else the first number in a label."""
    if number.strip():
        return number.strip()
    for label in labels:
        m = re.search(r"[A-Za-z]?\d+", label or "")
        if m:
            return m.group(0)
    return labels[-1]
