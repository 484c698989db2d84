"""A city day (issue 17, point 6): 30 outlets (comprehensive, special and mobile, 1-3 windows
each) served by two `onewindow serve` workers on one PostgreSQL database and one Redis,
driven over HTTP at `--speed` times real time (default 10x):

- visitors arrive by a Poisson process following a hall day (a morning peak 9-11, a lunch
  lull, an afternoon wave: onewindow.server.simulate.arrivals_per_hour), at the outlet's
  kiosk (a paired device), through either worker;
- each window's clerk signs in, calls the next ticket, serves it (log-normal service times)
  and completes it; one visit in five is accepted as a case, whose promised deadline the
  server records;
- the lunch rota (11:30-13:30): at multi-window outlets the clerks go away in turns
  (the rota in the configuration says who covers), at one-window outlets the A post goes to
  lunch and the B post takes the window;
- A/B absences: at every seventh window the A clerk is away all day and the B post works it;
- printer faults: every fifth outlet's kiosk prints on a (fake) network printer that runs
  out of paper from 10:00 to 10:40; tickets are issued meanwhile (`when_unavailable = "issue"`);
- two call screens per outlet, one on each worker, record every call.

At the end of the day the queues are served out, then it checks: every ticket issued was
called exactly once and is done (the database), every call reached every screen of its hall,
every accepted case has its promise (deadline) recorded. It prints tickets/s, the call ->
screen latency (from the clerk pressing `next` (its request sent) to the screen, p50/p99) and the servers' CPU per 1,000
tickets, and writes bench/results/city_day.json.

    .venv/bin/python bench/city_day.py [--speed 10] [--from 08:45] [--to 17:00] [--outlets 30]

A whole day at 10x takes 50 minutes; `--from/--to` run a part of it (the shortened pytest
version, tests/city/test_city_day.py, runs 11:00-13:45 much faster).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))
ADMIN = "City-day-Ledger-4417"
CLERK_PASSWORD = "Hall-desk-7781-city"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
KINDS = ("comprehensive", "special", "mobile")
PEAK_PER_WINDOW = 9.0  # arrivals an hour per window at the morning peak
SERVICE_MEAN_S = 330.0  # a visit's mean service time (log-normal, sigma 0.5)
CASE_SHARE = 0.2
PAPER_OUT = (10 * 3600, 10 * 3600 + 40 * 60)  # printer faults, seconds of the day
LUNCH = (11 * 3600 + 30 * 60, 12 * 3600 + 30 * 60, 13 * 3600 + 30 * 60)


def arrivals_per_hour(hour: float, peak: float) -> float:
    """A hall's day (as onewindow.server.simulate): a morning rush, a lunch lull, an afternoon wave."""
    if 11.5 <= hour < 13.5:
        return peak * 0.3
    if 9 <= hour < 11:
        return peak
    return peak * 0.6


def hm(s: str) -> int:
    h, m = s.split(":")
    return int(h) * 3600 + int(m) * 60


def clock_text(sec: float) -> str:
    sec = int(sec) % 86400
    return f"{sec // 3600:02d}:{sec % 3600 // 60:02d}"


# ----- the outlets --------------------------------------------------------------------------


@dataclass
class Outlet:
    id: str
    kind: str
    windows: list[str]
    printer_port: int | None = None  # a fake network printer at the kiosk
    absent: set[str] = field(default_factory=set)  # windows whose A clerk is away all day

    def a(self, w: str) -> str:
        return f"{self.id}{w}a"

    def b(self, w: str) -> str:
        return f"{self.id}{w}b"


def make_outlets(n: int, printers: list[int]) -> list[Outlet]:
    outlets, k = [], 0
    for i in range(n):
        o = Outlet(f"o{i + 1:02d}", KINDS[i % 3], [f"w{j + 1}" for j in range(i % 3 + 1)])
        for w in o.windows:
            k += 1
            if k % 7 == 0:
                o.absent.add(w)
        if i % 5 == 0 and printers:
            o.printer_port = printers.pop()
        outlets.append(o)
    return outlets


