"""Key-project tracking card (重点项目服务跟踪卡, issue 15 point 6): a case marked key project with
a named liaison; per-step limits (report preparation, technical assessment, administrative approval:
the item's key_steps, in working days); actual start and end per step recorded through the API;
fees against their cap (kept and flagged when over); satisfaction per step on the five levels; a
started step past its limit raises a red alert in the supervision round (injected clock)."""
from __future__ import annotations

import json

import pytest
from support.clock import at


@pytest.fixture
def liaison(hall):
    return hall.staff.make("liuyang", display_name="刘洋")


def mark(hall, case_id, body=None, status=201, who=None):
    r = hall.client.post(f"/api/v1/cases/{case_id}/key-project", headers=who or hall.manager,
                         json=body if body is not None else {"liaison": "liuyang", "phone": "0519-12369"})
    assert r.status_code == status, r.text
    return r.json()


def step(hall, case_id, who, body, status=200):
    r = hall.client.post(f"/api/v1/cases/{case_id}/key-project/steps", headers=who, json=body)
    assert r.status_code == status, r.text
    return r.json()


def card(hall, case_id, who=None):
    r = hall.client.get(f"/api/v1/cases/{case_id}/key-project", headers=who or hall.clerk)
    assert r.status_code == 200, r.text
    return r.json()


def by_step(c):
    return {s["step"]: s for s in c["steps"]}


def test_the_card_carries_liaison_limits_times_fees_and_satisfaction(hall, liaison):
    case_id = hall.accept("key_project_eia", project="某某新材料产业园一期")["case"]["id"]
    c = mark(hall, case_id)
    assert c["liaison"] == {"username": "liuyang", "name": "刘洋", "phone": "0519-12369"}
    assert [(s["step"], s["name"], s["days"], s["fee_cap"]) for s in c["steps"]] == [
        ("report", "环评编制", 30, 80000), ("assessment", "技术评估", 10, 20000), ("approval", "行政审批", 5, None)]
    assert c["project"] == "某某新材料产业园一期" and c["applicant"] == "张**"
    # The report was begun the Friday before (recorded afterwards), ended today.
    step(hall, case_id, liaison, {"step": "report", "event": "start", "at": "2026-11-20T09:00"})
    hall.clock.set(at(2026, 11, 24, 15))
    step(hall, case_id, liaison, {"step": "report", "event": "end"})
    step(hall, case_id, liaison, {"step": "report", "event": "fee", "amount": 60000})
    c = step(hall, case_id, liaison, {"step": "report", "event": "satisfaction", "level": 5})
    report = by_step(c)["report"]
    assert report["started_at"] == "2026-11-20T09:00:00+08:00" and report["ended_at"] == "2026-11-24T15:00:00+08:00"
    assert report["took_s"] == 4 * 86400 + 6 * 3600
    assert report["due"] == "2027-01-04T23:59:59+08:00"  # 30 working days from Fri 11-20
    assert (report["overrun"], report["fee"], report["over_cap"]) == (False, 60000, False)
    assert (report["satisfaction"], report["satisfaction_name"], report["rated_by"]) == (5, "非常满意", "liuyang")
    assert card(hall, case_id) == c  # what GET shows
    rows = hall.read(lambda tx: tx.all("SELECT actor, action, data FROM audit_log ORDER BY id"))
    steps = [json.loads(r["data"]) for r in rows if r["action"] == "key_project_step"]
    assert [(s["step"], s["event"]) for s in steps] == [
        ("report", "start"), ("report", "end"), ("report", "fee"), ("report", "satisfaction")]
    assert [r["actor"] for r in rows if r["action"] == "key_project_mark"] == ["boss"]


