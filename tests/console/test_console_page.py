"""The clerk console in headless Chromium against a real server: a call driven
end to end by keys alone, two consoles of one clerk agreeing, the away notice
reaching the call screen, and the coverage alert on the console of a clerk
who could cover."""
from __future__ import annotations

import pytest
from support.accounts import password_of
from support.browser import screenshot
from support.console import issue_live, make_staff, split_replace

pytestmark = pytest.mark.browser
VIEW = {"width": 1366, "height": 800}


def sign_in_by_keys(page, url: str, who: str) -> None:
    page.goto(f"{url}/console")
    page.locator("#login").wait_for(state="visible")
    page.locator("#username").wait_for(state="visible")
    page.keyboard.type(who)
    page.keyboard.press("Tab")
    page.keyboard.type(password_of(who))
    page.keyboard.press("Enter")


def test_console_drives_a_call_with_keys_only(live_server, browser, demo_config, settings):
    srv = live_server(demo_config())
    make_staff(srv.url, settings.admin_password, "zhangwei")
    issue_live(srv.url, "eia")
    issue_live(srv.url, "consult", "priority")
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in_by_keys(page, srv.url, "zhangwei")
    # the windows where he holds a post, A first; "1" picks the first
    posts = page.locator("#posts button.post")
    posts.first.wait_for()
    assert posts.count() == 2
    assert "1号窗口" in posts.nth(0).inner_text() and "A 岗" in posts.nth(0).inner_text()
    assert "2号窗口" in posts.nth(1).inner_text() and "B 岗" in posts.nth(1).inner_text()
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")
    assert page.locator("#where").inner_text().startswith("1号窗口")
    page.locator("#waiting-total", has_text="2").wait_for()
    # a second console of the same clerk (same session) opens straight at his window
    other = context.new_page()
    other.goto(f"{srv.url}/console")
    other.locator("#desk").wait_for(state="visible")
    # N: the priority ticket first
    page.keyboard.press("n")
    page.locator("#current-number", has_text="F001").wait_for()
    assert "已呼叫" in page.locator("#visitor").inner_text()
    other.locator("#current-number", has_text="F001").wait_for()
    # S: serving; C then Enter: complete as done
    page.keyboard.press("s")
    page.locator("#visitor[data-status=serving]").wait_for()
    other.locator("#visitor[data-status=serving]").wait_for()
    screenshot(page, "console-serving")
    page.keyboard.press("c")
    page.locator("#dialog:not(.hidden) [data-name=outcome]").wait_for()
    screenshot(page, "console-complete-dialog")
    page.keyboard.press("Enter")
    page.locator("#dialog.hidden").wait_for(state="attached")
    page.locator("#visitor[data-status=idle]").wait_for()
    page.locator("#served", has_text="1").wait_for()
    other.locator("#served", has_text="1").wait_for()
    page.locator("#waiting-total", has_text="1").wait_for()
    # the next one, then a no-show by X, and back by number with L
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("x")
    page.locator("#visitor[data-status=idle]").wait_for()
    page.keyboard.press("l")
    page.locator("#dialog:not(.hidden) #number").wait_for()
    page.keyboard.type("a001")
    page.keyboard.press("Enter")
    page.locator("#waiting-total", has_text="1").wait_for()
    page.keyboard.press("g")
    page.locator("#dialog:not(.hidden) #number").wait_for()
    page.keyboard.type("A001")
    page.keyboard.press("Enter")
    page.locator("#current-number", has_text="A001").wait_for()
    # every action's key is on its button and in the key list
    for key in "NRSCXTPGLABQ":
        assert page.locator("button.act kbd", has_text=key).count() >= 1
    assert page.locator("#keys li").count() >= 12
    context.close()