def outlets_toml(outlets: list[Outlet], today: date) -> str:
    out: list[str] = []
    for o in outlets:
        out += ["[[halls]]", f'id = "{o.id}"', f'name = "{o.id}号网点"', f'name_en = "Outlet {o.id}"',
                f'kind = "{o.kind}"', f'address = "市区{o.id}路 / {o.id} Road"']
        if o.kind != "mobile":  # a van's days are its published visits (the database; enforce_hours is off)
            out.append('opening_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]')
        out += ['timezone = "Asia/Shanghai"', "enforce_hours = false", "",
                "[halls.hours]", 'open = "09:00"', 'close = "17:00"', 'lunch_from = "11:30"', 'lunch_until = "13:30"',
                "", "[[halls.categories]]", 'code = "general"', 'prefix = "A"', 'name = "综合业务"',
                'items = ["permit"]', "",
                "[[halls.categories]]", 'code = "consult"', 'prefix = "B"', 'name = "咨询"', "",
                "[[halls.items]]", 'code = "permit"', 'name = "排污许可"', 'name_en = "Discharge permit"',
                'statutory = { amount = 20, unit = "working_days" }',
                'promised = { amount = 10, unit = "working_days" }', ""]
        for w in o.windows:
            out += ["[[halls.windows]]", f'id = "{w}"', f'name = "{w[1:]}号窗口"',
                    'categories = ["general", "consult"]', f'a_clerk = "{o.a(w)}"', f'b_clerk = "{o.b(w)}"', ""]
        if len(o.windows) > 1:  # the lunch rota: w1's clerk covers every window first, then w2's
            everyone = ", ".join(f'"{w}"' for w in o.windows)
            for who, (start, end) in ((o.a("w1"), LUNCH[:2]), (o.a("w2"), LUNCH[1:])):
                out += ["[[halls.rota]]", f'clerk = "{who}"', f"covers = [{everyone}]",
                        f'start = "{clock_text(start)}"', f'end = "{clock_text(end)}"', ""]
        else:
            out += ["[[halls.rota]]", f'clerk = "{o.b("w1")}"', 'covers = ["w1"]',
                    f'start = "{clock_text(LUNCH[0])}"', f'end = "{clock_text(LUNCH[1])}"', "",
                    "[[halls.rota]]", f'clerk = "{o.a("w1")}"', 'covers = ["w1"]',
                    f'start = "{clock_text(LUNCH[1])}"', f'end = "{clock_text(LUNCH[2])}"', ""]
        if o.printer_port is not None:
            out += ["[[halls.printers]]", 'id = "door"', f'driver = "tcp://127.0.0.1:{o.printer_port}"',
                    'when_unavailable = "issue"', 'kiosks = ["door"]', ""]
    return "\n".join(out) + "\n"


