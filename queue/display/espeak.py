"""Real speech: espeak-ng through pyttsx3 (in a child process) or its command line.

Measured with pyttsx3 2.99 and espeak-ng 1.51: pyttsx3 selects
cmn-latn-pinyin and writes a 22,050 Hz WAV. But its espeak driver
- on the first utterance of a process, runAndWait sometimes returns before
  espeak's thread has written the file (1 run in 12), so we wait for the
  "finished-utterance" event;
- reports an unknown voice only to "error" listeners and speaks on with the
  previous voice;
- keeps process-wide state and killed the interpreter with SIGSEGV when two
  threads synthesised at once; hangs after fork; asserts on empty text;
- prints "Audio saved to ..." on stdout for every file.
So it runs in one child process started with spawn (~0.2 s to start, then
~25 ms a segment): stdout is silenced there, and a crash or hang costs only
the child, which is restarted on the next call. If pyttsx3 cannot start or
fails the start-up probe, `open_engine` falls back to one `espeak-ng -w`
process per segment (~30-60 ms, nothing shared, byte-for-byte repeatable).
"""

import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path

from .announce import DEFAULT_CONFIG
from .speech import SpeechEngine, SpeechError, SpeechUnavailable

log = logging.getLogger(__name__)

DEFAULT_RATE = 150  # words a minute; espeak's 175 is hurried for elderly visitors


