"""The dashboard's appointments card in Chromium at 1920x1080: today's bookings per category,
on time, late, no-shows (before the round records them), cancelled, to come, and the share of
tickets; axe finds no WCAG A/AA violation in it. Screenshot: test-artifacts/dashboard-appointments.png."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support import axe
from support.accounts import Accounts, password_of
from support.clock import at
from support.devices import pair
from support.halls import demo_with

pytestmark = pytest.mark.browser
VIEW = {"width": 1920, "height": 1080}
LIMITS = "[halls.limits]\nremote_client_burst = 100\nremote_per_client_per_hour = 1000\n"


def test_the_dashboard_shows_todays_appointments(live_server, browser, settings, clock, screenshot):
    clock.set(at(2026, 11, 24, 8, 0))
    srv = live_server(demo_with(LIMITS))
    with httpx.Client(base_url=srv.url, timeout=20) as c:
        acc = Accounts(c, settings.admin_password, keep_cookies=False)
        acc.make("boss", "manager", display_name="王主任")
        kiosk = {"X-Device-Token": pair(c, acc.admin, "eco")}
        codes = [c.post("/api/v1/halls/eco/appointments", json={
            "category": "permit", "start": f"2026-11-24T{h}:00+08:00", "phone": f"1391234000{i}"}).json()["code"]
            for i, h in enumerate(("09:00", "09:30", "10:00", "16:30"))]
        clock.set(at(2026, 11, 24, 8, 50))
        assert c.post("/api/v1/halls/eco/check-in", json={"code": codes[0]}, headers=kiosk).status_code == 201
        assert c.post("/api/v1/halls/eco/tickets", json={"category": "permit"}, headers=kiosk).status_code == 201
    clock.set(at(2026, 11, 24, 10, 11))  # 09:30 and 10:00 missed (before the round records them)

    page = browser.new_context(viewport=VIEW).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/dashboard")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    card = page.locator("#appointments-card")
    expect(card).to_be_visible()
    row = card.locator('tr[data-category="permit"]')
    expect(row.locator('[data-figure="booked"]')).to_have_text("4")
    expect(row.locator('[data-figure="checked_in"]')).to_have_text("1")
    expect(row.locator('[data-figure="no_show"]')).to_have_text("2")
    expect(row.locator('[data-figure="waiting"]')).to_have_text("1")
    expect(row.locator('[data-figure="share"]')).to_have_text("50%")
    card.scroll_into_view_if_needed()
    screenshot(page, "dashboard-appointments")
    found = axe.check(page, include="#appointments-card")
    assert found == [], [(v["id"], v["help"]) for v in found]
    assert errors == []
