"""The console shows the visitor's appointment and that they checked in on time (Chromium,
the desk at 1366x768, axe). Screenshot: test-artifacts/console-desk-appointment.png."""
from __future__ import annotations

import httpx
import pytest
from support import axe
from support.accounts import Accounts, password_of
from support.browser import screenshot
from support.clock import at
from support.devices import pair

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}


def test_the_desk_shows_the_appointment(live_server, browser, settings, clock):
    clock.set(at(2026, 11, 24, 9, 0))
    srv = live_server()
    with httpx.Client(base_url=srv.url, timeout=20) as c:
        acc = Accounts(c, settings.admin_password, keep_cookies=False)
        acc.make("zhangwei", display_name="张伟")
        kiosk = {"X-Device-Token": pair(c, acc.admin, "eco")}
        a = c.post("/api/v1/halls/eco/appointments", json={
            "category": "permit", "start": "2026-11-24T09:30:00+08:00", "phone": "13912345678"}).json()
        clock.set(at(2026, 11, 24, 9, 25))
        t = c.post("/api/v1/halls/eco/check-in", json={"code": a["code"]}, headers=kiosk).json()
    clock.set(at(2026, 11, 24, 9, 31))
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{srv.url}/console")
    page.locator("#username").wait_for(state="visible")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.wait_for()
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")
    page.keyboard.press("n")
    page.locator("#current-number", has_text=t["number"]).wait_for()
    fact = page.locator('[data-fact="appointment"]')
    fact.wait_for()
    assert "09:30 · 按时签到" in fact.inner_text() and "checked in on time" in fact.inner_text()
    screenshot(page, "console-desk-appointment")
    axe.assert_no_violations(page, "console with an appointment")
