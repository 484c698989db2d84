"""Green channel by appointment (issue 16 point 6) in Chromium: on the booking page at 390x844 a
booking in a key-project category is marked so with the project's name and says which liaison it
reached; in the console at 1366x768 the liaison opens the cases view (办件) and finds the key-project
bookings that reached them, the one naming a case with its number; a clerk with none sees no such
list. axe clean. Screenshots: test-artifacts/book-green-channel*.png, console-green-channel.png."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
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


def test_a_key_project_booked_on_the_phone_page(live_server, browser, settings):
    srv = live_server()
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        liaison = Accounts(c, settings.admin_password, keep_cookies=False).make("liuyang", display_name="刘洋")
        page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{srv.url}/book?hall={HALL}")
        page.select_option("#day", "2026-11-24")
        page.locator("#slots label", has_text="09:00–09:30").click()
        expect(page.locator("#kp-box")).to_be_visible()  # eia takes key projects
        expect(page.locator("#kp-fields")).to_be_hidden()
        page.locator("label[for=kp-on]").click()
        expect(page.locator("#kp-fields")).to_be_visible()
        page.fill("#phone", "13912345678")
        page.fill("#id-number", id_number(1))
        page.click("#submit")  # ticked, but neither a case number nor a project
        expect(page.locator("#problem")).to_contain_text("项目名称")
        page.fill("#kp-project", "某某新材料产业园一期")
        for width in (320, 430):
            page.set_viewport_size({"width": width, "height": 800})
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("#kp-box").scroll_into_view_if_needed()
        screenshot(page, "book-green-channel-form")
        assert_no_violations(page, "the booking form with the key-project fields")
        page.click("#submit")
        expect(page.locator("#kp-done")).to_contain_text("刘洋")
        expect(page.locator("#kp-done")).to_contain_text("某某新材料产业园一期")
        screenshot(page, "book-green-channel-done")
        assert_no_violations(page, "the confirmation of a key-project booking")
        code = page.locator("#code").inner_text()
        [row] = c.get(f"/api/v1/halls/{HALL}/appointments/green-channel", headers=liaison).json()
        assert (row["code"], row["project"]) == (code, "某某新材料产业园一期")
        # a category without green channel shows no such fields
        page.goto(f"{srv.url}/book?hall={HALL}")
        page.locator("#cats label", has_text="排污许可").click()
        expect(page.locator("#kp-box")).to_be_hidden()
        assert errors == []
