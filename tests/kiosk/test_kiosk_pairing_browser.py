"""Pairing the kiosk page (issue 13, point 1) in headless Chromium at a portrait
1080x1920 kiosk: without a device token it shows the pairing screen (Chinese
first, a large keypad); the manager's one-time code pairs it; it then issues as
the kiosk, unlimited; revoked, it goes back to the pairing screen. Screenshots:
test-artifacts/kiosk-pairing*.png."""
from __future__ import annotations

import json

import httpx
import pytest
from support.accounts import Http, password_of
from support.browser import screenshot
from support.devices import STORAGE, code
from support.halls import HALL

pytestmark = pytest.mark.browser
PORTRAIT = {"width": 1080, "height": 1920}


def press(page, digits: str) -> None:
    for d in digits:
        page.locator(f'.pair-key[data-key="{d}"]').click()


def test_pair_the_kiosk_then_revoke_it(live_server, browser, settings):
    srv = live_server()
    with Http(srv.url, settings.admin_password) as h:
        boss = h.make("boss", "manager")
        page = browser.new_context(viewport=PORTRAIT).new_page()
        page.goto(f"{srv.url}/kiosk")
        pairing = page.locator("#pairing[data-kind=kiosk]")
        pairing.wait_for()
        title = page.locator("#pair-title").inner_text()
        assert title.startswith("取号机配对") and "Pair this ticket kiosk" in title
        assert page.locator("#pair-title [lang=en]").count() == 1
        keys = page.locator(".pair-key")
        assert keys.count() == 12
        assert min(keys.nth(i).bounding_box()["height"] for i in range(12)) >= 76  # large touch targets
        assert page.locator("button.cat").count() == 0  # nothing to take before pairing
        assert page.locator("#pair-go").is_disabled()

        # A wrong code: told so, still unpaired.
        press(page, "12345678")
        screenshot(page, "kiosk-pairing")
        page.locator("#pair-go").click()
        page.locator(".pair-msg", has_text="配对码不正确或已过期").wait_for()
        assert page.evaluate(f"localStorage.getItem({json.dumps(STORAGE + 'kiosk')})") is None

        # The manager's code: paired, the categories come up.
        press(page, code(h.c, boss, HALL, "kiosk", "门口取号机", kiosk="door"))
        page.locator("#pair-go").click()
        pairing.wait_for(state="detached")
        page.locator("button.cat").first.wait_for()
        stored = json.loads(page.evaluate(f"localStorage.getItem({json.dumps(STORAGE + 'kiosk')})"))
        assert (stored["kind"], stored["name"], stored["kiosk"]) == ("kiosk", "门口取号机", "door")
        assert stored["hall"] == HALL
        screenshot(page, "kiosk-paired")
        page.locator('button.cat[data-category="eia"]').click()
        page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
        page.locator("#ticket:not(.hidden)").wait_for()
        assert page.locator("#t-number").inner_text() == "A001"

        # It is the kiosk: more tickets than any phone may take, none refused.
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            more = [c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"},
                           headers={"X-Device-Token": stored["token"]}) for _ in range(6)]
        assert [r.status_code for r in more] == [201] * 6 and {r.json()["channel"] for r in more} == {"kiosk"}

        # Revoked: back at the categories, the kiosk's next call to the server sends it to pairing.
        r = h.c.delete(f"/api/v1/devices/{stored['id']}", headers=boss)
        assert r.status_code == 200, r.text
        page.locator("#t-done").click()
        pairing.wait_for()
        page.locator("#pairing .pair-msg", has_text="此设备已被撤销或未配对").wait_for()
        assert page.evaluate(f"localStorage.getItem({json.dumps(STORAGE + 'kiosk')})") is None
        screenshot(page, "kiosk-pairing-revoked")


def test_the_manager_pairs_and_revokes_on_the_devices_page(live_server, browser, settings):
    srv = live_server()
    with Http(srv.url, settings.admin_password) as h:
        h.make("boss", "manager")
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{srv.url}/devices?hall={HALL}")
    page.fill('#login-form input[name="username"]', "boss")
    page.fill('#login-form input[name="password"]', password_of("boss"))
    page.locator('#login-form button[type="submit"]').click()
    page.locator("#devices:not(.hidden)").wait_for()
    page.locator("#rows tr[data-device]").first.wait_for()  # the kiosk and pad the test helpers paired
    page.select_option("#kind", "kiosk")
    page.select_option("#kiosk", "door")
    page.fill("#name", "门口取号机")
    page.locator('#new-code button[type="submit"]').click()
    page.locator("#code-box:not(.hidden)").wait_for()
    shown = page.locator("#code").inner_text()
    assert len(shown) == 8 and shown.isdigit()
    assert page.locator("#code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 64  # shown large
    screenshot(page, "devices-code")
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        r = c.post("/api/v1/devices/pair", json={"code": shown})
        assert r.status_code == 201, r.text
        token = r.json()["device_token"]
    page.reload()
    row = page.locator("#rows tr[data-device]", has_text="门口取号机")
    row.wait_for()
    assert "有效" in row.inner_text() and "kiosk=door" in row.inner_text()
    page.once("dialog", lambda d: d.accept())
    row.locator("button[data-revoke]").click()
    page.locator("#rows tr.revoked", has_text="门口取号机").wait_for()
    assert "已撤销" in page.locator("#rows tr.revoked").inner_text()
    screenshot(page, "devices-revoked")
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        r = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}, headers={"X-Device-Token": token})
    assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    assert errors == []
