"""Issue 14, end to end at 390x844: a case accepted at the window (API) -> the local SMSC (real
SMPP PDUs) receives the accepted message with the tracking link; the link opens the case page in
Chromium; a suspension shows what is missing live (and is told by SMS); completion offers the
rating (and the SMS invites it); a bad rating from the page is recorded and opens the task; after
the callback the page shows the outcome (and the SMS tells it). Screenshots: test-artifacts/case-*."""
from __future__ import annotations

import re

import httpx
import pytest
from support.accounts import Accounts
from support.browser import screenshot
from support.console import accept_case_live
from support.devices import equip
from support.halls import HALL, demo_config
from support.smsc import Smsc
from support.wait import wait_until

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SIGNATURE = 'signature = "【生态环境局】"\n'


def smpp_config(port: int):
    """The demo hall with its messages over SMPP to the local SMSC."""
    table = (f'\n[halls.notify.smpp]\nhost = "127.0.0.1"\nport = {port}\nsystem_id = "onewindow"\n'
             'password = "secret"\nsource_addr = "10690001"\n')
    return demo_config(replace={'channel = "file"\n' + SIGNATURE: 'channel = "smpp"\n' + SIGNATURE + table})


def sms_to(smsc: Smsc, needle: str, what: str) -> str:
    wait_until(lambda: any(needle in m.text for m in smsc.received()), timeout=20, what=what)
    return next(m.text for m in smsc.received() if needle in m.text)


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def smsc():
    with Smsc() as s:
        yield s


def test_accept_follow_suspend_complete_rate_and_hear_the_outcome(live_server, smsc, browser):
    srv = live_server(config=smpp_config(smsc.port))
    c = httpx.Client(base_url=srv.url, timeout=30)
    accounts = Accounts(c, keep_cookies=False)
    equip(c, accounts.admin)
    clerk = accounts.make("zhangwei")
    manager = accounts.make("boss", role="manager")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200

    # at the window: a ticket, served, completed with an accepted case; the applicant opts in
    t = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
    r = c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": "eia_report_form", "applicant_name": "张三丰", "applicant_phone": "13812345678",
        "project": "某某化工厂扩建项目", "notify": True}})
    assert r.status_code == 200, r.text
    case = r.json()["case"]
    cid = case["id"]

    text = sms_to(smsc, "已受理", "the accepted message")
    link = re.search(r"https?://\S+", text).group(0)
    assert link == case["track_url"] and case["track_token"] in link
    assert [m.dest for m in smsc.received()] == ["8613812345678"]

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(link)
    page.locator("#number", has_text=case["number"]).wait_for()
    page.locator("#live[data-state=live]").wait_for()
    assert "张**" in page.inner_text("#applicant") and "三丰" not in page.content()
    assert page.locator("[data-fact=statutory]").count() == 1
    assert sideways(page) == 0
    screenshot(page, "case-390x844-accepted")

    # suspended for missing documents: the page shows them without a reload, and the SMS names them
    r = c.post(f"/api/v1/cases/{cid}/suspend", headers=clerk, json={
        "reason": "correction", "notice": "请补正以下材料", "missing": ["公众参与说明", "法人身份证复印件"]})
    assert r.status_code == 200, r.text
    page.locator("#missing li", has_text="公众参与说明").wait_for()
    assert page.locator("#missing li").all_inner_texts() == ["公众参与说明", "法人身份证复印件"]
    assert page.locator(".status[data-status=suspended]").count() == 1
    screenshot(page, "case-390x844-suspended")
    assert "公众参与说明、法人身份证复印件" in sms_to(smsc, "暂停办理", "the suspended message")

    # resumed and completed: the page offers the rating; the SMS invites it
    assert c.post(f"/api/v1/cases/{cid}/resume", headers=clerk).status_code == 200
    assert c.post(f"/api/v1/cases/{cid}/complete", headers=clerk, json={"delivery": "collect"}).status_code == 200
    page.locator("#rating .levels button").first.wait_for()
    assert page.locator("#delivery").count() == 1
    assert link in sms_to(smsc, "请评价", "the rating invitation")

    # a bad rating from the page: recorded, the same rectification task as a visit's
    page.locator('.levels button[data-level="1"]').click()
    page.locator('#reasons input[value="slow"]').check()
    page.locator("#send").scroll_into_view_if_needed()
    screenshot(page, "case-390x844-rate")
    page.locator("#send").click()
    page.locator("#rated").wait_for()
    page.locator("#rectifying").wait_for()
    screenshot(page, "case-390x844-rated")
    tasks = c.get(f"/api/v1/halls/{HALL}/rating-tasks", headers=manager).json()
    [task] = [k for k in tasks if k["rated"] == "case"]
    assert task["level"] == 1 and task["reasons"] == ["slow"]

    # rectified: after the callback the page shows the outcome (live) and the SMS tells it
    for step, extra in (("verify", {"outcome": "substantiated"}), ("rectify", {"note": "已调整审批流程"}),
                        ("feedback", {"note": "已加快审批，今后按时办结", "outcome": "told"}),
                        ("callback", {"outcome": "satisfied"})):
        r = c.post(f"/api/v1/halls/{HALL}/rating-tasks/{task['id']}/advance", headers=manager,
                   json={"step": step, **extra})
        assert r.status_code == 200, r.text
    page.locator("#outcome", has_text="已加快审批，今后按时办结").wait_for()
    assert sideways(page) == 0
    page.locator("#outcome").scroll_into_view_if_needed()
    screenshot(page, "case-390x844-outcome")
    assert "已加快审批" in sms_to(smsc, "整改", "the rectification result")
    context.close()
    c.close()


def test_a_wrong_link_says_not_found(live_server, browser):
    srv = live_server()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{srv.url}/case?id=1&token=nope")
    page.locator("#message-title", has_text="找不到这个办件").wait_for()
    screenshot(page, "case-390x844-not-found")
    context.close()


@pytest.mark.parametrize(("width", "height"), [(320, 640), (430, 932)], ids=["320x640", "430x932"])
def test_the_page_fits_the_narrowest_and_widest_phones(live_server, browser, width, height):
    srv = live_server()
    c = httpx.Client(base_url=srv.url, timeout=30)
    case, clerk = accept_case_live(c, {"item": "key_project_eia", "applicant_name": "欧阳娜娜"})
    c.post(f"/api/v1/cases/{case['id']}/suspend", headers=clerk, json={
        "reason": "correction", "notice": "补正",
        "missing": ["建设项目环境影响报告书（全本及公示本，含公众参与说明）"]})
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": height}})
    page = context.new_page()
    page.goto(case["track_url"])
    page.locator("#missing li").wait_for()
    assert sideways(page) == 0 and "欧**" in page.inner_text("#applicant")
    screenshot(page, f"case-{width}x{height}-suspended")
    context.close()
    c.close()
