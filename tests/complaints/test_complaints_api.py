"""Complaints over HTTP (issue 15, points 1-4): intake at the window and from the 12369 platform,
the flow and its refusals, validation, callbacks, personal data, audit and the report."""
from __future__ import annotations

import pytest
from support.clock import at
from support.complaints import COMPLAINTS, intake, sql, step
from support.devices import pair
from support.halls import HALL, demo_text

from onewindow.server.config import ConfigError, parse_config


def _audit_actions(client, headers) -> list[str]:
    r = client.get("/api/v1/audit", headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["entries"] if isinstance(body, dict) else body
    return [e["action"] for e in rows]


def test_the_demo_hall_lists_the_seed_types_departments_and_clocks(cclient):
    r = cclient.get(f"/api/v1/halls/{HALL}/complaint-types")
    assert r.status_code == 200
    body = r.json()
    kinds = {t["code"]: [k["code"] for k in t["kinds"]] for t in body["types"]}
    assert kinds == {
        "air": ["air.cooking_fumes", "air.construction_dust", "air.open_burning", "air.black_smoke", "air.coal_stoves"],
        "noise": ["noise.commercial", "noise.industrial", "noise.construction"],
        "water": ["water.outfall", "water.sewage", "water.abnormal_discharge"],
        "solid_waste": [], "new_source": []}
    assert body["clocks"]["entry"] == {"amount": 1, "unit": "hours"}
    assert body["clocks"]["contact"] == {"amount": 24, "unit": "hours"}
    assert body["clocks"]["forward"] == {"amount": 1, "unit": "working_days"}
    assert {s["code"] for s in body["sources"]} == {"window", "hotline", "grid", "letter", "online"}
    assert {d["code"] for d in body["departments"]} >= {"enforcement", "urban_management"}


def test_a_window_complaint_keeps_what_where_who_and_starts_its_clocks(cclient, people, clock):
    clock.set(at(2026, 11, 23, 10, 0))
    r = intake(cclient, people["clerk"], received_at="2026-11-23T09:40:00+08:00", window="w1")
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["source"], c["type"], c["place"], c["content"]) == (
        "window", "air.cooking_fumes", "东城区和平里3号", "楼下饭店油烟直排")
    assert (c["received_at"], c["entered_at"], c["entered_by"]) == (
        "2026-11-23T09:40:00+08:00", "2026-11-23T10:00:00+08:00", "zhangwei")
    assert (c["name"], c["phone"], c["status"], c["grade"]) == ("张**", "138****5678", "received", "general")
    clocks = {k["milestone"]: k for k in c["clocks"]}
    assert clocks["entry"]["due"] == "2026-11-23T10:40:00+08:00" and clocks["entry"]["state"] == "kept"
    assert clocks["contact"]["due"] == "2026-11-24T09:40:00+08:00" and clocks["contact"]["state"] == "green"
    assert clocks["forward"]["due"] == "2026-11-24T23:59:59+08:00"
    assert clocks["forward"]["limit"] == {"amount": 1, "unit": "working_days"}
    # Name and phone are encrypted at rest.
    raw = sql(cclient, "SELECT name_enc, phone_enc FROM complaint")[0]
    assert "张三" not in "".join(raw) and "13812345678" not in "".join(raw) and all(raw)
    # The full phone, for the call, only through the audited read.
    r = cclient.get(f"/api/v1/complaints/{c['id']}/contact", headers=people["clerk"])
    assert r.json()["phone"] == "13812345678"
    assert "complaint_contact_read" in _audit_actions(cclient, people["admin"])


