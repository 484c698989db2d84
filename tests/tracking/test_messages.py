"""Issue 14, points 1, 3, 4: what is enqueued for the applicant and the ticket holder, in the
event's own transaction, once per event, only with their opt-in; phones on tickets."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from support.halls import HALL

from onewindow.server.store import tracking as kstore


def test_an_accepted_case_with_opt_in_gets_the_accepted_message_with_its_tracking_link(hall, recorder):
    case = hall.accept(phone="138 1234 5678", notify=True)
    [msg] = recorder.sent
    assert msg["kind"] == "case_accepted" and msg["phone"] == "13812345678" and msg["hall"] == HALL
    assert msg["params"]["number"] == case["number"] and msg["params"]["deadline"] == case["deadline"][:10]
    link = msg["params"]["link"]
    assert link == case["track_url"]
    token = parse_qs(urlparse(link).query)["token"][0]
    assert hall.progress(case["id"], token)["number"] == case["number"]


def test_an_applicant_who_did_not_opt_in_gets_nothing(hall, recorder):
    case = hall.accept(notify=False)
    hall.case_action(case["id"], "suspend", {"reason": "correction", "notice": "补正", "missing": ["照片"]})
    hall.case_action(case["id"], "resume")
    hall.case_action(case["id"], "complete")
    assert recorder.sent == []


def test_every_step_of_the_case_is_told_once_with_the_same_link(hall, recorder):
    case = hall.accept(notify=True, lang="en")
    cid = case["id"]
    hall.clock.advance(60)
    hall.case_action(cid, "suspend", {"reason": "correction", "notice": "请补正",
                                      "missing": ["环评文件", "身份证复印件"]})
    hall.clock.advance(86400)
    hall.case_action(cid, "resume")
    hall.clock.advance(60)
    hall.case_action(cid, "complete", {"delivery": "post"})
    assert recorder.kinds() == ["case_accepted", "case_suspended", "case_resumed", "case_completed",
                                "case_rate_invite"]
    assert {m["params"]["link"] for m in recorder.sent} == {case["track_url"]}
    assert all(m["lang"] == "en" for m in recorder.sent)
    suspended = recorder.sent[1]["params"]
    assert suspended["missing"] == "环评文件、身份证复印件"
    assert recorder.sent[3]["params"]["result"] == ": the result is posted to you"
    assert len(set(recorder.keys)) == 5


def test_the_rater_is_told_the_rectification_result_after_the_callback(hall, recorder):
    case = hall.accept(notify=True)
    hall.case_action(case["id"], "complete")
    task = hall.rate(case["id"], case["track_token"], 2, reasons=["slow"])["task"]["id"]
    hall.advance(task, "verify", outcome="substantiated")
    hall.advance(task, "rectify", note="已整改")
    hall.advance(task, "feedback", note="已向您说明整改情况", outcome="told")
    assert "rectification_result" not in recorder.kinds()
    hall.advance(task, "callback", outcome="satisfied")
    msg = recorder.sent[-1]
    assert msg["kind"] == "rectification_result" and msg["params"]["outcome"] == "已向您说明整改情况"
    assert msg["params"]["link"] == case["track_url"]


def test_a_malformed_phone_is_a_422_and_nothing_is_issued(hall):
    for bad in ("12345", "1381234567x", "23812345678", "+1 415 555 0100"):
        r = hall.client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "phone": bad, "notify": True})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["field"] == "phone"
    assert hall.read(lambda tx: tx.scalar("SELECT COUNT(*) FROM ticket")) == 0
    t = hall.issue()
    hall.call()
    hall.act(t["id"], "start")
    r = hall.client.post(f"/api/v1/tickets/{t['id']}/complete", headers=hall.clerk, json={
        "outcome": "accepted", "case": {"item": "eia_report_form", "applicant_phone": "12", "notify": True}})
    assert r.status_code == 422, r.text


def test_a_ticket_phone_is_encrypted_at_rest_and_masked_for_staff(hall):
    t = hall.issue(phone="+86 139-0000-1234", notify=True)
    assert t["notify"] is True
    stored = hall.read(lambda tx: tx.one("SELECT phone_enc, notify FROM ticket WHERE id = :id", {"id": t["id"]}))
    assert stored["phone_enc"] and "1234" not in stored["phone_enc"] and bool(stored["notify"])
    called = hall.call()
    assert called["phone"] == "139****1234"
    r = hall.client.get(f"/api/v1/halls/{HALL}/tickets/by-number/{t['number']}", headers=hall.clerk)
    assert r.status_code == 200 and r.json()["phone"] == "139****1234"
    plain = hall.issue()
    hall.act(called["id"], "start")
    hall.act(called["id"], "complete")
    assert hall.call()["phone"] is None and plain


def test_ticket_holders_who_opted_in_hear_near_and_called_once(hall, recorder):
    near = hall.runtime.halls[HALL].hall.notify.near_ahead
    tickets = [hall.issue() for _ in range(near + 1)]
    mine = hall.issue(phone="13700001111", notify=True, lang="en")
    quiet = hall.issue(phone="13700002222", notify=False)
    assert recorder.sent == []  # nobody called yet: still near + 1 ahead
    first = hall.call()
    assert first["id"] == tickets[0]["id"]
    hall.act(first["id"], "no-show")
    [msg] = recorder.sent
    assert msg["kind"] == "ticket_near" and msg["params"] == {"number": mine["number"], "ahead": near}
    assert msg["phone"] == "13700001111" and msg["lang"] == "en"
    for t in tickets[1:]:  # closer and closer: still told only once
        assert hall.call()["id"] == t["id"]
        hall.act(t["id"], "no-show")
    assert recorder.kinds() == ["ticket_near"]
    assert hall.call()["id"] == mine["id"]
    assert recorder.kinds() == ["ticket_near", "ticket_called"]
    assert recorder.sent[-1]["params"]["number"] == mine["number"] and recorder.sent[-1]["params"]["window"]
    hall.act(mine["id"], "no-show")
    assert hall.call()["id"] == quiet["id"]
    assert all(m["phone"] != "13700002222" for m in recorder.sent)


def test_a_call_looks_for_holders_to_tell_only_while_one_waits(hall, recorder, monkeypatch):
    """On PostgreSQL the call's own statement says whether anyone waiting asked for messages (issue
    17, point 3: a round trip less per call): without one the call reads nothing more; with one,
    they are still told."""
    if hall.runtime.db.dialect != "postgresql":
        pytest.skip("SQLite reads in the process: the call looks each time")
    looked: list[str] = []
    real = kstore.waiting_to_notify
    monkeypatch.setattr(kstore, "waiting_to_notify", lambda tx, h: looked.append(h) or real(tx, h))
    near = hall.runtime.halls[HALL].hall.notify.near_ahead
    plain = [hall.issue() for _ in range(near + 2)]
    assert hall.call()["id"] == plain[0]["id"]
    assert looked == [] and recorder.sent == []
    mine = hall.issue(phone="13700001111", notify=True)
    hall.act(plain[0]["id"], "no-show")
    assert hall.call()["id"] == plain[1]["id"]
    assert looked == [HALL]
    [msg] = recorder.sent
    assert msg["kind"] == "ticket_near" and msg["params"] == {"number": mine["number"], "ahead": near}
