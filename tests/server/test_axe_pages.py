"""Every page in its main states, at the viewports of issue 12, checked by axe-core (WCAG 2.0/2.1/
2.2 A and AA: point 19) and for English text without `lang="en"` (point 18). Each test gathers the
findings of all its states and fails once, listing them; a screenshot of each state lands in
test-artifacts/axe-*.png for a person to look at.

Pages: / (index), /kiosk, /screen, /rate (the window's pad and the phone's QR page), /track, /case,
/book, /visits, /console (signed out, picking a window, at the desk idle, with a called ticket, a dialog open),
/dashboard, /bureau, /admin, /audit, /devices. `test_every_page_is_checked` fails when static/ gains a
page this module does not visit."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support import axe, lang
from support.accounts import ADMIN_PASSWORD, Accounts, password_of
from support.browser import screenshot
from support.devices import equip
from support.halls import HALL

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
VISITED = {"index", "kiosk", "screen", "rate", "track", "case", "book", "visits", "console", "dashboard", "bureau",
           "admin", "audit", "devices"}
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 780}]
PHONE_OPTS = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}


class Findings:
    """axe violations and unmarked English, per page state, reported together at the end."""

    def __init__(self) -> None:
        self.axe = axe.Collector()
        self.english: dict[str, list[dict]] = {}

    def look(self, page, state: str) -> None:
        page.wait_for_load_state("load")
        # A flash or pulse (a call) is checked at the middle of its cycle, its peak, where contrast is worst
        page.evaluate("""document.getAnimations().forEach((a) => {
            a.pause(); a.currentTime = (a.effect.getComputedTiming().duration || 0) / 2; })""")
        screenshot(page, f"axe-{state}")
        self.axe.check(page, state)
        page.evaluate("document.getAnimations().forEach((a) => a.play())")
        found = lang.unmarked_english(page)
        if found:
            self.english[state] = found

    def assert_clean(self) -> None:
        parts = []
        if self.axe.found:
            parts.append(f"axe: WCAG A/AA violations in {len(self.axe.found)} state(s):\n{self.axe.report()}")
        if self.english:
            parts.append(f"English without lang=\"en\" in {len(self.english)} state(s):\n" + "\n".join(
                f"== {state}\n{lang.summary(found)}" for state, found in self.english.items()))
        assert not parts, "\n\n".join(parts)


class Hall:
    """The demo hall over HTTP: accounts, tickets from its paired kiosk, clerks' window actions."""

    def __init__(self, url: str):
        self.c = httpx.Client(base_url=url, timeout=30)
        self.accounts = Accounts(self.c, ADMIN_PASSWORD, keep_cookies=False)
        equip(self.c, self.accounts.admin)

    def user(self, name: str, role: str = "clerk", display_name: str = "") -> dict:
        return self.accounts.make(name, role, display_name=display_name)

    def issue(self, category: str = "eia", priority: str = "normal") -> dict:
        r = self.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category, "priority": priority})
        assert r.status_code == 201, r.text
        return r.json()

    def post(self, path: str, who: dict, **body) -> dict | None:
        r = self.c.post(path, headers=who, json=body or None)
        assert r.status_code in (200, 201, 204), r.text
        return r.json() if r.status_code != 204 else None

    def window(self, who: dict, window: str, action: str, **body):
        return self.post(f"/api/v1/halls/{HALL}/windows/{window}/{action}", who, **body)

    def ticket(self, who: dict, t: dict, action: str, **body):
        return self.post(f"/api/v1/tickets/{t['id']}/{action}", who, **body)


@pytest.fixture
def hall(live_server):
    srv = live_server()
    h = Hall(srv.url)
    h.url = srv.url
    yield h
    h.c.close()


def test_the_checks_find_what_they_look_for(browser):
    """The two checks on a made-up page: each finds its fault, and passes the page once fixed."""
    page = browser.new_page()
    bad = """<!doctype html><html lang="zh-CN"><head><title>t</title>
      <meta name="viewport" content="width=device-width, initial-scale=1, user-scalable=no"></head>
      <body><main><h1>服务评价 Rate our service</h1><p style="color:#aaa;background:#fff">等候 waiting</p>
      <button aria-label="Close">×</button><select aria-label="角色"><option>窗口人员 Clerk</option></select>
      <span class="en">A001</span></main></body></html>"""
    page.set_content(bad)
    rules = {v["id"] for v in axe.check(page)}
    assert {"color-contrast", "meta-viewport"} <= rules, rules
    found = {f["text"] for f in lang.unmarked_english(page)}
    assert found == {"服务评价 Rate our service", "等候 waiting", "aria-label=Close"}, found  # not the option, not A001
    fixed = bad
    for a, b in ((", user-scalable=no", ""), ("color:#aaa", "color:#333"),
                 ("服务评价 Rate", '服务评价 <span lang="en">Rate'), ("service</h1>", "service</span></h1>"),
                 ("等候 waiting", '等候 <span lang="en">waiting</span>'), ("<button aria", '<button lang="en" aria')):
        fixed = fixed.replace(a, b)
    page.set_content(fixed)
    assert axe.check(page) == [] and lang.unmarked_english(page) == []


