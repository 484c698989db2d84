"""Completing a ticket with the outcome "accepted" opens a case (办件): the
contract's answer, the promised deadline of each demo item, what the case
copies from its ticket, its history; the applicant encrypted at rest and
masked wherever shown."""
from __future__ import annotations

import os
import stat

import pytest

HALL = "eco"
# Accepted Mon 2026-11-23 (the FakeClock's start); no holiday until 2027.
DEMO_ITEMS = [
    ("eia_report_book", 20, "2026-12-21T23:59:59+08:00"),
    ("eia_report_form", 15, "2026-12-14T23:59:59+08:00"),
    ("eia_registration", 7, "2026-12-02T23:59:59+08:00"),
    ("key_project_eia", 5, "2026-11-30T23:59:59+08:00"),
]


@pytest.mark.parametrize(("item", "days", "due"), DEMO_ITEMS)
def test_accepted_outcome_opens_a_case_with_the_promised_deadline(hall, item, days, due):
    out = hall.accept(item)
    assert out["status"] == "done"
    case = out["case"]
    assert case["deadline"] == due
    assert case["provisional"] is False
    assert case["number"] == "HP-20261123-0001"
    detail = hall.case(case["id"])
    assert detail["promised"] == {"amount": days, "unit": "working_days"}
    assert detail["deadline"] == due and detail["status"] == "accepted" and detail["card"] == "green"


def test_the_contract_answer_and_what_the_case_copies_from_its_ticket(hall):
    out = hall.accept("eia_report_form", wait_s=600, service_s=900)
    case = hall.case(out["case"]["id"])
    assert out["case"]["id"] == case["id"] and out["case"]["number"] == case["number"]
    assert case["ticket_id"] == out["id"] and case["ticket_number"] == out["number"]
    assert case["category"] == "eia" and case["item_name"] == "建设项目环境影响报告表审批"
    assert case["first_clerk"] == "zhangwei" and case["clerk"] == "zhangwei" and case["window"] == "w1"
    assert case["wait_s"] == 600 and case["walk_s"] == 0 and case["service_s"] == 900
    assert case["accepted_at"] == "2026-11-23T10:25:00+08:00"
    assert case["statutory"] == {"amount": 30, "unit": "working_days"}
    assert case["project"] == "某某化工厂扩建项目"
    [accepted] = case["history"]
    assert accepted["type"] == "accepted" and accepted["actor"] == "zhangwei"
    assert accepted["data"]["deadline"] == "2026-12-14T23:59:59+08:00"
    assert accepted["data"]["ticket"] == out["number"]


def test_case_numbers_count_per_day(hall):
    first = hall.accept("eia_registration")["case"]["number"]
    second = hall.accept("eia_registration")["case"]["number"]
    hall.clock.advance(86400)
    third = hall.accept("eia_registration")["case"]["number"]
    assert (first, second, third) == ("HP-20261123-0001", "HP-20261123-0002", "HP-20261124-0001")


def test_other_outcomes_open_no_case(hall):
    t = hall.issue()
    hall.call()
    out = hall.act(t["id"], "complete", {"outcome": "consulted"})
    assert "case" not in out
    r = hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk)
    assert r.json() == []


def test_an_unknown_item_completes_nothing(hall):
    t = hall.issue()
    hall.call()
    hall.act(t["id"], "complete", {"outcome": "accepted", "case": {"item": "nope"}}, status=422)
    assert hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk).json() == []
    hall.act(t["id"], "complete", {"outcome": "accepted", "case": {"item": "eia_registration"}})


