import io
import os
import signal
import threading
import wave

import pytest

from onewindow.display import (
    EspeakEngine,
    FakeSpeechEngine,
    Pyttsx3Engine,
    SpeechError,
    SpeechUnavailable,
    espeak,
    open_engine,
)

ZH = "请 A 零 一 二 号到 三 号窗口办理"


def wav_info(data: bytes) -> tuple[int, int, int, float]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes() / w.getframerate()


def test_fake_engine_is_deterministic_and_records_calls():
    engine = FakeSpeechEngine()
    first = engine.synthesize("请 A 一", "cmn-latn-pinyin")
    assert first == engine.synthesize("请 A 一", "cmn-latn-pinyin")
    assert first != engine.synthesize("请 A 二", "cmn-latn-pinyin")
    assert [c[:2] for c in engine.calls] == [("请 A 一", "cmn-latn-pinyin")] * 2 + [
        ("请 A 二", "cmn-latn-pinyin")]
    assert {c[2] for c in engine.calls} == {threading.get_ident()}
    with pytest.raises(ValueError):
        engine.synthesize(" ", "en-us")


def test_missing_espeak_is_reported_once_at_start(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no espeak-ng
    with pytest.raises(SpeechUnavailable, match="espeak-ng is not installed"):
        open_engine()


def test_misspelt_voice_is_reported(phonemes):
    # espeak-ng itself would quietly fall back to the plain cmn voice.
    assert "(en)" in phonemes("请", "cmn-latn-pinyn")
    with pytest.raises(SpeechUnavailable, match="cmn-latn-pinyn"):
        open_engine(["cmn-latn-pinyn", "en-us"])


def test_open_engine_prefers_pyttsx3_and_falls_back_to_the_command(monkeypatch):
    engine = open_engine()
    try:
        assert isinstance(engine, Pyttsx3Engine)
    finally:
        engine.close()

    def broken(self, text, voice):
        raise SpeechError("simulated pyttsx3 failure")

    monkeypatch.setattr(Pyttsx3Engine, "synthesize", broken)
    assert isinstance(open_engine(), EspeakEngine)


@pytest.mark.parametrize("engine_class", [EspeakEngine, Pyttsx3Engine])
def test_real_engines_speak_mandarin_and_english(engine_class, tmp_path, sox_stat):
    engine = engine_class()
    try:
        for text, voice in [(ZH, "cmn-latn-pinyin"), ("Number A, zero, one, two", "en-us")]:
            data = engine.synthesize(text, voice)
            rate, channels, width, seconds = wav_info(data)
            assert (rate, channels, width) == (22_050, 1, 2)
            assert 1.5 < seconds < 8
            path = tmp_path / "s.wav"
            path.write_bytes(data)
            assert sox_stat(path)["RMS amplitude"] > 0.02
        with pytest.raises(SpeechError):
            engine.synthesize("hello", "nosuchvoice")
        with pytest.raises(ValueError):
            engine.synthesize("", "en-us")
    finally:
        engine.close()


def test_pyttsx3_and_the_command_give_the_same_length():
    # A cut-off or mixed-up WAV from the pyttsx3 child would differ; the long
    # text takes espeak ~0.15 s, longer than pyttsx3's own polling interval.
    long_zh = "，".join([ZH] * 12)
    cli, child = EspeakEngine(), Pyttsx3Engine()
    try:
        for text in (ZH, long_zh, ZH):
            expected = wav_info(cli.synthesize(text, "cmn-latn-pinyin"))[3]
            assert wav_info(child.synthesize(text, "cmn-latn-pinyin"))[3] == pytest.approx(
                expected, rel=0.02)
    finally:
        child.close()


def test_pyttsx3_process_is_restarted_after_a_crash():
    engine = Pyttsx3Engine()
    try:
        engine.synthesize("一", "cmn-latn-pinyin")
        first = engine.pid
        os.kill(first, signal.SIGKILL)
        # The next call may see the corpse mid-job or find it dead; either way
        # it must not hang, and the call after gets a fresh process.
        try:
            engine.synthesize("二", "cmn-latn-pinyin")
        except SpeechError:
            pass
        assert wav_info(engine.synthesize("三", "cmn-latn-pinyin"))[3] > 0.2
        assert engine.pid not in (None, first)
    finally:
        engine.close()
    assert engine.pid is None


def test_pyttsx3_hang_is_cut_off(monkeypatch):
    # A child that never answers stands in for a hung pyttsx3.
    monkeypatch.setattr(espeak, "_serve", _never_answers)
    engine = Pyttsx3Engine(start_timeout_s=0.5)
    with pytest.raises(SpeechError, match="no answer"):
        engine.synthesize("一", "cmn-latn-pinyin")
    assert engine.pid is None  # the stuck child was killed


def _never_answers(conn, rate):
    import time
    time.sleep(60)  # the hang under test (in the child, which the engine kills after 0.5 s)
