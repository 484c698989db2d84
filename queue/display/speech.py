"""The speech engine interface, its errors, and a fake for tests and demos.

The real engines (espeak-ng through pyttsx3 or the command line) live in
`espeak.py`; `open_engine()` there picks one.
"""

import hashlib
import threading
import time
from typing import Protocol

from .wav import tone_wav


class SpeechError(Exception):
    """One synthesis failed; the call is still shown and chimed."""


class SpeechUnavailable(SpeechError):
    """This machine cannot speak (espeak-ng or a voice is missing)."""


class SpeechEngine(Protocol):
    #: Part of every cache key, so WAVs of different engines never mix.
    name: str

    def synthesize(self, text: str, voice: str) -> bytes:
        """Speak `text` with an espeak-ng voice name; return WAV bytes.

        Blocking. Raises SpeechError. The caller serialises calls.
        """
        ...

    def close(self) -> None: ...


class FakeSpeechEngine:
    """A tone per text instead of speech: deterministic, needs nothing installed.

    The pitch comes from the text, the length grows with it. Every call is
    recorded as (text, voice, thread id) so tests can check order and thread.
    """

    name = "fake"

    def __init__(self, *, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.calls: list[tuple[str, str, int]] = []
        self._busy = threading.Lock()

    def synthesize(self, text: str, voice: str) -> bytes:
        if not text.strip():
            raise ValueError("nothing to say")
        # A second caller while one is synthesising is a bug in the caller.
        if not self._busy.acquire(blocking=False):
            raise RuntimeError("FakeSpeechEngine called concurrently")
        try:
            self.calls.append((text, voice, threading.get_ident()))
            time.sleep(self.delay_s)
            digest = hashlib.sha256(f"{voice}\0{text}".encode()).digest()
            freq = 300 + int.from_bytes(digest[:2], "big") % 500
            return tone_wav([freq], min(0.2 + 0.02 * len(text), 2.0))
        finally:
            self._busy.release()

    def close(self) -> None:
        pass
