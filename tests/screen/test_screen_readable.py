"""The call screen read from 5 m (issue 12, point 10), in Chromium at 1920x1080:
the whereabouts notice is at least as large as the window names, the "tap to
enable sound" banner stays out of the content, and the clock tells the hall's
time whatever the browser's time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

SIZE = {"width": 1920, "height": 1080}

FONT_PX = "(sel) => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize))"
RECT = ("(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom]; }")


def open_page(context, url: str, query: str = "hall=eco&screen=tv-1"):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/screen?{query}")
    page.wait_for_selector("body:not(.offline)")
    return page, errors


def test_away_notice_is_as_large_as_the_window_names(live_server, browser, hall, shot, overflowing):
    server = live_server()
    h = hall(server)
    h.clerk_at("w1", display_name="张伟", title="综合受理岗")
    h.clerk_at("w2", display_name="李娜", title="综合受理岗")
    h.clerk_at("w4", display_name="刘洋", title="综合受理岗")
    h.away("w2", reason="meeting", back_at="14:30", see_instead="w1")
    h.away("w4", reason="back_office", back_at="11:00", note="后台复核")
    page, errors = open_page(browser.new_context(viewport=SIZE, bypass_csp=True), server.url)
    page.wait_for_selector('.window[data-window="w2"] .notice .goto')
    name_px = page.evaluate(FONT_PX, ".window .wname")[0]
    for sel in (".notice .reason", ".notice .goto", ".notice .note"):
        sizes = page.evaluate(FONT_PX, sel)
        assert sizes and min(sizes) >= name_px, (sel, sizes, name_px)
    shot(page, "screen-away-notice-1920x1080")
    assert overflowing(page) == []
    assert errors == []


def test_sound_banner_stays_out_of_the_content(live_server, browser_factory, hall, shot, overflowing):
    server = live_server()
    hall(server)
    muted = browser_factory(autoplay=False)
    page, errors = open_page(muted.new_context(viewport=SIZE, bypass_csp=True), server.url, "hall=eco&screen=tv-m")
    banner = page.locator("#sound")
    banner.wait_for(state="visible")
    page.wait_for_selector(".item-name")
    b = page.evaluate(RECT, "#sound")
    for sel in ("main#data", "#items", "#latest", "#windows", ".ticker"):
        r = page.evaluate(RECT, sel)
        overlap = min(b[2], r[2]) > max(b[0], r[0]) and min(b[3], r[3]) > max(b[1], r[1])
        assert not overlap, (sel, b, r)
    assert b[2] <= SIZE["width"] and b[3] <= page.evaluate(RECT, "header.top")[3] + 1
    shot(page, "screen-sound-banner-1920x1080")
    assert overflowing(page) == []
    banner.click()
    banner.wait_for(state="hidden")
    assert errors == []


def test_clock_tells_the_halls_time_not_the_browsers(live_server, browser, hall):
    server = live_server()
    hall(server)
    context = browser.new_context(viewport=SIZE, bypass_csp=True, timezone_id="America/New_York")
    page = context.new_page()
    # 2026-11-23 02:05 UTC: Monday 10:05 in Shanghai (the hall), Sunday 21:05 in New York (the browser)
    page.clock.install(time=datetime(2026, 11, 23, 2, 5, tzinfo=ZoneInfo("UTC")))
    page.goto(f"{server.url}/screen?hall=eco&screen=tv-clock")
    page.wait_for_selector("body:not(.offline)")
    assert page.evaluate("new Date().getHours()") == 21  # the browser's own zone differs
    page.wait_for_function("document.getElementById('clock-time').textContent === '10:05'")
    assert page.inner_text("#clock-date") == "2026-11-23 星期一"
    page.clock.run_for(60_000)
    page.wait_for_function("document.getElementById('clock-time').textContent === '10:06'")