# ----- servers, database, fake printers ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Servers:
    """`workers` server processes, each on its own port, on one PostgreSQL database and Redis."""

    def __init__(self, workdir: Path, config: Path, db_url: str, redis_url: str, workers: int = 2):
        self.urls: list[str] = []
        self.procs: list[subprocess.Popen] = []
        self.log = open(workdir / "servers.log", "ab")  # noqa: SIM115 (closed in stop)
        self.logpath = workdir / "servers.log"
        prefix = f"cityday:{secrets.token_hex(4)}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
        env.update(ONEWINDOW_ADMIN_PASSWORD=ADMIN, ONEWINDOW_SPEECH="off", ONEWINDOW_PRINTER="config",
                   ONEWINDOW_DATABASE_URL=db_url, ONEWINDOW_REDIS_PREFIX=prefix,
                   ONEWINDOW_SECRET_KEY=_fernet_key(), ONEWINDOW_PRINTER_OFFLINE_AFTER_S="2")
        self.prefix, self.redis_url = prefix, redis_url
        for k in range(workers):
            port = free_port()
            self.urls.append(f"http://127.0.0.1:{port}")
            self.procs.append(subprocess.Popen(
                [ONEWINDOW, "serve", "--config", str(config), "--data-dir", str(workdir / f"data{k}"),
                 "--host", "127.0.0.1", "--port", str(port), "--redis-url", redis_url],
                env=env, cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True))
            self._wait_up(self.urls[-1], self.procs[-1])  # one after another: the first migrates

    @staticmethod
    def _wait_up(url: str, proc: subprocess.Popen) -> None:
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not come up")

    def cpu(self) -> float:
        return sum(cpu_s(p.pid) for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        self.log.close()
        import redis

        with redis.Redis.from_url(self.redis_url) as r:
            keys = list(r.scan_iter(match=f"{self.prefix}:*", count=1000))
            if keys:
                r.delete(*keys)


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class Database:
    """A fresh PostgreSQL database for the day, dropped afterwards."""

    def __init__(self, admin_url: str = PG_ADMIN):
        import psycopg

        self.admin_url = admin_url
        self.name = f"ow_cityday_{secrets.token_hex(4)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        host = admin_url.split("@", 1)[1].rsplit("/", 1)[0]
        self.url = f"postgresql+psycopg://postgres@{host}/{self.name}"
        self.plain = admin_url.rsplit("/", 1)[0] + f"/{self.name}"

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.plain) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def fake_printers(n: int) -> list:
    """Fake port-9100 printers (tests/support/printer.py), when the tests' helpers are at hand."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from support.printer import FakeNetworkPrinter
    except ImportError:
        return []
    return [FakeNetworkPrinter() for _ in range(n)]


# ----- the day --------------------------------------------------------------------------------


@dataclass
class Record:
    issued: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # hall -> numbers
    called: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))  # (number, t)
    screens: dict[str, list[dict[str, float]]] = field(default_factory=dict)  # hall -> per screen: number -> t
    cases: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    printer_faults: int = 0  # tickets issued while the outlet's printer was out of paper
    prints: Counter = field(default_factory=Counter)  # the kiosks' print status of each ticket


class Day:
    def __init__(self, servers: Servers, outlets: list[Outlet], speed: float, start: int, end: int, seed: int,
                 printers: dict[str, object]):
        self.servers, self.outlets, self.speed = servers, outlets, speed
        self.start, self.end = start, end
        self.rng = random.Random(seed)
        self.printers = printers  # hall -> FakeNetworkPrinter
        self.rec = Record()
        self.t0 = 0.0
        self.tokens: dict[str, str] = {}
        self.kiosks: dict[str, str] = {}
        self.closing = False  # the day is over: clerks serve the queues out
        self.arrival_wall = 0.0  # seconds the visitors kept coming (tickets/s is over these)
        self.served_out = asyncio.Event()

    def now(self) -> float:
        """Seconds of the simulated day."""
        return self.start + (time.monotonic() - self.t0) * self.speed

    async def sleep_sim(self, sim_s: float) -> None:
        await asyncio.sleep(max(0.0, sim_s) / self.speed)

    async def until_sim(self, sec: float) -> None:
        await self.sleep_sim(sec - self.now())

    def url(self, k: int) -> str:
        return self.servers.urls[k % len(self.servers.urls)]

    # -- set-up

    async def setup(self, http) -> None:
        import httpx

        base = self.url(0)
        r = await http.post(f"{base}/api/v1/auth/login", json={"username": "admin", "password": ADMIN})
        r.raise_for_status()
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        sem = asyncio.Semaphore(8)

        async def user(name: str) -> None:
            async with sem:
                r = await http.post(f"{base}/api/v1/users", headers=admin,
                                    json={"username": name, "password": CLERK_PASSWORD, "role": "clerk",
                                          "display_name": name})
                assert r.status_code == 201, r.text
                r = await http.post(f"{base}/api/v1/auth/login", json={"username": name, "password": CLERK_PASSWORD})
                r.raise_for_status()
                self.tokens[name] = r.json()["token"]

        # Pairing is limited per client address (10 at once): each ten kiosks pair from an address of their own.
        pairers = [httpx.AsyncClient(timeout=60, transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + i}"))
                   for i in range(len(self.outlets) // 10 + 1)]

        async def kiosk(i: int, o: Outlet) -> None:
            async with sem:
                name = "door" if o.printer_port is not None else "kiosk"
                r = await http.post(f"{base}/api/v1/halls/{o.id}/devices/pairing-codes", headers=admin,
                                    json={"kind": "kiosk", "name": name})
                assert r.status_code == 201, r.text
                r = await pairers[i // 10].post(f"{base}/api/v1/devices/pair", json={"code": r.json()["code"]})
                assert r.status_code == 201, r.text
                self.kiosks[o.id] = r.json()["device_token"]

        names = [n for o in self.outlets for w in o.windows for n in (o.a(w), o.b(w))]
        try:
            await asyncio.gather(*(user(n) for n in names), *(kiosk(i, o) for i, o in enumerate(self.outlets)))
        finally:
            for c in pairers:
                await c.aclose()

    # -- visitors

    async def arrivals(self, http, o: Outlet, k: int) -> None:
        peak = PEAK_PER_WINDOW * len(o.windows)
        n = 0
        last_until = min(self.end, hm("16:45"))  # ticketing stops a quarter of an hour before closing
        while True:
            rate = arrivals_per_hour(self.now() / 3600, peak) / 3600
            gap = self.rng.expovariate(rate)
            if self.now() + gap >= last_until:
                await self.until_sim(last_until)  # nobody else comes before ticketing stops
                return
            await self.sleep_sim(gap)
            n += 1
            body = {"category": "general" if self.rng.random() < 0.7 else "consult"}
            if o.printer_port is not None:
                body["kiosk"] = "door"  # prints on the outlet's printer
            r = await http.post(f"{self.url(k + n)}/api/v1/halls/{o.id}/tickets", json=body,
                                headers={"X-Device-Token": self.kiosks[o.id]})
            if r.status_code != 201:
                self.rec.errors.append(f"{o.id}: ticket {r.status_code} {r.text[:200]}")
                continue
            self.rec.issued[o.id].append(r.json()["number"])
            if o.printer_port is not None:
                self.rec.prints[r.json().get("print", {}).get("status", "?")] += 1
                if PAPER_OUT[0] <= self.now() < PAPER_OUT[1]:
                    self.rec.printer_faults += 1

    async def printer_faults(self) -> None:
        if not self.printers:
            return
        await self.until_sim(PAPER_OUT[0])
        for p in self.printers.values():
            p.mode = "paper_out"
        await self.until_sim(PAPER_OUT[1])
        for p in self.printers.values():
            p.mode = "normal"

    # -- clerks

    async def window(self, http, o: Outlet, w: str, k: int) -> None:
        who = o.b(w) if w in o.absent else o.a(w)
        url = self.url(k)

        def auth(name: str) -> dict:
            return {"Authorization": f"Bearer {self.tokens[name]}"}

        async def post(path: str, name: str, body: dict | None = None, ok=(200,)):
            r = await http.post(f"{url}/api/v1{path}", headers=auth(name), json=body or {})
            if r.status_code not in ok:
                self.rec.errors.append(f"{o.id}/{w} {path}: {r.status_code} {r.text[:200]}")
            return r

        await self.until_sim(max(self.start, 9 * 3600 - 60))
        await post(f"/halls/{o.id}/windows/{w}/sign-in", who)
        lunch = self._lunch(o, w)
        while True:
            now = self.now()
            if lunch and lunch[0] <= now < lunch[1] and not self.closing:
                who = await self._go_to_lunch(o, w, who, lunch, post)
                lunch = None
                continue
            pressed = time.monotonic()
            r = await post(f"/halls/{o.id}/windows/{w}/next", who, ok=(200, 204))
            if r.status_code == 204:
                if self.closing and self._queues_empty():
                    return
                await self.sleep_sim(30)
                continue
            if r.status_code != 200:
                await self.sleep_sim(30)
                continue
            t = r.json()
            self.rec.called[o.id].append((t["number"], pressed))
            await self.sleep_sim(self.rng.lognormvariate(math.log(SERVICE_MEAN_S) - 0.125, 0.5))
            body: dict = {"outcome": "done"}
            if self.rng.random() < CASE_SHARE and t.get("category", "general") == "general":
                body = {"outcome": "accepted", "case": {"item": "permit", "applicant_name": "某某公司"}}
            r = await post(f"/tickets/{t['id']}/complete", who, body)
            if r.status_code == 200 and r.json().get("case"):
                self.rec.cases.append(r.json()["case"]["id"])

    def _lunch(self, o: Outlet, w: str) -> tuple[int, int] | None:
        """When this window's clerk lunches: one-window outlets 11:30-12:30 (B takes over);
        elsewhere w1's clerk at 12:30-13:30 (covering first), the others at 11:30-12:30."""
        if len(o.windows) == 1 or w != "w1":
            return LUNCH[0], LUNCH[1]
        return LUNCH[1], LUNCH[2]

    async def _go_to_lunch(self, o: Outlet, w: str, who: str, lunch: tuple[int, int], post) -> str:
        if len(o.windows) == 1:  # the B post takes the window while A lunches
            other = o.a(w) if who == o.b(w) else o.b(w)
            await post(f"/halls/{o.id}/windows/{w}/sign-out", who)
            await post(f"/halls/{o.id}/windows/{w}/sign-in", other)
            await self.until_sim(lunch[1])
            if w in o.absent:
                return other  # A is away all day: B stays on
            await post(f"/halls/{o.id}/windows/{w}/sign-out", other)
            await post(f"/halls/{o.id}/windows/{w}/sign-in", who)
            return who
        await post(f"/halls/{o.id}/windows/{w}/away", who, {"reason": "lunch", "back_at": clock_text(lunch[1])})
        await self.until_sim(lunch[1])
        await post(f"/halls/{o.id}/windows/{w}/back", who)
        return who

    def _queues_empty(self) -> bool:
        called = sum(len(v) for v in self.rec.called.values())
        return called >= sum(len(v) for v in self.rec.issued.values())

    # -- screens

    async def screen(self, hall: str, k: int, seen: dict[str, float], stop: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        uri = self.url(k).replace("http://", "ws://") + f"/ws/halls/{hall}/display"
        while not stop.is_set():
            try:
                async with connect(uri, open_timeout=10, close_timeout=1) as ws:
                    while not stop.is_set():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), 0.5)
                        except TimeoutError:
                            continue
                        now = time.monotonic()
                        msg = json.loads(raw)
                        if msg["type"] == "call":
                            seen.setdefault(msg["ticket"], now)
                        elif msg["type"] == "snapshot":
                            for c in msg["calls"]:
                                seen.setdefault(c["ticket"], now)
            except Exception as exc:  # a resync (1013) or a worker restarting: reconnect
                if not stop.is_set():
                    self.rec.errors.append(f"screen {hall}#{k}: {type(exc).__name__} (reconnecting)")
                    await asyncio.sleep(0.2)

    # -- the whole day

    async def run(self) -> dict:
        import httpx

        limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:
            await self.setup(http)
            stop_screens = asyncio.Event()
            screens = []
            for o in self.outlets:
                self.rec.screens[o.id] = [{} for _ in self.servers.urls]
                for k, seen in enumerate(self.rec.screens[o.id]):
                    screens.append(asyncio.create_task(self.screen(o.id, k, seen, stop_screens)))
            await asyncio.sleep(1.0)  # every screen connected before the first call (a snapshot covers it anyway)
            cpu0, wall0 = self.servers.cpu(), time.monotonic()
            self.t0 = time.monotonic()
            arrivals = [asyncio.create_task(self.arrivals(http, o, i)) for i, o in enumerate(self.outlets)]
            clerks = [asyncio.create_task(self.window(http, o, w, i + j))
                      for i, o in enumerate(self.outlets) for j, w in enumerate(o.windows)]
            faults = asyncio.create_task(self.printer_faults())
            await asyncio.gather(*arrivals)
            self.arrival_wall = time.monotonic() - wall0
            self.closing = True
            await asyncio.wait_for(asyncio.gather(*clerks), timeout=max(120.0, (self.end - self.start) / self.speed))
            faults.cancel()
            wall, cpu = time.monotonic() - wall0, self.servers.cpu() - cpu0
            # Let the last calls reach the screens, then stop them.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not self._screens_complete():
                await asyncio.sleep(0.1)
            stop_screens.set()
            await asyncio.gather(*screens, return_exceptions=True)
        return self.figures(wall, cpu)

    def _screens_complete(self) -> bool:
        return all(n in seen for h, calls in self.rec.called.items() for n, _ in calls for seen in self.rec.screens[h])

    def figures(self, wall: float, cpu: float) -> dict:
        lat = [(seen[n] - t) * 1000 for h, calls in self.rec.called.items() for n, t in calls
               for seen in self.rec.screens[h] if n in seen]
        tickets = sum(len(v) for v in self.rec.issued.values())
        return {"outlets": len(self.outlets), "windows": sum(len(o.windows) for o in self.outlets),
                "workers": len(self.servers.urls), "speed": self.speed,
                "day": f"{clock_text(self.start)}-{clock_text(self.end)}", "wall_s": round(wall, 1),
                "tickets": tickets, "calls": sum(len(v) for v in self.rec.called.values()),
                "cases": len(self.rec.cases), "tickets_during_printer_faults": self.rec.printer_faults,
                "print_status": dict(self.rec.prints),
                "tickets_per_s": round(tickets / self.arrival_wall, 2) if self.arrival_wall else None,
                "served_out_after_s": round(wall - self.arrival_wall, 1),
                "call_to_screen_p50_ms": round(statistics.median(lat), 1) if lat else None,
                "call_to_screen_p99_ms": round(percentile(lat, 99), 1) if lat else None,
                "server_cpu_s": round(cpu, 1),
                "server_cpu_s_per_1000_tickets": round(cpu * 1000 / tickets, 1) if tickets else None,
                "load_avg_1m": round(os.getloadavg()[0], 2)}


