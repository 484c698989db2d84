import io
import subprocess
import wave

import pytest

from onewindow.display.wav import RATE, chime_wav, concat_wav, duration_s, tone_wav


def test_chime_is_a_falling_two_tone(tmp_path, sox_stat):
    path = tmp_path / "chime.wav"
    path.write_bytes(chime_wav())
    assert duration_s(path) == pytest.approx(1.5, abs=0.01)
    assert sox_stat(path)["RMS amplitude"] > 0.05
    # sox's rough frequency of each half: ding (E5) higher than dong (C5).
    ding, dong = tmp_path / "ding.wav", tmp_path / "dong.wav"
    subprocess.run(["sox", str(path), str(ding), "trim", "0", "0.5"], check=True)
    subprocess.run(["sox", str(path), str(dong), "trim", "0.7", "0.5"], check=True)
    assert sox_stat(ding)["Rough frequency"] > sox_stat(dong)["Rough frequency"] * 1.1


def test_tones_are_deterministic():
    assert tone_wav([440], 0.2) == tone_wav([440], 0.2)
    assert tone_wav([440], 0.2) != tone_wav([441], 0.2)


def test_concat_adds_lengths_and_gaps():
    joined = concat_wav([tone_wav([440], 0.5), tone_wav([550], 0.25)], gap_s=0.1)
    assert duration_s(joined) == pytest.approx(0.85, abs=1 / RATE)


def test_other_sample_rates_are_resampled_with_sox():
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(bytes(4 * 16_000))  # one second of stereo silence
    joined = concat_wav([out.getvalue(), tone_wav([440], 1.0)])
    with wave.open(io.BytesIO(joined)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
    assert duration_s(joined) == pytest.approx(2.0, abs=0.01)
