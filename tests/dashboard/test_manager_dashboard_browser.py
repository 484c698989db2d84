"""Issue 12, point 16 in Chromium at 1920x1080: the dashboard tells the coverage alarm once, in a
bar that stays in view however far the page is scrolled; the manager acknowledges it there (who
and when shown); tiles carry their level by the hall's thresholds; people show by their names;
the screen list says connected or last seen (point 11); axe finds no WCAG A/AA violation.
Screenshots: test-artifacts/dashboard-*.png."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support import axe
from support.accounts import Accounts, password_of
from support.devices import equip
from support.sockets import LiveSocket
from support.wait import wait_until

pytestmark = pytest.mark.browser
HALL = "eco"
VIEW = {"width": 1920, "height": 1080}


@pytest.fixture
def api(settings):
    clients = []

    def make(url: str):
        c = httpx.Client(base_url=url, timeout=20)
        clients.append(c)
        acc = Accounts(c, settings.admin_password, keep_cookies=False)
        equip(c, acc.admin)  # tickets as the hall's paired kiosk
        return c, acc

    yield make
    for c in clients:
        c.close()


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + 40 <= VIEW["height"]


def test_alerts_once_sticky_acknowledged_tiles_names_screens(live_server, browser, api, clock, screenshot):
    srv = live_server()
    http, acc = api(srv.url)
    acc.make("boss", "manager", display_name="王主任")
    acc.make("zhangwei", display_name="张伟")
    lina = acc.make("lina", display_name="李娜")
    http.post(f"/api/v1/halls/{HALL}/windows/w2/sign-in", headers=lina)
    http.post(f"/api/v1/halls/{HALL}/windows/w2/away", headers=lina, json={"reason": "meeting"})
    for cat in ("eia", "permit", "consult"):  # nobody serves: one coverage alarm over three categories
        assert http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat}).status_code == 201
    boss = acc.tokens["boss"]
    wait_until(lambda: len(http.get(f"/api/v1/halls/{HALL}/alerts?kind=coverage", headers=boss).json()) == 3,
               what="the coverage alarm logged per category")
    tv = LiveSocket(srv.url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display?screen=tv-door")
    gone = LiveSocket(srv.url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display?screen=tv-side")
    gone.close()

    page = browser.new_context(viewport=VIEW).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/dashboard")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    expect(page.locator("#live")).to_have_text("实时 Live")
    bar = page.locator("#alert-bar")
    expect(bar).to_be_visible()

    # One coverage alarm, once, in the whole page.
    expect(page.locator('[data-kind="coverage"]')).to_have_count(1)
    alarm = bar.locator('li[data-key="coverage"]')
    expect(alarm).to_contain_text("无窗口受理")
    expect(bar).to_have_attribute("data-level", "bad")
    # Tiles by threshold, in words too; people by name.
    expect(page.locator('.tile[data-tile="waiting"]')).to_have_attribute("data-level", "bad")
    expect(page.locator('.tile[data-tile="waiting"] .state')).to_contain_text("告警")
    w1 = page.locator('.win[data-window="w1"]')
    expect(w1).to_contain_text("张伟")
    expect(page.locator('.win[data-window="w2"]')).to_contain_text("李娜")
    assert "zhangwei" not in page.locator("#windows").inner_text()
    assert "lina" not in page.locator("#windows").inner_text()
    # The screen list: one connected, one gone (last seen, its sound forgotten).
    expect(page.locator('#screens tr[data-screen="tv-door"]')).to_contain_text("在线")
    expect(page.locator('#screens tr[data-screen="tv-side"]')).to_contain_text("离线")
    screenshot(page, "dashboard-alert-bar")
    page.locator("#windows").scroll_into_view_if_needed()
    screenshot(page, "dashboard-windows")
    page.evaluate("window.scrollTo(0, 0)")
    axe.assert_no_violations(page, "dashboard with a coverage alarm")

    # Scrolled to the bottom of the page, the alarm is still in view.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 500")
    assert in_view(page, '#alert-bar li[data-key="coverage"]')
    screenshot(page, "dashboard-scrolled")

    # Acknowledged from the bar: who and when, on this dashboard and in the API.
    clock.advance(60)
    alarm.get_by_role("button", name="确认").click()
    expect(alarm).to_contain_text("已确认")
    expect(alarm).to_contain_text("王主任")
    expect(alarm).to_contain_text("10:01")
    expect(alarm.locator("button")).to_have_count(0)
    dash = http.get(f"/api/v1/halls/{HALL}/dashboard", headers=boss).json()
    [cov] = [a for a in dash["now"]["alerts"] if a["kind"] == "coverage"]
    assert cov["acknowledged"]["by_name"] == "王主任"
    expect(bar).not_to_have_attribute("data-level", "bad")
    screenshot(page, "dashboard-acknowledged")
    page.evaluate("window.scrollTo(0, 0)")
    axe.assert_no_violations(page, "dashboard, alarm acknowledged")

    # The screen leaves: the list says so live.
    tv.close()
    expect(page.locator('#screens tr[data-screen="tv-door"]')).to_contain_text("离线")
    assert errors == []
