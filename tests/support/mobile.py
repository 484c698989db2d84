"""The mobile outlet's tests (issue 18), shared by tests/mobile/conftest.py: a centre (the demo
hall and two vans, van1 and van2, as outlets of kind mobile) served in this process on the real
clock; each van a separate `onewindow serve` process on its own SQLite, outfitted with
`onewindow sync --pull` and never given a route to the centre (its configuration names none: the
centre's URL is only in outlet.json, read by `onewindow sync`)."""
from __future__ import annotations

import contextlib
import json
import subprocess
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from onewindow.server.app import create_app
from onewindow.server.config import parse_config
from onewindow.server.settings import Settings
from support.accounts import ADMIN_PASSWORD, Accounts, login
from support.halls import demo_text
from support.servers import ONEWINDOW, LiveServer, ServerProcess, clean_env, free_port

TZ = ZoneInfo("Asia/Shanghai")
ITEM = "eia_registration"


def publish_visits(client, headers: dict, clock, hall: str, days, when, town: str = "东山镇",
                   start: str = "09:00", end: str = "17:00", categories=("eia", "consult")) -> list[dict]:
    """Publish `hall`'s visits on `days` (ISO) through the API (the schedule's one home), with the
    injected clock set to `when` (at least 3 days before the first) and put back afterwards."""
    back = clock.now
    clock.set(when)
    out = []
    try:
        for day in days:
            r = client.post(f"/api/v1/halls/{hall}/visits", headers=headers, json={
                "town": town, "place": f"{town}政府广场", "day": day, "start": start, "end": end,
                "categories": list(categories)})
            assert r.status_code == 201, r.text
            out.append(r.json())
    finally:
        clock.now = back
    return out


def today() -> date:
    return datetime.now(TZ).date()


def van_text(hall: str) -> str:
    """The demo hall made a van (as tests/bureau does): one window; its days are its published visits
    (the database), which the demo's `enforce_hours = false` does not hold ticketing to."""
    text = demo_text()
    text = text[:text.index("[[halls.printers]]")]
    replace = {
        'id = "eco"': f'id = "{hall}"',
        'name = "市生态环境局政务服务大厅"': f'name = "流动服务车 {hall}"',
        'name_en = "City Eco-Environment Bureau Service Hall"': f'name_en = "Mobile service van {hall}"',
        'kind = "comprehensive"': 'kind = "mobile"',
        'lunch_from = "11:30"\nlunch_until = "13:30"\n': "",
    }
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    head, _, windows = text.partition("[[halls.windows]]")
    first = windows.split("[[halls.windows]]")[0].partition("[[halls.rota]]")[0]
    return head + "[[halls.windows]]" + first


def city_text() -> str:
    return demo_text() + "\n" + van_text("van1") + "\n" + van_text("van2")


class Centre:
    def __init__(self, server: LiveServer, settings: Settings):
        self.server, self.settings, self.url = server, settings, server.url
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.admin = login(self.http, "admin", ADMIN_PASSWORD, keep_cookie=False)
        acc = Accounts(self.http, keep_cookies=False)
        acc.make("zhangwei")
        acc.make("boss", role="manager")
        self.manager = login(self.http, "boss", keep_cookie=False)

    def code(self, hall: str, kind: str = "van") -> str:
        r = self.http.post(f"/api/v1/halls/{hall}/devices/pairing-codes", headers=self.admin,
                           json={"kind": kind, "name": f"{kind} {hall}"})
        assert r.status_code == 201, r.text
        return r.json()["code"]

    def sql(self, query: str, params: dict | None = None) -> list[dict]:
        """Read the centre's database (SQLite or PostgreSQL) on a connection of its own."""
        import sqlalchemy as sa

        from onewindow.server.store.database import sync_url

        engine = sa.create_engine(sync_url(self.settings.db_url))
        try:
            with engine.connect() as con:
                return [dict(r._mapping) for r in con.execute(sa.text(query), params or {})]
        finally:
            engine.dispose()


@contextlib.contextmanager
def make_centre(tmp_path: Path, settings: Settings, database_url: str | None = None, text: str | None = None):
    """The centre serving `text` (default: city_text())."""
    cfg = tmp_path / "city.toml"
    cfg.write_text(text or city_text(), encoding="utf-8")
    s = Settings(**{**settings.__dict__, "clock": time.time, "config_path": cfg, "database_url": database_url})
    app = create_app(s, parse_config(cfg.read_text(encoding="utf-8"), str(cfg)))
    server = LiveServer(app)
    with server:
        c = Centre(server, s)
        yield c
        c.http.close()