def test_applicant_is_encrypted_at_rest_and_masked_in_answers(hall):
    out = hall.accept("eia_report_book", name="张三丰", phone="13812345678")
    case_id = out["case"]["id"]
    raw = hall.read(lambda tx: dict(tx.one(
        "SELECT applicant_name_enc, applicant_phone_enc, project FROM case_file WHERE id = :id", {"id": case_id})))
    assert raw["applicant_name_enc"] and raw["applicant_phone_enc"]
    assert "张" not in raw["applicant_name_enc"] and "三丰" not in raw["applicant_name_enc"]
    assert "13812345678" not in raw["applicant_phone_enc"] and "5678" not in raw["applicant_phone_enc"]
    events = hall.read(lambda tx: [r["data"] for r in tx.all("SELECT data FROM case_event")])
    assert not any("三丰" in d or "13812345678" in d for d in events)

    detail = hall.client.get(f"/api/v1/cases/{case_id}", headers=hall.clerk)
    listed = hall.client.get(f"/api/v1/halls/{HALL}/cases", headers=hall.manager)
    for r in (detail, listed):
        assert r.status_code == 200
        assert "三丰" not in r.text and "13812345678" not in r.text
    assert detail.json()["applicant_name"] == "张**"
    assert detail.json()["applicant_phone"] == "138****5678"
    assert listed.json()[0]["applicant_name"] == "张**"


def test_the_key_file_is_made_once_with_owner_only_permissions(hall, settings):
    key = settings.data_dir / "secret.key"
    assert key.exists()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_a_configured_key_is_used_instead_of_a_file(make_client, tmp_path):
    from cryptography.fernet import Fernet

    data = tmp_path / "keyed"
    make_client(secret_key=Fernet.generate_key().decode(), data_dir=data)
    assert not (data / "secret.key").exists()


def test_cases_need_staff(hall):
    c = hall.client
    c.cookies.clear()  # signing in through this client left a session cookie
    assert c.get(f"/api/v1/halls/{HALL}/cases").status_code == 401
    out = hall.accept("eia_registration")
    assert c.get(f"/api/v1/cases/{out['case']['id']}").status_code == 401
    assert c.get("/api/v1/cases/999999", headers=hall.clerk).status_code == 404
    assert c.get("/api/v1/halls/nope/cases", headers=hall.clerk).status_code == 404
    r = c.get(f"/api/v1/halls/{HALL}/cases", headers=hall.clerk, params={"status": "lost"})
    assert r.status_code == 422 and r.json()["field"] == "status"


INSTANT = {'name_en = "General matter (feedback)"\npromised = { amount = 3, unit = "working_days" }':
           'name_en = "General matter (feedback)"\ninstant = true\npromised = { amount = 1, unit = "hours" }'}


def test_an_instant_item_runs_its_promise_from_the_ticket_so_the_wait_counts(make_hall, demo_config,
                                                                                display_socket, drain_events):
    hall = make_hall(demo_config(replace=INSTANT))
    with display_socket(hall.client) as ws:
        kept = hall.accept("general_matter", category="consult", name="李四", wait_s=40 * 60, service_s=10 * 60)
        missed = hall.accept("general_matter", category="consult", name="王五", wait_s=70 * 60, service_s=5 * 60)
        events = drain_events(hall.client, ws)
    first, second = hall.case(kept["case"]["id"]), hall.case(missed["case"]["id"])
    # 即办件: done at the window, so completed at once; the hour ran from the ticket's issue.
    assert first["status"] == "completed" and first["instant"] is True
    assert first["clock_from"] == "2026-11-23T10:00:00+08:00" and first["deadline"] == "2026-11-23T11:00:00+08:00"
    assert first["completed_at"] == "2026-11-23T10:50:00+08:00"
    assert (first["kept"], first["card"]) == (True, "green")
    # Issued at 10:50, called at 12:00 after 70 minutes: the promise broke while waiting.
    assert second["clock_from"] == "2026-11-23T10:50:00+08:00" and second["deadline"] == "2026-11-23T11:50:00+08:00"
    assert second["completed_at"] == "2026-11-23T12:05:00+08:00"
    assert (second["kept"], second["card"]) == (False, "red")
    assert [h["type"] for h in first["history"]] == ["accepted", "completed"]
    ticker = [e for e in events if e["type"] == "completion"]
    assert [(e["case"], e["applicant"]) for e in ticker] == [(first["number"], "李**"), (second["number"], "王**")]
    assert ticker[0]["item"] == "一般事项（反馈）" and ticker[0]["completed_at"] == "2026-11-23T10:50:00+08:00"
    assert set(ticker[0]) == {"type", "seq", "case", "item", "completed_at", "applicant"}