def check(day: Day, db: Database) -> list[str]:
    """What must hold at the end of the day; the list of what does not."""
    rec, problems = day.rec, []
    if not rec.issued:
        problems.append("no ticket was issued")
    rows = db.query("SELECT hall, number, status, call_count FROM ticket")
    status = {(h, n): s for h, n, s, _ in rows}
    call_count = {(h, n): c for h, n, _, c in rows}
    for hall, numbers in rec.issued.items():
        calls = Counter(n for n, _ in rec.called[hall])
        for n in numbers:
            if calls[n] != 1:
                problems.append(f"{hall} {n}: called {calls[n]} times by the clerks")
            if status.get((hall, n)) != "done":
                problems.append(f"{hall} {n}: {status.get((hall, n))} in the database, not done")
            if call_count.get((hall, n)) != 1:
                problems.append(f"{hall} {n}: called {call_count.get((hall, n))} times in the database")
        for k, seen in enumerate(rec.screens[hall]):
            missing = [n for n, _ in rec.called[hall] if n not in seen]
            if missing:
                problems.append(f"{hall} screen {k}: missed calls {missing[:10]}")
    extra = {(h, n) for h, n, _, _ in rows} - {(h, n) for h, ns in rec.issued.items() for n in ns}
    if extra:
        problems.append(f"tickets in the database nobody was given: {sorted(extra)[:10]}")
    if rec.cases:
        ids = ",".join(str(i) for i in rec.cases)
        kept = dict(db.query(f"SELECT id, deadline_at FROM case_file WHERE id IN ({ids})"))
        for cid in rec.cases:
            if not kept.get(cid):
                problems.append(f"case {cid}: no promised deadline recorded")
    return problems


