"""Looking at what the tests produce with the tools a person would use: sox
for audio, espeak-ng for phonemes, zbarimg for QR codes."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def sox_stat(path: Path) -> dict[str, float]:
    """`sox FILE -n stat` as numbers, e.g. {'Length (seconds)': 3.2, 'RMS amplitude': 0.1}."""
    out = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True, timeout=30,
    ).stderr
    stats = {}
    for line in out.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            try:
                stats[" ".join(name.split())] = float(value)
            except ValueError:
                pass
    return stats


def phonemes(text: str, voice: str) -> str:
    """espeak-ng's phoneme transcription; '(en)' marks a switch to English."""
    return subprocess.run(
        ["espeak-ng", "-v", voice, "-x", "-q", text],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout


def zbar_read(image, workdir: Path) -> list[str]:
    """Every QR code in a PIL image, read with zbarimg as a phone would."""
    exe = shutil.which("zbarimg")
    assert exe, "zbarimg (zbar-tools) is required"
    path = Path(workdir) / "scan.png"
    image.convert("L").save(path)
    done = subprocess.run([exe, "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    return done.stdout.splitlines()
