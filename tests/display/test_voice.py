import asyncio
import threading

import pytest
from support.wait import wait_until_async

from onewindow.display import (
    AnnouncementService,
    Call,
    FakeSpeechEngine,
    SpeechError,
    SpeechUnavailable,
    open_engine,
    speech_parts,
)
from onewindow.display.wav import chime_wav, duration_s

CHIME_S = duration_s(chime_wav())
GAP_S = 0.3


@pytest.fixture
def fake():
    return FakeSpeechEngine()


@pytest.fixture
async def service(tmp_path, fake):
    svc = AnnouncementService(tmp_path / "audio", fake)
    yield svc
    await svc.aclose()


def expected_length(call):
    parts = speech_parts(call)[1:]
    spoken = sum(duration_s(FakeSpeechEngine().synthesize(p.text, p.voice)) for p in parts)
    return CHIME_S + spoken + GAP_S * len(parts)


async def test_render_writes_one_wav_with_every_part(service, fake):
    call = Call("A012", "3")
    audio = await service.render(call)
    assert audio.spoken
    assert audio.path.is_file() and audio.path.parent == service.cache_dir
    assert service.path_for(audio.url_key) == audio.path
    assert audio.duration_s == pytest.approx(duration_s(audio.path))
    assert audio.duration_s == pytest.approx(expected_length(call), abs=0.01)
    # zh and en once each: the repeat reuses the segments.
    zh, en = speech_parts(call)[1:3]
    assert [c[:2] for c in fake.calls] == [(zh.text, zh.voice), (en.text, en.voice)]


async def test_cache_hit_returns_the_same_file_without_synthesis(service, fake):
    first = await service.render(Call("A012", "3"))
    inode, calls = first.path.stat().st_ino, len(fake.calls)
    again = await service.render(Call("A012", "3"))
    assert again == first
    assert len(fake.calls) == calls
    assert again.path.stat().st_ino == inode  # not even rewritten


async def test_segments_are_cached_per_text(service, fake):
    first = await service.render(Call("A012", "3"))
    first.path.unlink()
    calls = len(fake.calls)
    again = await service.render(Call("A012", "3"))
    assert len(fake.calls) == calls
    assert again.path.read_bytes() and again.url_key == first.url_key
    # A new ticket at the same window needs new speech.
    await service.render(Call("A013", "3"))
    assert len(fake.calls) == calls + 2


async def test_recall_is_a_different_announcement(service):
    first = await service.render(Call("A012", "3"))
    recall = await service.render(Call("A012", "3", recall=True))
    assert recall.url_key != first.url_key


async def test_synthesis_never_runs_on_the_event_loop_thread(service, fake):
    loop_thread = threading.get_ident()
    await service.render(Call("A001", "1"))
    await service.render(Call("A002", "2"))
    threads = {c[2] for c in fake.calls}
    assert len(threads) == 1 and loop_thread not in threads


async def test_slow_synthesis_does_not_block_the_loop(tmp_path):
    """Synthesis is held in the engine until this test, on the loop, lets it go: were it run
    on the loop, nobody could, and the engine would give up waiting."""
    entered, gate = threading.Event(), threading.Event()
    released: list[bool] = []

    class HeldEngine(FakeSpeechEngine):
        def synthesize(self, text: str, voice: str) -> bytes:
            entered.set()
            released.append(gate.wait(10))  # False: the loop stood still for 10 s
            return super().synthesize(text, voice)

    service = AnnouncementService(tmp_path, HeldEngine())
    render = asyncio.create_task(service.render(Call("A001", "1")))
    await wait_until_async(entered.is_set, what="synthesis under way")
    assert not render.done()  # the loop runs this test while synthesis is held
    gate.set()
    await render
    await service.aclose()
    assert released and all(released)


async def test_burst_of_ten_is_rendered_completely_and_in_order(tmp_path):
    engine = FakeSpeechEngine(delay_s=0.02)  # raises if two jobs overlap
    service = AnnouncementService(tmp_path, engine)
    calls = [Call(f"B{i:03}", str(i % 4 + 1)) for i in range(10)]
    finished = []
    tasks = [asyncio.create_task(service.render(c)) for c in calls]
    for i, t in enumerate(tasks):
        t.add_done_callback(lambda _, i=i: finished.append(i))
    results = await asyncio.gather(*tasks)
    await service.aclose()
    assert finished == list(range(10))
    assert len({r.url_key for r in results}) == 10
    assert all(r.path.is_file() and r.spoken for r in results)
    zh_texts = [c[0] for c in engine.calls if c[1] == "cmn-latn-pinyin"]
    assert zh_texts == [speech_parts(c)[1].text for c in calls]


async def test_missing_espeak_falls_back_to_chime(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechUnavailable):
        open_engine()
    service = AnnouncementService(tmp_path / "audio", None)
    audio = await service.render(Call("A012", "3"))
    await service.aclose()
    assert not service.speech_available
    assert not audio.spoken
    assert audio.duration_s == pytest.approx(CHIME_S, abs=0.01)


class FlakyEngine(FakeSpeechEngine):
    def __init__(self):
        super().__init__()
        self.broken = True

    def synthesize(self, text, voice):
        if self.broken:
            raise SpeechError("device busy")
        return super().synthesize(text, voice)


async def test_failed_synthesis_gives_chime_and_is_not_cached(tmp_path, caplog):
    engine = FlakyEngine()
    service = AnnouncementService(tmp_path, engine)
    failed = await service.render(Call("A012", "3"))
    assert not failed.spoken
    assert "chime only" in caplog.text
    engine.broken = False
    retried = await service.render(Call("A012", "3"))
    await service.aclose()
    assert retried.spoken and retried.url_key != failed.url_key


async def test_unreadable_ticket_gets_the_chime(service, fake):
    audio = await service.render(Call("--", "3"))
    assert not audio.spoken and fake.calls == []


@pytest.mark.parametrize("key", ["../secret", "0" * 31, "0" * 33, "A" * 32, "0" * 32, ""])
async def test_path_for_refuses_unknown_and_malformed_keys(service, key):
    secret = service.cache_dir.parent / "secret.wav"  # a WAV outside the cache
    secret.write_bytes(chime_wav())
    (service.cache_dir / ("A" * 32 + ".wav")).write_bytes(chime_wav())
    assert service.path_for(key) is None


async def test_cache_keeps_only_the_newest_entries(tmp_path):
    service = AnnouncementService(tmp_path, FakeSpeechEngine(), cache_entries=3)
    results = [await service.render(Call(f"C{i:03}", "1")) for i in range(6)]
    await service.aclose()
    assert sorted(tmp_path.glob("*.wav")) == sorted(r.path for r in results[-3:])
    assert len(list((tmp_path / "segments").glob("*.wav"))) == 3
    assert service.path_for(results[0].url_key) is None


async def test_a_larger_cache_is_pruned_every_few_writes_never_far_past_its_size(tmp_path):
    service = AnnouncementService(tmp_path, FakeSpeechEngine(), cache_entries=20)  # pruned every 2nd write
    results = [await service.render(Call(f"C{i:03}", "1")) for i in range(31)]
    await service.aclose()
    kept = set(tmp_path.glob("*.wav"))
    assert 20 <= len(kept) <= 22
    assert {r.path for r in results[-20:]} <= kept  # the newest are always there
    assert results[0].path not in kept
