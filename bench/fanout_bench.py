"""Fan-out at city scale (issue 17, point 5): the time from a clerk's HTTP `next` being sent
to the LAST of N sockets receiving the call, for 1,000 and 2,000 sockets on one worker and
5,000 over two workers carrying events through Redis.

    .venv/bin/python bench/fanout_bench.py [--calls 20] [--gaps 0.3] [--speech auto] [--redis URL]

The machinery is bench/display_bench.py's (servers, client processes of raw-frame sockets, the
shared CLOCK_MONOTONIC); with two workers each runs on its own port (as two hosts behind a
balancer) and holds half the sockets, the call is made on the first, and the last socket of
either counts. Targets (p99): 1,000 on one worker <= 50 ms, 2,000 <= 100 ms, 5,000 over two
<= 150 ms. The file-descriptor limit is raised for the servers and clients (up to the hard
limit). Writes bench/results/fanout.json."""
from __future__ import annotations

import argparse
import json
import sys

import display_bench as db  # bench/ is the script's folder, first on sys.path

PLAN = [(1, 1000), (1, 2000), (2, 5000)]  # (workers, sockets)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20)
    p.add_argument("--gaps", type=float, nargs="+", default=[0.3])
    p.add_argument("--speech", default="auto", choices=["auto", "espeak", "fake", "off"])
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--plan", nargs="+", default=[f"{w}x{n}" for w, n in PLAN],
                   help="runs as WORKERSxSOCKETS (default: 1x1000 1x2000 2x5000)")
    args = p.parse_args()
    plan = [tuple(int(x) for x in item.split("x")) for item in args.plan]
    results = db.run_plan(plan, args.calls, args.speech, args.gaps, args.redis)
    missed = [r for r in results["runs"] if r.get("target_met") is False]
    out = db.ROOT / "bench" / "results" / "fanout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    verdict = "all met" if not missed else f"MISSED in {len(missed)} run(s)"
    print(f"written to {out.relative_to(db.ROOT)}; targets {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
