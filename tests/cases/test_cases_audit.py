"""Every case action is in the audit log, in the action's own transaction: who
suspended, resumed, completed, withdrew or refused which case (and a refusal
attempted without a reason)."""
from __future__ import annotations


def _audit(hall, action: str) -> list[dict]:
    r = hall.client.get("/api/v1/audit", headers=hall.manager, params={"action": action})
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_case_actions_are_audited(hall):
    first = hall.accept("eia_registration")["case"]
    hall.case_action(first["id"], "suspend", {"reason": "correction", "notice": "请补正"})
    hall.case_action(first["id"], "resume")
    hall.case_action(first["id"], "complete", {"note": "办结"})
    second = hall.accept("eia_registration")["case"]
    hall.case_action(second["id"], "withdraw", {"reason": " "}, status=422)
    hall.case_action(second["id"], "withdraw", {"reason": "申请人撤回"})

    for action, case, extra in [("case_suspend", first, {"reason": "correction"}), ("case_resume", first, {}),
                                ("case_complete", first, {}), ("case_refusal_without_reason", second, {}),
                                ("case_withdraw", second, {"reason": "申请人撤回"})]:
        entries = _audit(hall, action)
        assert len(entries) == 1, action
        e = entries[0]
        assert e["actor"] == "zhangwei", action
        assert e["data"] == {"case": case["number"], "case_id": case["id"], "hall": "eco", **extra}, action
    r = hall.client.get("/api/v1/audit/verify", headers=hall.manager)
    assert r.json()["ok"]
