"""The real voice through the server: the WAV a screen fetches for a sample
call is speech (non-silent, plausible length), with espeak-ng."""
from __future__ import annotations

import os
import shutil

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def espeak():
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng and sox must be installed (scripts/setup.sh installs them)")
        pytest.skip("espeak-ng or sox is not installed")


@pytest.mark.parametrize("speech", ["auto", "espeak"])
def test_wav_served_for_a_call_is_speech(espeak, live_server, hall, display_reader, tmp_path, speech,
                                         sox_stat):
    server = live_server(speech=speech)
    h = hall(server)
    h.clerk_at("w3")
    h.issue("eia")
    screen = display_reader(server.url)
    screen.wait_for(lambda m: m["type"] == "snapshot")
    called = h.next("w3")
    ev = screen.wait_for(lambda m: m["type"] == "announce", timeout=60)
    assert ev["ticket"] == "A001" and ev["spoken"] is True

    r = h.c.get(ev["audio"])
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    wav = tmp_path / "call.wav"
    wav.write_bytes(r.content)
    stats = sox_stat(wav)
    # chime, then Mandarin and English, twice (announce_repeat = 2): several seconds of speech
    assert 6 <= stats["Length (seconds)"] <= 45, stats
    assert abs(stats["Length (seconds)"] - ev["duration_s"]) < 0.05
    assert stats["RMS amplitude"] > 0.02, stats
    assert stats["Maximum amplitude"] > 0.2, stats

    # a recall is another announcement, another WAV
    h.post(f"/api/v1/tickets/{called['id']}/recall", "w3")
    again = screen.wait_for(lambda m: m["type"] == "announce" and m["recall"], timeout=60)
    assert again["audio"] != ev["audio"] and again["duration_s"] > ev["duration_s"] - 1