def test_the_12369_platform_posts_complaints_once_per_reference(cclient, people, platform, clock):
    clock.set(at(2026, 11, 23, 10, 0))
    body = {"source": "hotline", "external_ref": "12369-2026-0042", "received_at": "2026-11-23T09:58:00+08:00",
            "type": "noise.construction", "place": "安定门外工地", "content": "夜间施工噪声", "anonymous": True}
    r = cclient.post(COMPLAINTS, headers=platform, json=body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["source"] == "hotline" and c["entered_by"].startswith("device:") and c["name"] == ""
    assert [k["milestone"] for k in c["clocks"]] == ["entry", "forward"]  # no phone: nobody to contact
    again = cclient.post(COMPLAINTS, headers=platform, json=body)
    assert again.status_code == 200 and again.json()["id"] == c["id"]
    assert len(cclient.get(COMPLAINTS, headers=people["clerk"]).json()) == 1
    # The platform follows it (实时查询办理进度), but lists nothing and takes no step.
    follow = cclient.get(f"/api/v1/complaints/{c['id']}", headers=platform)
    assert follow.status_code == 200 and follow.json()["status"] == "received"
    assert cclient.get(COMPLAINTS, headers={**platform}).status_code == 401
    assert step(cclient, platform, c["id"], "file").status_code == 401
    # An outside system cannot pretend to be a window; a kiosk is no system; nobody at all: 401.
    r = cclient.post(COMPLAINTS, headers=platform, json={**body, "external_ref": "x2", "source": "window"})
    assert (r.status_code, r.json()["field"]) == (422, "source")
    kiosk = {"X-Device-Token": pair(cclient, people["admin"], HALL, kind="kiosk", name="door")}
    assert cclient.post(COMPLAINTS, headers=kiosk, json=body).status_code == 403
    r = cclient.post(COMPLAINTS, json=body, headers={"X-Device-Token": ""})
    assert r.status_code == 401


def test_a_complaint_received_hours_before_it_was_entered_misses_its_entry_clock(cclient, people, clock):
    clock.set(at(2026, 11, 23, 14, 0))
    r = intake(cclient, people["clerk"], source="letter", received_at="2026-11-23T09:00:00+08:00")
    c = r.json()
    entry = next(k for k in c["clocks"] if k["milestone"] == "entry")
    assert entry["state"] == "missed"
    alerts = cclient.get(f"/api/v1/halls/{HALL}/alerts", headers=people["manager"],
                         params={"kind": "complaint"}).json()
    assert [a["level"] for a in alerts] == ["red"] and c["number"] in alerts[0]["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"type": "air.volcano"}, "type"),
    ({"type": ""}, "type"),
    ({"content": "   "}, "content"),
    ({"place": ""}, "place"),
    ({"phone": "call me"}, "phone"),
    ({"source": "pigeon"}, "source"),
    ({"received_at": "2026-11-24T10:00:00+08:00"}, "received_at"),  # tomorrow
    ({"received_at": "2026-11-23T10:00:00"}, "received_at"),  # no offset
    ({"received_at": "2024-11-23T10:00:00+08:00"}, "received_at"),  # two years ago
    ({"window": "w99"}, "window"),
])
def test_bad_intakes_are_422_naming_the_field(cclient, people, body, field):
    r = intake(cclient, people["clerk"], **body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and r.json()["code"]
    assert cclient.get(COMPLAINTS, headers=people["clerk"]).json() == []


def test_the_flow_from_intake_to_callback(cclient, people, clock):
    clerk, manager = people["clerk"], people["manager"]
    clock.set(at(2026, 11, 23, 10, 0))
    cid = intake(cclient, clerk).json()["id"]
    clock.set(at(2026, 11, 23, 11, 0))
    assert step(cclient, clerk, cid, "contact", outcome="unreachable").json()["status"] == "received"
    c = step(cclient, clerk, cid, "contact", outcome="reached", note="已电话确认").json()
    assert next(k for k in c["clocks"] if k["milestone"] == "contact")["state"] == "kept"
    r = step(cclient, clerk, cid, "contact", outcome="reached")
    assert (r.status_code, r.json()["code"]) == (409, "already_done")
    assert step(cclient, clerk, cid, "file").json()["status"] == "filed"
    r = step(cclient, clerk, cid, "dispatch", department="housing")  # dust and construction noise only
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (422, "wrong_department", "department")
    c = step(cclient, clerk, cid, "dispatch", department="urban_management").json()
    assert (c["status"], c["department"]) == ("dispatched", "urban_management")
    handling = next(k for k in c["clocks"] if k["milestone"] == "handling")
    assert handling["due"] == "2026-12-14T23:59:59+08:00"  # 15 working days
    clock.set(at(2026, 11, 30, 15, 0))
    r = step(cclient, clerk, cid, "feedback")
    assert (r.status_code, r.json()["field"]) == (422, "result")
    c = step(cclient, clerk, cid, "feedback", result="已责令安装油烟净化器").json()
    assert c["status"] == "fed_back" and c["result"] == "已责令安装油烟净化器"
    clock.set(at(2026, 12, 1, 10, 0))
    c = step(cclient, clerk, cid, "verify", outcome="not_rectified", note="仍有油烟").json()
    assert c["status"] == "dispatched"
    assert [k["round"] for k in c["clocks"] if k["milestone"] == "handling"] == [1, 2]
    r = cclient.post(f"/api/v1/complaints/{cid}/callbacks", headers=clerk, json={"outcome": "satisfied"})
    assert (r.status_code, r.json()["code"]) == (409, "no_callback")  # not closed yet
    step(cclient, clerk, cid, "feedback", result="净化器已安装")
    c = step(cclient, clerk, cid, "verify", outcome="rectified").json()
    assert c["status"] == "closed" and c["closed_at"] and c["callback_due"] is True
    r = step(cclient, clerk, cid, "evaluate", outcome="good")
    assert (r.status_code, r.json()["code"]) == (403, "manager_only")
    assert step(cclient, manager, cid, "evaluate", outcome="good").json()["status"] == "evaluated"
    for outcome in ("unreachable", "satisfied"):
        r = cclient.post(f"/api/v1/complaints/{cid}/callbacks", headers=clerk, json={"outcome": outcome,
                                                                                     "note": "回访"})
        assert r.status_code == 200, r.text
    c = r.json()
    assert [b["outcome"] for b in c["callbacks"]] == ["unreachable", "satisfied"] and c["callback_due"] is False
    assert [s["step"] for s in c["steps"]] == ["intake", "contact", "contact", "file", "dispatch", "feedback",
                                               "verify", "feedback", "verify", "evaluate"]
    assert all(s["actor"] and s["at"] for s in c["steps"])
    actions = _audit_actions(cclient, people["admin"])
    for a in ("complaint_intake", "complaint_contact", "complaint_file", "complaint_dispatch", "complaint_feedback",
              "complaint_verify", "complaint_evaluate", "complaint_callback"):
        assert a in actions


@pytest.mark.parametrize(("steps", "bad"), [
    ([], {"step": "dispatch", "department": "enforcement"}),
    ([], {"step": "verify"}),
    ([{"step": "file"}], {"step": "feedback", "result": "x"}),
    ([{"step": "file"}], {"step": "file"}),
    ([{"step": "file"}], {"step": "evaluate", "outcome": "good"}),
])
def test_steps_out_of_order_are_409_bad_complaint_step(cclient, people, steps, bad):
    cid = intake(cclient, people["clerk"]).json()["id"]
    for s in steps:
        assert step(cclient, people["clerk"], cid, s["step"]).status_code == 200
    r = cclient.post(f"/api/v1/complaints/{cid}/steps", headers=people["manager"], json=bad)
    assert (r.status_code, r.json()["code"]) == (409, "bad_complaint_step")
    c = cclient.get(f"/api/v1/complaints/{cid}", headers=people["clerk"]).json()
    assert len(c["steps"]) == 1 + len(steps)  # nothing recorded


def test_bad_step_bodies_are_422_and_unknown_complaints_404(cclient, people):
    cid = intake(cclient, people["clerk"]).json()["id"]
    for body, field in (({"step": "jump"}, "step"), ({"step": "verify", "outcome": "maybe"}, "outcome"),
                        ({"step": "escalate"}, "note"), ({"step": "file", "note": "x" * 1001}, "note")):
        r = cclient.post(f"/api/v1/complaints/{cid}/steps", headers=people["clerk"], json=body)
        assert (r.status_code, r.json()["field"]) == (422, field), (body, r.text)
    assert cclient.get("/api/v1/complaints/999", headers=people["clerk"]).status_code == 404
    r = cclient.post(f"/api/v1/complaints/{cid}/callbacks", headers=people["clerk"], json={"outcome": "meh"})
    assert (r.status_code, r.json()["field"]) == (422, "outcome")


def test_grading_repeats_urgency_and_escalation(cclient, people):
    clerk = people["clerk"]
    grades = [intake(cclient, clerk, place="和平里 3号").json()["grade"] for _ in range(3)]
    assert grades == ["general", "general", "major"]  # the third about the same place: one grade up
    assert intake(cclient, clerk, type="water.abnormal_discharge").json()["grade"] == "major"  # the type's base
    c = intake(cclient, clerk, type="water.abnormal_discharge", urgent=True).json()
    assert c["grade"] == "serious"
    r = step(cclient, clerk, c["id"], "escalate", note="媒体关注")
    assert (r.status_code, r.json()["code"]) == (409, "top_grade")
    cid = intake(cclient, clerk, type="solid_waste", place="别处").json()["id"]
    c = step(cclient, clerk, cid, "escalate", note="多部门联合执法").json()
    assert c["grade"] == "major" and c["steps"][-1]["step"] == "escalate"
    alerts = cclient.get(f"/api/v1/halls/{HALL}/alerts", headers=people["manager"],
                         params={"kind": "complaint_escalated"}).json()
    assert len(alerts) == 1 and c["number"] in alerts[0]["message"]


def test_anonymous_complaints_get_no_callback_and_no_contact_step(cclient, people):
    clerk, manager = people["clerk"], people["manager"]
    cid = intake(cclient, clerk, anonymous=True, phone="").json()["id"]
    r = step(cclient, clerk, cid, "contact")
    assert (r.status_code, r.json()["code"]) == (409, "no_phone")
    step(cclient, clerk, cid, "file")
    step(cclient, clerk, cid, "dispatch", department="enforcement")
    step(cclient, clerk, cid, "feedback", result="已处理")
    assert step(cclient, manager, cid, "verify").json()["status"] == "closed"
    r = cclient.post(f"/api/v1/complaints/{cid}/callbacks", headers=clerk, json={"outcome": "satisfied"})
    assert (r.status_code, r.json()["code"]) == (409, "no_callback")


def test_the_report_counts_types_departments_milestones_and_callbacks(cclient, people, clock):
    clerk, manager = people["clerk"], people["manager"]
    clock.set(at(2026, 11, 23, 10, 0))
    a = intake(cclient, clerk).json()["id"]
    intake(cclient, clerk, type="noise.commercial", anonymous=True, phone="")
    for s in ({"step": "contact"}, {"step": "file"}, {"step": "dispatch", "department": "urban_management"},
              {"step": "feedback", "result": "ok"}, {"step": "verify"}):
        assert cclient.post(f"/api/v1/complaints/{a}/steps", headers=clerk, json=s).status_code == 200
    cclient.post(f"/api/v1/complaints/{a}/callbacks", headers=clerk, json={"outcome": "unsatisfied"})
    r = cclient.get(f"/api/v1/halls/{HALL}/reports", headers=manager,
                    params={"from": "2026-11-23", "to": "2026-11-23"})
    assert r.status_code == 200, r.text
    f = r.json()["complaints"]
    assert f["received"] == 2
    assert f["by_type_code"] == {"air.cooking_fumes": 1, "noise.commercial": 1}
    assert f["by_department"] == {"": 1, "urban_management": 1}
    assert f["milestones"]["entry"] == {"kept": 2, "missed": 0, "running": 0, "kept_share": 1.0}
    assert f["milestones"]["forward"]["kept"] == 1 and f["milestones"]["forward"]["running"] == 1
    assert f["by_department_kept"] == {"urban_management": {"kept": 1, "missed": 0}}
    assert f["callbacks"] == {"unsatisfied": 1} and f["callback_share"] == 1.0


def test_a_department_naming_an_unknown_type_stops_the_config_at_its_line():
    text = demo_text().replace('duties = ["water.outfall", "water.sewage"]', 'duties = ["water.outfall", "water.lake"]')
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "demo_hall.toml")
    line = text.splitlines().index("[halls.complaints]") + 1
    assert str(exc.value).startswith(f"demo_hall.toml:{line}: halls.0.complaints")
    assert "'water.lake'" in str(exc.value)
    bad_unit = demo_text().replace('entry = { amount = 1, unit = "hours" }', 'entry = { amount = 1, unit = "moons" }')
    with pytest.raises(ConfigError) as exc:
        parse_config(bad_unit, "demo_hall.toml")
    line = bad_unit.splitlines().index('entry = { amount = 1, unit = "moons" }') + 1
    assert str(exc.value).startswith(f"demo_hall.toml:{line}: halls.0.complaints.clocks.entry")


