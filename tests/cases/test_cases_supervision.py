"""Electronic supervision with a controlled clock (no sleeping): yellow and
red cards at the right moments, each alert logged once and published once;
waiting promises and serving steps; the check at start-up catches what
crossed while the server was down."""
from __future__ import annotations

from starlette.testclient import TestClient
from support.accounts import Staff
from support.clock import at
from support.halls import HALL, demo_config

from onewindow.server.app import create_app
from onewindow.server.settings import Settings


def case_alerts(alerts: list[dict], case_id: int) -> list[tuple[str, str]]:
    return [(a["kind"], a["level"]) for a in alerts if a["case_id"] == case_id]


def test_yellow_on_the_working_day_before_and_red_once_overdue(hall, staff_socket, drain_events):
    case_id = hall.accept("eia_report_form")["case"]["id"]  # due Mon 2026-12-14 23:59:59
    with staff_socket(hall) as ws:
        hall.clock.set(at(2026, 12, 10, 23, 59))  # Thu: Friday and Monday left
        hall.check()
        assert case_alerts(hall.alerts(), case_id) == []
        assert hall.case(case_id)["card"] == "green"

        hall.clock.set(at(2026, 12, 11, 12))  # Fri: the working day before the due day
        hall.check()
        hall.clock.set(at(2026, 12, 12, 12))  # Sat: only Monday, a working day, is left
        hall.check()
        hall.clock.set(at(2026, 12, 14, 23, 59, 59))  # the deadline itself is still in time
        hall.check()
        assert case_alerts(hall.alerts(), case_id) == [("yellow", "yellow")]
        case = hall.case(case_id)
        assert case["card"] == "yellow" and case["card_at"] == "2026-12-11T12:00:00+08:00"

        hall.clock.set(at(2026, 12, 15, 0, 0, 0))  # one second past
        hall.check()
        hall.check()
        events = drain_events(hall.client, ws)
    assert case_alerts(hall.alerts(), case_id) == [("red", "red"), ("yellow", "yellow")]
    case = hall.case(case_id)
    assert case["card"] == "red" and case["card_at"] == "2026-12-15T00:00:00+08:00"
    assert [h["data"]["card"] for h in case["history"] if h["type"] == "card"] == ["yellow", "red"]
    published = [(e["kind"], e["level"]) for e in events if e["type"] == "alert" and e["kind"] in ("yellow", "red")]
    assert published == [("yellow", "yellow"), ("red", "red")]
    red = next(e for e in events if e["type"] == "alert" and e["kind"] == "red")
    assert set(red) >= {"type", "seq", "kind", "level", "message", "categories"}
    assert red["categories"] == ["eia"] and "HP-20261123-0001" in red["message"]


def test_a_late_completion_stays_red_and_settles_the_alert(hall):
    case_id = hall.accept("key_project_eia")["case"]["id"]  # due Mon 11-30
    hall.clock.set(at(2026, 12, 1, 9))
    hall.check()
    assert case_alerts(hall.alerts(), case_id) == [("red", "red")]
    done = hall.case_action(case_id, "complete")
    assert (done["card"], done["kept"]) == ("red", False)
    assert case_alerts(hall.alerts(), case_id) == []  # settled
    assert case_alerts(hall.alerts(all_=True), case_id) == [("red", "red")]  # but logged
    hall.check()
    assert hall.case(case_id)["card"] == "red"


def test_a_resumed_case_starts_green_again_with_its_new_deadline(hall):
    case_id = hall.accept("key_project_eia")["case"]["id"]  # due Mon 11-30
    hall.clock.set(at(2026, 11, 30, 9))
    hall.check()
    assert case_alerts(hall.alerts(), case_id) == [("yellow", "yellow")]
    hall.case_action(case_id, "suspend", {"reason": "public_notice", "notice": "公示五个工作日"})
    hall.clock.set(at(2026, 12, 7, 9))  # 12-01..12-07: five working days stood still
    resumed = hall.case_action(case_id, "resume")
    assert resumed["deadline"] == "2026-12-07T23:59:59+08:00"
    # Its old yellow card settled; the new deadline is today, so a new yellow card at once.
    assert case_alerts(hall.alerts(), case_id) == [("yellow", "yellow")]
    assert len(case_alerts(hall.alerts(all_=True), case_id)) == 2
    assert resumed["card"] == "yellow"


def test_waiting_promise_yellow_then_red_once_and_settled_when_called(hall, staff_socket, drain_events):
    t = hall.issue("eia")  # the EIA category promises at most 30 minutes' wait
    with staff_socket(hall) as ws:
        hall.clock.advance(24 * 60)
        hall.check()
        hall.clock.advance(2 * 60)  # 26 minutes: within the last 5
        hall.check()
        hall.clock.advance(5 * 60)  # 31 minutes
        hall.check()
        hall.check()
        events = drain_events(hall.client, ws)
    waits = [a for a in hall.alerts(kind="wait_promise") if a["ticket_id"] == t["id"]]
    assert [a["level"] for a in waits] == ["red", "yellow"]
    assert waits[0]["categories"] == ["eia"] and t["number"] in waits[0]["message"]
    published = [(e["level"], e["categories"]) for e in events if e["type"] == "alert" and e["kind"] == "wait_promise"]
    assert published == [("yellow", ["eia"]), ("red", ["eia"])]
    hall.call()
    hall.check()
    assert hall.alerts(kind="wait_promise") == []
    assert len(hall.alerts(all_=True, kind="wait_promise")) == 2


