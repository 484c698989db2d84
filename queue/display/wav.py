"""WAV helpers: the chime, test tones and joining segments into one file.

Everything is joined at one format, 22,050 Hz mono 16-bit, which is what
espeak-ng writes, so sox is only needed for a segment in another format
(the runtime install of a hall PC has no sox).
"""

import io
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

RATE = 22_050


def tone_wav(freqs: list[float], seconds: float, *, amplitude: float = 0.4,
             decay: float = 0.0) -> bytes:
    """A sum of sines with a soft start, optionally dying away (`decay` per second)."""
    n = max(1, round(seconds * RATE))
    attack = min(n, RATE // 100)  # 10 ms fade-in: no click
    scale = amplitude * 32767 / len(freqs)
    wave_ = [0.0] * n
    for f in freqs:
        step = 2 * math.pi * f / RATE
        wave_ = [w + math.sin(step * i) for i, w in enumerate(wave_)]
    fall = math.exp(-decay / RATE)
    samples = array("h", [round(scale * min(1.0, i / attack) * fall**i * w)
                          for i, w in enumerate(wave_)])
    return _wav_bytes(_le_bytes(samples))


def chime_wav() -> bytes:
    """A two-tone ding-dong (E5 then C5, each with its octave), about 1.5 s."""
    ding = tone_wav([659.25, 1318.5], 0.6, amplitude=0.5, decay=3.0)
    dong = tone_wav([523.25, 1046.5], 0.9, amplitude=0.5, decay=2.5)
    return concat_wav([ding, dong])


def concat_wav(segments: list[bytes], gap_s: float = 0.0) -> bytes:
    """Join WAVs end to end with `gap_s` of silence between them."""
    gap = bytes(2 * round(gap_s * RATE))
    frames = gap.join(_frames_at_rate(s) for s in segments)
    return _wav_bytes(frames)


def duration_s(wav: bytes | Path) -> float:
    with wave.open(io.BytesIO(wav) if isinstance(wav, bytes) else str(wav)) as w:
        return w.getnframes() / w.getframerate()


def _frames_at_rate(data: bytes) -> bytes:
    try:
        with wave.open(io.BytesIO(data)) as w:
            if (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2):
                return w.readframes(w.getnframes())
    except (wave.Error, EOFError):
        pass  # a format `wave` cannot read: sox may still convert it
    with wave.open(io.BytesIO(_convert_with_sox(data))) as w:
        return w.readframes(w.getnframes())


def _convert_with_sox(data: bytes) -> bytes:
    sox = shutil.which("sox")
    if sox is None:
        raise ValueError(f"segment is not {RATE} Hz mono 16-bit and sox is not installed")
    with tempfile.TemporaryDirectory(prefix="onewindow-wav-") as tmp:
        src, dst = Path(tmp, "in.wav"), Path(tmp, "out.wav")
        src.write_bytes(data)
        subprocess.run(
            [sox, "-q", str(src), "-r", str(RATE), "-c", "1", "-b", "16",
             "-e", "signed-integer", str(dst)],
            check=True, capture_output=True, timeout=30,
        )
        return dst.read_bytes()


def _le_bytes(samples: array) -> bytes:
    if sys.byteorder == "big":  # WAV is little-endian
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def _wav_bytes(frames: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return out.getvalue()
