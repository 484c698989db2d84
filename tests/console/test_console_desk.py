"""The clerk's desk in headless Chromium at 1366×768 (issue 12, points 13 and 14): why a visitor
has priority, disabled buttons that look and say so, dialogs that keep Tab inside and give focus
back to the control that opened them, a desk without vertical scroll, and an away notice naming a
colleague. axe-core (support.axe) checks every state shown; screenshots in test-artifacts/."""
from __future__ import annotations

import httpx
import pytest
from support import axe, lang
from support.accounts import Accounts, password_of
from support.browser import screenshot
from support.devices import equip
from support.halls import HALL

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 768}
BRAND = "rgb(11, 110, 58)"  # --brand: an enabled primary button's background
H = f"/api/v1/halls/{HALL}"


class Hall:
    """The demo hall over HTTP: staff with display names, tickets from its paired kiosk."""

    def __init__(self, url: str, admin_password: str):
        self.url = url
        self.c = httpx.Client(base_url=url, timeout=30)
        self.accounts = Accounts(self.c, admin_password, keep_cookies=False)
        equip(self.c, self.accounts.admin)

    def user(self, name: str, display_name: str, role: str = "clerk") -> dict:
        return self.accounts.make(name, role, display_name=display_name)

    def issue(self, category: str, kind: str | None = None) -> dict:
        body = {"category": category, "priority": "priority" if kind else "normal"}
        if kind:
            body["priority_kind"] = kind
        r = self.c.post(f"{H}/tickets", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, who: dict, path: str, **body) -> dict | None:
        r = self.c.post(path, headers=who, json=body or None)
        assert r.status_code in (200, 204), r.text
        return r.json() if r.status_code == 200 else None


@pytest.fixture
def hall(live_server, settings):
    srv = live_server()
    h = Hall(srv.url, settings.admin_password)
    yield h
    h.c.close()


def open_desk(browser, url: str, who: str, key: str = "1"):
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{url}/console")
    page.locator("#username").wait_for(state="visible")
    page.fill("#username", who)
    page.fill("#password", password_of(who))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.wait_for()
    page.keyboard.press(key)
    page.locator("#desk").wait_for(state="visible")
    page.locator("#waiting-total").wait_for()
    return page