def test_every_page_is_checked():
    pages = {p.stem for p in STATIC.glob("*.html")}
    assert pages <= VISITED, f"pages nobody checks with axe: {sorted(pages - VISITED)}"


def test_index_kiosk_and_call_screen(hall, browser, device_context):
    f = Findings()
    for vp, tag in (({"width": 1366, "height": 768}, "desktop"), (PHONES[0], "phone")):
        page = browser.new_page(viewport=vp)
        page.goto(f"{hall.url}/")
        f.look(page, f"index-{tag}")
        page.close()
    for kind, path in (("kiosk", "/kiosk"), ("pad", f"/rate?hall={HALL}&window=w1")):  # not paired yet
        page = browser.new_page(viewport={"width": 1920, "height": 1080} if kind == "kiosk"
                                else {"width": 1280, "height": 800})
        page.goto(hall.url + path)
        page.locator("#pairing").wait_for()
        f.look(page, f"{kind}-pairing")
        page.close()
    zhang = hall.user("zhangwei", display_name="张伟")
    hall.window(zhang, "w1", "sign-in")
    hall.issue("consult")
    for vp, tag in (({"width": 1920, "height": 1080}, "landscape"), ({"width": 1080, "height": 1920}, "portrait")):
        page = device_context(hall.url, viewport=vp).new_page()
        page.goto(f"{hall.url}/kiosk")
        page.locator("#cats button.cat").first.wait_for()
        f.look(page, f"kiosk-categories-{tag}")
        page.locator('button.cat[data-category="eia"]').click()
        page.locator("#ph-skip").click()  # the optional phone step (issue 14): skipped
        page.locator("#ticket:not(.hidden)").wait_for()
        f.look(page, f"kiosk-ticket-{tag}")
        page.locator("#t-done").click()
        page.locator("#lang").click()  # the kiosk in English
        page.locator("#cats button.cat").first.wait_for()
        f.look(page, f"kiosk-english-{tag}")
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{hall.url}/screen?hall={HALL}")
    screen.locator("body:not(.offline)").wait_for()
    screen.locator("#hall-name").filter(has_text="大厅").wait_for()
    f.look(screen, "screen-idle")
    hall.window(zhang, "w1", "next")
    screen.locator("article[data-window=w1][data-status=serving]").wait_for()
    screen.locator(".window.called").wait_for()  # flashing (look() holds it at its peak)
    f.look(screen, "screen-calling")
    hall.window(hall.user("lina", display_name="李娜"), "w2", "sign-in")
    hall.window(hall.accounts.login("lina"), "w2", "away", reason="meeting")
    screen.locator("article[data-window=w2][data-status=away]").wait_for()
    f.look(screen, "screen-away")
    f.assert_clean()


def test_phone_pages(hall, browser):
    f = Findings()
    zhang = hall.user("zhangwei", display_name="张伟")
    hall.window(zhang, "w1", "sign-in")
    t = hall.issue("eia")
    hall.issue("eia")
    later = hall.issue("eia")
    for vp in PHONES:
        tag = f"{vp['width']}x{vp['height']}"
        page = browser.new_context(viewport=vp, **PHONE_OPTS).new_page()
        page.goto(f"{hall.url}/track?hall={HALL}&ticket={later['id']}&token={later['track_token']}")
        page.locator("#live[data-state=live]").wait_for()
        f.look(page, f"track-waiting-{tag}")
        page.goto(f"{hall.url}/track?hall={HALL}&ticket={t['id']}&token={t['track_token']}")
        page.locator("#live[data-state=live]").wait_for()
        if vp is PHONES[0]:
            hall.window(zhang, "w1", "next")
        page.locator("#status[data-status=called], #status [data-status=called], .status[data-status=called]") \
            .first.wait_for()
        f.look(page, f"track-called-{tag}")
        page.goto(f"{hall.url}/track?hall={HALL}&ticket={t['id']}&token=wrong")
        page.locator("#message:not(.hidden)").wait_for()
        f.look(page, f"track-not-found-{tag}")
    hall.ticket(zhang, t, "complete")
    accepted = hall.issue("eia")
    while (called := hall.window(zhang, "w1", "next")) and called["id"] != accepted["id"]:
        hall.ticket(zhang, called, "complete")
    case = hall.ticket(zhang, accepted, "complete", outcome="accepted", case={
        "item": "eia_report_form", "applicant_name": "张三丰", "project": "某某化工厂扩建项目"})["case"]
    for vp in PHONES:
        tag = f"{vp['width']}x{vp['height']}"
        page = browser.new_context(viewport=vp, **PHONE_OPTS).new_page()
        page.goto(f"{hall.url}/track?hall={HALL}&ticket={t['id']}&token={t['track_token']}")
        page.locator("#rate:not(.hidden)").wait_for()
        f.look(page, f"track-done-{tag}")
        page.goto(f"{hall.url}/rate?ticket={t['id']}&token={t['track_token']}")
        page.locator("body[data-screen=ask]").wait_for()
        f.look(page, f"rate-qr-ask-{tag}")
        page.click('.level[data-level="2"]')
        page.locator("body[data-screen=reasons-step]").wait_for()
        f.look(page, f"rate-qr-reasons-{tag}")
        page.goto(case["track_url"])
        page.locator("#live[data-state=live]").wait_for()
        f.look(page, f"case-{tag}")
        page.goto(f"{hall.url}/case?id={case['id']}&token=wrong")
        page.locator("#message:not(.hidden)").wait_for()
        f.look(page, f"case-not-found-{tag}")
        page.goto(f"{hall.url}/book?hall={HALL}")
        page.locator("#book:not(.hidden)").wait_for()
        f.look(page, f"book-{tag}")
        page.goto(f"{hall.url}/visits")
        page.locator("#none:not(.hidden), #visits li").first.wait_for()
        f.look(page, f"visits-{tag}")
    f.assert_clean()