def open_engine(voices: Iterable[str] = tuple(DEFAULT_CONFIG.voices.values()), *,
                rate: int = DEFAULT_RATE, use_pyttsx3: bool = True) -> SpeechEngine:
    """Check once, at start-up, that this machine can speak; return an engine.

    Raises SpeechUnavailable (with a message for the log) when espeak-ng or
    a voice is missing: the caller then runs with chime + screen only.
    Blocks for about 0.2 s; call it before serving or via asyncio.to_thread.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SpeechUnavailable("espeak-ng is not installed; calls get a chime and the screen only")
    voices = list(voices)
    missing = set(voices) - _installed_voices(exe)
    if missing:
        raise SpeechUnavailable(f"espeak-ng lacks voice(s) {sorted(missing)}")
    if use_pyttsx3:
        engine = Pyttsx3Engine(rate=rate)
        try:
            _probe(engine, voices)
            return engine
        except SpeechError as exc:
            engine.close()
            log.warning("pyttsx3 unusable (%s); speaking through the espeak-ng command", exc)
    espeak = EspeakEngine(exe, rate=rate)
    try:
        _probe(espeak, voices)
    except SpeechError as exc:
        raise SpeechUnavailable(f"espeak-ng does not work: {exc}") from exc
    return espeak


def _installed_voices(exe: str) -> set[str]:
    try:
        listing = subprocess.run([exe, "--voices"], capture_output=True, text=True,
                                 check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechUnavailable(f"espeak-ng --voices failed: {exc}") from exc
    names: set[str] = set()
    for line in listing.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:  # Pty Language Age/Gender VoiceName File ...
            names.update((cols[1].lower(), cols[4].rsplit("/", 1)[-1].lower()))
    return names


def _probe(engine: SpeechEngine, voices: list[str]) -> None:
    # Digits are read by every voice; an empty WAV means a silent engine.
    for voice in voices:
        data = engine.synthesize("1 2 3", voice)
        if len(data) < 1000:
            raise SpeechError(f"voice {voice} produced no audio")


class EspeakEngine:
    """One `espeak-ng -w` process per segment: slower, but nothing shared."""

    def __init__(self, executable: str = "espeak-ng", *, rate: int = DEFAULT_RATE,
                 timeout_s: float = 10.0) -> None:
        self.name = f"espeak-ng-{rate}"
        self._exe, self._rate, self._timeout = executable, rate, timeout_s

    def synthesize(self, text: str, voice: str) -> bytes:
        if not text.strip():
            raise ValueError("nothing to say")
        with tempfile.TemporaryDirectory(prefix="onewindow-tts-") as tmp:
            out = Path(tmp, "out.wav")
            # Text on stdin (-b 1: UTF-8), so a text starting with "-" is no option.
            cmd = [self._exe, "-v", voice, "-s", str(self._rate), "-b", "1", "-w", str(out)]
            try:
                subprocess.run(cmd, input=text.encode(), capture_output=True,
                               check=True, timeout=self._timeout)
            except FileNotFoundError as exc:
                raise SpeechUnavailable("espeak-ng has gone missing") from exc
            except subprocess.TimeoutExpired as exc:
                raise SpeechError(f"espeak-ng took longer than {self._timeout} s") from exc
            except subprocess.CalledProcessError as exc:
                detail = (exc.stderr or exc.stdout or b"").decode(errors="replace").strip()
                raise SpeechError(f"espeak-ng failed: {detail}") from exc
            return out.read_bytes()

    def close(self) -> None:
        pass


class Pyttsx3Engine:
    """pyttsx3 on espeak-ng, confined to one spawn-started child process.

    Safe to call from any thread (calls are serialised); the child starts on
    first use and again after it crashed or hung.
    """

    def __init__(self, *, rate: int = DEFAULT_RATE, timeout_s: float = 10.0,
                 start_timeout_s: float = 30.0) -> None:
        self.name = f"pyttsx3-espeak-{rate}"
        self._rate, self._timeout, self._start_timeout = rate, timeout_s, start_timeout_s
        self._lock = threading.Lock()
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def synthesize(self, text: str, voice: str) -> bytes:
        if not text.strip():
            raise ValueError("nothing to say")  # pyttsx3 would assert
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._start()
            try:
                self._pipe().send((text, voice))
            except OSError as exc:
                self._kill()
                raise SpeechError("pyttsx3 process is gone") from exc
            return self._reply(self._timeout)

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.is_alive():
                try:
                    self._pipe().send(None)
                    self._proc.join(2)
                except OSError:
                    pass
            self._kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        self._kill()
        ctx = multiprocessing.get_context("spawn")  # never fork: pyttsx3 hangs after fork
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, self._rate),
                           name="onewindow-tts", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        try:
            self._reply(self._start_timeout)
        except SpeechError:
            self._kill()
            raise

    def _pipe(self) -> Connection:
        assert self._conn is not None  # the process was started
        return self._conn

    def _reply(self, timeout: float) -> bytes:
        try:
            if not self._pipe().poll(timeout):
                raise SpeechError(f"pyttsx3 gave no answer within {timeout} s")
            status, payload = self._pipe().recv()
        except (EOFError, OSError) as exc:
            self._kill()
            raise SpeechError("pyttsx3 process died") from exc
        except SpeechError:
            self._kill()
            raise
        if status == "error":
            raise SpeechError(payload)
        return payload

    def _kill(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
            if self._proc.exitcode is not None:  # close() refuses a live process
                self._proc.close()
        self._proc = self._conn = None


_CHILD_TIMEOUT_S = 5.0  # below Pyttsx3Engine's timeout, so the child answers first


def _serve(conn: Connection, rate: int) -> None:
    """The child: answers (text, voice) with ("ok", wav) or ("error", why)."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- for the child's life: pyttsx3 prints a line per saved file
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
        engine.setProperty("rate", rate)
    except Exception as exc:  # any failure here means: no pyttsx3 on this machine
        conn.send(("error", f"pyttsx3 could not start: {exc!r}"))
        return
    # pyttsx3 reports a failed command (an unknown voice, say) only to
    # "error" listeners, and carries on with the previous voice.
    errors: list[BaseException] = []
    engine.connect("error", lambda exception=None, **_: errors.append(exception))
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    conn.send(("ready", b""))
    with tempfile.TemporaryDirectory(prefix="onewindow-tts-") as tmp:
        out = Path(tmp, "out.wav")
        while (job := _next_job(conn)) is not None:
            text, voice = job
            errors.clear()
            finished.clear()
            out.unlink(missing_ok=True)
            try:
                engine.setProperty("voice", voice)
                engine.save_to_file(text, str(out))
                engine.runAndWait()
                # espeak's own thread writes the file when the utterance ends,
                # and runAndWait can return before that (seen on the first
                # utterance): reading earlier finds no file.
                done = finished.wait(_CHILD_TIMEOUT_S)
                if errors:
                    raise errors[0]
                if not done:
                    raise TimeoutError("espeak never finished the utterance")
                conn.send(("ok", out.read_bytes()))
            except Exception as exc:  # reported to the parent, which raises SpeechError
                conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _next_job(conn: Connection) -> tuple[str, str] | None:
    try:
        return conn.recv()
    except EOFError:
        return None  # the parent is gone
