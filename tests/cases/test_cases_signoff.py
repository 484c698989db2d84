"""One review, one check (一审一核, issue 15 point 5): an item configured `review = true` completes
only after a second person with the reviewer role signs it off; never whoever accepted or handled
it; the approval and a return (with its reason) are audited and steps on the case (and on the
applicant's tracking page); the report gives the window direct-completion rate (004: >= 80%)."""
from __future__ import annotations

import json

import pytest
from support.halls import HALL


@pytest.fixture
def reviewer(hall):
    return hall.staff.make("chief", role="reviewer", display_name="首席代表")


def review(hall, case_id, who, body, status=200):
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=who, json=body)
    assert r.status_code == status, r.text
    return r.json()


def audited(hall, action):
    rows = hall.read(lambda tx: tx.all("SELECT actor, action, data FROM audit_log ORDER BY id"))
    return [(r["actor"], json.loads(r["data"])) for r in rows if r["action"] == action]


def test_a_review_item_does_not_complete_before_the_sign_off(hall, reviewer):
    case_id = hall.accept("eia_report_book")["case"]["id"]
    r = hall.client.post(f"/api/v1/cases/{case_id}/complete", headers=hall.clerk, json={})
    assert r.status_code == 409 and r.json()["code"] == "review_required", r.text
    assert hall.case(case_id)["status"] == "accepted"
    signed = review(hall, case_id, reviewer, {"decision": "approve"})
    assert [h["type"] for h in signed["history"]][-1] == "review_approved"
    assert signed["history"][-1]["actor"] == "chief"
    done = hall.case_action(case_id, "complete")
    assert done["status"] == "completed"
    assert audited(hall, "case_review_approved") == [
        ("chief", {"case": done["number"], "case_id": case_id, "hall": HALL})]


def test_the_person_who_accepted_or_handled_the_case_may_not_sign_it_off(hall, reviewer):
    case_id = hall.accept("eia_report_book")["case"]["id"]
    # A manager who handled it (suspended it) may not either.
    hall.case_action(case_id, "suspend", {"reason": "correction", "notice": "补正"}, headers=hall.manager)
    hall.case_action(case_id, "resume", headers=hall.manager)
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=hall.manager, json={"decision": "approve"})
    assert r.status_code == 403 and r.json()["code"] == "same_person", r.text
    # A plain clerk is no reviewer at all.
    other = hall.staff.make("lisi")
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=other, json={"decision": "approve"})
    assert r.status_code == 403
    # The accepting clerk made reviewer: still the same person.
    r = hall.client.post("/api/v1/users/zhangwei/role", headers=hall.admin, json={"role": "reviewer"})
    assert r.status_code == 200, r.text
    again = hall.staff.login("zhangwei")
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=again, json={"decision": "approve"})
    assert r.status_code == 403 and r.json()["code"] == "same_person", r.text
    history = hall.client.get(f"/api/v1/cases/{case_id}", headers=reviewer).json()["history"]
    assert not [h for h in history if h["type"].startswith("review_")]
    assert audited(hall, "case_review_approved") == []


def test_a_return_needs_a_reason_is_audited_and_a_later_suspension_voids_an_approval(hall, reviewer):
    case_id = hall.accept("eia_report_book")["case"]["id"]
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=reviewer, json={"decision": "return"})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    returned = review(hall, case_id, reviewer, {"decision": "return", "reason": "公众参与说明不完整"})
    last = returned["history"][-1]
    assert (last["type"], last["actor"], last["data"]) == ("review_returned", "chief", {"reason": "公众参与说明不完整"})
    assert audited(hall, "case_review_returned")[0][1]["reason"] == "公众参与说明不完整"
    hall.case_action(case_id, "complete", status=409)  # returned: not signed off
    review(hall, case_id, reviewer, {"decision": "approve"})
    review(hall, case_id, reviewer, {"decision": "approve"}, status=409)  # already
    hall.case_action(case_id, "suspend", {"reason": "correction", "notice": "补正"})
    hall.case_action(case_id, "resume")
    hall.case_action(case_id, "complete", status=409)  # the case changed after the approval
    review(hall, case_id, reviewer, {"decision": "approve"})
    assert hall.case_action(case_id, "complete")["status"] == "completed"
    review(hall, case_id, reviewer, {"decision": "approve"}, status=409)  # completed: bad_state


def test_the_audit_chain_holds_with_the_sign_offs(hall, reviewer):
    case_id = hall.accept("eia_report_book")["case"]["id"]
    review(hall, case_id, reviewer, {"decision": "return", "reason": "缺公章"})
    review(hall, case_id, reviewer, {"decision": "approve"})
    r = hall.client.get("/api/v1/audit/verify", headers=hall.admin)
    assert r.status_code == 200 and r.json()["ok"] is True, r.text


def test_items_without_review_need_none_and_refuse_one(hall, reviewer):
    case_id = hall.accept("eia_report_form")["case"]["id"]
    r = hall.client.post(f"/api/v1/cases/{case_id}/review", headers=reviewer, json={"decision": "approve"})
    assert r.status_code == 409 and r.json()["code"] == "review_not_required"
    assert hall.case_action(case_id, "complete")["status"] == "completed"


def test_the_sign_off_is_a_step_on_the_tracking_page(hall, reviewer):
    out = hall.accept("eia_report_book")
    case_id, token = out["case"]["id"], out["case"]["track_token"]
    review(hall, case_id, reviewer, {"decision": "return", "reason": "内部意见：缺公章"})
    review(hall, case_id, reviewer, {"decision": "approve"})
    r = hall.client.get(f"/api/v1/cases/{case_id}/progress", params={"token": token})
    assert r.status_code == 200, r.text
    steps = [s for s in r.json()["steps"] if s["kind"].startswith("review_")]
    assert [s["kind"] for s in steps] == ["review_returned", "review_approved"]
    assert "内部意见" not in r.text and "chief" not in r.text  # no staff names or internal reasons


def report(hall, day: str) -> dict:
    r = hall.client.get(f"/api/v1/halls/{HALL}/reports", headers=hall.manager, params={"from": day, "to": day})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_direct_completion_rate_counts_cases_not_referred_out_of_the_window(hall):
    ids = [hall.accept("eia_report_form")["case"]["id"] for _ in range(5)]
    # One goes to an expert panel (referred), one to a correction (still the window's), one stays open.
    hall.case_action(ids[0], "suspend", {"reason": "expert_review", "notice": "组织专家评审"})
    hall.case_action(ids[0], "resume")
    hall.case_action(ids[1], "suspend", {"reason": "correction", "notice": "补正"})
    hall.case_action(ids[1], "resume")
    for cid in ids[:4]:
        hall.case_action(cid, "complete")
    cases = report(hall, "2026-11-23")["cases"]
    assert (cases["completed"], cases["direct"]) == (4, 3)
    assert cases["direct_rate"] == pytest.approx(0.75) and cases["direct_flagged"] is True  # under 80%
    hall.case_action(ids[4], "complete")
    cases = report(hall, "2026-11-23")["cases"]
    assert cases["direct_rate"] == pytest.approx(0.8) and cases["direct_flagged"] is False
    assert "expert_review or hearing" in report(hall, "2026-11-23")["definitions"]["direct_rate"]