def test_the_complainant_with_a_phone_is_told_it_was_registered_and_the_result(cclient, people):
    clerk = people["clerk"]
    cid = intake(cclient, clerk).json()["id"]
    intake(cclient, clerk, anonymous=True, phone="")  # nobody to tell
    for s in ({"step": "file"}, {"step": "dispatch", "department": "enforcement"},
              {"step": "feedback", "result": "已责令整改"}, {"step": "verify"}):
        assert cclient.post(f"/api/v1/complaints/{cid}/steps", headers=clerk, json=s).status_code == 200
    rows = sql(cclient, "SELECT kind, event_key, body FROM notify_outbox ORDER BY id")
    assert [(k, e) for k, e, _ in rows] == [("complaint_received", f"complaint:{cid}:received"),
                                            ("complaint_result", f"complaint:{cid}:result")]
    assert "TS-" in rows[0][2] and "24小时" in rows[0][2] and "已责令整改" in rows[1][2]


def test_the_xlsx_report_has_a_complaints_sheet(cclient, people, clock):
    import io

    from openpyxl import load_workbook

    clock.set(at(2026, 11, 23, 10, 0))
    intake(cclient, people["clerk"])
    r = cclient.get(f"/api/v1/halls/{HALL}/reports.xlsx", headers=people["manager"],
                    params={"from": "2026-11-23", "to": "2026-11-23"})
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content))["投诉 Complaints"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert rows[0] == ("投诉总数 Complaints received", 1, None, None, None)
    assert ("entry", 1, 0, 0, 1.0) in rows
    assert ("air.cooking_fumes", 1, None, None, None) in rows


def test_the_same_platform_complaint_sent_at_once_from_two_connections_is_kept_once(cclient, people, platform):
    from concurrent.futures import ThreadPoolExecutor

    body = {"source": "hotline", "external_ref": "12369-race", "type": "air.black_smoke", "place": "锅炉房",
            "content": "冒黑烟"}
    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(lambda _: cclient.post(COMPLAINTS, headers=platform, json=body).status_code,
                                range(8)))
    assert codes == [200] * 7 + [201]
    assert sql(cclient, "SELECT COUNT(*) FROM complaint")[0][0] == 1


def test_a_closed_complaint_raises_no_more_cards(cclient, people, clock):
    """Closed without the complainant ever reached: the contact clock stays unkept, no card comes later."""
    clerk = people["clerk"]
    clock.set(at(2026, 11, 23, 10, 0))
    cid = intake(cclient, clerk).json()["id"]
    for s in ({"step": "file"}, {"step": "dispatch", "department": "enforcement"},
              {"step": "feedback", "result": "ok"}, {"step": "verify"}):
        assert cclient.post(f"/api/v1/complaints/{cid}/steps", headers=clerk, json=s).status_code == 200
    clock.set(at(2026, 11, 25, 10, 0))
    rt = cclient.app.state.runtime
    cclient.portal.call(rt.cases.check)
    assert sql(cclient, "SELECT COUNT(*) FROM supervision_alert WHERE kind LIKE 'complaint%'")[0][0] == 0
    c = cclient.get(f"/api/v1/complaints/{cid}", headers=clerk).json()
    assert next(k for k in c["clocks"] if k["milestone"] == "contact")["state"] == "red"