class Van:
    """A van: its data dir, `sync` (the CLI, a process) and `serve` (a process)."""

    def __init__(self, root: Path, hall: str, centre: Centre):
        self.root, self.hall, self.centre = root, hall, centre
        self.data = root / "data"
        self.data.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = clean_env(ONEWINDOW_SPEECH="fake", ONEWINDOW_PRINTER="none")
        self.proc: ServerProcess | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run([ONEWINDOW, "sync", "--data-dir", str(self.data), *args], env=self.env,
                             capture_output=True, text=True, timeout=300)
        if check:
            assert out.returncode == 0, out.stderr
        return out

    def outfit(self) -> None:
        self.cli("--pull", "--central", self.centre.url, "--code", self.centre.code(self.hall))
        assert (self.data / "outlet.toml").exists()

    def serve(self) -> Van:
        self.proc = ServerProcess([ONEWINDOW, "serve", "--data-dir", str(self.data), "--port", str(self.port),
                                   "--log-level", "warning"], self.env, self.port, self.root,
                                  self.root / "serve.log").start()
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.admin = login(self.http, "admin", ADMIN_PASSWORD, keep_cookie=False)
        self.clerk = login(self.http, "zhangwei", keep_cookie=False)
        self.kiosk = self.pair("kiosk")
        self.pad = self.pair("pad")
        r = self.http.post(f"/api/v1/halls/{self.hall}/windows/w1/sign-in", headers=self.clerk)
        assert r.status_code == 200, r.text
        return self

    def pair(self, kind: str) -> str:
        r = self.http.post(f"/api/v1/halls/{self.hall}/devices/pairing-codes", headers=self.admin,
                           json={"kind": kind, "name": kind})
        assert r.status_code == 201, r.text
        r = self.http.post("/api/v1/devices/pair", json={"code": r.json()["code"]})
        assert r.status_code == 201, r.text
        return r.json()["device_token"]

    def sign_out(self) -> None:
        r = self.http.post(f"/api/v1/halls/{self.hall}/windows/w1/sign-out", headers=self.clerk)
        assert r.status_code == 200, r.text

    def stop(self) -> None:
        if self.proc is not None:
            self.http.close()
            self.proc.stop()

    # ----- a scripted day -------------------------------------------------------------------

    def ticket(self, category: str = "eia") -> dict:
        r = self.http.post(f"/api/v1/halls/{self.hall}/tickets", json={"category": category},
                           headers={"X-Device-Token": self.kiosk})
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, tid: int, action: str, body: dict | None = None) -> dict:
        r = self.http.post(f"/api/v1/tickets/{tid}/{action}", headers=self.clerk, json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def serve_one(self, case: bool = False, rating: int | None = 5, no_show: bool = False) -> dict:
        r = self.http.post(f"/api/v1/halls/{self.hall}/windows/w1/next", headers=self.clerk)
        assert r.status_code == 200, r.text
        t = r.json()
        if no_show:
            return self.act(t["id"], "no-show")
        self.act(t["id"], "start")
        body = {"outcome": "accepted", "case": {"item": ITEM, "applicant_name": "张三丰", "project": "某厂扩建",
                                                "applicant_phone": "13812345678"}} if case else None
        out = self.act(t["id"], "complete", body)
        if rating is not None:
            r = self.http.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": rating, "channel": "pad"},
                               headers={"X-Device-Token": self.pad})
            assert r.status_code == 201, r.text
        return out

    def day(self, n: int = 6) -> list[dict]:
        """n tickets: served, a case accepted every third, a no-show, a bad rating (a rectification task)."""
        for _ in range(n):
            self.ticket()
        done = []
        for i in range(n):
            done.append(self.serve_one(case=i % 3 == 0, rating=(2 if i == 1 else 5), no_show=(i == n - 1)))
        return done

    def report(self, http: httpx.Client, headers: dict) -> dict:
        d = today().isoformat()
        r = http.get(f"/api/v1/halls/{self.hall}/reports", headers=headers, params={"from": d, "to": d})
        assert r.status_code == 200, r.text
        return r.json()


def sync_state(van: Van) -> dict:
    import sqlite3

    con = sqlite3.connect(van.data / "onewindow.db")
    try:
        return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM sync_state")}
    finally:
        con.close()

