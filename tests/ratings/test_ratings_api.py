"""Rating through the API (SQLite and PostgreSQL): the pad at the window, the
QR page, once per ticket; bad ratings open rectification tasks that
managers take through verify → rectify → feedback → callback."""
from __future__ import annotations

import pytest

HALL = "eco"


@pytest.fixture
def served(day):
    """zhangwei at w1 serves two tickets: A001 done at t=900, A002 done at t=1500."""
    zhang = day.user("zhangwei")
    boss = day.user("boss", "manager")
    day.sign_in(zhang, "w1")
    a, b = day.issue("eia"), day.issue("eia")
    day.at(300); day.next(zhang, "w1"); day.act(zhang, a, "start")
    day.at(900); day.act(zhang, a, "complete")
    day.at(1000); day.next(zhang, "w1"); day.act(zhang, b, "start")
    day.at(1500); day.act(zhang, b, "complete")
    return day, zhang, boss, a, b


def last_completed(day, window="w1"):
    return day.get(f"/api/v1/halls/{HALL}/windows/{window}/last-completed").json()


def test_last_completed_tells_the_pad_the_number_only(served):
    day, _zhang, _boss, _a, b = served
    got = last_completed(day)
    assert got["window"] == "w1" and got["window_name"] == "1号窗口"
    assert got["ticket"] == {"id": b["id"], "number": "A002", "rated": False,
                             "finished_at": "2026-11-23T10:25:00+08:00"}
    assert last_completed(day, "w2")["ticket"] is None
    day.get(f"/api/v1/halls/{HALL}/windows/w99/last-completed", status=404)
    day.rate(b, 4)
    assert last_completed(day)["ticket"]["rated"] is True
    # The pad's period (15 min by default) over: nothing to rate any more.
    day.at(1500 + 15 * 60 + 1)
    assert last_completed(day)["ticket"] is None


def test_pad_rates_only_the_windows_last_ticket_once(served):
    day, _zhang, _boss, a, b = served
    err = day.rate(a, 5, status=409)
    assert err["code"] == "not_rateable"
    out = day.rate(b, 5)
    assert (out["ticket"], out["level"], out["level_name"], out["channel"], out["task"]) == \
        ("A002", 5, "非常满意", "pad", None)
    assert day.rate(b, 1, status=409)["code"] == "already_rated"
    assert day.rate(b, 3, channel="qr", status=409)["code"] == "already_rated"


def test_pad_period_ends(served):
    day, _zhang, _boss, _a, b = served
    day.at(1500 + 16 * 60)
    assert day.rate(b, 5, status=409)["code"] == "not_rateable"
    # the ticket's own QR page still may
    assert day.rate(b, 5, channel="qr")["channel"] == "qr"


def test_qr_needs_the_tickets_token_and_a_completed_ticket(served):
    day, _zhang, _boss, a, b = served
    assert day.rate(a, 4, channel="qr", token="wrong", status=404)["error"]
    waiting = day.issue("permit")
    assert day.rate(waiting, 4, channel="qr", status=409)["code"] == "not_rateable"
    assert day.rate(a, 4, channel="qr")["ticket"] == "A001"
    assert day.rate(a, 4, channel="qr", status=409)["code"] == "already_rated"
    # the token may come as a query parameter too
    r = day.c.post(f"/api/v1/tickets/{b['id']}/rating?token={b['track_token']}", json={"level": 5, "channel": "qr"})
    assert r.status_code == 201, r.text


def test_the_tickets_token_is_enough_to_rate_from_the_phone(served):
    """Issue 12, point 7: the phone sends the ticket's token but no "channel" (or the default "pad")."""
    day, _zhang, _boss, a, b = served
    phone = {"X-Device-Token": ""}  # a phone: no paired device
    r = day.c.post(f"/api/v1/tickets/{a['id']}/rating", json={"level": 4, "token": a["track_token"]}, headers=phone)
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "qr"
    r = day.c.post(f"/api/v1/tickets/{b['id']}/rating?token={b['track_token']}", json={"level": 5, "channel": "pad"},
                   headers=phone)
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "qr"
    # a wrong token is still a wrong token
    waiting = day.issue("permit")
    r = day.c.post(f"/api/v1/tickets/{waiting['id']}/rating", json={"level": 4, "token": "wrong"}, headers=phone)
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("payload", [{"level": 0}, {"level": 6}, {"level": "good"}, {"level": 1, "reasons": ["x"]},
                                     {"level": 1, "channel": "sms"}, {"level": 2, "comment": "x" * 501}])
