"""Helpers that look at phonemes with espeak-ng (sox_stat, for audio, is in tests/conftest.py)."""

import subprocess

import pytest


def phonemes(text: str, voice: str) -> str:
    """espeak-ng's phoneme transcription; '(en)' marks a switch to English."""
    return subprocess.run(
        ["espeak-ng", "-v", voice, "-x", "-q", text],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout


@pytest.fixture(name="phonemes")
def _phonemes():
    return phonemes