def test_a_step_past_its_limit_raises_a_red_alert_once(hall, liaison):
    case_id = hall.accept("key_project_eia")["case"]["id"]
    mark(hall, case_id)
    step(hall, case_id, hall.clerk, {"step": "approval", "event": "start"})  # Mon 11-23: 5 working days
    assert by_step(card(hall, case_id))["approval"]["due"] == "2026-11-30T23:59:59+08:00"
    hall.clock.set(at(2026, 11, 30, 23, 59, 59))
    hall.check()
    assert hall.alerts(kind="key_step_overrun") == []
    hall.clock.set(at(2026, 12, 1, 0, 0, 1))
    hall.check()
    hall.check()
    alerts = hall.alerts(kind="key_step_overrun")
    assert [(a["level"], a["case_id"]) for a in alerts] == [("red", case_id)]
    assert "行政审批" in alerts[0]["message"] and "5" in alerts[0]["message"]
    assert by_step(card(hall, case_id))["approval"]["overrun"] is True
    # An ended step raises nothing more; ending late keeps it marked overrun.
    step(hall, case_id, liaison, {"step": "approval", "event": "end"})
    hall.check()
    assert len(hall.alerts(kind="key_step_overrun", all_=True)) == 1
    assert by_step(card(hall, case_id))["approval"]["overrun"] is True


def test_a_fee_over_its_cap_is_kept_and_flagged(hall, liaison):
    case_id = hall.accept("key_project_eia")["case"]["id"]
    mark(hall, case_id)
    step(hall, case_id, liaison, {"step": "assessment", "event": "start"})
    c = step(hall, case_id, liaison, {"step": "assessment", "event": "fee", "amount": 25000})
    s = by_step(c)["assessment"]
    assert (s["fee"], s["fee_cap"], s["over_cap"]) == (25000, 20000, True)
    alerts = hall.alerts(kind="key_fee_over_cap")
    assert [(a["level"], a["case_id"]) for a in alerts] == [("red", case_id)]
    assert "25000" in alerts[0]["message"] and "20000" in alerts[0]["message"]
    # Administrative approval charges nothing: any fee is over its cap.
    c = step(hall, case_id, liaison, {"step": "approval", "event": "fee", "amount": 100})
    assert by_step(c)["approval"]["over_cap"] is True
    assert len(hall.alerts(kind="key_fee_over_cap")) == 2


def test_who_may_mark_and_record_and_what_is_refused(hall, liaison):
    case_id = hall.accept("key_project_eia")["case"]["id"]
    r = hall.client.get(f"/api/v1/cases/{case_id}/key-project", headers=hall.clerk)
    assert r.status_code == 409 and r.json()["code"] == "not_key_project"
    mark(hall, case_id, who=hall.clerk, status=403)  # a clerk does not mark
    assert mark(hall, case_id, {"liaison": "nobody"}, status=422)["code"] == "unknown_liaison"
    mark(hall, case_id)
    assert mark(hall, case_id, status=409)["code"] == "already_key_project"
    other = hall.accept("eia_report_form")["case"]["id"]
    assert mark(hall, other, status=409)["code"] == "no_key_steps"
    stranger = hall.staff.make("wangfang")
    assert step(hall, case_id, stranger, {"step": "report", "event": "start"}, status=403)["code"] == "not_your_case"
    assert step(hall, case_id, liaison, {"step": "report", "event": "end"}, status=409)["code"] == "bad_step_state"
    step(hall, case_id, liaison, {"step": "report", "event": "start"})
    assert step(hall, case_id, liaison, {"step": "report", "event": "end", "at": "2026-11-22T10:00"},
                status=409)["code"] == "bad_step_state"  # before its start
    assert step(hall, case_id, liaison, {"step": "report", "event": "end", "at": "2026-11-30T10:00"},
                status=422)["field"] == "at"  # the future
    for bad in ({"step": "report", "event": "fee"}, {"step": "report", "event": "fee", "amount": -1},
                {"step": "report", "event": "satisfaction", "level": 6}, {"step": "survey", "event": "start"},
                {"step": "report", "event": "satisfaction"}, {"step": "report", "event": "start", "at": "soon"}):
        r = hall.client.post(f"/api/v1/cases/{case_id}/key-project/steps", headers=liaison, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert by_step(card(hall, case_id))["report"]["fee"] is None
