"""The real thing: espeak-ng speaking a sample call, checked with sox."""

import asyncio
import subprocess

import pytest

from onewindow.display import AnnounceConfig, AnnouncementService, Call, open_engine
from onewindow.display.wav import chime_wav, duration_s

CHIME_S = duration_s(chime_wav())


async def test_sample_call_is_audible_speech_of_plausible_length(tmp_path, sox_stat):
    once = AnnouncementService(tmp_path / "once", open_engine(), AnnounceConfig(repeat=1))
    twice = AnnouncementService(tmp_path / "twice", open_engine())
    one = await once.render(Call("A012", "3"))
    two = await twice.render(Call("A012", "3"))
    await once.aclose()
    await twice.aclose()

    stats = sox_stat(one.path)
    # chime + "请 A 零 一 二 号到 三 号窗口办理" + "Number A, zero, one, two, ...":
    # two sentences of 3-6 s each.
    assert 7 < stats["Length (seconds)"] < 15
    assert stats["Length (seconds)"] == pytest.approx(one.duration_s, abs=0.01)
    assert stats["RMS amplitude"] > 0.03
    speech_only = tmp_path / "speech.wav"
    subprocess.run(["sox", str(one.path), str(speech_only), "trim", str(CHIME_S)], check=True)
    assert sox_stat(speech_only)["RMS amplitude"] > 0.03
    # The second round repeats the first (chime + rounds, a gap after each part).
    assert two.duration_s == pytest.approx(2 * one.duration_s - CHIME_S, abs=0.05)


async def test_real_burst_of_ten(tmp_path):
    service = AnnouncementService(tmp_path, open_engine())
    calls = [Call(f"D{i:03}", str(i + 1)) for i in range(10)]
    results = await asyncio.gather(*(service.render(c) for c in calls))
    await service.aclose()
    assert all(r.spoken and r.path.is_file() and r.duration_s > 10 for r in results)
    assert len({r.url_key for r in results}) == 10
