"""Fixtures of the ratings, dashboard and reports tests: `Day`, which drives a
hall through the API at scripted times of the FakeClock."""
from __future__ import annotations

import pytest
from support.accounts import login, password_of
from support.clock import START
from support.halls import HALL
from support.halls import demo_with as _demo_with

# The scripted day: Monday 2026-11-23, the hall opens at 09:00; t counts seconds from 10:00.
T0 = START.timestamp()


@pytest.fixture
def demo_with():
    """The demo hall with TOML appended to its (only) hall, e.g. a `[halls.ratings]` table."""
    return _demo_with


class Day:
    """One hall driven through the HTTP API at scripted clock times."""

    def __init__(self, client, clock, admin: dict):
        self.c, self.clock, self.admin = client, clock, admin

    def at(self, t: float) -> None:
        """Set the clock to `t` seconds after 10:00 of the scripted day, and run
        each hall's rating round as its background loop does once a minute."""
        self.clock.now = T0 + t
        for rs in self.c.app.state.runtime.ratings.values():
            self.c.portal.call(rs.round)

    def user(self, username: str, role: str = "clerk") -> dict:
        r = self.c.post("/api/v1/users", headers=self.admin, json={
            "username": username, "password": password_of(username), "role": role, "display_name": username})
        assert r.status_code == 201, r.text
        return self.login(username)

    def login(self, username: str) -> dict:
        """Sign in again (sessions last 12 hours of the clock); calls say who they are: a
        bearer header, or none."""
        return login(self.c, username, keep_cookie=False)

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
def day_on(clock, settings):
    """`day_on(client)`: a `Day` on a client of your own (make_client with another config)."""

    def make(client) -> Day:
        d = Day(client, clock, login(client, "admin", settings.admin_password))
        d.at(0)
        return d

    return make
