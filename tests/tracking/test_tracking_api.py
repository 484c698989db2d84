"""Issue 14, point 1 and 3: the applicant follows the case with its own token and rates it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from support.halls import HALL

STABLE = {"number", "item", "status", "accepted_at", "deadline", "provisional", "statutory_deadline", "steps",
          "missing"}


def test_an_accepted_case_answers_its_token_and_its_progress_shows_the_case(hall):
    case = hall.accept(name="张三丰")
    assert len(case["track_token"]) == 16
    assert case["track_url"].endswith(f"/case?id={case['id']}&token={case['track_token']}")
    p = hall.progress(case["id"], case["track_token"])
    assert set(p) >= STABLE
    assert p["number"] == case["number"] and p["status"] == "accepted"
    assert p["item"] == "环境影响报告表审批" or p["item_code"] == "eia_report_form"
    assert p["deadline"] == case["deadline"] and p["provisional"] == case["provisional"]
    assert p["statutory_deadline"] > p["deadline"]  # 30 working days against 15 promised
    assert p["applicant"] == "张**"
    assert [s["kind"] for s in p["steps"]] == ["accepted"]
    assert p["missing"] == [] and p["rateable"] is False
    text = str(p)
    for private in ("三丰", "13812345678", "5678", "化工厂", "zhangwei"):  # masked name only, nothing else
        assert private not in text


def test_the_token_is_kept_only_as_a_keyed_hash(hall):
    case = hall.accept()
    stored = hall.read(lambda tx: tx.scalar("SELECT track_token FROM case_file WHERE id = :id", {"id": case["id"]}))
    assert stored.startswith("h1:") and case["track_token"] not in stored


def test_a_wrong_token_and_an_unknown_case_are_the_same_404(hall):
    case = hall.accept()
    wrong = hall.client.get(f"/api/v1/cases/{case['id']}/progress", params={"token": "x" * 16})
    none = hall.client.get(f"/api/v1/cases/{case['id']}/progress")
    unknown = hall.client.get(f"/api/v1/cases/{case['id'] + 999}/progress", params={"token": case["track_token"]})
    huge = hall.client.get("/api/v1/cases/99999999999999999999/progress", params={"token": "x"})
    for r in (wrong, none, unknown, huge):
        assert r.status_code == 404, r.text
        assert r.json()["code"] == wrong.json()["code"]
    assert wrong.json() == unknown.json()
    # and another case's token opens nothing but its own case
    other = hall.accept()
    hall.progress(case["id"], other["track_token"], status=404)


def test_steps_after_suspend_resume_and_complete(hall):
    case = hall.accept()
    cid, token = case["id"], case["track_token"]
    hall.clock.advance(3600)
    hall.case_action(cid, "suspend", {"reason": "correction", "notice": "请补正以下材料",
                                      "missing": ["建设项目环评文件", "法人身份证复印件"]})
    p = hall.progress(cid, token)
    assert p["status"] == "suspended"
    assert p["missing"] == ["建设项目环评文件", "法人身份证复印件"]
    assert p["steps"][-1]["kind"] == "suspended" and p["steps"][-1]["reason_name"] == "补正材料"
    assert p["steps"][-1]["missing"] == p["missing"]
    hall.clock.advance(2 * 86400)
    hall.case_action(cid, "resume")
    p = hall.progress(cid, token)
    assert p["status"] == "accepted" and p["missing"] == []
    assert p["steps"][-1]["kind"] == "resumed" and p["deadline"] >= case["deadline"]
    hall.clock.advance(3600)
    hall.case_action(cid, "complete", {"delivery": "collect"})
    p = hall.progress(cid, token)
    kinds = [s["kind"] for s in p["steps"]]
    assert kinds == ["accepted", "suspended", "resumed", "completed", "result_ready"]
    assert all(s["at"] for s in p["steps"])
    assert p["result"]["delivery"] == "collect" and p["result"]["window"] == "w1" and p["result"]["window_name"]
    assert p["status"] == "completed" and p["rateable"] is True


def test_a_suspension_without_a_list_shows_the_notice_lines_as_missing(hall):
    case = hall.accept()
    hall.case_action(case["id"], "suspend", {"reason": "correction", "notice": "营业执照副本\n现场照片"})
    assert hall.progress(case["id"], case["track_token"])["missing"] == ["营业执照副本", "现场照片"]


def test_delivery_by_post_and_an_unknown_window_is_422(hall):
    case = hall.accept()
    hall.case_action(case["id"], "complete", {"delivery": "collect", "window": "nope"}, status=422)
    hall.case_action(case["id"], "complete", {"delivery": "post"})
    p = hall.progress(case["id"], case["track_token"])
    assert p["result"]["delivery"] == "post" and p["result"]["window"] is None


def test_rate_once_after_completion_a_bad_rating_opens_the_task_and_the_outcome_is_shown(hall):
    case = hall.accept()
    cid, token = case["id"], case["track_token"]
    r = hall.rate(cid, token, 1, status=409, reasons=["slow"])  # not completed yet
    assert r["code"] == "not_rateable"
    hall.case_action(cid, "complete")
    hall.rate(cid, "wrong-token-0000", 5, status=404)
    out = hall.rate(cid, token, 1, reasons=["slow"], comment="等了很久")
    assert out["task"] is not None
    again = hall.rate(cid, token, 5, status=409)
    assert again["code"] == "already_rated"
    # the case's rating is its own: the visit may still be rated on its ticket
    rating = hall.read(lambda tx: tx.all("SELECT kind, level, case_id FROM rating"))
    assert [(r["kind"], r["level"], r["case_id"]) for r in rating] == [("case", 1, cid)]
    # the same 48-hour rectification task as a visit's bad rating
    tasks = hall.client.get(f"/api/v1/halls/{HALL}/rating-tasks", headers=hall.manager).json()
    task = next(t for t in tasks if t["id"] == out["task"]["id"])
    assert task["rated"] == "case" and task["state"] == "verify"
    p = hall.progress(cid, token)
    assert p["rating"]["level"] == 1 and p["rateable"] is False
    assert p["rating"]["rectification"]["state"] == "verify" and "outcome" not in p["rating"]["rectification"]
    tid = out["task"]["id"]
    hall.advance(tid, "verify", outcome="substantiated")
    hall.advance(tid, "rectify", note="窗口已调整叫号安排")
    hall.advance(tid, "feedback", note="已增设窗口，等候时间缩短", outcome="told")
    assert "outcome" not in hall.progress(cid, token)["rating"]["rectification"]
    hall.advance(tid, "callback", outcome="satisfied")
    rect = hall.progress(cid, token)["rating"]["rectification"]
    assert rect["state"] == "closed" and rect["outcome"] == "已增设窗口，等候时间缩短"
    assert rect["verified"] == "substantiated" and rect["callback"] == "satisfied"


def test_a_good_rating_opens_no_task_and_bad_input_is_422(hall):
    case = hall.accept()
    hall.case_action(case["id"], "complete")
    hall.rate(case["id"], case["track_token"], 9, status=422)
    hall.rate(case["id"], case["track_token"], 1, status=422, reasons=["not-a-reason"])
    out = hall.rate(case["id"], case["track_token"], 5)
    assert out["task"] is None


def test_the_visit_and_the_case_are_rated_apart(hall):
    t = hall.issue()
    hall.call()
    hall.act(t["id"], "start")
    case = hall.act(t["id"], "complete", {"outcome": "accepted", "case": {"item": "eia_report_form"}})["case"]
    r = hall.client.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": 5, "token": t["track_token"]})
    assert r.status_code == 201, r.text
    hall.case_action(case["id"], "complete")
    hall.rate(case["id"], case["track_token"], 4)
    rows = hall.read(lambda tx: tx.all("SELECT kind FROM rating ORDER BY id"))
    assert [r["kind"] for r in rows] == ["visit", "case"]


def test_look_ups_are_counted_per_case(hall):
    case = hall.accept()
    for _ in range(3):
        hall.progress(case["id"], case["track_token"])
    hall.progress(case["id"], "bad", status=404)  # a wrong token counts nothing
    n = hall.read(lambda tx: tx.scalar("SELECT lookups FROM case_file WHERE id = :id", {"id": case["id"]}))
    assert n == 3


def test_the_case_socket_follows_the_case_live(hall):
    case = hall.accept()
    cid, token = case["id"], case["track_token"]
    with hall.client.websocket_connect(f"/ws/cases/{cid}?token={token}") as ws:
        first = ws.receive_json()
        assert first["type"] == "case" and first["status"] == "accepted"
        hall.case_action(cid, "suspend", {"reason": "correction", "notice": "补正", "missing": ["现场照片"]})
        msg = ws.receive_json()
        assert msg["status"] == "suspended" and msg["missing"] == ["现场照片"]
        hall.case_action(cid, "resume")
        assert ws.receive_json()["status"] == "accepted"
    # the socket's pushes are not counted as look-ups
    assert hall.read(lambda tx: tx.scalar("SELECT lookups FROM case_file WHERE id = :id", {"id": cid})) == 0


def test_the_case_socket_refuses_a_wrong_token(hall):
    case = hall.accept()
    from starlette.websockets import WebSocketDisconnect
    try:
        with hall.client.websocket_connect(f"/ws/cases/{case['id']}?token=nope") as ws:
            ws.receive_json()
        raise AssertionError("the socket opened")
    except WebSocketDisconnect as exc:
        assert exc.code == 4404


def test_the_track_url_is_the_case_page(hall):
    case = hall.accept()
    assert parse_qs(urlparse(case["track_url"]).query)["token"] == [case["track_token"]]
    r = hall.client.get(case["track_url"].split("testserver", 1)[-1])
    assert r.status_code == 200 and "case.js" in r.text

