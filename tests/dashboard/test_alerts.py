"""Issue 12, point 16 through the API: one coverage alarm is one alert (not the watch's alarm,
a logged row per category and the dashboard's own line per category); a manager acknowledges
it, with who and when kept and audited, and it is news again once it ends and comes back;
tiles carry a level by the hall's thresholds; people show by their names (张伟)."""
from __future__ import annotations

from support.accounts import ADMIN_PASSWORD, login
from support.wait import wait_until

H = "/api/v1/halls/eco"
CATS = ("eia", "permit", "consult")


def dashboard(client, manager) -> dict:
    r = client.get(f"{H}/dashboard", headers=manager)
    assert r.status_code == 200, r.text
    return r.json()


def coverage_logged(client, manager) -> list[dict]:
    return client.get(f"{H}/alerts?kind=coverage", headers=manager).json()


def uncovered(client) -> list[str]:
    return client.app.state.runtime.coverage.current("eco")["uncovered"]


def issue(client, category: str) -> dict:
    r = client.post(f"{H}/tickets", json={"category": category})
    assert r.status_code == 201, r.text
    return r.json()


def test_one_coverage_alarm_once_acknowledged_with_who_and_when(make_client, accounts, clock):
    client = make_client()
    staff = accounts(client)
    boss = staff.user("boss", role="manager", display_name="王主任")
    zhangwei = staff.user("zhangwei", display_name="张伟")
    for c in CATS:  # nobody at any window: three categories wait unserved
        issue(client, c)
    wait_until(lambda: sorted(uncovered(client)) == sorted(CATS), what="the coverage watch's alarm")
    wait_until(lambda: len(coverage_logged(client, boss)) == 3, what="a logged row per category")

    dash = dashboard(client, boss)
    cov = [a for a in dash["now"]["alerts"] if a["kind"] == "coverage"]
    assert len(cov) == 1, [a["message"] for a in cov]
    [alarm] = cov
    assert alarm["key"] == "coverage" and alarm["level"] == "red" and sorted(alarm["categories"]) == sorted(CATS)
    assert alarm["acknowledged"] is None and alarm["since"] == "2026-11-23T10:00:00+08:00"
    assert len(alarm["ids"]) == 3  # the three logged rows, told once
    keys = [a["key"] for a in dash["now"]["alerts"]]
    assert len(keys) == len(set(keys))
    assert dash["now"]["tiles"]["waiting"] == "bad" and dash["now"]["tiles"]["alerts"] == "bad"

    # Acknowledged: who and when, audited; the alarm stays while it lasts.
    clock.advance(60)
    r = client.post(f"{H}/dashboard/alerts/ack", headers=boss, json={"key": "coverage"})
    assert r.status_code == 200, r.text
    assert r.json() == {"key": "coverage", "by": "boss", "by_name": "王主任", "at": "2026-11-23T10:01:00+08:00"}
    [alarm] = [a for a in dashboard(client, boss)["now"]["alerts"] if a["kind"] == "coverage"]
    assert alarm["acknowledged"] == {"by": "boss", "by_name": "王主任", "at": "2026-11-23T10:01:00+08:00"}
    admin = login(client, "admin", ADMIN_PASSWORD, keep_cookie=False)
    audit = client.get("/api/v1/audit?action=alert_ack", headers=admin).json()["entries"]
    assert [(e["actor"], e["data"]["key"] if isinstance(e["data"], dict) else e["data"]) for e in audit][:1] \
        in ([("boss", "coverage")], [("boss", '{"hall": "eco", "key": "coverage"}')])

    # Covered: gone. Uncovered again later: news again, not acknowledged.
    client.post(f"{H}/windows/w1/sign-in", headers=zhangwei)
    wait_until(lambda: uncovered(client) == [], what="covered again")
    assert not [a for a in dashboard(client, boss)["now"]["alerts"] if a["kind"] == "coverage"]
    clock.advance(600)
    client.post(f"{H}/windows/w1/sign-out", headers=zhangwei)
    wait_until(lambda: uncovered(client), what="uncovered again")
    wait_until(lambda: coverage_logged(client, boss), what="logged again")
    [alarm] = [a for a in dashboard(client, boss)["now"]["alerts"] if a["kind"] == "coverage"]
    assert alarm["acknowledged"] is None


def test_people_by_name_and_tiles_by_threshold(make_client, accounts, clock):
    client = make_client()
    staff = accounts(client)
    boss = staff.user("boss", role="manager", display_name="王主任")
    zhangwei = staff.user("zhangwei", display_name="张伟")
    lina = staff.user("lina", display_name="李娜")
    client.post(f"{H}/windows/w1/sign-in", headers=zhangwei)
    client.post(f"{H}/windows/w2/sign-in", headers=lina)
    t = issue(client, "eia")
    called = client.post(f"{H}/windows/w1/next", headers=zhangwei).json()
    assert called["id"] == t["id"]
    client.post(f"/api/v1/tickets/{t['id']}/start", headers=zhangwei)
    clock.advance(300)
    client.post(f"/api/v1/tickets/{t['id']}/complete", headers=zhangwei, json={"outcome": "consulted"})

    dash = dashboard(client, boss)
    w1 = next(w for w in dash["now"]["windows"] if w["id"] == "w1")
    assert w1["signed_in_name"] == "张伟" and w1["a_clerk_name"] == "张伟" and w1["a_clerk"] == "zhangwei"
    assert w1["b_clerk_name"] not in ("lina",)  # a login id never where a name can be shown
    row = next(x for x in dash["today"]["by_clerk"] if x["key"] == "zhangwei")
    assert row["name"] == "张伟"
    tiles = dash["now"]["tiles"]
    assert tiles["waiting"] == "ok" and tiles["longest"] == "ok" and tiles["tasks"] == "ok"

    # A ticket waiting into its promise's warning span (target less wait_warn_min), then past it.
    issue(client, "permit")
    client.post(f"{H}/windows/w1/away", headers=zhangwei, json={"reason": "meeting"})
    client.post(f"{H}/windows/w2/away", headers=lina, json={"reason": "meeting"})
    target = next(c["target_wait_s"] for c in dash["now"]["categories"] if c["code"] == "permit")
    clock.advance(target - 120)
    assert dashboard(client, boss)["now"]["tiles"]["longest"] == "warn"
    clock.advance(240)
    assert dashboard(client, boss)["now"]["tiles"]["longest"] == "bad"

    r = client.get(f"{H}/reports", headers=boss).json()
    assert next(x for x in r["by_clerk"] if x["key"] == "zhangwei")["name"] == "张伟"
    assert "张伟" in client.get(f"{H}/reports.csv", headers=boss).content.decode("utf-8-sig")


def test_acknowledging_needs_a_manager_and_a_key(make_client, accounts):
    client = make_client()
    staff = accounts(client)
    boss = staff.user("boss", role="manager")
    clerk = staff.user("lina")
    url = f"{H}/dashboard/alerts/ack"
    assert client.post(url, headers=clerk, json={"key": "coverage"}).status_code == 403
    for bad in ({}, {"key": ""}, {"key": "a b"}, {"key": "x" * 201}, {"key": 5}):
        r = client.post(url, headers=boss, json=bad)
        assert r.status_code == 422 and r.json()["code"] and r.json()["error"], (bad, r.text)
    assert client.post("/api/v1/halls/nope/dashboard/alerts/ack", headers=boss, json={"key": "k"}).status_code == 404
