"""Fixtures of the case-tracking tests (issue 14): the demo hall through its API, a case
accepted at window w1, the applicant's public calls with the case's token, and a notifier
that records what would be sent (the outbox itself is tests/notify's)."""
from __future__ import annotations

import pytest
from support.halls import HALL


@pytest.fixture
def settings(settings):
    settings.session_ttl_s = 400 * 86400
    return settings


class Recorder:
    """Stands in for services/notifications.Notifier: enqueue(tx, ...) records each message once
    per event key, as the outbox does."""

    def __init__(self):
        self.sent: list[dict] = []
        self.keys: set[str] = set()

    def enqueue(self, tx, *, hall, kind, phone, params, event_key, lang="zh"):
        if event_key in self.keys:
            return None
        self.keys.add(event_key)
        self.sent.append({"hall": hall, "kind": kind, "phone": phone, "params": params, "key": event_key,
                          "lang": lang})
        return len(self.sent)

    def kinds(self) -> list[str]:
        return [m["kind"] for m in self.sent]


class Hall:
    def __init__(self, client, staff, clock):
        self.client, self.staff, self.clock = client, staff, clock
        self.clerk = staff.make("zhangwei", display_name="张伟")
        self.manager = staff.make("boss", role="manager")
        r = client.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=self.clerk)
        assert r.status_code == 200, r.text

    @property
    def runtime(self):
        return self.client.app.state.runtime

    def read(self, fn, *args):
        return self.client.portal.call(self.runtime.db.read, fn, *args)

    def issue(self, category: str = "eia", **extra) -> dict:
        r = self.client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category, **extra})
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

    def accept(self, item: str = "eia_report_form", name: str = "张三丰", phone: str = "13812345678",
               notify: bool = False, lang: str = "zh") -> dict:
        """A ticket taken, called, served, completed with an accepted case: the case answer."""
        t = self.issue(lang=lang)
        assert self.call()["id"] == t["id"]
        self.act(t["id"], "start")
        out = self.act(t["id"], "complete", {"outcome": "accepted", "case": {
            "item": item, "applicant_name": name, "applicant_phone": phone, "project": "某某化工厂扩建项目",
            "notify": notify}})
        return out["case"]

    def case_action(self, case_id: int, action: str, json: dict | None = None, status: int = 200) -> dict:
        r = self.client.post(f"/api/v1/cases/{case_id}/{action}", headers=self.clerk, json=json)
        assert r.status_code == status, r.text
        return r.json()

    def progress(self, case_id: int, token: str, status: int = 200) -> dict:
        r = self.client.get(f"/api/v1/cases/{case_id}/progress", params={"token": token})
        assert r.status_code == status, r.text
        return r.json()

    def rate(self, case_id: int, token: str, level: int, status: int = 201, **extra) -> dict:
        r = self.client.post(f"/api/v1/cases/{case_id}/rating", params={"token": token},
                             json={"level": level, **extra})
        assert r.status_code == status, r.text
        return r.json()

    def advance(self, task_id: int, step: str, note: str = "", outcome: str = "") -> dict:
        r = self.client.post(f"/api/v1/halls/{HALL}/rating-tasks/{task_id}/advance", headers=self.manager,
                             json={"step": step, "note": note, "outcome": outcome})
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def hall(client, staff, clock) -> Hall:
    return Hall(client, staff, clock)


@pytest.fixture
def recorder(hall) -> Recorder:
    """What the tracking service hands to the notifier (looked up at each message), recorded."""
    rec = Recorder()
    hall.runtime.tracking.notifier = lambda: rec
    return rec
