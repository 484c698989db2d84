"""Voice announcements for the call screens, wired into the running server.

For every `call` and `recall` of a hall the announcer renders one WAV (chime,
then Mandarin and English, `announce_repeat` times) and publishes an
`announce` event: `{ticket, window, recall, audio: "/audio/<key>.wav",
duration_s, spoken}`; except, with speech, calls that would be spoken over
STALE_S late (calls coming faster than speech), which the screens skip too.
Screens show the call at once from the `call` event and play the `announce`
WAVs one after another, in the order published.

Rendering happens in `onewindow.display` (one worker thread per service, jobs
in submission order); a hall's calls are rendered one at a time, so its
announce events come out in call order. Halls that share a repeat count share
one service (and so one speech engine, owned by that service's thread).

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
from dataclasses import replace
from pathlib import Path

from onewindow.display import (
    DEFAULT_CONFIG,
    AnnouncementService,
    Call,
    FakeSpeechEngine,
    SpeechEngine,
    SpeechUnavailable,
    open_engine,
)
from onewindow.display.speaker import Speaker, SpeakerQueue
from onewindow.server.config import Config, Hall
from onewindow.server.live.hub import Event, Hub, Subscription
from onewindow.server.tasks import cancel_all

log = logging.getLogger("onewindow.announcer")

SPEECH_MODES = ("auto", "espeak", "fake", "off")
# As the screens' STALE_MS (static/screen.js): they skip an announcement that
# would start playing later than this, so its speech is not synthesised either.
# Calls coming faster than they can be spoken then cost no CPU; the screens show them.
STALE_S = 60.0


class Announcer:
    """Turns every call and recall of every hall into an `announce` event with its WAV."""

    def __init__(self, speech: str, data_dir: Path | str, config: Config, hub: Hub,
                 speaker: Speaker | None = None, clock=time.monotonic) -> None:
        if speech not in SPEECH_MODES:
            raise ValueError(f"speech must be one of {', '.join(SPEECH_MODES)}, not {speech!r}")
        self.speech = speech
        self.cache_dir = Path(data_dir) / "audio"
        self.config = config
        self.hub = hub
        self.clock = clock
        self._services: dict[int, AnnouncementService] = {}  # per repeat count
        self._tasks: list[asyncio.Task] = []
        self.speech_available = False
        self._speech_failed = False  # warned once; later engines are not tried again
        self.speaker = SpeakerQueue(speaker) if speaker is not None else None

    async def start(self) -> None:
        repeats = sorted({h.queue.announce_repeat for h in self.config.halls})
        for repeat in repeats:
            engine = await self._engine()
            svc = AnnouncementService(self.cache_dir, engine, replace(DEFAULT_CONFIG, repeat=repeat))
            self._services[repeat] = svc
        self.speech_available = any(s.speech_available for s in self._services.values())
        if self.speaker is not None:
            await self.speaker.start()
        for hall in self.config.halls:
            # Subscribed before start() returns: no call published from now on is missed.
            sub = self._subscribe(hall.id)
            self._tasks.append(asyncio.create_task(self._run(hall, sub), name=f"onewindow-announce-{hall.id}"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks.clear()
        if self.speaker is not None:
            await self.speaker.stop()
        for svc in self._services.values():
            await svc.aclose()
        self._services.clear()

    def path_for(self, key: str) -> Path | None:
        """The cached WAV behind /audio/{key}.wav, or None (unknown or malformed key).

        Blocking (a stat): call it off the event loop."""
        svc = next(iter(self._services.values()), None)  # all services share one cache folder
        return svc.path_for(key) if svc is not None else None

    # ----- internals -------------------------------------------------------------

    async def _engine(self) -> SpeechEngine | None:
        if self.speech == "off":
            return None
        if self.speech == "fake":
            return FakeSpeechEngine()
        if self._speech_failed:
            return None
        voices = tuple(DEFAULT_CONFIG.voices.values())
        try:
            return await asyncio.to_thread(open_engine, voices, use_pyttsx3=self.speech == "auto")
        except SpeechUnavailable as exc:
            log.warning("voice announcements are off, screens get a chime and the on-screen call: %s", exc)
            self._speech_failed = True
            return None

    def _subscribe(self, hall: str) -> Subscription:
        # Local calls only: with several server processes (RedisBroker) each sees every call,
        # and the process that made the call announces it, once.
        return self.hub.subscribe(hall, lambda e: e.local and e.type in ("call", "recall"))[0]

    async def _run(self, hall: Hall, sub: Subscription) -> None:
        svc = self._services[hall.queue.announce_repeat]
        numbers = {w.id: spoken_window(w.number, w.name_en, w.name, w.id) for w in hall.windows}
        while True:
            try:
                await self._announce_all(hall.id, sub, svc, numbers)
            finally:
                self.hub.unsubscribe(sub)
            # Dropped for falling behind (hundreds of calls queued): start again from now.
            log.warning("announcer of hall %s fell behind; some calls were not announced", hall.id)
            sub = self._subscribe(hall.id)

    async def _announce_all(self, hall: str, sub: Subscription, svc: AnnouncementService,
                            numbers: dict[str, str]) -> None:
        busy_until = 0.0  # when the screens will have played what was published so far
        skipping = False
        while True:
            ev: Event | None = await sub.get()
            if ev is None:
                return
            d = ev.data
            recall = ev.type == "recall"
            now = self.clock()
            # Only speech is worth saving: a chime-only hall announces every call (screens drop the stale).
            if svc.speech_available and busy_until - now > STALE_S:
                if not skipping:
                    log.warning("hall %s: calls come faster than they can be spoken; until the voice catches "
                                "up, the screens show them unannounced", hall)
                skipping = True
                continue
            skipping = False
            try:
                audio = await svc.render(Call(d["ticket"], numbers.get(d["window"], d["window"]), recall))
            except Exception:
                log.exception("announcing %s in hall %s failed", d.get("ticket"), hall)
                continue
            busy_until = max(busy_until, now) + audio.duration_s
            if self.speaker is not None:
                self.speaker.play(audio.path, audio.duration_s)
            self.hub.publish(hall, "announce", {
                "ticket": d["ticket"], "window": d["window"], "recall": recall,
                "audio": f"/audio/{audio.url_key}.wav", "duration_s": round(audio.duration_s, 3),
                "spoken": audio.spoken,
            })


def spoken_window(number: str, *labels: str) -> str:
    """What the voice says for a window: its `number`, else the first number in a label."""
    if number.strip():
        return number.strip()
    for label in labels:
        m = re.search(r"[A-Za-z]?\d+", label or "")
        if m:
            return m.group(0)
    return labels[-1]