def test_a_serving_step_that_overran_is_flagged(hall):
    t = hall.issue("consult")  # expected 5 minutes of service: flagged past 15
    hall.call()
    hall.act(t["id"], "start")
    hall.clock.advance(15 * 60)
    hall.check()
    assert hall.alerts(kind="step_overrun") == []
    hall.clock.advance(60)
    hall.check()
    hall.check()
    [step] = hall.alerts(kind="step_overrun")
    assert step["ticket_id"] == t["id"] and step["level"] == "yellow" and "15" in step["message"]
    hall.act(t["id"], "complete")
    hall.check()
    assert hall.alerts(kind="step_overrun") == []


def test_alerts_are_for_staff_and_a_manager_resolves_them(hall):
    hall.accept("key_project_eia")
    hall.clock.set(at(2026, 12, 1, 9))
    hall.check()
    [red] = hall.alerts(kind="red")
    c = hall.client
    c.cookies.clear()
    assert c.get(f"/api/v1/halls/{HALL}/alerts").status_code == 401
    assert c.post(f"/api/v1/alerts/{red['id']}/resolve", headers=hall.clerk).status_code == 403
    r = c.post(f"/api/v1/alerts/{red['id']}/resolve", headers=hall.manager)
    assert r.status_code == 200 and r.json()["resolved_by"] == "boss"
    assert hall.alerts(kind="red") == []
    assert c.post("/api/v1/alerts/999999/resolve", headers=hall.manager).status_code == 404
    r = c.get(f"/api/v1/halls/{HALL}/alerts", headers=hall.manager, params={"kind": "purple"})
    assert r.status_code == 422


def test_a_deadline_crossed_while_the_server_was_down_is_caught_at_start(settings, database_url, clock):
    s = Settings(**{**settings.__dict__, "database_url": database_url})
    config = demo_config()
    with TestClient(create_app(s, config)) as first:
        staff = Staff(first)
        clerk = staff.make("zhangwei")
        assert first.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
        t = first.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
        assert first.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).status_code == 200
        out = first.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk,
                         json={"outcome": "accepted", "case": {"item": "key_project_eia"}}).json()
        case_id = out["case"]["id"]
    # Down over the deadline (Mon 11-30): started again on Wednesday, nobody calls the check.
    clock.set(at(2026, 12, 2, 8, 30))
    with TestClient(create_app(s, config)) as second:
        headers = Staff(second).admin
        alerts = second.get(f"/api/v1/halls/{HALL}/alerts", headers=headers, params={"kind": "red"}).json()
        assert [(a["kind"], a["case_id"]) for a in alerts] == [("red", case_id)]
        assert second.get(f"/api/v1/cases/{case_id}", headers=headers).json()["card"] == "red"
    # A third start logs nothing again.
    with TestClient(create_app(s, config)) as third:
        headers = Staff(third).admin
        r = third.get(f"/api/v1/halls/{HALL}/alerts", headers=headers, params={"kind": "red,yellow", "all": "1"})
        assert [(a["kind"], a["case_id"]) for a in r.json()] == [("red", case_id)]


def test_the_warning_time_is_configuration(make_hall, demo_config):
    hall = make_hall(demo_config(replace={"warn_working_days = 1": "warn_working_days = 3"}))
    case_id = hall.accept("eia_report_form")["case"]["id"]  # due Mon 12-14
    hall.clock.set(at(2026, 12, 8, 17))  # Tue: 12-09, 10, 11 ahead of the due day
    hall.check()
    assert hall.case(case_id)["card"] == "green"
    hall.clock.set(at(2026, 12, 9, 9))  # Wed: three working days ahead
    hall.check()
    assert hall.case(case_id)["card"] == "yellow"
    assert case_alerts(hall.alerts(), case_id) == [("yellow", "yellow")]


def test_an_hour_limited_promise_warns_in_its_last_quarter(make_hall, demo_config):
    hall = make_hall(demo_config(replace={
        'name_en = "General matter (feedback)"\npromised = { amount = 3, unit = "working_days" }':
        'name_en = "General matter (feedback)"\npromised = { amount = 4, unit = "hours" }'}))
    out = hall.accept("general_matter", category="consult")  # accepted 10:00, due 14:00
    case_id = out["case"]["id"]
    assert out["case"]["deadline"] == "2026-11-23T14:00:00+08:00"
    hall.clock.set(at(2026, 11, 23, 12, 59))
    hall.check()
    assert hall.case(case_id)["card"] == "green"
    hall.clock.set(at(2026, 11, 23, 13, 0))
    hall.check()
    assert hall.case(case_id)["card"] == "yellow"
    hall.clock.set(at(2026, 11, 23, 14, 0, 1))
    hall.check()
    assert hall.case(case_id)["card"] == "red"
