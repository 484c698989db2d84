"""The call screen never contradicts itself (issue 12, point 8): a window
that closes or steps away leaves "now calling", and in takeover mode a B
calling at A's window turns A's card into B's (covering) instead of "away,
please go to window 2". Over the display socket and in Chromium at 1920x1080."""
from __future__ import annotations

import pytest
from support.halls import HALL

from onewindow.server.live.hub import Event
from onewindow.server.live.projection import HallView

TAKEOVER = {'coverage_mode = "merge"': 'coverage_mode = "takeover"'}


def test_a_window_closing_or_stepping_away_leaves_now_calling():
    view = HallView(HALL, "大厅", "Hall", [{"id": w, "name": f"{w[1]}号窗口"} for w in ("w1", "w2", "w3")])
    for seq, (kind, data) in enumerate([
        ("call", {"ticket": "A001", "window": "w1"}),
        ("call", {"ticket": "G002", "window": "w3"}),
        ("call", {"ticket": "B001", "window": "w2"}),
        ("window", {"window": "w3", "status": "closed", "number": None, "clerk": None, "notice": None}),
        ("window", {"window": "w2", "status": "away", "number": "B001", "clerk": {"name": "李娜"},
                    "notice": {"reason": "meeting"}}),
    ], start=1):
        view.apply(Event(HALL, kind, data, seq=seq, public_seq=seq))
    assert [c["ticket"] for c in view.snapshot()["calls"]] == ["A001"]
    # a window coming back (idle) does not bring its old calls back, nor lose others'
    view.apply(Event(HALL, "window", {"window": "w2", "status": "idle"}, seq=6, public_seq=6))
    assert [c["ticket"] for c in view.snapshot()["calls"]] == ["A001"]
    # a server starting up loads the day's calls the same way
    fresh = HallView(HALL, "大厅", "Hall", [{"id": w, "name": f"{w[1]}号窗口"} for w in ("w1", "w3")])
    fresh.load({"w1": {"status": "serving", "number": "A001"}, "w3": {"status": "closed", "number": "G002"}},
               [{"ticket": "G002", "window": "w3"}, {"ticket": "A001", "window": "w1"}], {})
    assert [c["ticket"] for c in fresh.snapshot()["calls"]] == ["A001"]


def now_calling(screen) -> list[str]:
    return [c["ticket"] for c in screen.wait_for(lambda m: m["type"] == "snapshot")["calls"]]


def test_closed_and_away_windows_leave_now_calling_over_the_socket(live_server, hall, display_reader):
    server = live_server()
    h = hall(server)
    h.clerk_at("w3", display_name="王芳")
    h.clerk_at("w1", display_name="张伟")
    for _ in range(2):
        h.issue("eia")
    g = h.next("w3")
    a = h.next("w1")
    assert now_calling(display_reader(server.url)) == [a["number"], g["number"]]

    live = display_reader(server.url)
    live.wait_for(lambda m: m["type"] == "snapshot")
    h.post(f"/api/v1/halls/{HALL}/windows/w3/sign-out", "w3")
    live.wait_for(lambda m: m["type"] == "window" and m["window"] == "w3" and m["status"] == "closed")
    assert now_calling(display_reader(server.url)) == [a["number"]]  # a fresh screen agrees

    h.away("w1", reason="meeting", back_at="14:30")
    live.wait_for(lambda m: m["type"] == "window" and m["window"] == "w1" and m["status"] == "away")
    assert now_calling(display_reader(server.url)) == []


def takeover_hall(live_server, hall, hall_config):
    """Takeover mode: zhangwei (A of w1) away, lina (A of w2, B of w1) present; one eia visitor."""
    server = live_server(hall_config(replace=TAKEOVER))
    h = hall(server)
    h.clerk_at("w1", display_name="张伟", title="综合受理岗")
    h.clerk_at("w2", display_name="李娜", title="综合受理岗")
    h.issue("eia")
    h.away("w1", reason="meeting", back_at="14:30", see_instead="w2")
    return server, h


def test_takeover_call_at_a_window_updates_its_card(live_server, hall, hall_config, display_reader):
    server, h = takeover_hall(live_server, hall, hall_config)
    live = display_reader(server.url)
    snap = live.wait_for(lambda m: m["type"] == "snapshot")
    w1 = next(w for w in snap["windows"] if w["window"] == "w1")
    assert w1["status"] == "away" and w1["notice"]["see_instead"] == "w2"

    r = h.c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=h.tokens["lina"])
    assert r.status_code == 200, r.text
    number = r.json()["number"]
    call = live.wait_for(lambda m: m["type"] == "call" and m["window"] == "w1")
    card = live.wait_for(lambda m: m["type"] == "window" and m["window"] == "w1" and m["seq"] > call["seq"])
    assert card["status"] == "serving" and card["number"] == number
    assert card["clerk"] == {"name": "李娜", "title": "综合受理岗", "covering": True}
    # a screen connecting now sees the same
    w1 = next(w for w in now_snapshot(display_reader(server.url))["windows"] if w["window"] == "w1")
    assert (w1["status"], w1["number"], w1["clerk"]["name"]) == ("serving", number, "李娜")
    assert now_snapshot(display_reader(server.url))["calls"][0]["ticket"] == number

    # zhangwei back: his own card again, the visitor still shown at w1
    h.post(f"/api/v1/halls/{HALL}/windows/w1/back", "w1")
    back = live.wait_for(lambda m: m["type"] == "window" and m["window"] == "w1" and m["seq"] > card["seq"])
    assert back["clerk"]["name"] == "张伟" and "covering" not in back["clerk"]


def now_snapshot(screen) -> dict:
    return screen.wait_for(lambda m: m["type"] == "snapshot")


@pytest.mark.browser
def test_screen_tells_one_truth(live_server, hall, hall_config, browser, shot, overflowing):
    server, h = takeover_hall(live_server, hall, hall_config)
    h.clerk_at("w3", display_name="王芳", title="帮办代办岗")
    h.issue("eia")
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/screen?hall=eco&screen=tv-truth")
    page.wait_for_selector("body:not(.offline)")
    card = page.locator('.window[data-window="w1"]')
    assert card.get_attribute("data-status") == "away" and "请到" in card.inner_text()

    r = h.c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=h.tokens["lina"])
    assert r.status_code == 200, r.text
    number = r.json()["number"]
    page.wait_for_function("document.querySelector('.window[data-window=\"w1\"]').dataset.status === 'serving'")
    text = card.inner_text()
    assert number in text and "李娜" in text and "代岗" in text and "请到" not in text, text
    assert page.inner_text("#latest-ticket") == number and "1号窗口" in page.inner_text("#latest-window")
    shot(page, "screen-takeover-1920x1080")

    # w3 calls, then closes: its call leaves "now calling" (w1's call is the latest again)
    g = h.next("w3")
    page.wait_for_function(f"document.getElementById('latest-ticket').textContent === '{g['number']}'")
    h.post(f"/api/v1/halls/{HALL}/windows/w3/sign-out", "w3")
    page.wait_for_function("document.querySelector('.window[data-window=\"w3\"]').dataset.status === 'closed'")
    page.wait_for_function(f"document.getElementById('latest-ticket').textContent === '{number}'")
    assert g["number"] not in page.inner_text("#recent")
    assert g["number"] not in page.inner_text('.window[data-window="w3"]')  # nor on its closed card
    shot(page, "screen-closed-window-left-now-calling-1920x1080")
    assert overflowing(page) == []
    assert errors == []
