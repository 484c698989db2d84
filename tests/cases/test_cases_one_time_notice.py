"""One-time notice (一次性告知) and at most one trip (最多跑一次), issue 15 point 11:
a correction's suspension carries the defects found in what was submitted
(checklist items and free text), the case shows them as `missing` while it
waits for them; the visits an applicant makes for a case are counted and the
report gives the one-trip rate."""
from __future__ import annotations

import pytest
from support.clock import at
from support.halls import HALL


def test_a_correction_carries_its_defects_and_the_case_shows_them(hall):
    case_id = hall.accept("eia_report_form")["case"]["id"]
    defects = ["环境影响报告表（全本及公示本）", "公众参与说明未盖公章"]  # a checklist item, free text
    hall.clock.advance(3600)
    suspended = hall.case_action(case_id, "suspend", {"reason": "correction", "notice": "请一次性补正以下材料",
                                                      "missing": defects})
    assert suspended["missing"] == defects
    assert suspended["suspensions"][-1]["missing"] == defects
    assert hall.case(case_id)["missing"] == defects
    hall.clock.advance(86400)
    resumed = hall.case_action(case_id, "resume")
    assert resumed["missing"] == []  # delivered
    assert resumed["suspensions"][-1]["missing"] == defects  # but the notice keeps what it listed


@pytest.mark.parametrize("missing", ["营业执照", [""], ["  "], ["x" * 201], ["a"] * 51, [1]])
def test_bad_defect_lists_are_a_422(hall, missing):
    case_id = hall.accept("eia_report_form")["case"]["id"]
    r = hall.client.post(f"/api/v1/cases/{case_id}/suspend", headers=hall.clerk,
                         json={"reason": "correction", "notice": "补正", "missing": missing})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid" and r.json()["field"].startswith("missing")
    assert hall.case(case_id)["status"] == "accepted"


def report(hall, day: str) -> dict:
    r = hall.client.get(f"/api/v1/halls/{HALL}/reports", headers=hall.manager, params={"from": day, "to": day})
    assert r.status_code == 200, r.text
    return r.json()


def test_visits_are_counted_and_the_report_gives_the_one_trip_rate(hall):
    first = hall.accept("eia_report_form")["case"]["id"]
    second = hall.accept("eia_registration")["case"]["id"]
    third = hall.accept("general_matter", category="consult")["case"]["id"]
    assert hall.case(first)["visits"] == 1
    hall.case_action(second, "suspend", {"reason": "correction", "notice": "补正", "missing": ["现场照片"]})
    hall.clock.advance(86400)
    back = hall.case_action(second, "visit", {"note": "送来现场照片"})
    assert back["visits"] == 2
    assert [h["data"] for h in back["history"] if h["type"] == "visit"] == [{"note": "送来现场照片", "visits": 2}]
    hall.case_action(second, "resume")
    for cid in (first, second, third):
        hall.case_action(cid, "complete")
    cases = report(hall, "2026-11-23")["cases"]
    assert cases["completed"] == 3
    assert cases["one_trip"] == 2 and cases["one_trip_rate"] == pytest.approx(2 / 3)
    assert cases["visits"] == 4


def test_a_visit_to_a_closed_case_is_refused(hall):
    case_id = hall.accept("eia_report_form")["case"]["id"]
    hall.case_action(case_id, "withdraw", {"reason": "申请人撤回"})
    hall.case_action(case_id, "visit", {}, status=409)
    hall.clock.set(at(2026, 11, 24))
    assert hall.case(case_id)["visits"] == 1