def test_bad_bodies(served, payload):
    day, _zhang, _boss, _a, b = served
    r = day.c.post(f"/api/v1/tickets/{b['id']}/rating", json=payload)
    assert r.status_code == 422, r.text
    assert last_completed(day)["ticket"]["rated"] is False


def test_unknown_ticket(served):
    day, *_ = served
    r = day.c.post("/api/v1/tickets/9999/rating", json={"level": 5})
    assert r.status_code == 404


def test_bad_rating_opens_a_task_due_in_48_hours_and_managers_close_it(served):
    day, zhang, boss, a, b = served
    day.at(1510)
    out = day.rate(b, 2, reasons=["slow", "unclear"], comment="材料要求没说清楚")
    assert out["task"]["due_at"] == "2026-11-25T10:25:10+08:00"
    tasks_url = f"/api/v1/halls/{HALL}/rating-tasks"
    [task] = day.get(tasks_url, boss).json()
    assert (task["id"], task["ticket"], task["window"], task["clerk"], task["level"]) == \
        (out["task"]["id"], "A002", "w1", "zhangwei", 2)
    assert (task["reasons"], task["comment"], task["state"], task["steps"], task["overdue"]) == \
        (["slow", "unclear"], "材料要求没说清楚", "verify", [], False)
    assert task["opened_at"] == "2026-11-23T10:25:10+08:00" and task["left_s"] == 48 * 3600
    # A good rating opens nothing.
    assert day.rate(a, 5, channel="qr")["task"] is None

    day.get(tasks_url, status=401)
    day.get(tasks_url, zhang, status=403)
    step = f"{tasks_url}/{task['id']}/advance"

    def advance(body, status=200, who=boss):
        r = day.c.post(step, headers=who, json=body)
        assert r.status_code == status, r.text
        return r.json()

    assert advance({"step": "rectify"}, 409)["code"] == "bad_step"
    assert advance({"step": "verify"}, 403, zhang)
    day.at(3600)
    t = advance({"step": "verify", "outcome": "substantiated", "note": "属实"})
    assert t["state"] == "rectify"
    assert (t["steps"][0]["by"], t["steps"][0]["at"]) == ("boss", "2026-11-23T11:00:00+08:00")
    assert advance({"step": "verify"}, 409)["code"] == "bad_step"
    assert advance({"step": "rectify", "outcome": "satisfied"}, 409)["code"] == "bad_step"
    day.at(7200); advance({"step": "rectify", "note": "已培训"})
    day.at(9000); advance({"step": "feedback", "outcome": "told"})
    day.at(86400)
    boss = day.login("boss")
    t = advance({"step": "callback", "outcome": "satisfied"}, who=boss)
    assert t["state"] == "closed" and t["closed_at"] == "2026-11-24T10:00:00+08:00" and not t["overdue"]
    assert [s["step"] for s in t["steps"]] == ["verify", "rectify", "feedback", "callback"]
    assert advance({"step": "callback"}, 409, boss)["code"] == "bad_step"
    assert day.get(tasks_url, boss).json() == []
    assert [x["state"] for x in day.get(tasks_url, boss, all="1").json()] == ["closed"]
    assert day.get(f"{tasks_url}/{task['id']}", boss).json()["state"] == "closed"
    day.get(f"{tasks_url}/9999", boss, status=404)