def look(page, state: str) -> None:
    """A screenshot for a person, axe's verdict, English marked as such (point 18), and the page's
    height: the desk fits the screen."""
    screenshot(page, f"console-desk-{state}")
    axe.assert_no_violations(page, f"console {state}")
    english = lang.unmarked_english(page)
    assert not english, f"{state}: English without lang=en:\n{lang.summary(english)}"
    height = page.evaluate("() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
    assert height <= VIEW["height"], f"{state}: the page is {height} px tall, taller than the screen"


def button(page, action: str) -> dict:
    return page.evaluate("""(action) => {
        const b = document.querySelector(`button[data-action=${action}]`);
        const cs = getComputedStyle(b);
        return {aria: b.getAttribute("aria-disabled"), disabled: b.disabled, bg: cs.backgroundColor,
                cursor: cs.cursor, opacity: cs.opacity};
    }""", action)


def focus_in_dialog(page) -> bool:
    return page.evaluate("() => document.getElementById('dialog').contains(document.activeElement)")


def focused_action(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.action || null")


def test_sign_in_and_picking_a_window(hall, browser):
    """The states before the desk: the sign-in button's English was 1.21:1 on green."""
    hall.user("zhangwei", "张伟")
    lina = hall.user("lina", "李娜")
    hall.act(lina, f"{H}/windows/w2/sign-in")
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(f"{hall.url}/console")
    page.locator("#username").wait_for(state="visible")
    look(page, "signed-out")
    page.fill("#username", "nobody")  # not zhangwei: a failure holds his next try back a second
    page.fill("#password", "not-a-password")
    page.keyboard.press("Enter")
    page.locator("#login-error:not(.hidden)").wait_for()
    assert "用户名或密码错误" in page.locator("#login-error").inner_text()
    look(page, "sign-in-failed")
    page.fill("#username", "zhangwei")
    page.fill("#password", password_of("zhangwei"))
    page.keyboard.press("Enter")
    page.locator("#posts button.post").first.wait_for()
    # his B window is staffed by lina: shown by her name
    assert "在岗：李娜" in page.locator("#posts button.post[data-window=w2]").inner_text()
    assert page.locator("#who").inner_text().startswith("张伟")
    look(page, "picker")


def test_priority_reason_and_disabled_buttons(hall, browser):
    hall.user("zhangwei", "张伟")
    hall.issue("eia", "elderly")
    hall.issue("eia", "disabled")
    hall.issue("eia", "green_channel")
    hall.issue("eia")
    page = open_desk(browser, hall.url, "zhangwei")
    # idle: Complete (primary) is disabled, and neither looks nor says otherwise
    nxt, done = button(page, "next"), button(page, "complete")
    assert nxt["aria"] in (None, "false") and nxt["bg"] == BRAND
    assert done["aria"] == "true" or done["disabled"]
    assert done["bg"] != BRAND and done["cursor"] == "not-allowed", done
    look(page, "idle")
    seen = []
    for zh, en in (("老年人", "Elderly"), ("残障人士", "Disabled"), ("绿色通道", "Green channel")):
        page.keyboard.press("n")
        page.locator("#visitor[data-status=called]").wait_for()
        reason = page.locator("#visitor .prio")
        reason.wait_for()
        text = reason.inner_text()
        assert zh in text and en in text, text
        assert page.locator("#visitor .prio [lang=en]", has_text=en).count() == 1
        seen.append(page.locator("#current-number").inner_text().split()[0])
        if not seen[1:]:
            # called: Next (primary) is the disabled one now
            nxt = button(page, "next")
            assert (nxt["aria"] == "true" or nxt["disabled"]) and nxt["bg"] != BRAND, nxt
            look(page, "called-priority")
        page.keyboard.press("s")
        page.locator("#visitor[data-status=serving]").wait_for()
        page.keyboard.press("c")
        page.locator("#dialog:not(.hidden)").wait_for()
        page.keyboard.press("Enter")
        page.locator("#visitor[data-status=idle]").wait_for()
    assert seen == ["A001", "A002", "A003"]
    # a normal ticket says nothing about priority
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A004").wait_for()
    assert page.locator("#visitor .prio").count() == 0


def test_dialogs_keep_tab_inside_and_give_focus_back(hall, browser):
    hall.user("zhangwei", "张伟")
    hall.issue("eia")
    page = open_desk(browser, hall.url, "zhangwei")
    page.locator("button[data-action=next]").click()
    page.locator("#visitor[data-status=called]").wait_for()
    # opened with the mouse
    page.locator("button[data-action=transfer]").click()
    page.locator("#dialog:not(.hidden)").wait_for()
    look(page, "transfer-dialog")
    for key in ("Tab", "Shift+Tab"):
        for i in range(20):
            page.keyboard.press(key)
            assert focus_in_dialog(page), f"{key} x{i + 1} left the dialog"
    page.keyboard.press("Escape")
    page.locator("#dialog.hidden").wait_for(state="attached")
    assert focused_action(page) == "transfer"
    # opened by its key: focus goes back to that action's button
    page.keyboard.press("p")
    page.locator("#dialog:not(.hidden) #note").wait_for()
    assert focus_in_dialog(page)
    look(page, "park-dialog")
    page.keyboard.press("Escape")
    page.locator("#dialog.hidden").wait_for(state="attached")
    assert focused_action(page) == "park"
    # confirmed: the desk is drawn again, and focus is still on the button that opened it
    page.keyboard.press("c")
    page.locator("#dialog:not(.hidden) [data-name=outcome]").wait_for()
    look(page, "complete-dialog")
    page.keyboard.press("Enter")
    page.locator("#visitor[data-status=idle]").wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.dataset.action === 'complete'")
    done = button(page, "complete")
    assert done["aria"] == "true" and done["bg"] != BRAND
    # a live refresh (someone else's ticket) keeps the focus where it is
    hall.issue("eia")
    page.locator("#waiting-total", has_text="1").wait_for()
    assert focused_action(page) == "complete"


def test_away_dialog_names_a_colleague_and_the_busiest_desk_fits(hall, browser):
    hall.user("zhangwei", "张伟")
    lina = hall.user("lina", "李娜")
    hall.user("wangfang", "王芳")
    hall.act(lina, f"{H}/windows/w2/sign-in")
    for _ in range(3):
        hall.issue("eia")
    # lina sends A001 on to the permit desk with a note: zhangwei gets every fact of the card
    t = hall.act(lina, f"{H}/windows/w2/next")
    hall.act(lina, f"/api/v1/tickets/{t['id']}/transfer", category="permit", note="请补充排污许可申请材料")
    page = open_desk(browser, hall.url, "zhangwei")
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("s")
    page.locator("#visitor[data-status=serving]").wait_for()
    assert "李娜" in page.locator("#visitor [data-fact=first-clerk]").inner_text()
    look(page, "serving-transferred")
    page.keyboard.press("a")
    see = page.locator("#dialog:not(.hidden) #see-instead")
    see.wait_for()
    options = page.evaluate("""() => [...document.querySelectorAll('#see-instead option')]
        .map((o) => [o.value, o.textContent])""")
    values = [v for v, _ in options]
    # colleagues holding posts in the hall, by name, besides the other windows
    assert "w2" in values and "lina" in values and "wangfang" in values, options
    assert "zhangwei" not in values
    assert "李娜" in dict(options)["lina"] and "2号窗口" in dict(options)["lina"]
    # the default stays the window of this window's B post (lina), who will cover; she is picked by name
    assert see.input_value() == "w2"
    look(page, "away-dialog")
    page.select_option("#see-instead", "lina")
    page.locator("#dialog-ok").click()
    banner = page.locator("#away-banner")
    banner.wait_for()
    assert "请找 李娜" in banner.inner_text()
    w1 = next(w for w in hall.c.get(H).json()["windows"] if w["id"] == "w1")
    assert w1["notice"]["see_instead"] == "lina"
    look(page, "away-serving")
    # lina away too: nobody serves eia, the alert joins the away banner, still one screen
    hall.act(lina, f"{H}/windows/w2/away", reason="meeting")
    page.locator("#coverage-alert").wait_for()
    look(page, "away-and-alert")


def test_the_covering_desk_fits(hall, browser):
    """zhangwei covers window 2 for lina (away): the covering banner, a called visitor and a toast."""
    hall.user("zhangwei", "张伟")
    lina = hall.user("lina", "李娜")
    hall.act(lina, f"{H}/windows/w2/sign-in")
    hall.act(lina, f"{H}/windows/w2/away", reason="lunch", back_at="13:30", see_instead="w1")
    hall.issue("consult", "elderly")
    page = open_desk(browser, hall.url, "zhangwei")
    page.locator("#covering-banner").wait_for()
    assert "李娜" in page.locator("#covering-banner").inner_text() or "2号窗口" in page.locator(
        "#covering-banner").inner_text()
    page.keyboard.press("n")
    page.locator("#visitor[data-status=called]").wait_for()
    page.locator("#toast:not(:empty)").wait_for()
    look(page, "covering-called")
    # stepping away would leave the waiting visitors to nobody: warned, a red "step away anyway"
    hall.issue("consult")
    page.keyboard.press("a")
    page.locator("#dialog:not(.hidden) #coverage-warning").wait_for()
    look(page, "away-warning")
    page.keyboard.press("Escape")
    page.locator("#dialog.hidden").wait_for(state="attached")


def test_a_clerk_at_their_b_window_serves_their_a_window(hall, browser):
    """Issue 12, point 12 on the desk: lina is out; zhangwei picks window 2 (his B post) and is told he
    serves window 1 (his A post) too; N calls the visitor waiting there."""
    hall.user("zhangwei", "张伟")
    hall.user("lina", "李娜")
    hall.issue("eia")
    page = open_desk(browser, hall.url, "zhangwei", key="2")
    banner = page.locator("#covering-banner")
    banner.wait_for()
    text = banner.inner_text()
    assert "1号窗口（A 岗）" in text and "2号窗口（B 岗）" in text, text
    look(page, "covering-own-a-window")
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    assert "2号窗口" in page.locator("#visitor .vwin").inner_text()