def test_rating_pad(hall, device_context):
    f = Findings()
    zhang = hall.user("zhangwei", display_name="张伟")
    hall.window(zhang, "w1", "sign-in")
    page = device_context(hall.url, "pad", viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{hall.url}/rate?hall={HALL}&window=w1")
    page.locator("body[data-screen=idle]").wait_for()
    page.locator("#window-name").filter(has_text="1号窗口").wait_for()
    f.look(page, "pad-idle")
    t = hall.issue("consult")
    hall.window(zhang, "w1", "next")
    hall.ticket(zhang, t, "complete")
    page.locator("body[data-screen=ask]").wait_for()
    f.look(page, "pad-ask")
    page.click('.level[data-level="1"]')
    page.locator("body[data-screen=reasons-step]").wait_for()
    page.click('.reason[data-reason="long_wait"]')
    f.look(page, "pad-reasons")
    page.click("#submit")
    page.locator("body[data-screen=thanks]").wait_for()
    f.look(page, "pad-thanks")
    f.assert_clean()


def test_console(hall, browser, clock):
    f = Findings()
    hall.user("zhangwei", display_name="张伟")
    hall.issue("eia")
    hall.issue("consult", "priority")
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{hall.url}/console")
    page.locator("#username").wait_for(state="visible")
    f.look(page, "console-signed-out")
    page.fill("#username", "zhangwei")
    page.fill("#password", "not-his-password")
    page.keyboard.press("Enter")
    page.locator("#login-error:not(.hidden)").wait_for()
    f.look(page, "console-sign-in-failed")
    clock.advance(10)  # past the sign-in back-off after a failure
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.wait_for()
    f.look(page, "console-picker")
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")
    page.locator("#waiting-total").wait_for()
    f.look(page, "console-desk-idle")
    page.keyboard.press("n")
    page.locator("#visitor[data-status=called]").wait_for()
    f.look(page, "console-called")
    page.keyboard.press("s")
    page.locator("#visitor[data-status=serving]").wait_for()
    page.keyboard.press("c")
    page.locator("#dialog:not(.hidden)").wait_for()
    f.look(page, "console-complete-dialog")
    page.keyboard.press("Escape")
    page.locator("#dialog.hidden").wait_for(state="attached")
    page.keyboard.press("c")
    page.locator("#dialog:not(.hidden)").wait_for()
    page.keyboard.press("Enter")  # done
    page.locator("#visitor[data-status=idle]").wait_for()
    page.keyboard.press("a")
    page.locator("#dialog:not(.hidden)").wait_for()
    f.look(page, "console-away-dialog")
    page.locator("#dialog-ok").click()
    page.locator("#away-banner").wait_for()
    f.look(page, "console-away")
    f.assert_clean()


def test_dashboard(hall, browser, clock):
    f = Findings()
    hall.user("boss", "manager", display_name="王经理")
    zhang = hall.user("zhangwei", display_name="张伟")
    lina = hall.user("lina", display_name="李娜")
    hall.window(zhang, "w1", "sign-in")
    hall.window(lina, "w2", "sign-in")
    issued = {x["id"]: x for x in (hall.issue(cat) for cat in ("eia", "permit", "consult"))}
    t = issued[hall.window(zhang, "w1", "next")["id"]]
    hall.window(lina, "w2", "away", reason="meeting")
    hall.ticket(zhang, t, "start")
    hall.ticket(zhang, t, "complete")
    r = hall.c.post(f"/api/v1/tickets/{t['id']}/rating", headers={"X-Device-Token": ""}, json={
        "level": 1, "channel": "qr", "token": t["track_token"], "reasons": ["long_wait"]})  # opens a task
    assert r.status_code == 201, r.text
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(f"{hall.url}/dashboard")
    page.locator("#login-form").wait_for(state="visible")
    f.look(page, "dashboard-signed-out")
    page.fill("#login-form [name=username]", "boss")
    page.fill("#login-form [name=password]", "not-the-password")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error:not(.hidden)").wait_for()
    f.look(page, "dashboard-sign-in-failed")
    clock.advance(10)  # past the sign-in back-off after a failure
    page.fill("#login-form [name=password]", password_of("boss"))
    page.click("#login-form button[type=submit]")
    page.locator("#board").wait_for(state="visible")
    page.locator("#live").filter(has_text="Live").wait_for()
    page.locator("#windows *").first.wait_for()
    page.locator("#tasks tr[data-task]").first.wait_for()
    f.look(page, "dashboard")
    page.locator("#tasks tr[data-task] button").first.click()  # the task's next step, in a dialog
    page.locator("#step-dialog[open]").wait_for()
    f.look(page, "dashboard-step-dialog")
    f.assert_clean()


def test_admin_audit_and_devices(hall, browser, clock):
    f = Findings()
    hall.user("zhangwei", display_name="张伟")
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{hall.url}/admin")
    page.locator("#login-form").wait_for(state="visible")
    f.look(page, "admin-signed-out")
    page.fill("#login-form [name=username]", "admin")
    page.fill("#login-form [name=password]", "wrong-password-here")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error:not(.hidden)").wait_for()
    f.look(page, "admin-sign-in-failed")
    clock.advance(10)  # past the sign-in back-off after a failure
    page.fill("#login-form [name=password]", ADMIN_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator('tr[data-user="zhangwei"]').wait_for()
    f.look(page, "admin-accounts")
    page.locator('tr[data-user="zhangwei"] [data-act="reset"]').click()
    page.locator("#code-value").filter(has_text="-").wait_for()
    f.look(page, "admin-reset-code")
    page.locator('tr[data-user="zhangwei"] [data-act="sessions"]').click()
    page.locator("#sessions-user").filter(has_text="zhangwei").wait_for()
    f.look(page, "admin-sessions")
    page.goto(f"{hall.url}/audit")
    page.locator("#log").wait_for(state="visible")
    page.locator("#rows tr").first.wait_for()
    f.look(page, "audit")
    page.locator("#verify").click()
    page.locator("#chain.ok").wait_for()
    f.look(page, "audit-verified")
    page.goto(f"{hall.url}/devices?hall={HALL}")
    page.locator("#devices").wait_for(state="visible")
    page.locator("#rows tr").first.wait_for()
    f.look(page, "devices")
    page.fill("#name", "门口取号机 2")
    page.locator("#new-code button[type=submit]").click()
    page.locator("#code-box:not(.hidden)").wait_for()
    f.look(page, "devices-pairing-code")
    f.assert_clean()


def test_kiosk_full_and_refusing(live_server, demo_config, device_context):
    srv = live_server(demo_config(replace={"default_service_min = 15\n": "default_service_min = 15\ndaily_cap = 1\n"}))
    f = Findings()
    context = device_context(srv.url, viewport={"width": 1920, "height": 1080})
    r = httpx.post(f"{srv.url}/api/v1/halls/{HALL}/tickets", json={"category": "eia"}, timeout=30,
                   headers={"X-Device-Token": context.device["token"]})
    assert r.status_code == 201, r.text
    page = context.new_page()
    page.goto(f"{srv.url}/kiosk")
    full = page.locator('button.cat[data-category="eia"][data-state="full"]')
    full.wait_for()
    f.look(page, "kiosk-category-full")
    full.click(force=True)
    page.locator("#message:not(.hidden)").wait_for()
    f.look(page, "kiosk-message-full")
    f.assert_clean()


def test_bureau(hall, browser):
    f = Findings()
    hall.user("city", "bureau_manager", display_name="市局")
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{hall.url}/bureau")
    page.locator("#login-form").wait_for(state="visible")
    f.look(page, "bureau-signed-out")
    page.fill("#login-form [name=username]", "city")
    page.fill("#login-form [name=password]", password_of("city"))
    page.click("#login-form button[type=submit]")
    page.locator("#view").wait_for(state="visible")
    page.locator("#rows tr").first.wait_for()
    f.look(page, "bureau")
    f.assert_clean()
