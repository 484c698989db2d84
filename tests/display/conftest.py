"""Helpers that look at real audio and phonemes with espeak-ng and sox."""

from pathlib import Path
import subprocess

import pytest


def phonemes(text: str, voice: str) -> str:
    """espeak-ng's phoneme transcription; '(en)' marks a switch to English."""
    return subprocess.run(
        ["espeak-ng", "-v", voice, "-x", "-q", text],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout


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


@pytest.fixture(name="phonemes")
def _phonemes():
    return phonemes


@pytest.fixture(name="sox_stat")
def _sox_stat():
    return sox_stat
