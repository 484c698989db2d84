"""Benchmark of a mobile outlet's sync (issue 18): a van's 1,000-ticket day sent to the centre.

    .venv/bin/python bench/sync_bench.py [--tickets 1000] [--batch 500]

Two `onewindow serve` processes on SQLite in a temporary directory: the centre (the demo hall and a
van outlet) and the van, outfitted with `onewindow sync --pull`. The van serves a day over HTTP (a
paired kiosk issues every ticket; the clerk calls, starts and completes each; every 10th accepts a
case, every 5th is rated at the pad); then `sync` (in this process, through the same code as the
command) sends it. Prints seconds, batches, rows and bytes each way; writes bench/results/sync.json.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))
TZ = ZoneInfo("Asia/Shanghai")
ADMIN = "Bench-sync-2026!x"


def clerk_password() -> str:
    return "Hall-" + hashlib.sha256(b"zhangwei").hexdigest()[:10]


def city_toml() -> str:
    from onewindow.server.config import demo_config_path

    demo = demo_config_path().read_text(encoding="utf-8")
    text = demo[:demo.index("[[halls.printers]]")]
    # The van's days are its published visits (the database); the demo's enforce_hours = false
    # takes tickets without one.
    for old, new in {'id = "eco"': 'id = "van"', 'kind = "comprehensive"': 'kind = "mobile"',
                     'lunch_from = "11:30"\nlunch_until = "13:30"\n': ""}.items():
        text = text.replace(old, new, 1)
    head, _, windows = text.partition("[[halls.windows]]")
    first = windows.split("[[halls.windows]]")[0].partition("[[halls.rota]]")[0]
    return demo + "\n" + head + "[[halls.windows]]" + first


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data: Path, port: int, env: dict, config: Path | None = None) -> subprocess.Popen:
    args = [ONEWINDOW, "serve", "--data-dir", str(data), "--port", str(port), "--log-level", "warning"]
    if config:
        args += ["--config", str(config)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited")
        time.sleep(0.1)
    raise SystemExit("server did not start")


def login(http: httpx.Client, user: str, password: str) -> dict:
    r = http.post("/api/v1/auth/login", json={"username": user, "password": password})
    r.raise_for_status()
    http.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def pair(http: httpx.Client, admin: dict, hall: str, kind: str) -> dict:
    r = http.post(f"/api/v1/halls/{hall}/devices/pairing-codes", headers=admin, json={"kind": kind, "name": kind})
    r.raise_for_status()
    return r.json()["code"]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tickets", type=int, default=1000)
    p.add_argument("--batch", type=int, default=500)
    args = p.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env.update(ONEWINDOW_SPEECH="fake", ONEWINDOW_PRINTER="none", ONEWINDOW_ADMIN_PASSWORD=ADMIN)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cfg = root / "city.toml"
        cfg.write_text(city_toml(), encoding="utf-8")
        cport, vport = free_port(), free_port()
        try:
            procs.append(serve(root / "centre", cport, env, cfg))
            central = f"http://127.0.0.1:{cport}"
            with httpx.Client(base_url=central, timeout=30) as c:
                admin = login(c, "admin", ADMIN)
                user = {"username": "zhangwei", "password": clerk_password(), "role": "clerk", "display_name": "张伟"}
                c.post("/api/v1/users", headers=admin, json=user).raise_for_status()
                code = pair(c, admin, "van", "van")
            van_dir = root / "van"
            van_env = {k: v for k, v in env.items() if k != "ONEWINDOW_ADMIN_PASSWORD"}
            out = subprocess.run([ONEWINDOW, "sync", "--pull", "--data-dir", str(van_dir), "--central", central,
                                  "--code", code], env=van_env, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(out.stderr)
            procs.append(serve(van_dir, vport, van_env))
            started = time.perf_counter()
            with httpx.Client(base_url=f"http://127.0.0.1:{vport}", timeout=30) as v:
                admin = login(v, "admin", ADMIN)
                clerk = login(v, "zhangwei", clerk_password())
                kiosk = v.post("/api/v1/devices/pair", json={"code": pair(v, admin, "van", "kiosk")}).json()
                pad = v.post("/api/v1/devices/pair", json={"code": pair(v, admin, "van", "pad")}).json()
                v.post("/api/v1/halls/van/windows/w1/sign-in", headers=clerk).raise_for_status()
                for i in range(args.tickets):
                    v.post("/api/v1/halls/van/tickets", json={"category": "eia"},
                           headers={"X-Device-Token": kiosk["device_token"]}).raise_for_status()
                    t = v.post("/api/v1/halls/van/windows/w1/next", headers=clerk).json()
                    v.post(f"/api/v1/tickets/{t['id']}/start", headers=clerk).raise_for_status()
                    case = {"item": "eia_registration", "applicant_name": "张三丰", "applicant_phone": "13812345678"}
                    body = {"outcome": "accepted", "case": case} if i % 10 == 0 else None
                    v.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json=body).raise_for_status()
                    if i % 5 == 0:
                        v.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": 5, "channel": "pad"},
                               headers={"X-Device-Token": pad["device_token"]}).raise_for_status()
            day_s = time.perf_counter() - started
            sys.path.insert(0, str(ROOT))
            from onewindow.server.services.sync import run_sync

            outlet = json.loads((van_dir / "outlet.json").read_text())
            t0 = time.perf_counter()
            res = asyncio.run(run_sync(van_dir, outlet, False, batch=args.batch))
            sync_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = asyncio.run(run_sync(van_dir, outlet, False, batch=args.batch))
            again_s = time.perf_counter() - t0
            with httpx.Client(base_url=central, timeout=30) as c:
                day = datetime.now(TZ).date().isoformat()
                rep = c.get("/api/v1/halls/van/reports", headers=login(c, "admin", ADMIN),
                            params={"from": day, "to": day}).json()
                if rep["totals"]["issued"] != args.tickets:  # the centre has the van's whole day
                    raise SystemExit(f"the centre counts {rep['totals']['issued']} tickets of {args.tickets}")
        finally:
            for proc in procs:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=20)
    result = {"tickets": args.tickets, "batch": args.batch, "day_served_s": round(day_s, 1),
              "sync_s": round(sync_s, 2), "batches": res["batches"], "rows": res["rows"],
              "bytes_sent": res["bytes_sent"], "bytes_received": res["bytes_received"],
              "nothing_new_sync_s": round(again_s, 2), "nothing_new_bytes_sent": again["bytes_sent"]}
    print(json.dumps(result, indent=1))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "sync.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
