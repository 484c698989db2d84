"""Issue 13, point 10: every page works in headless Chromium under its strict Content-Security-Policy
(no inline script, websockets to the same host, styles by hash), and the CSRF rule lets the
pages' own signed-in requests through (Chromium sends Origin on fetch POSTs)."""
from __future__ import annotations

import pytest
from support.accounts import Http, password_of
from support.devices import add_device
from support.halls import HALL

pytestmark = pytest.mark.browser

WATCH = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP-VIOLATION " + e.violatedDirective + " " + e.blockedURI));"""


def test_every_page_runs_under_its_policy(live_server, browser, settings):
    srv = live_server()
    with Http(srv.url, settings.admin_password) as h:
        for name, role in (("zhangwei", "clerk"), ("boss", "manager")):
            h.make(name, role)
        t = h.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(WATCH)
    for kind in ("kiosk", "pad"):  # the kiosk and the rating pad pages run as the hall's paired devices
        add_device(context, srv.url, settings.admin_password, kind)

    def watch(page):
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text or "CSP-VIOLATION" in m.text else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        return page

    def sign_in(who: str) -> None:
        r = context.request.post(f"{srv.url}/api/v1/auth/login",
                                 data={"username": who, "password": password_of(who) if who != "admin"
                                       else settings.admin_password})
        assert r.ok, r.text()

    page = watch(context.new_page())
    page.goto(f"{srv.url}/")
    page.wait_for_load_state("load")
    # the kiosk takes a ticket (anonymous)
    page.goto(f"{srv.url}/kiosk")
    page.locator("#cats button.cat").first.wait_for()
    # the call screen and the rating pad: the public display socket (ws: under connect-src 'self')
    page.goto(f"{srv.url}/screen?hall={HALL}")
    page.locator("body:not(.offline)").wait_for()
    page.locator("#hall-name").filter(has_text="大厅").wait_for()
    page.goto(f"{srv.url}/rate?hall={HALL}&window=w1")
    page.locator("#window-name").filter(has_text="1").wait_for()
    # a phone tracking its ticket: the ticket's socket, the QR code
    page.goto(f"{srv.url}/track?hall={HALL}&ticket={t['id']}&token={t['track_token']}")
    page.locator("#number").filter(has_text=t["number"]).wait_for()
    page.locator("#live[data-state=live]").wait_for()
    # the clerk's console, signed in by cookie: signing in at a window is a cookie POST from our page
    sign_in("zhangwei")
    page.goto(f"{srv.url}/console")
    page.locator("#posts button.post").first.wait_for()
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")
    page.locator("#waiting-total").wait_for()
    # the manager's dashboard (uPlot charts, the console socket)
    sign_in("boss")
    page.goto(f"{srv.url}/dashboard")
    page.locator("#board").wait_for(state="visible")
    page.locator("#live").filter(has_text="Live").wait_for()
    # the accounts page, as admin: creating a user is a cookie POST from our page
    sign_in("admin")
    page.goto(f"{srv.url}/admin")
    page.locator("body").wait_for()
    created = page.evaluate("""async () => (await fetch("/api/v1/users", {method: "POST",
        headers: {"Content-Type": "application/json"}, credentials: "same-origin",
        body: JSON.stringify({username: "newclerk", password: "Qx7-harbour-lantern-42", role: "clerk"})})).status""")
    assert created == 201
    # ...and a cross-site-style form post from the page (text/plain) is refused
    refused = page.evaluate("""async () => (await fetch("/api/v1/users", {method: "POST",
        headers: {"Content-Type": "text/plain"}, credentials: "same-origin",
        body: JSON.stringify({username: "mallory", password: "Qx7-harbour-lantern-42", role: "admin"})})).status""")
    assert refused == 403
    page.wait_for_timeout(0)  # let queued console events arrive
    assert problems == []
