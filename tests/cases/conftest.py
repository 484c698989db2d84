"""Fixtures of the case and supervision tests: a hall driven through the API
(tickets taken, called, completed with a case), the app's runtime for the
supervision check, and the display socket's events."""
from __future__ import annotations

import contextlib

import pytest
from support.accounts import Staff
from support.halls import HALL


@pytest.fixture
def settings(settings):
    """The root settings, with sessions that outlive the weeks these tests move the clock by."""
    settings.session_ttl_s = 400 * 86400
    return settings


class Hall:
    """The demo hall through its API, as a clerk at window w1 would work it."""

    def __init__(self, client, staff, clock):
        self.client, self.staff, self.clock = client, staff, clock
        self.clerk = staff.make("zhangwei", display_name="张伟")
        self.manager = staff.make("boss", role="manager")
        self.admin = staff.admin
        r = client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=self.clerk)
        assert r.status_code == 200, r.text

    @property
    def runtime(self):
        return self.client.app.state.runtime

    def check(self) -> list[dict]:
        """One round of the supervision check, in the app's event loop (no sleeping)."""
        return self.client.portal.call(self.runtime.cases.check)

    def read(self, fn, *args):
        """Run a store-style function `fn(tx, *args)` on the app's database."""
        return self.client.portal.call(self.runtime.db.read, fn, *args)

    def issue(self, category: str = "eia") -> dict:
        r = self.client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category})
        assert r.status_code == 201, r.text
        return r.json()

    def call(self) -> dict:
        r = self.client.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=self.clerk)
        assert r.status_code == 200, r.text
        return r.json()

    def act(self, ticket_id: int, action: str, json: dict | None = None, status: int = 200) -> dict:
        r = self.client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=self.clerk, json=json)
        assert r.status_code == status, r.text
        return r.json()

    def accept(self, item: str, category: str = "eia", name: str = "张三", phone: str = "13812345678",
               project: str = "某某化工厂扩建项目", wait_s: float = 0, service_s: float = 0) -> dict:
        """Take a ticket, wait, get called, be served, leave with an accepted case: the complete answer."""
        t = self.issue(category)
        self.clock.advance(wait_s)
        called = self.call()
        assert called["id"] == t["id"]
        self.act(t["id"], "start")
        self.clock.advance(service_s)
        out = self.act(t["id"], "complete", {"outcome": "accepted", "case": {
            "item": item, "applicant_name": name, "applicant_phone": phone, "project": project}})
        assert set(out["case"]) >= {"id", "deadline", "number", "provisional"}
        return out

    def case(self, case_id: int) -> dict:
        r = self.client.get(f"/api/v1/cases/{case_id}", headers=self.clerk)
        assert r.status_code == 200, r.text
        return r.json()

    def case_action(self, case_id: int, action: str, json: dict | None = None, status: int = 200,
                    headers: dict | None = None) -> dict:
        r = self.client.post(f"/api/v1/cases/{case_id}/{action}", headers=headers or self.clerk, json=json)
        assert r.status_code == status, r.text
        return r.json()

    def alerts(self, all_: bool = False, kind: str | None = None) -> list[dict]:
        params = {"all": "1"} if all_ else {}
        if kind:
            params["kind"] = kind
        r = self.client.get(f"/api/v1/halls/{HALL}/alerts", headers=self.manager, params=params)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def hall(client, staff, clock) -> Hall:
    return Hall(client, staff, clock)


@pytest.fixture
def make_hall(make_client, database_url, clock):
    """`make_hall(config=None, **settings_overrides)`: another app on this test's database kind."""

    def make(config=None, **overrides) -> Hall:
        c = make_client(config=config, database_url=database_url, **overrides)
        return Hall(c, Staff(c), clock)

    return make


@contextlib.contextmanager
def display(client):
    """The public display socket, its snapshot read; `events(ws)` reads what came since."""
    with client.websocket_connect(f"/ws/halls/{HALL}/display") as ws:
        snap = ws.receive_json()
        assert snap["type"] == "snapshot"
        yield ws


@contextlib.contextmanager
def staff_console(hall: Hall):
    """The staff (console) socket, as the hall's manager, its snapshot read: where supervision
    alerts go (never to the public display socket)."""
    with hall.client.websocket_connect(f"/ws/halls/{HALL}/console", headers=hall.manager) as ws:
        snap = ws.receive_json()
        assert snap["type"] == "snapshot"
        yield ws


def events_until_sentinel(client, ws) -> list[dict]:
    """Every event the socket got up to now: a sentinel `notice` is published and read up to."""
    hub = client.app.state.runtime.hub
    client.portal.call(hub.publish, HALL, "notice", {"window": None, "notice": "sentinel"})
    out = []
    while True:
        ev = ws.receive_json()
        if ev["type"] == "notice" and ev.get("notice") == "sentinel":
            return out
        out.append(ev)


@pytest.fixture
def display_socket():
    return display


@pytest.fixture
def staff_socket():
    return staff_console


@pytest.fixture
def drain_events():
    return events_until_sentinel
