"""The console's complaint form and list in headless Chromium at 1366x768 (issue 15, points 1-4):
a clerk registers a complaint at the window, sees its clocks, files and dispatches it by the
department's duties; a bad form names what is wrong; the desk comes back. axe-core checks each
state; English is marked lang=en; screenshots in test-artifacts/."""
from __future__ import annotations

import httpx
import pytest
from support import axe, lang
from support.accounts import Accounts, password_of
from support.browser import screenshot
from support.clock import at
from support.halls import HALL

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}


def look(page, state: str) -> None:
    screenshot(page, f"console-complaints-{state}")
    axe.assert_no_violations(page, f"complaints {state}")
    english = lang.unmarked_english(page)
    assert not english, f"{state}: English without lang=en:\n{lang.summary(english)}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEW["width"], f"{state}: {width}px wide"


@pytest.fixture
def hall(live_server, settings, clock):
    clock.set(at(2026, 11, 23, 10, 0))
    srv = live_server()
    c = httpx.Client(base_url=srv.url, timeout=30)
    accounts = Accounts(c, settings.admin_password, keep_cookies=False)
    clerk = accounts.make("zhangwei", display_name="张伟")
    # A letter received yesterday morning, entered only now: its entry and contact clocks are late.
    r = c.post(f"/api/v1/halls/{HALL}/complaints", headers=clerk, json={
        "source": "letter", "type": "water.sewage", "place": "青年湖小区", "content": "生活污水直排河道",
        "name": "李四", "phone": "13912345678", "received_at": "2026-11-22T09:00:00+08:00"})
    assert r.status_code == 201, r.text
    yield srv.url
    c.close()


def test_register_file_and_dispatch_a_complaint_at_the_window(browser, hall):
    page = browser.new_context(viewport=VIEW, timezone_id="Asia/Shanghai").new_page()
    page.goto(f"{hall}/console")
    page.locator("#username").wait_for(state="visible")
    assert not page.locator("#complaints-open").is_visible()  # signed out: no complaints
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.wait_for()
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")

    page.click("#complaints-open")
    page.locator("#complaints").wait_for(state="visible")
    assert page.locator("#desk").is_hidden()
    page.locator("#c-list .citem").first.wait_for()
    late = page.locator("#c-list .citem").first
    assert "青年湖小区" in late.inner_text()
    assert late.locator(".chip.missed").count() == 1 and late.locator(".chip.red").count() == 1  # entry, contact
    look(page, "open")

    # A form without a type: the server names the field, the console says it and goes there.
    page.fill("#c-place", "和平里3号")
    page.fill("#c-content", "楼下饭店油烟直排")
    page.click("#complaint-form button[type=submit]")
    page.locator("#c-msg.bad").wait_for()
    assert page.evaluate("() => document.activeElement.id") == "c-type"
    look(page, "invalid")

    page.select_option("#c-type", "air.cooking_fumes")
    page.fill("#c-name", "张三")
    page.fill("#c-phone", "13812345678")
    page.click("#complaint-form button[type=submit]")
    page.locator("#c-msg.ok").wait_for()
    assert "已登记 TS-20261123-" in page.inner_text("#c-msg")
    assert page.locator("#c-list .citem").count() == 2  # the list was read again before the message
    new = page.locator("#c-list .citem").first
    assert "和平里3号" in new.inner_text() and "张**" in new.inner_text() and "138****5678" in new.inner_text()
    assert new.locator(".chip.kept").count() == 1  # entered at once
    assert new.locator(".chip").count() == 3  # entry, contact, forward
    assert page.input_value("#c-place") == ""  # the form is ready for the next one
    look(page, "registered")

    new.locator("button", has_text="立案").click()
    page.locator("#c-list .citem").first.locator("select").wait_for()
    first = page.locator("#c-list .citem").first
    options = first.locator("select option").all_inner_texts()
    assert [o.split("（")[0] for o in options] == ["城市管理综合执法局", "生态环境综合执法支队"] or \
        sorted(o.split("（")[0] for o in options) == ["城市管理综合执法局", "生态环境综合执法支队"]
    first.locator("select").select_option("urban_management")
    first.locator("button", has_text="派遣").click()
    page.locator("#c-list .citem").first.locator("input").wait_for()
    first = page.locator("#c-list .citem").first
    assert "已派遣" in first.inner_text() and first.locator(".chip").count() == 4  # and now handling
    assert "部门办理反馈" in first.inner_text()
    look(page, "dispatched")

    page.keyboard.press("Escape")
    page.locator("#desk").wait_for(state="visible")
    assert page.locator("#complaints").is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "complaints-open"