def test_overdue_task_raises_a_supervision_alert(served):
    day, _zhang, boss, _a, b = served
    out = day.rate(b, 1, reasons=["attitude"])
    tasks_url = f"/api/v1/halls/{HALL}/rating-tasks"
    day.at(1500 + 48 * 3600 + 60)
    boss = day.login("boss")
    [task] = day.get(tasks_url, boss).json()
    assert task["overdue"] and task["left_s"] < 0
    alerts = day.get(f"/api/v1/halls/{HALL}/alerts", boss).json()
    alerts = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
    mine = [x for x in alerts if x["kind"] == "rating_overdue"]
    assert len(mine) == 1 and mine[0]["level"] == "red" and f"task {out['task']['id']}" in mine[0]["message"]
    dash = day.get(f"/api/v1/halls/{HALL}/dashboard", boss).json()
    assert any(x["kind"] == "rating_overdue" for x in dash["now"]["alerts"])
    assert dash["today"]["ratings"]["tasks"]["overdue"] == 0  # today is the 25th now: the task was opened on the 23rd
    # logged once, however often it is looked at
    day.get(tasks_url, boss)
    alerts = day.get(f"/api/v1/halls/{HALL}/alerts", boss).json()
    alerts = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
    assert len([x for x in alerts if x["kind"] == "rating_overdue"]) == 1


def test_rating_events_reach_the_console_not_the_display(served):
    day, _zhang, boss, _a, b = served
    with day.c.websocket_connect(f"/ws/halls/{HALL}/console", headers=boss) as console, \
            day.c.websocket_connect(f"/ws/halls/{HALL}/display") as display:
        assert console.receive_json()["type"] == "snapshot"
        assert display.receive_json()["type"] == "snapshot"
        day.rate(b, 1)
        seen = until(console, "rating_task")
        [ev] = [e for e in seen if e["type"] == "rating"]
        assert (ev["ticket"], ev["level"], ev["bad"], ev["window"], ev["clerk"]) == ("A002", 1, True, "w1", "zhangwei")
        day.issue("eia")  # the display sees this queue change, and never the rating before it
        assert "rating" not in {e["type"] for e in until(display, "queue")}


def until(ws, kind: str, limit: int = 20) -> list[dict]:
    """Messages up to and including the first of type `kind`."""
    out = []
    for _ in range(limit):
        out.append(ws.receive_json())
        if out[-1]["type"] == kind:
            return out
    raise AssertionError(f"no {kind} in {out}")


def test_rating_scheme_for_the_pad(client):
    s = client.get("/api/v1/rating-scheme").json()
    assert [x["level"] for x in s["levels"]] == [5, 4, 3, 2, 1]
    assert [x["bad"] for x in s["levels"]] == [False, False, False, True, True]
    assert {"code": "long_wait", "name": "等候时间太长", "name_en": "Waited too long"} in s["reasons"]
    assert [x["step"] for x in s["steps"]] == ["verify", "rectify", "feedback", "callback"]


def test_working_day_rules_and_default_ratings(make_client, demo_with, day_on):
    config = demo_with('[halls.ratings]\nrectify_within = { amount = 5, unit = "working_days" }\n'
                       "default_after_min = 10\ndefault_level = 5\n")
    client = make_client(config)
    day = day_on(client)
    zhang = day.user("zhangwei")
    boss = day.user("boss", "manager")
    day.sign_in(zhang, "w1")
    a, b = day.issue("eia"), day.issue("eia")
    day.next(zhang, "w1"); day.act(zhang, a, "complete")
    day.at(60)
    out = day.rate(a, 1)
    # rated Monday 2026-11-23: five working days are 24, 25, 26, 27 and Monday the 30th
    assert out["task"]["due_at"] == "2026-11-30T23:59:59+08:00"
    day.at(120); day.next(zhang, "w1"); day.act(zhang, b, "complete")
    day.at(120 + 9 * 60)
    assert day.get(f"/api/v1/halls/{HALL}/reports", boss).json()["ratings"]["total"] == 1
    day.at(120 + 10 * 60)
    r = day.get(f"/api/v1/halls/{HALL}/reports", boss).json()["ratings"]
    assert (r["total"], r["levels"]["5"], r["levels"]["1"]) == (2, 1, 1)
    assert day.rate(b, 1, channel="qr", status=409)["code"] == "already_rated"

