"""Checking in at the kiosk in Chromium (1920x1080): the "预约签到" entry, the code typed
(too early: when to come back), then on time: a ticket with the appointment badge; the
ID card read by a keyboard-wedge reader (it types the number and Enter) checks in too.
axe finds no violation on the check-in screen. Screenshots: test-artifacts/kiosk-checkin-*.png."""
from __future__ import annotations

import httpx
import pytest
from support import axe
from support.clock import at
from support.halls import demo_config

from onewindow.appointments.idcard import check_char

pytestmark = pytest.mark.browser
KIOSK = {"width": 1920, "height": 1080}
ID17 = "11010119800101123"
ID = ID17 + check_char(ID17)


def test_check_in_at_the_kiosk(live_server, device_context, clock):
    srv = live_server(demo_config())
    with httpx.Client(base_url=srv.url, timeout=20) as c:
        a = c.post("/api/v1/halls/eco/appointments", json={
            "category": "eia", "start": "2026-11-23T10:30:00+08:00", "phone": "13912345678", "id_number": ID}).json()
        b = c.post("/api/v1/halls/eco/appointments", json={
            "category": "permit", "start": "2026-11-23T10:30:00+08:00", "phone": "13912345679",
            "id_number": ID}).json()
    page = device_context(srv.url, viewport=KIOSK).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{srv.url}/kiosk?kiosk=door")
    page.locator("button.cat").first.wait_for()
    page.click("#checkin-open")
    page.locator("#checkin:not(.hidden)").wait_for()
    assert page.evaluate("document.activeElement.id") == "ci-code"
    screenshot_and_axe(page, "kiosk-checkin-code", "the check-in screen")
    page.fill("#ci-code", a["code"])
    page.click("#ci-submit")  # 10:00: the window opens at 10:15
    page.locator("#message:not(.hidden)").wait_for()
    assert "10:15" in page.locator("#m-text").inner_text()
    assert "还未到签到时间" in page.locator("#m-title").inner_text()
    screenshot_and_axe(page, "kiosk-checkin-early", "too early")

    clock.set(at(2026, 11, 23, 10, 20))
    page.click("#m-back")
    page.click("#checkin-open")
    page.fill("#ci-code", a["code"])
    page.press("#ci-code", "Enter")
    page.locator("#ticket:not(.hidden)").wait_for()
    assert page.locator("#t-number").inner_text().startswith("A")
    assert "预约" in page.locator("#t-category").inner_text()
    screenshot_and_axe(page, "kiosk-checkin-ticket", "the appointment's ticket")

    page.click("#t-done")
    page.click("#checkin-open")
    page.locator("#ci-code").press_sequentially(ID + "\n")  # the card reader types the number and Enter
    page.locator("#ticket:not(.hidden)").wait_for()
    assert page.locator("#t-number").inner_text().startswith("B")  # permit: the ID card's other booking
    assert b["code"]
    assert errors == []


def screenshot_and_axe(page, name: str, state: str) -> None:
    from support.browser import screenshot

    screenshot(page, name)
    axe.assert_no_violations(page, state)
