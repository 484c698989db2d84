"""Issue 17, point 2 in Chromium: the bureau's page (/bureau) at 1920x1080 and 1366x768: the bureau
manager signs in and sees every outlet (kind, address, opening days or the van's visits, waiting,
longest wait, open windows, served today, the year's bad-rating rate and utilisation with their
flags, promises kept), nothing runs off the side, the CSV link carries the chosen dates, an Excel
export runs with progress to a download link; axe finds no WCAG 2.2 A/AA violation; a hall manager
is told the page is not theirs. Screenshots: test-artifacts/bureau-*.png."""
from __future__ import annotations

import httpx
import pytest
from bureau.conftest import VAN_VISITS, city_config
from playwright.sync_api import expect
from support import axe
from support.accounts import Accounts, password_of
from support.clock import at
from support.devices import equip
from support.mobile import publish_visits

pytestmark = pytest.mark.browser
VIEWS = {"1920": {"width": 1920, "height": 1080}, "1366": {"width": 1366, "height": 768}}


@pytest.fixture
def city_server(live_server, settings, clock):
    clock.set(at(2026, 11, 23, 10))
    srv = live_server(config=city_config())
    c = httpx.Client(base_url=srv.url, timeout=20)
    acc = Accounts(c, settings.admin_password, keep_cookies=False)
    equip(c, acc.admin)  # tickets and ratings as each hall's paired kiosk and pad
    publish_visits(c, acc.admin, clock, "van", VAN_VISITS, at(2026, 11, 1, 9))  # the van's schedule
    acc.make("city", "bureau_manager", display_name="市局")
    acc.make("boss", "manager")
    parker = acc.make("parker")
    # The park: one served and rated badly (an interview), one waiting 25 minutes.
    t = c.post("/api/v1/halls/park/tickets", json={"category": "assist"}).json()
    assert c.post("/api/v1/halls/park/windows/p1/sign-in", headers=parker).status_code == 200
    assert c.post("/api/v1/halls/park/windows/p1/next", headers=parker).json()["id"] == t["id"]
    c.post(f"/api/v1/tickets/{t['id']}/start", headers=parker)
    clock.advance(300)
    assert c.post(f"/api/v1/tickets/{t['id']}/complete", headers=parker).status_code == 200
    r = c.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": 1, "reasons": ["attitude"],
                                                                   "token": t["track_token"], "channel": "qr"})
    assert r.status_code in (200, 201), r.text
    c.post("/api/v1/halls/park/tickets", json={"category": "assist"})
    for cat in ("eia", "consult", "permit"):
        assert c.post("/api/v1/halls/eco/tickets", json={"category": cat}).status_code == 201
    clock.advance(25 * 60)
    yield srv
    c.close()


def sign_in(page, url: str, user: str) -> None:
    page.goto(f"{url}/bureau")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password_of(user))
    page.click("#login-form button[type=submit]")


@pytest.mark.parametrize("size", list(VIEWS))
def test_the_bureau_page(city_server, browser, screenshot, size):
    page = browser.new_context(viewport=VIEWS[size], locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, city_server.url, "city")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(3)
    park = page.locator("tr[data-outlet=park]")
    expect(park).to_contain_text("专项")
    expect(park).to_contain_text("高新区园区管委会")
    expect(park).to_contain_text("周一二三四五六")
    expect(park.locator("td").nth(2)).to_have_text("1")  # waiting
    expect(park.locator("td").nth(3)).to_contain_text("25 分钟")
    expect(park.locator("td").nth(5)).to_contain_text("1")  # served today
    expect(park.locator("td").nth(6)).to_contain_text("100.0%")
    expect(park.locator("td").nth(6)).to_contain_text("约谈")
    van = page.locator("tr[data-outlet=van]")
    expect(van).to_contain_text("流动")
    expect(van).to_contain_text("出车日")
    expect(van).to_contain_text("11-23")
    eco = page.locator("tr[data-outlet=eco]")
    expect(eco.locator("td").nth(2)).to_have_text("3")
    expect(eco.locator("td").nth(4)).to_have_text("0 / 6")
    expect(page.locator(".tile").nth(1)).to_contain_text("4")  # waiting across outlets
    expect(page.locator(".tile.bad").first).to_be_visible()
    # Nothing runs off the side at this size.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # English beside Chinese is marked as English.
    assert page.evaluate("() => [...document.querySelectorAll('.en')].every(e => e.closest('[lang=en]'))")
    found = axe.check(page)
    assert found == [], axe.summary(found)
    screenshot(page, f"bureau-{size}")

    # The report's dates default to the server's month so far (its clock, not the browser's).
    assert page.input_value("input[name=from]") == "2026-11-01"
    assert page.input_value("input[name=to]") == "2026-11-23"
    page.fill("input[name=from]", "2026-11-01")
    page.fill("input[name=to]", "2026-11-23")
    assert page.get_attribute("#csv", "href") == "/api/v1/bureau/reports.csv?from=2026-11-01&to=2026-11-23"
    page.click("#report-form button[type=submit]")
    expect(page.locator("#export a")).to_be_visible(timeout=20000)
    expect(page.locator("#export")).to_contain_text("导出完成")
    found = axe.check(page)
    assert found == [], axe.summary(found)
    screenshot(page, f"bureau-{size}-export")
    assert errors == []


def test_a_hall_manager_is_told_the_page_is_not_theirs(city_server, browser, screenshot):
    page = browser.new_context(viewport=VIEWS["1366"]).new_page()
    sign_in(page, city_server.url, "boss")
    expect(page.locator("#login-error")).to_contain_text("需要市局或管理员账号")
    expect(page.locator("#view")).to_be_hidden()
    found = axe.check(page)
    assert found == [], axe.summary(found)
    screenshot(page, "bureau-not-a-bureau-manager")