def _checker_catches(day: Day, db: Database) -> bool:
    """The check itself can fail: one call taken off one screen is reported."""
    hall = next((h for h, calls in day.rec.called.items() if calls), None)
    if hall is None:
        return False
    number = day.rec.called[hall][0][0]
    seen = day.rec.screens[hall][-1]
    t = seen.pop(number)
    try:
        return any(number in p and "missed" in p for p in check(day, db))
    finally:
        seen[number] = t


def run_day(outlets: int = 30, speed: float = 10.0, start: str = "08:45", end: str = "17:00", seed: int = 7,
            redis_url: str = "redis://127.0.0.1:6379/0", pg_admin: str = PG_ADMIN, workers: int = 2) -> dict:
    """The whole thing; returns the figures and the problems found (empty: all held)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(4096, hard)), hard))
    printers = fake_printers(len(range(0, outlets, 5)))
    ports = [p.port for p in printers]
    plan = make_outlets(outlets, list(ports))
    by_hall = {o.id: next(p for p in printers if p.port == o.printer_port) for o in plan if o.printer_port}
    db = Database(pg_admin)
    servers = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "outlets.toml"
            cfg.write_text(outlets_toml(plan, date.today()), encoding="utf-8")
            servers = Servers(Path(tmp), cfg, db.url, redis_url, workers)
            try:
                day = Day(servers, plan, speed, hm(start), hm(end), seed, by_hall)
                figures = asyncio.run(day.run())
                figures["problems"] = check(day, db)
                figures["checker_catches_a_missed_call"] = _checker_catches(day, db)
                figures["errors"] = day.rec.errors[:50]
                figures["printer_jobs"] = sum(len(p.jobs) for p in printers)
            finally:
                servers.stop()
            log = servers.logpath.read_text(errors="replace")
            if "Traceback" in log:
                at = log.index("Traceback")
                figures["problems"].append(f"a traceback in the servers' log: {log[at:at + 2000]}")
        return figures
    finally:
        db.drop()
        for p in printers:
            p.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--outlets", type=int, default=30)
    p.add_argument("--speed", type=float, default=10.0)
    p.add_argument("--from", dest="start", default="08:45")
    p.add_argument("--to", dest="end", default="17:00")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--pg", default=PG_ADMIN, help="a PostgreSQL database to create the day's database from")
    args = p.parse_args()
    started = time.gmtime()
    figures = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", started),
               **run_day(args.outlets, args.speed, args.start, args.end, args.seed, args.redis, args.pg)}
    for k, v in figures.items():
        if k not in ("problems", "errors"):
            print(f"{k:>32}: {v}")
    for e in figures["errors"]:
        print("  error:", e)
    for prob in figures["problems"]:
        print("  PROBLEM:", prob)
    out = ROOT / "bench" / "results" / "city_day.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    out.write_text(text)
    # and a dated copy, so runs in a row are kept side by side
    out.with_name(f"city_day-{time.strftime('%Y%m%dT%H%M%SZ', started)}.json").write_text(text)
    print(f"written to {out.relative_to(ROOT)}; {'all held' if not figures['problems'] else 'PROBLEMS'}")
    return 0 if not figures["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
