"""A simulated service day through the real hall service, to measure how good
the kiosk's estimated wait is: every ticket's estimate at issue against the
wait it then had (issue to first call).

Visitors arrive by a Poisson process whose rate follows a hall day (a morning
peak, a lunch lull); clerks at every window call the next ticket as soon as
they are free; service times are log-normal around a true mean per category
that differs from the configured guess, as real halls do. The database, the
ordering rules, the rate refresh every 30 s: all are the product's own.

    .venv/bin/python -m onewindow.server.simulate [--seed 7] [--hours 8]
"""
from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import math
import random
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from onewindow.server.config import Config, load_config
from onewindow.server.runtime import Runtime
from onewindow.server.services.auth import User
from onewindow.server.settings import Settings

# Share of visitors per category, and how far the true service time is from
# the configured guess (the estimate must learn it from the logs).
MIX = {"eia": 0.22, "permit": 0.15, "acceptance": 0.10, "hazwaste": 0.15, "complaint": 0.05,
       "consult": 0.23, "assist": 0.10}
TRUTH_FACTOR = {"eia": 1.4, "permit": 0.8, "acceptance": 1.1, "hazwaste": 0.7, "complaint": 1.3,
                "consult": 0.6, "assist": 1.0}


def arrivals_per_hour(hour: float, peak: float) -> float:
    """A hall's day: a morning rush, a lunch lull, a smaller afternoon wave."""
    if 11.5 <= hour < 13.5:
        return peak * 0.3
    if 9 <= hour < 11:
        return peak
    return peak * 0.6


class SimClock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class Sample:
    number: str
    category: str
    ahead: int
    estimate_s: int
    wait_s: float | None = None


@dataclass
class DayResult:
    samples: list[Sample] = field(default_factory=list)

    def errors(self) -> list[float]:
        return [s.estimate_s - s.wait_s for s in self.samples if s.wait_s is not None]

    def summary(self) -> dict:
        errs = self.errors()
        waits = [s.wait_s for s in self.samples if s.wait_s is not None]
        absolute = sorted(abs(e) for e in errs)
        mean_wait = statistics.fmean(waits)
        # The estimate a hall without logs could give: everyone told the day's mean wait.
        flat = statistics.fmean(abs(w - mean_wait) for w in waits)
        return {
            "tickets": len(self.samples), "served": len(errs),
            "mean_wait_min": round(mean_wait / 60, 1),
            "mae_min": round(statistics.fmean(absolute) / 60, 1),
            "median_abs_error_min": round(statistics.median(absolute) / 60, 1),
            "p90_abs_error_min": round(absolute[int(0.9 * (len(absolute) - 1))] / 60, 1),
            "bias_min": round(statistics.fmean(errs) / 60, 1),
            "flat_mae_min": round(flat / 60, 1),
        }


async def simulate_day(config: Config, data_dir: Path, *, seed: int = 7, hours: float = 8.0,
                       peak_per_hour: float = 70.0, day: str = "2026-11-24") -> DayResult:
    rng = random.Random(seed)
    hall = config.halls[0]
    start = datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=hall.tz).timestamp()
    clock = SimClock(start)
    rt = Runtime(Settings(data_dir=data_dir, admin_password="simulate-only", speech="off", printer="none",
                          clock=clock), config)
    await rt.start()
    try:
        return await _run(rt, hall, clock, rng, start, hours, peak_per_hour)
    finally:
        await rt.stop()


async def _run(rt: Runtime, hall, clock: SimClock, rng: random.Random, start: float, hours: float,
               peak: float) -> DayResult:
    svc = rt.halls[hall.id]
    truth = {c.code: c.default_service_min * 60 * TRUTH_FACTOR.get(c.code, 1.0) for c in hall.categories}
    cats, weights = zip(*[(c, w) for c, w in MIX.items() if hall.category(c)], strict=False)
    clerks = {w.id: User(0, w.a_clerk, "clerk", w.a_clerk) for w in hall.windows if w.a_clerk}
    for wid, user in clerks.items():
        await svc.sign_in(user, wid)

    # (time, order, kind, payload): arrivals, windows becoming free, rate refreshes
    agenda: list[tuple[float, int, str, Any]] = []
    order = 0

    def at(t: float, kind: str, payload: Any = None) -> None:
        nonlocal order
        order += 1
        heapq.heappush(agenda, (t, order, kind, payload))

    t, end = start, start + hours * 3600
    while True:  # thinning keeps the varying rate exact
        t += rng.expovariate(peak / 3600)
        if t >= end:
            break
        hour = datetime.fromtimestamp(t, hall.tz)
        if rng.random() < arrivals_per_hour(hour.hour + hour.minute / 60, peak) / peak:
            at(t, "arrive", rng.choices(cats, weights)[0])
    for s in range(0, int(hours * 3600) + 4 * 3600, 30):
        at(start + s, "refresh")
    idle = set(clerks)
    result = DayResult()
    by_id: dict[int, Sample] = {}

    async def call(wid: str) -> None:
        ticket = await svc.next(clerks[wid], wid)
        if ticket is None:
            idle.add(wid)
            return
        idle.discard(wid)
        by_id[ticket["id"]].wait_s = ticket["wait_s"]
        walk = rng.uniform(20, 60)
        mean = truth[ticket["category"]]
        service = rng.lognormvariate(math.log(mean) - 0.125, 0.5)  # sigma 0.5, mean kept
        at(clock.now + walk, "start", (wid, ticket))
        at(clock.now + walk + service, "done", (wid, ticket))

    while agenda:
        t, _, kind, payload = heapq.heappop(agenda)
        clock.now = t
        if kind == "arrive":
            tk = await svc.issue(payload, "normal", "zh")
            by_id[tk["id"]] = Sample(tk["number"], payload, tk["ahead"], tk["estimated_wait_s"])
            result.samples.append(by_id[tk["id"]])
            for wid in sorted(idle):
                await call(wid)
                break
        elif kind == "start":
            wid, ticket = payload
            await svc.ticket_action(clerks[wid], ticket, "start")
        elif kind == "done":
            wid, ticket = payload
            ticket = await svc.load_ticket(ticket["id"])
            await svc.ticket_action(clerks[wid], ticket, "complete", outcome="done")
            await call(wid)
        elif kind == "refresh":
            if t > end and not any(k != "refresh" for _, _, k, _ in agenda):
                break
            await svc.refresh_rates()
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--peak", type=float, default=70.0, help="arrivals per hour at the morning peak")
    ap.add_argument("--config", type=Path, default=None)
    args = ap.parse_args(argv)
    config = load_config(args.config)
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(simulate_day(config, Path(tmp), seed=args.seed, hours=args.hours,
                                          peak_per_hour=args.peak))
    print(json.dumps(result.summary(), indent=2))


if __name__ == "__main__":
    main()
