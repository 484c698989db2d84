"""Helpers for the ratings, dashboard and reports tests: the root conftest's
functions as fixtures, and `Day`, which drives a hall through the API at
scripted times of the FakeClock.

The root tests/conftest.py is reached through its `root_conftest` fixture, never
by `import conftest` (several conftest.py files live in folders without
__init__.py, so that name is ambiguous)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALL = "eco"
# The scripted day: Monday 2026-11-23, the hall opens at 09:00; t counts seconds from 10:00.
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def demo_with(root_conftest):
    """The demo hall with TOML appended to its (only) hall, e.g. a `[halls.ratings]` table."""
    from onewindow.server.config import demo_config_path, parse_config

    def make(extra: str):
        return parse_config(demo_config_path().read_text(encoding="utf-8") + "\n" + extra, "demo_hall.toml")

    return make


@pytest.fixture
def screenshot(root_conftest):
    return root_conftest.screenshot


class Day:
    """One hall driven through the HTTP API at scripted clock times."""

    def __init__(self, client, clock, admin: dict):
        self.c, self.clock, self.admin = client, clock, admin

    def at(self, t: float) -> None:
        """Set the clock to `t` seconds after 10:00 of the scripted day."""
        self.clock.now = T0 + t

    def user(self, username: str, role: str = "clerk") -> dict:
        r = self.c.post("/api/v1/users", headers=self.admin, json={
            "username": username, "password": f"{username}-password", "role": role, "display_name": username})
        assert r.status_code == 201, r.text
        return self.login(username)

    def login(self, username: str) -> dict:
        """Sign in again (sessions last 12 hours of the clock)."""
        r = self.c.post("/api/v1/auth/login", json={"username": username, "password": f"{username}-password"})
        assert r.status_code == 200, r.text
        self.c.cookies.clear()  # calls say who they are: a bearer header, or none
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def issue(self, category: str = "eia") -> dict:
        r = self.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category})
        assert r.status_code == 201, r.text
        return r.json()

    def sign_in(self, who: dict, window: str) -> None:
        r = self.c.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=who)
        assert r.status_code == 200, r.text

    def next(self, who: dict, window: str) -> dict:
        r = self.c.post(f"/api/v1/halls/{HALL}/windows/{window}/next", headers=who)
        assert r.status_code == 200, r.text
        return r.json()

    def act(self, who: dict, ticket: dict, action: str, json: dict | None = None) -> dict:
        r = self.c.post(f"/api/v1/tickets/{ticket['id']}/{action}", headers=who, json=json)
        assert r.status_code == 200, r.text
        return r.json()

    def rate(self, ticket: dict, level: int, channel: str = "pad", status: int = 201, **extra):
        payload = {"level": level, "channel": channel, **extra}
        if channel == "qr" and "token" not in extra:
            payload["token"] = ticket["track_token"]
        r = self.c.post(f"/api/v1/tickets/{ticket['id']}/rating", json=payload)
        assert r.status_code == status, r.text
        return r.json()

    def get(self, path: str, who: dict | None = None, status: int = 200, **params):
        r = self.c.get(path, headers=who or {}, params=params)
        assert r.status_code == status, r.text
        return r


@pytest.fixture
def day(client, clock, staff) -> Day:
    d = Day(client, clock, staff.admin)
    d.at(0)
    return d


@pytest.fixture
def day_on(clock, root_conftest):
    """`day_on(client)`: a `Day` on a client of your own (make_client with another config)."""

    def make(client) -> Day:
        r = client.post("/api/v1/auth/login", json={"username": "admin", "password": root_conftest.ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        d = Day(client, clock, {"Authorization": f"Bearer {r.json()['token']}"})
        d.at(0)
        return d

    return make
