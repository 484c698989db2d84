"""The kiosk tells one truth before the tap (issue 12, points 2, 3, 5), in headless Chromium at
1920×1080 and 1080×1920: a category at its daily cap is shown full (and why), a category no
window serves says so and when service resumes, a served one says what its ticket then says;
the ticket and the phone say the same. Screenshots: test-artifacts/kiosk-waits-*."""
from __future__ import annotations

import httpx
import pytest
from support.browser import screenshot
from support.clock import at
from support.halls import HALL, printers_toml
from support.kiosk import Clerks

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
ALL = '["eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"]'
NO_COMPLAINTS = 'categories = ["eia", "permit", "acceptance", "hazwaste", "consult", "assist"]'
# Windows 1 and 2 take no complaints (window 1's clerk covers window 2, whose clerk is out);
# windows 5 and 6 do, and their clerks are not in.
EDITS = {
    f'number = "1"\ncategories = {ALL}': f'number = "1"\n{NO_COMPLAINTS}',
    f'number = "2"\ncategories = {ALL}': f'number = "2"\n{NO_COMPLAINTS}',
    "default_service_min = 15\n": "default_service_min = 15\ndaily_cap = 1\n",
}


def tile(page, code: str):
    return page.locator(f'button.cat[data-category="{code}"]')


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_full_and_nobody_serving_before_the_tap(live_server, hall_config, device_context, browser, settings,
                                                clock, size):
    width, height = size
    clock.set(at(2026, 11, 23, 15, 0))
    srv = live_server(hall_config(printers_toml(door="none", desk="none"), replace=EDITS), printer="config")
    context = device_context(srv.url, viewport={"width": width, "height": height})
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        clerks = Clerks(http, settings.admin_password)
        clerks.at("w1")  # window 1 serves everything but complaints
        cj = clerks.at("w5")  # window 5 would take complaints: its clerk is out until 16:30
        clerks.post(f"/api/v1/halls/{HALL}/windows/w5/away", cj, reason="meeting", back_at="16:30")
        # the day's only EIA number, taken at the door
        r = http.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"},
                      headers={"X-Device-Token": context.device["token"]})
        assert r.status_code == 201, r.text
    page = context.new_page()
    posts = []
    page.on("request", lambda q: posts.append(q.url) if q.method == "POST" and "/tickets" in q.url else None)
    page.goto(f"{srv.url}/kiosk")
    eia = tile(page, "eia")
    page.locator('button.cat[data-category="eia"][data-state="full"]').wait_for()
    assert eia.get_attribute("aria-disabled") == "true"
    assert "今日号已取完" in eia.inner_text() and "Full for today" in eia.inner_text()
    complaint = tile(page, "complaint")
    assert "暂无窗口服务，16:30 恢复" in complaint.inner_text()
    assert "No window serving now; resumes at 16:30" in complaint.inner_text()
    permit = tile(page, "permit")
    permit_text = permit.inner_text()
    assert "前面 1 人 · 约 " in permit_text and "1 ahead · about " in permit_text, permit_text
    for code in ("eia", "complaint", "permit"):
        box = tile(page, code).bounding_box()
        assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, code
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"kiosk-waits-{width}x{height}")

    # a tap on the full tile explains and asks the server nothing (aria-disabled: Playwright must force it)
    eia.click(force=True)
    page.locator('#message:not(.hidden)[data-code="daily_cap"]').wait_for()
    assert "今日号源已满" in page.locator("#m-title").inner_text()
    assert "未出号" in page.locator("#m-text").inner_text()
    assert posts == []
    screenshot(page, f"kiosk-waits-full-tapped-{width}x{height}")
    page.locator("#m-back").click()
    page.locator("#pick:not(.hidden)").wait_for()

    # a served category: the ticket says what the tile said
    words = permit_text.split("前面 1 人 · ")[1].split("\n")[0]
    permit.click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator("#ticket:not(.hidden)").wait_for()
    assert "1 人" in page.locator('[data-fact="people-ahead"]').inner_text()
    assert words in page.locator('[data-fact="estimated-wait"]').inner_text()
    page.locator("#t-done").click()
    page.locator("#pick:not(.hidden)").wait_for()

    # nobody serving complaints: the ticket and the phone say so, with when it resumes
    tile(page, "complaint").click()
    page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
    page.locator("#ticket:not(.hidden)").wait_for()
    facts = page.locator("#t-facts").inner_text()
    assert "暂无窗口服务，16:30 恢复" in facts and "预计等候" not in facts, facts
    screenshot(page, f"kiosk-waits-ticket-{width}x{height}")
    track = page.locator("#t-qr").get_attribute("src").replace("/api/v1/tickets/", "").split("/qr.svg?token=")
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{srv.url}/track?hall={HALL}&ticket={track[0]}&token={track[1]}")
    phone.locator('[data-fact="wait"]', has_text="暂无窗口服务，16:30 恢复").wait_for()
    assert "resumes at 16:30" in phone.locator('[data-fact="wait"]').inner_text()
    screenshot(phone, f"track-nobody-serving-{width}x{height}")
