"""Benchmark of the hall core (issue 2): issue tickets and call next over
HTTP, one uvicorn worker (uvloop + httptools), SQLite, at 16 and 64
connections; the same load against bench/bare_app.py (stdlib sqlite3) as
the ceiling; then PostgreSQL with 1, 2 and 4 workers beside bench/bare_pg_app.py,
with duplicate and double-call checks.

Rounds of: the paired kiosk issues a batch of tickets, then the windows call as
many, each window by the clerk signed in there (until 2026-12-03 a manager
called at windows nobody had signed in to, which no hall does: every call then
also put a "covering" card on the screens and read the clerks' names for it).

    .venv/bin/python bench/hall_bench.py [--rounds 30] [--reps 3] [--skip-pg] [--skip-sqlite]
        [--pg-rounds 5] [--pg-workers 1 2 4]

Writes bench/results/hall.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADMIN = "bench-Ledger-4417"
STAFF_PASSWORD = "Hall-desk-7781"
CATS = ["eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"]
WINDOWS = ["w1", "w2", "w3", "w4", "w5", "w6"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + path, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server did not come up")


def start(app: str, port: int, env: dict, workers: int = 1, factory: bool = True) -> subprocess.Popen:
    cmd = [PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
           "--http", "httptools", "--log-level", "warning", "--workers", str(workers), "--no-access-log"]
    if factory:
        cmd.append("--factory")
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def load(url: str, ops: list[list[str]], conns: int, batch: int, rounds: int, bodies: bool = False) -> dict:
    cmd = [PY, str(ROOT / "bench" / "loadgen.py"), "--url", url, "--connections", str(conns),
           "--batch", str(batch), "--rounds", str(rounds)]
    for op in ops:
        cmd += ["--op", *op]
    if bodies:
        cmd.append("--bodies")
    with tempfile.TemporaryDirectory() as d:
        # The figures through a file of the load generator's own, not its stdout pipe (see loadgen.py).
        out = Path(d) / "load.json"
        subprocess.run([*cmd, "--out", str(out)], check=True)
        return json.loads(out.read_text(encoding="ascii"))


def hall_ops(clerks: list[str] | None = None, device: str | None = None) -> list[list[str]]:
    """Issue as the hall's paired kiosk (`device`: its token); call at each window as the clerk
    signed in there (`clerks`: their tokens, window by window), as in a hall. The bare apps
    take neither."""
    nexts = ",".join(f"/api/v1/halls/eco/windows/{w}/next" + (f"|Authorization: Bearer {clerks[i]}" if clerks else "")
                     for i, w in enumerate(WINDOWS))
    kiosk = [f"X-Device-Token: {device}"] if device else []
    return [["issue", "POST", "/api/v1/halls/eco/tickets", json.dumps({"category": "eia"}), *kiosk],
            ["next", "POST", nexts, ""]]


def api(url: str, path: str, body: dict | None = None, token: str | None = None, method: str = "POST") -> dict:
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body or {}).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def login(url: str, username: str) -> str:
    return api(url, "/api/v1/auth/login", {"username": username, "password": STAFF_PASSWORD})["token"]


def staff(url: str) -> list[list[str]]:
    """The hall's morning: a manager gives each window its A post and pairs the kiosk; each
    clerk signs in at their window. The ops to run (hall_ops)."""
    admin = api(url, "/api/v1/auth/login", {"username": "admin", "password": ADMIN})["token"]
    api(url, "/api/v1/users", {"username": "bench", "password": STAFF_PASSWORD, "role": "manager"}, admin)
    manager = login(url, "bench")
    clerks = []
    for w in WINDOWS:
        name = f"clerk-{w}"
        api(url, "/api/v1/users", {"username": name, "password": STAFF_PASSWORD, "role": "clerk"}, admin)
        api(url, f"/api/v1/halls/eco/windows/{w}/posts", {"a_clerk": name}, manager, method="PUT")
        clerks.append(login(url, name))
        api(url, f"/api/v1/halls/eco/windows/{w}/sign-in", {}, clerks[-1])
    return hall_ops(clerks, kiosk_token(url, manager))


def kiosk_token(url: str, manager: str) -> str:
    """Pair a kiosk as a manager does (a one-time code, exchanged once): its device token."""
    code = api(url, "/api/v1/halls/eco/devices/pairing-codes", {"kind": "kiosk", "name": "bench kiosk"}, manager)
    return api(url, "/api/v1/devices/pair", {"code": code["code"]})["device_token"]


def bench_sqlite(batch: int, rounds: int, reps: int) -> dict:
    """Ours and the bare app in turn, `reps` times, so a machine whose speed
    drifts (shared cores) shifts both alike; the medians are reported."""
    out: dict = {}
    for conns in (16, 64):
        runs: dict[str, list] = {"onewindow": [], "bare": []}
        for _ in range(reps):
            runs["onewindow"].append(_run_ours(conns, batch, rounds))
            runs["bare"].append(_run_bare(conns, batch, rounds))
        for app, results in runs.items():
            out[f"{app}_{conns}"] = {op: _median_run([r[op] for r in results]) for op in results[0]}
        out[f"ratios_{conns}"] = {
            op: [round(o[op]["rate"] / b[op]["rate"], 3) for o, b in zip(runs["onewindow"], runs["bare"], strict=False)]
            for op in ("issue", "next")}
    return out


def _median_run(results: list[dict]) -> dict:
    """The run with the median rate, whole (its p50 and p99 belong to it)."""
    ranked = sorted(results, key=lambda r: r["rate"])
    return {**ranked[len(ranked) // 2], "rates": [r["rate"] for r in results]}


def _run_ours(conns: int, batch: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start("onewindow.server.app:create_app", port,
                     {"ONEWINDOW_DATA_DIR": d, "ONEWINDOW_ADMIN_PASSWORD": ADMIN})
        try:
            wait_up(url, proc)
            return load(url, staff(url), conns, batch, rounds)
        finally:
            stop(proc)


def _run_bare(conns: int, batch: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        proc = start("bench.bare_app:app", port, {"BARE_DB": f"{d}/bare.db"}, factory=False)
        try:
            _wait_port(port, proc)
            return load(f"http://127.0.0.1:{port}", hall_ops(), conns, batch, rounds)
        finally:
            stop(proc)


def _wait_port(port: int, proc) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError("bare app exited")
        time.sleep(0.1)
    raise RuntimeError("bare app did not come up")


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_CONNECTIONS = 32


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(sql)


def bench_postgres(batch: int, rounds: int, reps: int, workers_list: tuple[int, ...] = (1, 2, 4)) -> dict:
    """Ours beside the bare psycopg app (bench/bare_pg_app.py), in turn, `reps` times per number of
    workers, each on a fresh database; zero duplicate numbers and zero double calls in every run."""
    template = f"ow_bench_tpl_{secrets.token_hex(4)}"
    _pg_admin(f'CREATE DATABASE "{template}"')
    out: dict = {}
    try:
        # Migrated once; each run of ours gets a copy (before the workers race to migrate).
        subprocess.run([PY, "-c", "from onewindow.server.store.migrate import upgrade; "
                        f"upgrade('postgresql+psycopg://postgres@127.0.0.1:5432/{template}')"], check=True, cwd=ROOT)
        for workers in workers_list:
            runs: dict[str, list] = {"onewindow": [], "bare": []}
            for _ in range(reps):
                runs["onewindow"].append(_run_pg("ours", template, workers, batch, rounds))
                runs["bare"].append(_run_pg("bare", template, workers, batch, rounds))
            res: dict = {app: {op: _median_run([r[op] for r in results]) for op in ("issue", "next")}
                         for app, results in runs.items()}
            res["ratios"] = {op: [round(o[op]["rate"] / b[op]["rate"], 3)
                                  for o, b in zip(runs["onewindow"], runs["bare"], strict=True)]
                             for op in ("issue", "next")}
            res["checks"] = {app: [r["check"] for r in results] for app, results in runs.items()}
            out[f"workers_{workers}"] = res
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    return out


def _run_pg(app: str, template: str, workers: int, batch: int, rounds: int) -> dict:
    name = f"ow_bench_{secrets.token_hex(4)}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if app == "ours" else ""))
    plain = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        with tempfile.TemporaryDirectory() as d:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            if app == "ours":
                proc = start("onewindow.server.app:create_app", port,
                             {"ONEWINDOW_DATA_DIR": d, "ONEWINDOW_ADMIN_PASSWORD": ADMIN,
                              "ONEWINDOW_DATABASE_URL": plain.replace("postgresql:", "postgresql+psycopg:")},
                             workers=workers)
            else:
                subprocess.run([PY, "-c", f"from bench.bare_pg_app import setup; setup({plain!r})"], check=True,
                               cwd=ROOT)
                proc = start("bench.bare_pg_app:app", port, {"BARE_PG": plain}, workers=workers, factory=False)
            try:
                if app == "ours":
                    wait_up(url, proc)
                    ops = staff(url)
                else:
                    _wait_port(port, proc)
                    ops = hall_ops()
                # A round unmeasured, then ANALYZE, as autovacuum does within a minute of a hall's first
                # tickets: a fresh database has no statistics, and its plans are not a working hall's.
                load(url, ops, PG_CONNECTIONS, batch, 1)
                _pg_analyze(plain)
                res = load(url, ops, PG_CONNECTIONS, batch, rounds, bodies=True)
            finally:
                stop(proc)
        res["check"] = _pg_check(app, plain, res)
        return res
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute("ANALYZE")


def _pg_check(app: str, url: str, res: dict) -> dict:
    """Duplicates and double calls, from the answers and from the database itself."""
    import psycopg

    numbers = [json.loads(b)["number"] for s, b in res["issue"].pop("bodies") if s == 201]
    calls = [json.loads(b)["id"] for s, b in res["next"].pop("bodies") if s == 200]
    events = ("ticket_event WHERE type = 'call'", "ticket_id") if app == "ours" else ("event WHERE type = 'call'",
                                                                                        "ticket_id")
    with psycopg.connect(url) as c:
        twice_db = c.execute(f"SELECT count(*) FROM (SELECT {events[1]} FROM {events[0]} GROUP BY {events[1]} "
                             "HAVING count(*) > 1) x").fetchone()[0]
        dup_db = c.execute("SELECT count(*) FROM (SELECT number FROM ticket GROUP BY category, number "
                           "HAVING count(*) > 1) x").fetchone()[0]
    return {"issued": len(numbers), "duplicate_numbers": len(numbers) - len(set(numbers)) + dup_db,
            "called": len(calls), "double_calls": len(calls) - len(set(calls)) + twice_db}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=200, help="tickets issued, then called, per round")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--reps", type=int, default=3, help="runs of ours and of the bare app, in turn")
    p.add_argument("--pg-rounds", type=int, default=5, help="rounds of each PostgreSQL run")
    p.add_argument("--pg-workers", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--skip-pg", action="store_true")
    p.add_argument("--skip-sqlite", action="store_true")
    a = p.parse_args()
    results: dict = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_average": os.getloadavg()}
    if not a.skip_sqlite:
        results["sqlite"] = bench_sqlite(a.batch, a.rounds, a.reps)
    if not a.skip_pg:
        results["postgres"] = bench_postgres(a.batch, a.pg_rounds, a.reps, tuple(a.pg_workers))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "hall.json").write_text(json.dumps(results, indent=2))
    # and a dated copy, so three runs in a row are kept side by side
    (out / f"hall-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(results, indent=2))
    print(f"{'run':<16}{'op':<7}{'rate/s':>10}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for run, ops in results.get("sqlite", {}).items():
        if run.startswith("ratios"):
            continue
        for op, r in ops.items():
            print(f"{run:<16}{op:<7}{r['rate']:>10}{r['p50_ms']:>9}{r['p99_ms']:>9}"
                  f"  {r['statuses']}  runs {r['rates']}")
    for conns in (16, 64) if "sqlite" in results else ():
        for op, ratios in results["sqlite"][f"ratios_{conns}"].items():
            print(f"ratio {op} @{conns}: median {sorted(ratios)[len(ratios) // 2]:.0%} of the bare ceiling "
                  f"(runs: {', '.join(f'{r:.0%}' for r in ratios)})")
    for run, r in results.get("postgres", {}).items():
        for app in ("onewindow", "bare"):
            for op in ("issue", "next"):
                m = r[app][op]
                print(f"postgres {run:<10}{app:<10}{op:<6}{m['rate']:>9}/s p50 {m['p50_ms']:>7} ms "
                      f"p99 {m['p99_ms']:>8} ms  runs {m['rates']}  {m['statuses']}")
        for op, ratios in r["ratios"].items():
            print(f"postgres {run} {op}: median {sorted(ratios)[len(ratios) // 2]:.0%} of the bare ceiling "
                  f"(runs: {', '.join(f'{x:.0%}' for x in ratios)})")
        print(f"postgres {run} checks: {r['checks']}")


if __name__ == "__main__":
    main()
