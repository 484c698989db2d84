"""Issue 18, point 1: the public visits page on phones (320 and 430 px): Chinese first, English marked
lang="en", nothing off the side, no WCAG 2.2 A/AA violation (axe). Screenshots: test-artifacts/visits-*.png."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support import axe
from support.accounts import Accounts, login
from support.mobile import city_text

from onewindow.server.config import parse_config

pytestmark = pytest.mark.browser


def test_visits_page_on_phones(live_server, browser, screenshot):
    srv = live_server(parse_config(city_text(), "city.toml"))
    with httpx.Client(base_url=srv.url) as http:
        Accounts(http, keep_cookies=False).make("boss", role="manager")
        boss = login(http, "boss", keep_cookie=False)
        for day, town, place in (("2026-11-26", "东山镇", "东山镇政府广场（农贸市场东侧）"),
                                 ("2026-11-28", "西岭乡", "西岭乡便民服务中心"),
                                 ("2026-11-30", "东山镇", "新村村委会")):
            r = http.post("/api/v1/halls/van1/visits", headers=boss, json={
                "town": town, "place": place, "day": day, "start": "09:00", "end": "15:30",
                "categories": ["eia", "consult"]})
            assert r.status_code == 201, r.text
    page = browser.new_context(viewport={"width": 320, "height": 700}, locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/visits")
    expect(page.locator("#visits li.visit")).to_have_count(3)
    expect(page.locator("#visits li.visit").first).to_contain_text("东山镇")
    expect(page.locator("#visits li.visit").first).to_contain_text("Thu 2026-11-26, 09:00–15:30")
    assert page.locator("#visits [lang=en]").count() >= 6
    for width in (320, 430):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        screenshot(page, f"visits-{width}")
        axe.assert_no_violations(page, f"the visits page at {width} px")
    page.goto(srv.url + "/visits?hall=eco")
    expect(page.locator("#none")).to_be_visible()
    assert errors == []
