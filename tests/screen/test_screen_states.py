"""The call screen's states in headless Chromium: sound refused by the
browser (banner, reported muted), a clerk away, zones, connection lost and
resynced, and the completions ticker."""
from __future__ import annotations

import re

import pytest
from support.browser import pump
from support.wait import wait_until

pytestmark = pytest.mark.browser


def open_screen(browser, url: str, query: str = "hall=eco&screen=tv-1", size=(1920, 1080)):
    # bypass_csp: wait_for_function evaluates its string with eval, which the pages' CSP forbids
    # (tests/server/test_csp_browser.py drives the pages under their CSP)
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/screen?{query}")
    page.wait_for_selector("body:not(.offline)")
    return page, errors


def screens(h) -> list[dict]:
    r = h.c.get("/api/v1/halls/eco/screens", headers=h.admin)
    assert r.status_code == 200, r.text
    return [{"screen": e["screen"], "muted": e["muted"]} for e in r.json() if e["connected"]]


def test_refused_autoplay_shows_banner_and_reports_muted(live_server, browser_factory, hall, shot, overflowing):
    server = live_server()
    h = hall(server)
    h.clerk_at("w1")
    h.issue()
    browser = browser_factory(autoplay=False)
    page, errors = open_screen(browser, server.url, "hall=eco&screen=tv-door")
    banner = page.locator("#sound")
    banner.wait_for(state="visible")
    assert "点击启用声音" in banner.inner_text() and "Tap to enable sound" in banner.inner_text()
    page.wait_for_function("Sound.muted === true")
    assert {"screen": "tv-door", "muted": True} in screens(h)

    # a call still shows on screen; its announcement waits for sound
    h.next("w1")
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'A001'")
    page.wait_for_function("Sound.pending === 1")
    shot(page, "screen-muted-banner")
    assert overflowing(page) == []

    # a tap enables sound: the waiting announcement plays, the server hears it
    banner.click()
    banner.wait_for(state="hidden")
    page.wait_for_function("Sound.muted === false && Sound.pending === 0")
    h.c.get("/healthz")
    wait_until(lambda: {"screen": "tv-door", "muted": False} in screens(h), pause=pump(page),
               what="the server told the screen is not muted")
    assert errors == []


def test_sound_allowed_reports_not_muted(live_server, browser, hall):
    server = live_server()
    h = hall(server)
    page, _errors = open_screen(browser, server.url, "hall=eco&screen=tv-ok")
    page.wait_for_function("Sound.muted === false")
    assert page.locator("#sound").is_hidden()
    wait_until(lambda: {"screen": "tv-ok", "muted": False} in screens(h), pause=pump(page),
               what="the server told the screen is not muted")


def test_away_notice_appears_at_the_window(live_server, browser, hall):
    server = live_server()
    h = hall(server)
    h.clerk_at("w2", display_name="李娜", title="综合受理岗")
    page, errors = open_screen(browser, server.url)
    card = page.locator('.window[data-window="w2"]')
    page.wait_for_function("document.querySelector('.window[data-window=\"w2\"]').dataset.status === 'idle'")

    h.away("w2", reason="meeting", back_at="14:30", see_instead="w1")
    page.wait_for_function("document.querySelector('.window[data-window=\"w2\"]').dataset.status === 'away'")
    text = card.inner_text()
    for want in ("暂时离开", "Away", "开会", "In a meeting", "14:30", "请到 1号窗口 办理", "please go to Window 1",
                 "李娜", "综合受理岗"):
        assert want in text, (want, text)

    h.post("/api/v1/halls/eco/windows/w2/back", "w2")
    page.wait_for_function("document.querySelector('.window[data-window=\"w2\"]').dataset.status === 'idle'")
    assert "请到" not in card.inner_text()
    assert errors == []


