"""The clerk's papers at the window's printer: the case receipt 《接收单》 after an
accepted outcome, the one-time notification 《一次性告知单》 of the materials the
clerk ticked. Decoded back and compared with the expected layout; the
applicant masked."""
from __future__ import annotations

from datetime import datetime

import pytest
from support.halls import HALL
from support.kiosk import driver, runtime
from support.wait import wait_until

from onewindow.printer import CaseReceipt, MissingMaterialsNotice, PrinterStatus, decode, render

ITEM = "eia_report_form"
ITEM_NAME = "建设项目环境影响报告表审批"
MATERIALS = ["建设项目环境影响评价文件审批申请表", "环境影响报告表（全本及公示本）", "建设单位营业执照或法人证书复印件",
             "法定代表人身份证明或授权委托书"]


@pytest.fixture
def desk(kiosk_client, clerks):
    """A ticket being served at window 1 by 张伟 (zhangwei)."""
    client = kiosk_client()
    c = clerks(client)
    h = c.at("w1", display_name="张伟")
    t = client.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia", "kiosk": "door"}).json()
    c.post(f"/api/v1/halls/{HALL}/windows/w1/next", h)
    c.post(f"/api/v1/tickets/{t['id']}/start", h)
    return client, c, h, t


def test_the_case_receipt(desk, clock):
    client, c, h, t = desk
    done = c.post(f"/api/v1/tickets/{t['id']}/complete", h, outcome="accepted",
                  case={"item": ITEM, "applicant_name": "张三丰", "applicant_phone": "13812345678"})
    case = done["case"]
    r = client.post(f"/api/v1/cases/{case['id']}/receipt/print", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["print"] == {"status": "printed", "reason": None} and r.json()["window"] == "w1"
    (data,) = driver(client, "desk").jobs
    assert driver(client, "door").jobs == [driver(client, "door").jobs[0]]  # only the ticket at the door
    hall = runtime(client).config.halls[0]
    expected = CaseReceipt(
        case_number=case["number"], item_name=ITEM_NAME, applicant_masked="张**",
        accepted_at=datetime.fromtimestamp(clock.now, hall.tz),
        deadline=datetime.fromisoformat(case["deadline"]).date(),
        deadline_provisional=case["provisional"], window_name="1号窗口", clerk_name="张伟",
        query_hint=hall.receipt_hint, track_url=case["track_url"])  # the case's tracking link (issue 14)
    job = decode(data)
    assert job.cut == "full"
    assert job.image.tobytes() == render(expected).tobytes()
    unmasked = CaseReceipt(**{**expected.__dict__, "applicant_masked": "张三丰"})
    assert job.image.tobytes() != render(unmasked).tobytes()


def test_the_one_time_notice(desk, clock):
    client, c, h, t = desk
    ticked = [MATERIALS[3], MATERIALS[1]]
    c.post(f"/api/v1/tickets/{t['id']}/complete", h, outcome="notified", case={"item": ITEM}, missing=ticked)
    r = client.post(f"/api/v1/tickets/{t['id']}/notice/print", headers=h, json={"item": ITEM, "missing": ticked})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["print"]["status"] == "printed" and body["missing"] == [MATERIALS[1], MATERIALS[3]]  # checklist order
    hall = runtime(client).config.halls[0]
    expected = MissingMaterialsNotice(
        item_name=ITEM_NAME, missing=[MATERIALS[1], MATERIALS[3]], provided=[MATERIALS[0], MATERIALS[2]],
        clerk_name="张伟", window_name="1号窗口", issued_at=datetime.fromtimestamp(clock.now, hall.tz),
        hall_name=hall.name)
    (data,) = driver(client, "desk").jobs
    assert decode(data).image.tobytes() == render(expected).tobytes()


@pytest.mark.parametrize("body, field", [
    ({"item": ITEM, "missing": ["不在清单上的材料"]}, "missing"),
    ({"item": ITEM, "missing": []}, "missing"),
    ({"item": ITEM, "missing": ["  "]}, "missing"),
    ({"item": "no_such_item", "missing": [MATERIALS[0]]}, "item"),
    ({"item": ITEM, "missing": [MATERIALS[0]], "window": "w99"}, "window"),
])
def test_a_bad_notice_is_a_clear_422(desk, body, field):
    client, _c, h, t = desk
    r = client.post(f"/api/v1/tickets/{t['id']}/notice/print", headers=h, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and r.json()["error"]
    assert driver(client, "desk").jobs == []


def test_papers_need_staff_and_real_records(desk):
    client, _c, h, t = desk
    client.cookies.clear()  # the logins left a session cookie
    assert client.post(f"/api/v1/tickets/{t['id']}/notice/print",
                       json={"item": ITEM, "missing": [MATERIALS[0]]}).status_code == 401
    assert client.post("/api/v1/cases/1/receipt/print").status_code == 401
    assert client.post("/api/v1/cases/999/receipt/print", headers=h).status_code == 404
    assert client.post("/api/v1/tickets/999/notice/print", headers=h,
                       json={"item": ITEM, "missing": [MATERIALS[0]]}).status_code == 404
    assert driver(client, "desk").jobs == []


def test_a_window_without_paper_says_so(desk):
    client, _c, h, t = desk
    printer = driver(client, "desk")
    printer.set_status(PrinterStatus(paper_out=True))
    hall_printers = lambda: {p["printer"]: p["state"] for p in client.get(  # noqa: E731
        f"/api/v1/halls/{HALL}/printers", headers=h).json()}

    wait_until(lambda: hall_printers()["desk"] == "paper_out")
    r = client.post(f"/api/v1/tickets/{t['id']}/notice/print", headers=h,
                    json={"item": ITEM, "missing": [MATERIALS[0]]})
    assert r.status_code == 200 and r.json()["print"] == {"status": "failed", "reason": "paper_out"}
    assert printer.jobs == []
