"""Issue 18, point 1: a mobile outlet's visits: published at least 3 days ahead (422 too_late
otherwise, also for moving or cancelling one close at hand), each town visited at least twice a month
(a yellow alert for the dashboard and the bureau otherwise, resolved once the second visit is
published), public over the API; changes audited."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from support.accounts import ADMIN_PASSWORD, Staff, login
from support.mobile import city_text

from onewindow.server.config import parse_config

VISIT = {"town": "东山镇", "place": "东山镇政府广场", "start": "09:00", "end": "15:00", "categories": ["eia"]}


@pytest.fixture
def c(make_client):
    return make_client(config=parse_config(city_text(), "city.toml"))


def alerts(settings, kind: str = "mobile_thin") -> list[dict]:
    con = sqlite3.connect(Path(settings.data_dir) / "onewindow.db")
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM supervision_alert WHERE kind = ? ORDER BY id", (kind,))]
    finally:
        con.close()


def test_publish_three_days_ahead_and_twice_a_month(c, settings, clock):
    Staff(c).make("boss", role="manager")
    boss = login(c, "boss", keep_cookie=False)
    # The clock: Monday 2026-11-23. Two days ahead is too late; three days is in time.
    r = c.post("/api/v1/halls/van1/visits", headers=boss, json={**VISIT, "day": "2026-11-25"})
    assert r.status_code == 422 and r.json()["code"] == "too_late", r.text
    r = c.post("/api/v1/halls/van1/visits", headers=boss, json={**VISIT, "day": "2026-11-26", "end": "08:00"})
    assert r.status_code == 422 and r.json()["code"] == "bad_hours"
    r = c.post("/api/v1/halls/eco/visits", headers=boss, json={**VISIT, "day": "2026-11-26"})
    assert r.status_code == 409 and r.json()["code"] == "not_mobile"
    r = c.post("/api/v1/halls/van1/visits", headers=boss, json={**VISIT, "day": "2026-11-26"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["warnings"][0]["town"] == "东山镇" and first["warnings"][0]["visits"] == 1
    [a] = alerts(settings)
    assert a["hall"] == "van1" and a["level"] == "yellow" and a["resolved_at"] is None
    # The second visit that month: no warning, the alert resolved.
    r = c.post("/api/v1/halls/van1/visits", headers=boss, json={**VISIT, "day": "2026-11-29", "place": "村委会"})
    assert r.status_code == 201 and r.json()["warnings"] == []
    assert alerts(settings)[0]["resolved_at"] is not None
    # Public: the list, Chinese and English names of the categories.
    pub = c.get("/api/v1/visits").json()
    assert [(v["town"], v["day"]) for v in pub] == [("东山镇", "2026-11-26"), ("东山镇", "2026-11-29")]
    assert pub[0]["categories"][0]["name_en"]
    # Moving a visit away (the town down to once in November) warns again; one close at hand cannot move.
    clock.advance(86400)  # Tuesday: the 26th is 2 days away
    boss = login(c, "boss", keep_cookie=False)
    r = c.put(f"/api/v1/halls/van1/visits/{first['id']}", headers=boss, json={**VISIT, "day": "2026-12-02"})
    assert r.status_code == 422 and r.json()["code"] == "too_late"
    r = c.put(f"/api/v1/halls/van1/visits/{pub[1]['id']}", headers=boss, json={**VISIT, "day": "2026-12-02"})
    assert r.status_code == 200 and {w["month"] for w in r.json()["warnings"]} == {"2026-11", "2026-12"}
    r = c.delete(f"/api/v1/halls/van1/visits/{pub[1]['id']}", headers=boss)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert [v["day"] for v in c.get("/api/v1/halls/van1/visits").json()] == ["2026-11-26"]
    # Only managers change the schedule; every change is in the audit log.
    Staff(c).make("zhangwei")
    clerk = login(c, "zhangwei", keep_cookie=False)
    assert c.post("/api/v1/halls/van1/visits", headers=clerk, json={**VISIT, "day": "2026-12-20"}).status_code == 403
    admin = login(c, "admin", ADMIN_PASSWORD, keep_cookie=False)
    acts = [e["action"] for e in c.get("/api/v1/audit", headers=admin, params={"limit": 50}).json()["entries"]]
    assert {"visit_published", "visit_changed", "visit_cancelled"} <= set(acts)


def test_subscribers_told_of_changes_through_the_outbox(c, settings):
    Staff(c).make("boss", role="manager")
    boss = login(c, "boss", keep_cookie=False)
    r = c.post("/api/v1/halls/van1/visits/subscribers", json={"town": "东山镇", "phone": "12345"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_phone"
    for phone, lang in (("13812345678", "zh"), ("+86 139 1234 5678", "en")):
        r = c.post("/api/v1/halls/van1/visits/subscribers", json={"town": "东山镇", "phone": phone, "lang": lang})
        assert r.status_code == 201, r.text
    c.post("/api/v1/halls/van1/visits/subscribers", json={"town": "西岭乡", "phone": "13700000000"})
    r = c.post("/api/v1/halls/van1/visits", headers=boss, json={**VISIT, "day": "2026-11-27"})
    assert r.status_code == 201
    vid = r.json()["id"]
    r = c.put(f"/api/v1/halls/van1/visits/{vid}", headers=boss, json={**VISIT, "day": "2026-11-28", "start": "10:00"})
    assert r.status_code == 200
    con = sqlite3.connect(Path(settings.data_dir) / "onewindow.db")
    try:
        rows = con.execute("SELECT kind, lang, body FROM notify_outbox ORDER BY id").fetchall()
        stored = con.execute("SELECT phone_enc FROM visit_subscriber").fetchall()
    finally:
        con.close()
    assert [(k, lang) for k, lang, _ in rows] == [("visit_changed", "zh"), ("visit_changed", "en")] * 2
    assert "2026-11-28 10:00-15:00" in rows[2][2] and "东山镇政府广场" in rows[2][2]
    assert "changed" in rows[3][2]
    assert all("138" not in p for (p,) in stored)  # phones stored encrypted
