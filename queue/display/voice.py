"""Turns calls into one WAV each, in call order, off the event loop.

All synthesis and file work happens in one worker thread, so jobs run one at
a time in the order `render` was called, and the speech engine is only ever
used from that thread. WAVs are cached under content-hash names: speech
segments per (engine, voice, text), whole announcements per list of
segments. The cache keeps the newest `cache_entries` files of each kind
(a call with repeat 2 is ~20 s, ~0.9 MB; 200 of them ~190 MB).
"""

import asyncio
import hashlib
import logging
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .announce import CHIME, DEFAULT_CONFIG, AnnounceConfig, Call, SpeechPart, batch_parts, speech_parts
from .schedule import Plan
from .speech import SpeechEngine, SpeechError
from .wav import chime_wav, concat_wav, duration_s

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class AnnouncementAudio:
    """One call's WAV, served at /audio/{url_key}.wav.

    `spoken` is False when it holds only the chime (no speech on this machine,
    or synthesis failed for this call): the screen then relies on its text.
    """

    url_key: str
    path: Path
    duration_s: float
    spoken: bool = True


class AnnouncementService:
    """Renders calls to WAVs. `engine=None` means chime only (see open_engine)."""

    def __init__(self, cache_dir: Path | str, engine: SpeechEngine | None,
                 config: AnnounceConfig = DEFAULT_CONFIG, *, gap_s: float = 0.3,
                 cache_entries: int = 200) -> None:
        self.cache_dir = Path(cache_dir)
        self.engine = engine
        self.config = config
        self._gap_s = gap_s
        self._cache_entries = cache_entries
        # Writes since each folder was last pruned: listing a folder per call costs more than the call.
        self._unpruned: dict[Path, int] = {}
        self._segments = self.cache_dir / "segments"
        self._segments.mkdir(parents=True, exist_ok=True)
        self._chime = chime_wav()
        self._chime_key = _hash("chime", hashlib.sha256(self._chime).hexdigest())
        # One thread: jobs run in submission order, the engine has one owner.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="onewindow-voice")

    @property
    def speech_available(self) -> bool:
        return self.engine is not None

    async def render(self, call: Call | Plan) -> AnnouncementAudio:
        """The WAV for `call`: chime, then each language, `repeat` times; or
        for a `Plan` of a voice channel (onewindow.display.schedule)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._render, call)

    def path_for(self, key: str) -> Path | None:
        """The cached WAV for a url_key, or None for an unknown or malformed key."""
        if not _KEY.fullmatch(key):
            return None  # also stops path traversal: only 32 hex digits pass
        path = self.cache_dir / f"{key}.wav"
        return path if path.is_file() else None

    async def aclose(self) -> None:
        """Finish queued jobs, then release the engine."""
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def close(self) -> None:
        self._worker.shutdown(wait=True)
        if self.engine is not None:
            self.engine.close()

    # The rest runs in the worker thread only.

    def _render(self, call: Call | Plan) -> AnnouncementAudio:
        if self.engine is None:
            return self._assemble([CHIME])
        try:
            if isinstance(call, Plan):
                return self._assemble(batch_parts(call.calls, call.langs, chime=call.chime, config=self.config))
            return self._assemble(speech_parts(call, self.config))
        except (SpeechError, ValueError) as exc:
            # Never a stack trace in the hall: this call gets the chime.
            tickets = [c.ticket for c in call.calls] if isinstance(call, Plan) else call.ticket
            log.warning("speech failed for ticket(s) %r, chime only: %s", tickets, exc)
            return self._assemble([CHIME])

    def _assemble(self, parts: list[SpeechPart]) -> AnnouncementAudio:
        keys = [self._segment_key(p) for p in parts]
        key = _hash("announcement", self._gap_s, *keys)
        path = self.cache_dir / f"{key}.wav"
        spoken = any(p is not CHIME for p in parts)
        if path.is_file():
            path.touch()  # keeps it among the newest when pruning
            return AnnouncementAudio(key, path, duration_s(path), spoken)
        segments: dict[str, bytes] = {}
        for part, seg_key in zip(parts, keys, strict=False):
            if seg_key not in segments:
                segments[seg_key] = self._segment(part, seg_key)
        data = concat_wav([segments[k] for k in keys], self._gap_s)
        _write_atomic(path, data)
        self._prune(self.cache_dir)
        return AnnouncementAudio(key, path, duration_s(data), spoken)

    def _segment_key(self, part: SpeechPart) -> str:
        if part is CHIME:
            return self._chime_key
        assert self.engine is not None  # spoken parts come only with an engine
        return _hash(self.engine.name, part.voice, part.text)

    def _segment(self, part: SpeechPart, key: str) -> bytes:
        if part is CHIME:
            return self._chime
        path = self._segments / f"{key}.wav"
        if path.is_file():
            path.touch()
            return path.read_bytes()
        assert self.engine is not None  # spoken parts come only with an engine
        data = self.engine.synthesize(part.text, part.voice)
        _write_atomic(path, data)
        self._prune(self._segments)
        return data

    def _prune(self, folder: Path) -> None:
        """Keep the newest `cache_entries` files (give or take a tenth: pruned every few writes)."""
        n = self._unpruned.get(folder, 0) + 1
        if n < max(1, self._cache_entries // 10):
            self._unpruned[folder] = n
            return
        self._unpruned[folder] = 0
        files = []
        for path in folder.glob("*.wav"):
            try:
                files.append((path.stat().st_mtime_ns, path))
            except FileNotFoundError:
                pass  # pruned meanwhile by another process sharing the cache
        files.sort()
        for _, old in files[: max(0, len(files) - self._cache_entries)]:
            old.unlink(missing_ok=True)


def _hash(*fields: object) -> str:
    text = "\0".join(str(f) for f in fields)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _write_atomic(path: Path, data: bytes) -> None:
    # Screens may fetch the file while another process writes the same key.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
