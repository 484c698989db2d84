"""Benchmark of the voice (issue 12, point 9): ten calls made within one
second, and the time until the last of them has been announced (its
announcement played to the end), in one zone of the demo hall.

    .venv/bin/python bench/voice_bench.py [--speech auto|espeak|fake] [--no-live]

1. Schedules: each policy is run through the zone's voice channel
   (onewindow.display.schedule) on a simulated clock, every announcement
   rendered by the real voice (espeak-ng where installed, else the fake) and
   timed by the length of the WAV it produced. "before" is the old schedule:
   each call on its own, chime + Mandarin + English twice, screens skipping
   what would start over 60 s late.
2. Live (default policy): the server's Announcer with a hub, the ten calls
   published 0.1 s apart in real time; each `announce` event is stamped when
   published, and the last one's end is its stamp + its WAV's length. Takes
   about as long as the figure (~45 s).

Writes bench/results/voice.json and prints the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from onewindow.display import (
    DEFAULT_CONFIG,
    AnnouncementService,
    Call,
    FakeSpeechEngine,
    SpeechUnavailable,
    VoiceChannel,
    VoicePolicy,
    open_engine,
)
from onewindow.server.config import load_config
from onewindow.server.live.hub import Hub
from onewindow.server.services.announcer import Announcer

ROOT = Path(__file__).resolve().parent.parent
N_CALLS, SPREAD_S, SCREEN_STALE_S = 10, 1.0, 60.0
POLICIES = {
    "default (English calm, batch 4, repeat 2)": VoicePolicy(),
    "English always": VoicePolicy(english="always"),
    "English never": VoicePolicy(english="never"),
    "no batching (batch 1)": VoicePolicy(batch=1),
}


def burst() -> list[tuple[float, Call]]:
    """Ten calls within a second to the six windows of the demo hall's zone."""
    return [(i * SPREAD_S / N_CALLS, Call(f"{'ABF'[i % 3]}{i + 1:03d}", str(i % 6 + 1))) for i in range(N_CALLS)]


async def simulate(svc: AnnouncementService, policy: VoicePolicy) -> dict:
    """The channel on a simulated clock; every plan rendered for its real length."""
    ch = VoiceChannel(policy, tuple(DEFAULT_CONFIG.templates))
    arrivals = burst()
    now, said = 0.0, []
    while True:
        while arrivals and arrivals[0][0] <= now:
            ch.add(arrivals.pop(0)[1], now)
        due = ch.due()
        nxt = min((t for t in (due, arrivals[0][0] if arrivals else None) if t is not None), default=None)
        if nxt is None:
            break
        now = max(now, nxt)
        while arrivals and arrivals[0][0] <= now:
            ch.add(arrivals.pop(0)[1], now)
        plan = ch.take(now)
        if plan is None:
            continue
        audio = await svc.render(plan)
        ch.started(audio.duration_s, now)
        said.append({"start": round(now, 2), "end": round(now + audio.duration_s, 2), "round": plan.round,
                     "langs": list(plan.langs), "tickets": [c.ticket for c in plan.calls]})
    firsts = [s for s in said if s["round"] == 1]
    order = [t for s in firsts for t in s["tickets"]]
    return {"announcements": said, "in_order": order == [c.ticket for _, c in burst()],
            "last_announced_s": max(s["end"] for s in firsts)}


async def before(svc: AnnouncementService) -> dict:
    """The old schedule: one WAV per call (chime, zh + en, twice), played one after another;
    screens skip an announcement that would start over 60 s after it was published."""
    t, heard, lengths = 0.0, 0, []
    for at, call in burst():
        audio = await svc.render(call)  # speech_parts(call): the old announcement, repeat 2
        lengths.append(audio.duration_s)
        t = max(t, at)
        if t - at <= SCREEN_STALE_S:
            heard += 1
            t += audio.duration_s
    return {"one_call_s": round(lengths[0], 2), "all_ten_s": round(sum(lengths) + burst()[0][0], 1),
            "heard_of_10": heard}


