"""Benchmark of appointments beside ticket issuing, over HTTP to one server process.

    .venv/bin/python bench/appointments_bench.py [--n 1000] [--connections 16] [--pg URL]

A server (uvicorn, one worker, SQLite in a temporary directory unless --pg) with a
hall whose one category takes appointments all day today (a dated session: any day
works) in 5-minute slots. Three phases, each `--n` requests over `--connections`
keep-alive connections: kiosk tickets (a paired kiosk, the issuing path), bookings
(all into the next slot: every booking raises the same counter row, the worst case
for the capacity check), then checking each booking in at the kiosk (inside the
window, so each issues an appointment ticket). Prints requests/s and p50/p99 per
phase; writes bench/results/appointments.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "Bench-appointments-2026!"


def hall_toml(today: str) -> str:
    return f"""
[[halls]]
id = "b"
name = "基准大厅"
enforce_hours = false

[halls.limits]
remote_client_burst = 1000000
remote_per_client_per_hour = 100000000
remote_per_category_per_minute = 100000000

[[halls.appointments.sessions]]
date = {today}
start = "00:00"
end = "23:55"

[[halls.categories]]
code = "general"
prefix = "A"
name = "综合"
default_service_min = 0.01

[halls.categories.appointments]
slot_min = 5
capacity = 1000
share = 0.9
one_per_person = false
""" + "".join(f'\n[[halls.windows]]\nid = "w{i}"\nname = "{i}号窗口"\ncategories = ["general"]\n'
              for i in range(1, 9))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def phase(url: str, n: int, conns: int, make, headers: dict | None = None) -> dict:
    """`make(i)` -> (method, path, json); every answer must be 201."""
    lat: list[float] = []
    bad: list[str] = []
    nxt = iter(range(n))

    async def worker(c: httpx.AsyncClient):
        for i in nxt:
            method, path, body = make(i)
            t0 = time.perf_counter()
            r = await c.request(method, path, json=body)
            lat.append(time.perf_counter() - t0)
            if r.status_code != 201:
                bad.append(f"{r.status_code} {r.text[:200]}")

    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, headers=headers or {}) as c:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for _ in range(conns)))
        wall = time.perf_counter() - t0
    if bad:
        raise SystemExit(f"{len(bad)} requests failed, e.g. {bad[0]}")
    lat.sort()
    return {"n": n, "per_s": round(n / wall, 1), "p50_ms": round(1000 * statistics.median(lat), 2),
            "p99_ms": round(1000 * lat[int(0.99 * (len(lat) - 1))], 2), "max_ms": round(1000 * lat[-1], 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--pg", default="", help="a PostgreSQL URL (postgresql+psycopg://...) instead of SQLite")
    a = ap.parse_args()
    now = datetime.now(TZ)
    tmp = Path(tempfile.mkdtemp(prefix="ow-appt-bench-"))
    cfg = tmp / "hall.toml"
    cfg.write_text(hall_toml(now.date().isoformat()), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env.update(ONEWINDOW_CONFIG=str(cfg), ONEWINDOW_DATA_DIR=str(tmp / "data"), ONEWINDOW_ADMIN_PASSWORD=PASSWORD,
               ONEWINDOW_SPEECH="off", ONEWINDOW_PRINTER="none")
    if a.pg:
        env["ONEWINDOW_DATABASE_URL"] = a.pg
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "onewindow.server.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=30) as c:
            tok = c.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()["token"]
            code = c.post("/api/v1/halls/b/devices/pairing-codes", headers={"Authorization": f"Bearer {tok}"},
                          json={"kind": "kiosk", "name": "bench"}).json()["code"]
            kiosk = {"X-Device-Token": c.post("/api/v1/devices/pair", json={"code": code}).json()["device_token"]}
        # the next slot starting at least a minute ahead: inside the check-in window from now on
        start = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        start += timedelta(minutes=(5 - start.minute % 5) % 5)
        codes: list[str] = []
        out = {"n": a.n, "connections": a.connections, "database": "postgresql" if a.pg else "sqlite"}
        out["tickets"] = asyncio.run(phase(url, a.n, a.connections, lambda i: (
            "POST", "/api/v1/halls/b/tickets", {"category": "general"}), kiosk))

        # Bookings keep their codes: the check-ins type them.
        async def book_keep():
            lat: list[float] = []
            nxt = iter(range(a.n))

            async def worker(c):
                for i in nxt:
                    t0 = time.perf_counter()
                    r = await c.post("/api/v1/halls/b/appointments", json={
                        "category": "general", "start": start.isoformat(), "phone": f"139{i:08d}"})
                    lat.append(time.perf_counter() - t0)
                    if r.status_code != 201:
                        raise SystemExit(f"booking failed: {r.status_code} {r.text[:200]}")
                    codes.append(r.json()["code"])

            limits = httpx.Limits(max_connections=a.connections, max_keepalive_connections=a.connections)
            async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as c:
                t0 = time.perf_counter()
                await asyncio.gather(*(worker(c) for _ in range(a.connections)))
                wall = time.perf_counter() - t0
            lat.sort()
            return {"n": a.n, "per_s": round(a.n / wall, 1), "p50_ms": round(1000 * statistics.median(lat), 2),
                    "p99_ms": round(1000 * lat[int(0.99 * (len(lat) - 1))], 2), "max_ms": round(1000 * lat[-1], 2)}

        out["bookings"] = asyncio.run(book_keep())
        out["check_ins"] = asyncio.run(phase(url, a.n, a.connections, lambda i: (
            "POST", "/api/v1/halls/b/check-in", {"code": codes[i]}), kiosk))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    print(f"{a.n} requests each over {a.connections} connections, one server process, {out['database']}:")
    for k in ("tickets", "bookings", "check_ins"):
        r = out[k]
        print(f"  {k:10s} {r['per_s']:8.1f}/s   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms   "
              f"max {r['max_ms']:7.2f} ms")
    res = ROOT / "bench" / "results"
    res.mkdir(exist_ok=True)
    (res / "appointments.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
