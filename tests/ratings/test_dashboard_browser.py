"""Headless Chromium against a real server: the manager's dashboard follows
the hall live, and the rating pad at a window takes ratings (a bad one opens
a rectification task). Screenshots land in test-artifacts/."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support.accounts import Accounts, password_of
from support.devices import equip

pytestmark = pytest.mark.browser
HALL = "eco"


class Api(Accounts):
    """Accounts and calls over HTTP; each call says who it is by its header alone."""

    def __init__(self, url: str, admin_password: str):
        self.c = httpx.Client(base_url=url, timeout=20)
        super().__init__(self.c, admin_password, keep_cookies=False)
        equip(self.c, self.admin)  # issues as the hall's paired kiosk

    def user(self, username: str, role: str = "clerk") -> dict:
        return self.make(username, role)

    def post(self, path: str, who: dict | None = None, json: dict | None = None, status: int = 200):
        r = self.c.post(path, headers=who or {}, json=json)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    def issue(self, category: str) -> dict:
        return self.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category}, status=201)


@pytest.fixture
def api(settings):
    made = []

    def make(url: str) -> Api:
        a = Api(url, settings.admin_password)
        made.append(a)
        return a

    yield make
    for a in made:
        a.c.close()


def test_dashboard_shows_a_new_ticket_and_a_call_live(live_server, browser, api, clock, screenshot):
    srv = live_server()
    a = api(srv.url)
    a.user("boss", "manager")
    zhang, lina = a.user("zhangwei"), a.user("lina")
    # The morning so far (the clock reads 10:00), so the charts have something to draw.
    start = clock.now
    a.post(f"/api/v1/halls/{HALL}/windows/w2/sign-in", lina)
    for minutes, cat in [(-55, "eia"), (-50, "permit"), (-40, "consult"), (-38, "eia"), (-20, "consult"),
                         (-12, "assist")]:
        clock.now = start + minutes * 60
        a.issue(cat)
    clock.now = start - 35 * 60
    t = a.post(f"/api/v1/halls/{HALL}/windows/w2/next", lina)
    a.post(f"/api/v1/tickets/{t['id']}/start", lina)
    clock.now = start - 22 * 60
    a.post(f"/api/v1/tickets/{t['id']}/complete", lina)
    t = a.post(f"/api/v1/halls/{HALL}/windows/w2/next", lina)
    a.post(f"/api/v1/tickets/{t['id']}/start", lina)
    clock.now = start

    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(srv.url + "/dashboard")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#live")).to_have_text("实时 Live")
    waiting_eia = page.locator('tr[data-category="eia"] [data-role="waiting"]')
    expect(waiting_eia).to_have_text("1")
    expect(page.locator("#tile-waiting")).to_have_text("4")

    # A visitor takes a ticket: the dashboard counts it without a reload.
    new = a.issue("eia")
    expect(waiting_eia).to_have_text("2")
    expect(page.locator("#tile-waiting")).to_have_text("5")

    # A clerk calls: the window's card shows the number.
    a.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", zhang)
    called = a.post(f"/api/v1/halls/{HALL}/windows/w1/next", zhang)
    card = page.locator('.win[data-window="w1"]')
    expect(card.locator('[data-role="number"]')).to_have_text(called["number"])
    expect(card).to_have_attribute("data-status", "serving")
    expect(card).to_contain_text("A岗 A post")
    expect(page.locator("#tile-waiting")).to_have_text("4")
    assert called["number"] == "F001" and new["number"] == "A003"  # one window: the longest waiting first
    # the charts are drawn by the vendored library
    expect(page.locator("#chart-arrivals canvas")).to_have_count(1)
    expect(page.locator("#chart-waits canvas")).to_have_count(1)
    # For the picture: the refresh the call set off has drawn the figures.
    page.wait_for_function(f"data !== null && data.now.windows.some(w => w.number === '{called['number']}')")
    screenshot(page, "dashboard-live")
    page.locator("#chart-arrivals").scroll_into_view_if_needed()
    screenshot(page, "dashboard-charts")
    page.locator("#fig-body").scroll_into_view_if_needed()
    screenshot(page, "dashboard-figures")
    # nothing went to the internet
    assert page.evaluate("typeof uPlot") == "function"


def test_rating_pad_takes_ratings_and_a_bad_one_opens_a_task(live_server, device_context, api, screenshot):
    srv = live_server()
    a = api(srv.url)
    boss = a.user("boss", "manager")
    zhang = a.user("zhangwei")
    a.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", zhang)

    page = device_context(srv.url, "pad", viewport={"width": 1280, "height": 800}).new_page()
    page.goto(srv.url + f"/rate?hall={HALL}&window=w1")
    body = page.locator("body")
    expect(body).to_have_attribute("data-screen", "idle")
    expect(page.locator("#window-name")).to_contain_text("1号窗口")
    screenshot(page, "rate-pad-idle")

    def serve(category: str) -> dict:
        t = a.issue(category)
        called = a.post(f"/api/v1/halls/{HALL}/windows/w1/next", zhang)
        assert called["id"] == t["id"]
        a.post(f"/api/v1/tickets/{t['id']}/start", zhang)
        a.post(f"/api/v1/tickets/{t['id']}/complete", zhang)
        return t

    first = serve("consult")
    expect(body).to_have_attribute("data-screen", "ask")
    expect(page.locator("#ask-number")).to_have_text(first["number"])
    buttons = page.locator(".level")
    expect(buttons).to_have_count(5)
    for i in range(5):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 56 and box["width"] >= 56
    screenshot(page, "rate-pad-ask")
    page.click('.level[data-level="5"]')
    expect(body).to_have_attribute("data-screen", "thanks")
    r = a.c.get(f"/api/v1/halls/{HALL}/windows/w1/last-completed").json()
    assert r["ticket"]["rated"] is True
    expect(body).to_have_attribute("data-screen", "idle", timeout=15000)  # resets by itself

    second = serve("eia")
    expect(page.locator("#ask-number")).to_have_text(second["number"], timeout=15000)
    page.click('.level[data-level="1"]')
    expect(body).to_have_attribute("data-screen", "reasons-step")
    page.click('.reason[data-reason="long_wait"]')
    page.click('.reason[data-reason="unclear"]')
    expect(page.locator('.reason[data-reason="long_wait"]')).to_have_attribute("aria-pressed", "true")
    page.fill("#comment", "材料清单没有一次说清楚")
    screenshot(page, "rate-pad-reasons")
    page.click("#submit")
    expect(body).to_have_attribute("data-screen", "thanks")
    expect(page.locator("#follow-up")).to_contain_text("核实整改")
    screenshot(page, "rate-pad-thanks")

    tasks = a.c.get(f"/api/v1/halls/{HALL}/rating-tasks", headers=boss).json()
    assert len(tasks) == 1
    t = tasks[0]
    assert (t["ticket"], t["level"], t["reasons"], t["comment"], t["state"], t["window"], t["clerk"]) == \
        (second["number"], 1, ["long_wait", "unclear"], "材料清单没有一次说清楚", "verify", "w1", "zhangwei")
    assert t["left_s"] == 48 * 3600


def test_qr_page_rates_once(live_server, browser, api):
    srv = live_server()
    a = api(srv.url)
    zhang = a.user("zhangwei")
    a.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", zhang)
    t = a.issue("permit")
    page = browser.new_page(viewport={"width": 420, "height": 860})
    page.goto(srv.url + f"/rate?ticket={t['id']}&token={t['track_token']}")
    expect(page.locator("body")).to_have_attribute("data-screen", "message")  # not done yet
    a.post(f"/api/v1/halls/{HALL}/windows/w1/next", zhang)
    a.post(f"/api/v1/tickets/{t['id']}/complete", zhang)
    page.reload()
    expect(page.locator("#ask-number")).to_have_text(t["number"])
    page.click('.level[data-level="4"]')
    expect(page.locator("body")).to_have_attribute("data-screen", "thanks")
    page.reload()
    page.click('.level[data-level="4"]')
    expect(page.locator("#message-text")).to_contain_text("已经评价过了")


def test_report_export_shows_progress_and_downloads(live_server, browser, api, screenshot):
    srv = live_server()
    a = api(srv.url)
    a.user("boss", "manager")
    for cat in ("eia", "permit", "eia"):
        a.issue(cat)
    page = browser.new_page(viewport={"width": 1600, "height": 1200}, accept_downloads=True)
    page.goto(srv.url + "/dashboard")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#rep-to")).to_have_value("2026-11-23")  # the page has set its dates: ours stay
    page.fill("#rep-from", "2026-01-01")  # most of a year: the background export
    with page.expect_download(timeout=30_000) as dl:
        page.click("#rep-xlsx")
    download = dl.value
    assert download.suggested_filename == "onewindow-eco-2026-01-01-2026-11-23.xlsx"
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    summary = {row[0]: row[1] for row in wb["汇总 Summary"].iter_rows(values_only=True)}
    assert summary["取号 Issued"] == 3
    wb.close()
    expect(page.locator("#rep-step")).to_contain_text("导出完成")
    assert page.locator("#rep-progress").evaluate("p => p.value") == 1
    page.locator("#rep-job").scroll_into_view_if_needed()
    screenshot(page, "dashboard-export")
    page.close()
