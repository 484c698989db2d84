"""How good the kiosk's estimated wait is: a simulated busy morning through the
real hall service (onewindow.server.simulate), every estimate against the wait
that followed."""
from __future__ import annotations

import statistics

import pytest

from onewindow.server.simulate import simulate_day


@pytest.mark.parametrize("seed", [3, 11])
async def test_estimates_track_the_real_waits(tmp_path, demo_config, seed):
    day = await simulate_day(demo_config(), tmp_path, seed=seed, hours=4, peak_per_hour=36)
    s = day.summary()
    assert s["served"] == s["tickets"] > 80
    assert s["mean_wait_min"] > 3, "the simulated morning must make people wait, or it tests nothing"
    # Far better than telling everyone the day's mean wait, and not lopsided.
    assert s["mae_min"] < 0.6 * s["flat_mae_min"], s
    assert abs(s["bias_min"]) < 0.35 * s["mean_wait_min"], s
    # The estimate grows with the people ahead, as the waits did.
    waits = [(x.ahead, x.wait_s) for x in day.samples]
    long_queue = [w for a, w in waits if a >= 6]
    short_queue = [w for a, w in waits if a <= 1]
    assert long_queue and short_queue
    assert statistics.fmean(long_queue) > statistics.fmean(short_queue)
