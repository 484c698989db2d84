"""Issue 12, point 1: a visitor finishes rating from the phone at 320-430 px wide, upright and on
its side: every level (非常满意 to 非常不满意) and the submit button can be reached (the page
scrolls or fits), nothing scrolls sideways, and zoom is allowed. The other public pages (the
tracking page, the case page, the booking page, the van's visits, the index) keep to the same widths.
Screenshots: test-artifacts/rate-phone-* and phone-*."""
from __future__ import annotations

import httpx
import pytest
from support.accounts import Accounts
from support.browser import screenshot
from support.devices import equip
from support.halls import HALL

pytestmark = pytest.mark.browser

VIEWPORTS = [(320, 640), (360, 780), (390, 844), (430, 932), (844, 390)]
PHONE = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def sideways(page) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def zoom_allowed(page) -> bool:
    content = page.evaluate("document.querySelector('meta[name=viewport]').content").replace(" ", "").lower()
    return "user-scalable=no" not in content and "user-scalable=0" not in content and "maximum-scale" not in content


def reach(page, selector: str, viewport: dict) -> None:
    """Bring `selector` into view as a thumb would (scrolling the page) and check it is wholly on screen."""
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, (selector, box)


@pytest.fixture
def done_tickets(live_server):
    """`done_tickets(n)`: n tickets served and completed at window 1, each ready to be rated by QR."""
    srv = live_server()
    c = httpx.Client(base_url=srv.url, timeout=30)
    accounts = Accounts(c, keep_cookies=False)
    equip(c, accounts.admin)
    clerk = accounts.make("zhangwei")
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200

    def make(n: int) -> list[dict]:
        made = []
        for _ in range(n):
            t = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "consult"}).json()
            assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
            assert c.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk).status_code == 200
            made.append(t)
        return made

    make.url = srv.url
    make.http = c
    make.clerk = clerk
    yield make
    c.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_rating_from_the_phone_at_every_level(done_tickets, browser, width, height):
    viewport = {"width": width, "height": height}
    tickets = done_tickets(5)
    context = browser.new_context(viewport=viewport, **PHONE)
    for level, t in zip((5, 4, 3, 2, 1), tickets, strict=True):
        page = context.new_page()
        page.goto(f"{done_tickets.url}/rate?ticket={t['id']}&token={t['track_token']}")
        page.locator("body[data-screen=ask]").wait_for()
        assert zoom_allowed(page)
        assert sideways(page) == 0
        if level == 5:
            screenshot(page, f"rate-phone-{width}x{height}-ask")
            for every in (5, 4, 3, 2, 1):  # each choice can be brought on screen
                reach(page, f'.level[data-level="{every}"]', viewport)
            screenshot(page, f"rate-phone-{width}x{height}-ask-scrolled")
        reach(page, f'.level[data-level="{level}"]', viewport)
        page.locator(f'.level[data-level="{level}"]').click()
        if level <= 2:  # 不满意 and 非常不满意 ask why, then submit
            page.locator("body[data-screen=reasons-step]").wait_for()
            assert sideways(page) == 0
            reach(page, '.reason[data-reason="long_wait"]', viewport)
            page.locator('.reason[data-reason="long_wait"]').click()
            reach(page, "#submit", viewport)
            screenshot(page, f"rate-phone-{width}x{height}-reasons-level{level}")
            page.locator("#submit").click()
        page.locator("body[data-screen=thanks]").wait_for()
        assert sideways(page) == 0
        if level == 1:
            screenshot(page, f"rate-phone-{width}x{height}-thanks")
        page.close()
        again = done_tickets.http.post(f"/api/v1/tickets/{t['id']}/rating", headers={"X-Device-Token": ""},
                                       json={"level": level, "channel": "qr", "token": t["track_token"]})
        assert again.status_code == 409 and again.json()["code"] == "already_rated", again.text  # it was filed
    context.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_public_pages_fit_the_phone(done_tickets, browser, width, height):
    viewport = {"width": width, "height": height}
    c, clerk = done_tickets.http, done_tickets.clerk
    served = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    waiting = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == served["id"]
    case = c.post(f"/api/v1/tickets/{served['id']}/complete", headers=clerk, json={"outcome": "accepted", "case": {
        "item": "eia_report_form", "applicant_name": "张三丰", "project": "某某化工厂扩建项目"}}).json()["case"]
    page = browser.new_context(viewport=viewport, **PHONE).new_page()
    live = "#live[data-state=live]"
    for path, ready in ((f"/track?hall={HALL}&ticket={waiting['id']}&token={waiting['track_token']}", live),
                        (case["track_url"].split(done_tickets.url)[-1], live),
                        (f"/book?hall={HALL}", "#book:not(.hidden)"), ("/visits", "#none:not(.hidden), #visits li"),
                        ("/", "main")):
        page.goto(done_tickets.url + path)
        page.locator(ready).first.wait_for()
        assert zoom_allowed(page), path
        assert sideways(page) == 0, path
        screenshot(page, f"phone-{width}x{height}-{path.split('?')[0].strip('/') or 'index'}")
