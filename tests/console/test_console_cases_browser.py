"""Issue 15 at the window, in Chromium at 1366x768 (axe clean in every state): the console's cases
view. Suspending a case for correction, the clerk ticks the item's checklist and writes other defects
(free text, one per line): the case's one-time notice lists both (point 11); a button records a visit
(最多跑一次 counts them); a key project's tracking card shows its steps, a step's start and fee are
recorded there and the fee over its cap is flagged (point 6). Screenshots: test-artifacts/console-cases-*."""
from __future__ import annotations

import httpx
import pytest
from support.accounts import Accounts, password_of
from support.axe import assert_no_violations
from support.browser import screenshot
from support.halls import HALL

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}


def accept(c, clerk, item: str) -> dict:
    t = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
    r = c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": item, "applicant_name": "张三", "applicant_phone": "13812345678", "project": "某某化工厂扩建项目"}})
    assert r.status_code == 200, r.text
    return r.json()["case"]


def test_suspend_with_the_checklist_and_defects_a_visit_and_the_key_project_card(live_server, browser, settings):
    srv = live_server()
    c = httpx.Client(base_url=srv.url, timeout=30)
    accounts = Accounts(c, settings.admin_password, keep_cookies=False)
    clerk = accounts.make("zhangwei", display_name="张伟")
    manager = accounts.make("boss", role="manager")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
    form = accept(c, clerk, "eia_report_form")
    key = accept(c, clerk, "key_project_eia")
    r = c.post(f"/api/v1/cases/{key['id']}/key-project", headers=manager,
               json={"liaison": "zhangwei", "phone": "0519-12369"})
    assert r.status_code == 201, r.text

    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{srv.url}/console")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#desk").wait_for(state="visible")
    page.click("#cases-open")
    page.locator("#cases").wait_for(state="visible")
    assert page.locator("#desk").is_hidden()
    page.locator(f"#cs-list [data-case='{form['id']}']").click()
    page.locator("#case-title", has_text=form["number"]).wait_for()
    assert_no_violations(page, "console cases view")

    # The one-time notice: two checklist items ticked, two defects written.
    page.click("#cs-suspend")
    page.locator("#cs-suspend-form").wait_for(state="visible")
    page.locator("#cs-suspend-form label.check", has_text="环境影响报告表（全本及公示本）").locator("input").check()
    page.locator("#cs-suspend-form label.check", has_text="法定代表人身份证明或授权委托书").locator("input").check()
    page.fill("#cs-defects", "公众参与说明未盖公章\n\n  附图比例尺缺失  ")
    screenshot(page, "console-cases-suspend-form")
    assert_no_violations(page, "console suspend form")
    page.click("#cs-send")
    page.locator("#case-detail .csmissing li").first.wait_for()
    listed = ["环境影响报告表（全本及公示本）", "法定代表人身份证明或授权委托书",
              "公众参与说明未盖公章", "附图比例尺缺失"]
    assert page.locator("#case-detail .csmissing li").all_inner_texts() == listed
    case = c.get(f"/api/v1/cases/{form['id']}", headers=clerk).json()
    assert case["status"] == "suspended" and case["missing"] == listed
    assert case["suspensions"][-1]["reason"] == "correction"

    # The applicant comes back with the papers: a visit, then the clock restarts.
    page.fill("#cs-visit-note", "送来补正材料")
    page.click("#cs-visit")
    page.locator(".csfacts dd", has_text="2").wait_for()
    assert c.get(f"/api/v1/cases/{form['id']}", headers=clerk).json()["visits"] == 2
    screenshot(page, "console-cases-suspended-visit")
    assert_no_violations(page, "console suspended case")
    page.click("#cs-resume")
    page.locator("#cs-suspend").wait_for()
    assert c.get(f"/api/v1/cases/{form['id']}", headers=clerk).json()["status"] == "accepted"

    # The key project's card: a step started and a fee over its cap, recorded in the console.
    page.locator(f"#cs-list [data-case='{key['id']}']").click()
    page.locator("#kp .kptable").wait_for()
    assert "张伟" in page.inner_text("#kp .kpwho") and "0519-12369" in page.inner_text("#kp .kpwho")
    page.select_option("#kp-step", "assessment")
    page.click("#kp-start")
    page.locator("#kp tr[data-step=assessment] td:nth-child(3)", has_text=":").wait_for()
    page.fill("#kp-fee", "25000")
    page.click("#kp-fee-send")
    page.locator("#kp tr[data-step=assessment] .kpflag", has_text="超上限").wait_for()
    card = c.get(f"/api/v1/cases/{key['id']}/key-project", headers=clerk).json()
    step = {s["step"]: s for s in card["steps"]}["assessment"]
    assert step["started_at"] and (step["fee"], step["over_cap"]) == (25000, True)
    screenshot(page, "console-cases-key-project")
    assert_no_violations(page, "console key-project card")
    page.emulate_media(media="print")
    assert page.locator("#kp .kptable").is_visible() and page.locator(".cslist-box").is_hidden()
    screenshot(page, "console-cases-key-project-print")
    page.emulate_media(media="screen")

    # Back to the desk.
    page.click("#cases-back")
    page.locator("#desk").wait_for(state="visible")
    c.close()