def test_away_notice_reaches_the_call_screen_and_alerts_who_could_cover(
        live_server, browser, demo_config, settings):
    srv = live_server(demo_config(replace=split_replace()))  # window 1: eia only, window 2: permit only
    make_staff(srv.url, settings.admin_password, "zhangwei", "lina")
    issue_live(srv.url, "eia")
    issue_live(srv.url, "permit")
    screen = browser.new_page(viewport={"width": 1600, "height": 900})
    screen.goto(f"{srv.url}/screen?hall=eco")
    zw = browser.new_context(viewport=VIEW).new_page()
    ln = browser.new_context(viewport=VIEW).new_page()
    for page, who, key in ((zw, "zhangwei", "1"), (ln, "lina", "2")):
        sign_in_by_keys(page, srv.url, who)
        page.locator("#posts button.post").first.wait_for()
        page.keyboard.press(key)  # zhangwei: window 1 (his A post); lina: her A post is listed second
        page.locator("#desk").wait_for(state="visible")
    assert zw.locator("#where").inner_text().startswith("1号窗口")
    assert ln.locator("#where").inner_text().startswith("2号窗口")
    # zhangwei steps away: lina covers, so no warning; the notice shows on the call screen
    zw.keyboard.press("a")
    zw.locator("#dialog:not(.hidden) [data-name=reason]").wait_for()
    assert zw.locator("#coverage-warning").count() == 0
    zw.keyboard.press("2")  # lunch rotation
    zw.fill("#back-at", "13:30")
    zw.select_option("#see-instead", "w2")
    zw.locator("#dialog-ok").click()
    zw.locator("#away-banner").wait_for()
    card = screen.locator("article[data-window=w1][data-status=away]")
    card.wait_for()
    text = card.inner_text()
    assert "午间" in text and "13:30 返回" in text and "请到 2号窗口" in text
    # lina's console is told she covers window 1
    ln.locator("#covering-banner").wait_for()
    assert "1号窗口" in ln.locator("#covering-banner").inner_text()
    # lina steps away too: warned first (eia and permit would be left), she confirms anyway
    ln.keyboard.press("a")
    ln.locator("#coverage-warning").wait_for()
    warning = ln.locator("#coverage-warning").inner_text()
    assert "环评审批" in warning and "排污许可" in warning
    screenshot(ln, "console-away-warning")
    ln.keyboard.press("Enter")
    ln.locator("#away-banner").wait_for()
    # both consoles (they could cover) show the alert
    zw.locator("#coverage-alert").wait_for()
    ln.locator("#coverage-alert").wait_for()
    assert "环评审批" in zw.locator("#coverage-alert").inner_text()
    screenshot(zw, "console-coverage-alert")
    # back in one key: the alert clears and the call screen drops the notice
    zw.keyboard.press("b")
    zw.locator("#coverage-alert").wait_for(state="detached")
    ln.locator("#coverage-alert").wait_for(state="detached")
    screen.locator("article[data-window=w1][data-status=idle]").wait_for()


def test_complete_outcomes_and_transfer_from_the_console(live_server, browser, demo_config, settings):
    import httpx

    srv = live_server(demo_config())
    make_staff(srv.url, settings.admin_password, "zhangwei")
    for _ in range(3):
        issue_live(srv.url, "eia")
    page = browser.new_context(viewport=VIEW).new_page()
    sign_in_by_keys(page, srv.url, "zhangwei")
    page.locator("#posts button.post").first.wait_for()
    page.keyboard.press("1")
    page.locator("#desk").wait_for(state="visible")
    # one-time notification: the item's materials checklist, the missing ones ticked
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A001").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("3")
    boxes = page.locator("#dialog input[name=missing]")
    boxes.first.wait_for()
    assert boxes.count() == 6  # the EIA report book's checklist
    boxes.nth(1).check()
    boxes.nth(4).check()
    screenshot(page, "console-notify-dialog")
    page.locator("#dialog-ok").click()
    page.locator("#visitor[data-status=idle]").wait_for()
    # accepted as a case: the business item picked from the category's items
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A002").wait_for()
    page.keyboard.press("c")
    page.keyboard.press("2")
    page.select_option("#item", "eia_report_form")
    page.fill("#applicant", "张三")
    page.locator("#dialog-ok").click()
    page.locator("#toast", has_text="已受理").wait_for()
    page.locator("#served", has_text="2").wait_for()
    # transfer to another window with a note: the visitor keeps the place
    page.keyboard.press("n")
    page.locator("#current-number", has_text="A003").wait_for()
    page.keyboard.press("t")
    page.keyboard.press("2")
    page.select_option("#to-window", "w3")
    page.fill("#note", "请到3号窗口补充材料")
    screenshot(page, "console-transfer-dialog")
    page.keyboard.press("Enter")
    page.locator("#visitor[data-status=idle]").wait_for()
    r = httpx.get(f"{srv.url}/api/v1/halls/eco", timeout=30).json()
    assert {c["code"]: c["waiting"] for c in r["categories"]}["eia"] == 1
