"""Voice announcements for call screens: what is said, and the WAV that says it.

Public API (everything else is private):

Text (pure, imports nothing from the server)
    Call(ticket: str, window: str, recall: bool = False)
    AnnounceConfig(templates, recall_templates, voices, repeat=2, pinyin_overrides)
    announce(call, config=DEFAULT_CONFIG) -> Announcement(call, captions, spoken)
    speech_parts(call, config=DEFAULT_CONFIG) -> list[SpeechPart(lang, text, voice)]
    PINYIN_OVERRIDES: Mapping[str, str]

Speech engines
    SpeechEngine: protocol; .name, .synthesize(text, voice) -> WAV bytes, .close()
    open_engine(voices=..., *, rate=150, use_pyttsx3=True) -> SpeechEngine
        raises SpeechUnavailable once at start-up when espeak-ng or a voice is missing
    Pyttsx3Engine, EspeakEngine, FakeSpeechEngine
    SpeechError, SpeechUnavailable(SpeechError)

Rendering (async; synthesis runs in one worker thread, jobs in call order)
    AnnouncementService(cache_dir, engine | None, config=DEFAULT_CONFIG, *, gap_s=0.3, cache_entries=200)
        await .render(call) -> AnnouncementAudio(url_key, path, duration_s, spoken)
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

from .announce import DEFAULT_CONFIG, AnnounceConfig, Announcement, Call, SpeechPart, announce, speech_parts
from .espeak import EspeakEngine, Pyttsx3Engine, open_engine
from .pinyin import PINYIN_OVERRIDES
from .speech import FakeSpeechEngine, SpeechEngine, SpeechError, SpeechUnavailable
from .voice import AnnouncementAudio, AnnouncementService

__all__ = [
    "DEFAULT_CONFIG",
    "PINYIN_OVERRIDES",
    "AnnounceConfig",
    "Announcement",
    "AnnouncementAudio",
    "AnnouncementService",
    "Call",
    "EspeakEngine",
    "FakeSpeechEngine",
    "Pyttsx3Engine",
    "SpeechEngine",
    "SpeechError",
    "SpeechPart",
    "SpeechUnavailable",
    "announce",
    "open_engine",
    "speech_parts",
]