def test_zone_shows_only_its_windows(live_server, browser, hall, hall_config):
    config = hall_config(replace={'number = "4"': 'number = "4"\nzone = "east"',
                                  'number = "5"': 'number = "5"\nzone = "east"',
                                  'number = "6"': 'number = "6"\nzone = "east"'})
    server = live_server(config)
    h = hall(server)
    h.clerk_at("w1")
    h.clerk_at("w5")
    h.issue()
    h.issue()
    page, errors = open_screen(browser, server.url, "hall=eco&zone=east&screen=tv-east")
    shown = page.eval_on_selector_all(".window", "els => els.map(e => e.dataset.window)")
    assert shown == ["w4", "w5", "w6"]
    assert "east" in page.inner_text("#zone")

    page.evaluate("() => { window.__announced = []; const e = Sound.enqueue; "
                  "Sound.enqueue = (ev) => { window.__announced.push(ev.ticket); e(ev); }; }")
    h.next("w1")  # another zone's call: not shown, not announced here
    h.next("w5")
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'A002'")
    page.wait_for_function("window.__announced.length === 1")
    assert page.evaluate("window.__announced") == ["A002"]
    assert "A001" not in page.inner_text("#recent")
    assert "5号窗口" in page.inner_text("#latest-window")
    assert errors == []


def test_reconnect_shows_lost_then_resyncs(live_server, browser, hall, shot, overflowing):
    server = live_server()
    h = hall(server)
    h.clerk_at("w1")
    h.clerk_at("w4")
    for _ in range(3):
        h.issue()
    h.next("w1")

    down = {"now": False, "refused": 0}
    routes: list = []

    def handler(ws):
        if down["now"]:
            down["refused"] += 1
            ws.close()  # the hall's network is down: refused at once
            return
        routes.append((ws, ws.connect_to_server()))

    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page.route_web_socket(re.compile(r"/ws/halls/"), handler)
    page.goto(f"{server.url}/screen?hall=eco&screen=tv-1")
    page.wait_for_selector("body:not(.offline)")
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'A001'")

    down["now"] = True
    for ws, upstream in routes:
        ws.close()
        upstream.close()
    page.wait_for_selector("body.offline")
    lost = page.locator("#lost")
    assert lost.is_visible()
    assert "连接中断，正在重连" in lost.inner_text() and "Connection lost, reconnecting" in lost.inner_text()
    # stale data is greyed out, not shown as live
    page.wait_for_function("getComputedStyle(document.querySelector('main#data')).opacity === '0.35'")

    # calls while the screen is cut off
    h.next("w4")
    h.next("w1")
    # The screen tries again (and is refused) after those calls: all the while it shows the old call.
    refused = down["refused"]
    wait_until(lambda: down["refused"] > refused, timeout=20, pause=pump(page), what="a reconnection attempt")
    assert page.inner_text("#latest-ticket") == "A001"
    shot(page, "screen-connection-lost")
    assert overflowing(page) == []

    down["now"] = False
    page.wait_for_selector("body:not(.offline)", timeout=20000)
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'A003'")
    assert "A002" in page.inner_text('.window[data-window="w4"]')
    assert "A003" in page.inner_text('.window[data-window="w1"]')
    assert "A002" in page.inner_text("#recent")
    assert lost.is_hidden()


def test_completions_scroll_in_the_ticker(live_server, browser, hall, publish_event, shot, overflowing):
    server = live_server()
    hall(server)
    publish_event(server, "completion", {"case": "HP-2026-0042", "item": "eia_report_form",
                                         "completed_at": "2026-11-23T09:40:00+08:00", "applicant": "某**公司"})
    page, errors = open_screen(browser, server.url)
    ticker = page.locator("#ticker")
    page.wait_for_function("document.getElementById('ticker').textContent.includes('HP-2026-0042')")
    publish_event(server, "completion", {"case": "HP-2026-0043", "item": "discharge_permit",
                                         "completed_at": "2026-11-23T10:05:00+08:00", "applicant": "张*"})
    page.wait_for_function("document.getElementById('ticker').textContent.includes('HP-2026-0043')")
    text = ticker.inner_text()
    assert "建设项目环境影响报告表审批" in text and "排污许可证核发" in text  # item codes shown as names
    assert "11-23 10:05" in text and "张*" in text
    assert "过号请重新取号" in text  # the hall's notice
    # the published items rotate
    first = page.inner_text(".item-name")
    assert "建设项目环境影响报告书审批" in first
    assert page.inner_text("#items-page") == "1 / 10"
    shot(page, "screen-ticker")
    assert "等待叫号" in page.inner_text("#latest")  # no call yet today
    assert overflowing(page) == []
    assert errors == []
