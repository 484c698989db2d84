"""How good the kiosk's estimated wait is over simulated full days (issue 4):
five seeds at three loads, through the real hall service
(onewindow.server.simulate). Error = estimate at issue - actual wait.

    .venv/bin/python bench/estimate_bench.py

Writes bench/results/estimate.json and prints a table (minutes)."""
from __future__ import annotations

import asyncio
import json
import logging
import statistics
import tempfile
from pathlib import Path

from onewindow.server.config import load_config
from onewindow.server.simulate import simulate_day

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    logging.disable(logging.WARNING)
    config = load_config(None)
    rows = []
    for peak in (30, 34, 38):
        runs = []
        for seed in range(1, 6):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(asyncio.run(simulate_day(config, Path(tmp), seed=seed, peak_per_hour=peak)).summary())
        row = {"peak_per_hour": peak, "tickets": sum(r["tickets"] for r in runs)}
        for k in ("mean_wait_min", "mae_min", "median_abs_error_min", "p90_abs_error_min", "bias_min", "flat_mae_min"):
            row[k] = round(statistics.fmean(r[k] for r in runs), 1)
        rows.append(row)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "estimate.json").write_text(json.dumps(rows, indent=2))
    print("peak/h  tickets  mean wait  MAE  median|e|  p90|e|  bias  MAE(flat mean)")
    for r in rows:
        print(f"{r['peak_per_hour']:>6} {r['tickets']:>8} {r['mean_wait_min']:>10} {r['mae_min']:>4} "
              f"{r['median_abs_error_min']:>9} {r['p90_abs_error_min']:>7} {r['bias_min']:>5} {r['flat_mae_min']:>10}")


if __name__ == "__main__":
    main()