async def live(speech: str, data_dir: Path) -> dict:
    """The server's Announcer in real time: ten calls published 0.1 s apart."""
    config = load_config()
    hall = config.halls[0]
    windows = [w.id for w in hall.windows if w.zone == hall.windows[0].zone][:6]
    hub = Hub()
    await hub.start()
    ann = Announcer(speech, data_dir, config, hub)
    await ann.start()
    stamps: list[tuple[float, dict]] = []

    def note(e) -> bool:
        if e.type == "announce":
            stamps.append((time.monotonic(), e.data))
        return False

    hub.subscribe(hall.id, note)
    try:
        t0 = time.monotonic()
        tickets = []
        for i in range(N_CALLS):
            ticket = f"{'ABF'[i % 3]}{i + 1:03d}"
            tickets.append(ticket)
            hub.publish(hall.id, "call", {"ticket": ticket, "window": windows[i % len(windows)]})
            await asyncio.sleep(SPREAD_S / N_CALLS)
        covered: list[str] = []
        while len(covered) < N_CALLS:
            await asyncio.sleep(0.05)
            covered = [c["ticket"] for _, d in stamps if d["round"] == 1 for c in d["calls"]]
            if time.monotonic() - t0 > 300:
                break
        firsts = [(t, d) for t, d in stamps if d["round"] == 1]
        last_t, last = firsts[-1]
        return {"speech": ann.service.engine.name if ann.service and ann.service.engine else "chime only",
                "in_order": covered == tickets,
                "announcements": [{"published_s": round(t - t0, 2), "duration_s": d["duration_s"],
                                   "tickets": [c["ticket"] for c in d["calls"]]} for t, d in firsts],
                "last_announced_s": round(last_t + last["duration_s"] - t0, 1)}
    finally:
        await ann.stop()
        await hub.stop()


def engine_for(speech: str):
    if speech == "fake":
        return FakeSpeechEngine()
    try:
        return open_engine(tuple(DEFAULT_CONFIG.voices.values()), use_pyttsx3=speech == "auto")
    except SpeechUnavailable as exc:
        print(f"no real voice ({exc}); durations from the fake voice (tones), not speech", file=sys.stderr)
        return FakeSpeechEngine()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--speech", default="auto", choices=["auto", "espeak", "fake"])
    ap.add_argument("--no-live", action="store_true", help="skip the real-time run through the Announcer")
    args = ap.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="onewindow-voice-bench-") as tmp:
        engine = engine_for(args.speech)
        speech = "fake" if isinstance(engine, FakeSpeechEngine) else args.speech
        svc = AnnouncementService(Path(tmp, "audio"), engine, DEFAULT_CONFIG)
        try:
            results["voice"] = engine.name
            results["before"] = await before(svc)
            results["schedules"] = {name: await simulate(svc, p) for name, p in POLICIES.items()}
        finally:
            await svc.aclose()
        if not args.no_live:
            results["live"] = await live(speech, Path(tmp, "live"))

    b = results["before"]
    print(f"voice: {results['voice']}; {N_CALLS} calls within {SPREAD_S:g} s, one zone")
    print(f"before: one call = {b['one_call_s']} s (chime, zh + en, twice); all ten one after another "
          f"{b['all_ten_s']} s; the screens heard {b['heard_of_10']} of 10")
    print(f"{'schedule':44} {'last announced':>15} {'in order':>9}  announcements (numbers each)")
    for name, r in results["schedules"].items():
        sizes = [len(a["tickets"]) for a in r["announcements"] if a["round"] == 1]
        print(f"{name:44} {r['last_announced_s']:>13.1f} s {r['in_order']!s:>9}  {sizes}")
    if "live" in results:
        r = results["live"]
        print(f"live, the server's Announcer ({r['speech']}): last of {N_CALLS} announced after "
              f"{r['last_announced_s']} s, in order: {r['in_order']}")
        for a in r["announcements"]:
            print(f"  at {a['published_s']:6.2f} s for {a['duration_s']:5.2f} s: {' '.join(a['tickets'])}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "voice.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if shutil.which("espeak-ng") is None:
        print("(espeak-ng is not installed: the figures are the fake voice's, not speech)")


if __name__ == "__main__":
    asyncio.run(main())
