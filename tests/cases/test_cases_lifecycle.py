"""A case's life after acceptance: suspensions stop the clock and move the
deadline, completion feeds the call screens' ticker (masked), a withdrawal
or refusal needs a reason, every change is in the history."""
from __future__ import annotations

from support.clock import at
from support.halls import HALL


def test_a_suspension_moves_the_deadline_by_the_working_days_it_stood_still(hall):
    case_id = hall.accept("eia_report_form")["case"]["id"]  # Mon 11-23, due Mon 12-14
    hall.clock.set(at(2026, 11, 24))
    suspended = hall.case_action(case_id, "suspend", {"reason": "correction", "notice": "请补正公众参与说明"})
    assert suspended["status"] == "suspended"
    hall.case_action(case_id, "suspend", {"reason": "hearing", "notice": "x"}, status=409)
    hall.case_action(case_id, "complete", status=409)
    hall.clock.set(at(2026, 11, 27, 15))  # Fri: 11-25, 11-26, 11-27 stood still
    resumed = hall.case_action(case_id, "resume")
    assert resumed["status"] == "accepted"
    assert resumed["deadline"] == "2026-12-17T23:59:59+08:00"
    assert resumed["suspensions"] == [{
        "reason": "correction", "reason_name": "补正材料", "from": "2026-11-24T10:00:00+08:00",
        "to": "2026-11-27T15:00:00+08:00", "notice": "请补正公众参与说明", "actor": "zhangwei",
        "missing": []}]
    hall.case_action(case_id, "resume", status=409)
    history = resumed["history"]
    assert [h["type"] for h in history] == ["accepted", "suspended", "resumed"]
    assert history[2]["data"]["old_deadline"] == "2026-12-14T23:59:59+08:00"
    assert history[2]["data"]["deadline"] == "2026-12-17T23:59:59+08:00"


def test_a_suspension_over_a_weekend_only_counts_working_days(hall):
    case_id = hall.accept("key_project_eia")["case"]["id"]  # due Mon 11-30
    hall.clock.set(at(2026, 11, 27, 16))  # Fri
    hall.case_action(case_id, "suspend", {"reason": "expert_review", "notice": "组织专家评审"})
    hall.clock.set(at(2026, 11, 30, 9))  # Mon: only Monday stood still
    assert hall.case_action(case_id, "resume")["deadline"] == "2026-12-01T23:59:59+08:00"


def test_suspension_needs_a_known_reason_and_a_written_notice(hall):
    case_id = hall.accept("eia_registration")["case"]["id"]
    for body in ({"reason": "correction"}, {"reason": "correction", "notice": "  "},
                 {"reason": "coffee", "notice": "back soon"}):
        r = hall.client.post(f"/api/v1/cases/{case_id}/suspend", headers=hall.clerk, json=body)
        assert r.status_code == 422, body
        assert "error" in r.json()
    assert hall.case(case_id)["status"] == "accepted"


def test_completion_feeds_the_ticker_masked(hall, display_socket, drain_events):
    out = hall.accept("eia_registration", name="张三", phone="13812345678")
    case_id = out["case"]["id"]
    hall.clock.set(at(2026, 11, 30, 11))
    with display_socket(hall.client) as ws:
        done = hall.case_action(case_id, "complete", {"note": "准予备案"})
        events = drain_events(hall.client, ws)
    assert done["status"] == "completed" and done["kept"] is True and done["card"] == "green"
    assert done["completed_at"] == "2026-11-30T11:00:00+08:00"
    # result_ready: how the result reaches the applicant (issue 14's tracking)
    assert [h["type"] for h in done["history"]] == ["accepted", "completed", "result_ready"]
    [ticker] = [e for e in events if e["type"] == "completion"]
    assert ticker == {"type": "completion", "seq": ticker["seq"], "case": out["case"]["number"],
                      "item": "建设项目环境影响登记表备案", "completed_at": "2026-11-30T11:00:00+08:00",
                      "applicant": "张**"}
    hall.case_action(case_id, "complete", status=409)


def test_the_ticker_survives_a_restart(hall, make_client, database_url):
    hall.case_action(hall.accept("eia_registration", name="赵六")["case"]["id"], "complete")
    # A second server on the same database: its screens get today's completions in the snapshot.
    again = make_client(database_url=database_url)
    with again.websocket_connect(f"/ws/halls/{HALL}/display") as ws:
        snap = ws.receive_json()
    assert [c["applicant"] for c in snap["completions"]] == ["赵**"]


def test_withdraw_needs_a_reason_and_a_refusal_without_one_is_flagged_once(hall, display_socket, staff_socket,
                                                                         drain_events):
    case_id = hall.accept("eia_report_book")["case"]["id"]
    with display_socket(hall.client) as public, staff_socket(hall) as ws:
        for body in (None, {"reason": ""}, {"reason": "   "}):
            r = hall.client.post(f"/api/v1/cases/{case_id}/withdraw", headers=hall.clerk, json=body)
            assert r.status_code == 422, r.text
            assert r.json()["field"] == "reason"
        events = drain_events(hall.client, ws)
        on_display = drain_events(hall.client, public)
    assert hall.case(case_id)["status"] == "accepted"
    [flag] = hall.alerts(kind="refusal_without_reason")
    assert flag["case_id"] == case_id and flag["level"] == "red"
    published = [e for e in events if e["type"] == "alert" and e["kind"] == "refusal_without_reason"]
    assert len(published) == 1  # to staff
    assert "zhangwei" not in published[0]["message"]
    # the call screens are public: no supervision alert, no case number reaches them (issue 13, point 9)
    assert [e for e in on_display if e["type"] == "alert"] == []
    assert hall.case(case_id)["number"] not in str(on_display)

    withdrawn = hall.case_action(case_id, "withdraw", {"reason": "申请人撤回申请"})
    assert withdrawn["status"] == "withdrawn" and withdrawn["closed_reason"] == "申请人撤回申请"
    assert withdrawn["history"][-1]["type"] == "withdrawn"
    assert withdrawn["history"][-1]["data"] == {"reason": "申请人撤回申请"}
    hall.case_action(case_id, "withdraw", {"reason": "again"}, status=409)


def test_a_suspended_case_can_be_withdrawn(hall):
    case_id = hall.accept("eia_report_form")["case"]["id"]
    hall.case_action(case_id, "suspend", {"reason": "correction", "notice": "补正"})
    hall.clock.advance(3600)
    out = hall.case_action(case_id, "withdraw", {"reason": "逾期未补正"})
    assert out["status"] == "withdrawn"
    assert out["suspensions"][0]["to"] == "2026-11-23T11:00:00+08:00"


def test_listing_filters_by_status(hall):
    a = hall.accept("eia_report_book")["case"]["id"]
    b = hall.accept("key_project_eia")["case"]["id"]
    hall.case_action(b, "complete")
    listed = hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk).json()
    assert [c["id"] for c in listed] == [b, a]  # soonest deadline first
    open_ = hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk, params={"status": "accepted"}).json()
    assert [c["id"] for c in open_] == [a]
    assert hall.client.post("/api/v1/cases/99999/resume", headers=hall.clerk).status_code == 404
