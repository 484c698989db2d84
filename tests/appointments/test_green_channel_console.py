"""Green channel by appointment (issue 16 point 6) in the console, Chromium at 1366x768: the liaison
opens the cases view (办件) and finds the key-project bookings that reached them, the one naming a
case with its number; a clerk with none sees no such list. axe clean. Screenshot:
test-artifacts/console-green-channel.png."""
from __future__ import annotations

import httpx
import pytest
from support.accounts import Accounts, password_of
from support.axe import assert_no_violations
from support.browser import screenshot
from support.halls import HALL

from onewindow.appointments.idcard import check_char

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}


def id_number(seq: int) -> str:
    first = f"11010119800101{seq:03d}"
    return first + check_char(first)


def open_cases(browser, url: str, user: str):
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{url}/console")
    page.fill("#username", user)
    page.fill("#password", password_of(user))
    page.keyboard.press("Enter")
    page.locator("#desk").wait_for(state="visible")
    page.click("#cases-open")
    page.locator("#cases").wait_for(state="visible")
    return page


def book_two(c, settings) -> tuple[list[dict], dict]:
    """Two key-project bookings for tomorrow: one naming a project, one naming a case accepted now."""
    accounts = Accounts(c, settings.admin_password, keep_cookies=False)
    liaison = accounts.make("liuyang", display_name="刘洋")  # the demo hall's green_channel_liaison, A post of w4
    clerk = accounts.make("zhangwei", display_name="张伟")
    for who, w in ((liaison, "w4"), (clerk, "w1")):
        assert c.post(f"/api/v1/halls/{HALL}/windows/{w}/sign-in", headers=who).status_code == 200
    t = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
    case = c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": "key_project_eia", "applicant_name": "张三", "applicant_phone": "13812345678",
        "project": "某某化工厂扩建项目"}}).json()["case"]
    booked = []
    for seq, (start, kp) in enumerate((("09:00", {"project": "某某新材料产业园一期"}),
                                       ("09:30", {"case_number": case["number"]})), start=1):
        r = c.post(f"/api/v1/halls/{HALL}/appointments", json={
            "category": "eia", "start": f"2026-11-24T{start}:00+08:00", "phone": f"1391234{seq:04d}",
            "id_number": id_number(seq), "key_project": kp})
        assert r.status_code == 201, r.text
        booked.append(r.json())
    return booked, case


def test_the_liaison_sees_the_green_channel_bookings(live_server, browser, settings):
    srv = live_server()
    c = httpx.Client(base_url=srv.url, timeout=30)
    try:
        booked, case = book_two(c, settings)
    finally:
        c.close()

    page = open_cases(browser, srv.url, "liuyang")
    rows = page.locator("#cs-green tbody tr")
    rows.first.wait_for()
    assert page.locator("#cs-green-count").inner_text() == "2"
    texts = rows.all_inner_texts()
    assert "11-24 09:00–09:30" in texts[0] and "某某新材料产业园一期" in texts[0] and booked[0]["code"] in texts[0]
    assert case["number"] in texts[1] and "某某化工厂扩建项目" in texts[1] and "139****0002" in texts[1]
    assert "待签到" in texts[0]
    screenshot(page, "console-green-channel")
    assert_no_violations(page, "console cases view with green-channel bookings")

    other = open_cases(browser, srv.url, "zhangwei")
    other.locator("#cs-list li").first.wait_for()  # the cases have loaded; the green list stays hidden
    other.wait_for_load_state("networkidle")
    assert other.locator("#cs-green").is_hidden()
