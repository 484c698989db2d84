"""Voice announcements for call screens: what is said, and the WAV that says it.

Public API (everything else is private):

Text (pure, imports nothing from the server)
    Call(ticket: str, window: str, recall: bool = False)
    AnnounceConfig(templates, recall_templates, voices, repeat=2, pinyin_overrides)
    announce(call, config=DEFAULT_CONFIG) -> Announcement(call, captions, spoken)
    speech_parts(call, config=DEFAULT_CONFIG) -> list[SpeechPart(lang, text, voice)]
    announce_together(calls, config) / batch_parts(calls, langs, chime=, rounds=, config=):
        several calls in one sentence (请 A003 号到 1 号窗口，B005 号到 4 号窗口)

Scheduling (pure; the caller passes the time)
    VoicePolicy(repeat=2, english="calm", batch=4, gather_s=1.0, max_wait_s=120.0)
    VoiceChannel(policy, langs): one zone's voice; .add(call, now), .due(), .take(now) -> Plan | None,
        .started(duration_s, now)
    Plan(calls, langs, round): one announcement
    PINYIN_OVERRIDES: Mapping[str, str]

Speech engines
    SpeechEngine: protocol; .name, .synthesize(text, voice) -> WAV bytes, .close()
    open_engine(voices=..., *, rate=150, use_pyttsx3=True) -> SpeechEngine
        raises SpeechUnavailable once at start-up when espeak-ng or a voice is missing
    Pyttsx3Engine, EspeakEngine, FakeSpeechEngine
    SpeechError, SpeechUnavailable(SpeechError)

Rendering (async; synthesis runs in one worker thread, jobs in call order)
    AnnouncementService(cache_dir, engine | None, config=DEFAULT_CONFIG, *, gap_s=0.3, cache_entries=200)
        await .render(call | plan) -> AnnouncementAudio(url_key, path, duration_s, spoken)
        .path_for(url_key) -> Path | None      # serve as /audio/{url_key}.wav
        .speech_available -> bool
        await .aclose() / .close()

At start-up::

    try:
        engine = open_engine(config.voices.values())
    except SpeechUnavailable as exc:
        log.warning("no voice announcements: %s", exc)  # said once
        engine = None                                  # chime + screen only
    voice = AnnouncementService(cache_dir, engine, config)
"""

from .announce import (
    DEFAULT_CONFIG,
    AnnounceConfig,
    Announcement,
    Call,
    SpeechPart,
    announce,
    announce_together,
    batch_parts,
    speech_parts,
)
from .espeak import EspeakEngine, Pyttsx3Engine, open_engine
from .pinyin import PINYIN_OVERRIDES
from .schedule import ENGLISH_MODES, Plan, VoiceChannel, VoicePolicy
from .speech import FakeSpeechEngine, SpeechEngine, SpeechError, SpeechUnavailable
from .voice import AnnouncementAudio, AnnouncementService

__all__ = [
    "DEFAULT_CONFIG",
    "ENGLISH_MODES",
    "PINYIN_OVERRIDES",
    "AnnounceConfig",
    "Announcement",
    "AnnouncementAudio",
    "AnnouncementService",
    "Call",
    "EspeakEngine",
    "FakeSpeechEngine",
    "Plan",
    "Pyttsx3Engine",
    "SpeechEngine",
    "SpeechError",
    "SpeechPart",
    "SpeechUnavailable",
    "VoiceChannel",
    "VoicePolicy",
    "announce",
    "announce_together",
    "batch_parts",
    "open_engine",
    "speech_parts",
]
