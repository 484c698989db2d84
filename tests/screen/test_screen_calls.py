"""The call screen in headless Chromium against a real server: a clerk's next
appears at once, its announcement plays to the end, announcements queue up
without overlapping, and the page looks right at 1920x1080 and 3840x2160."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Records the page's own media events of the announcement element.
LISTEN = """() => {
  window.__media = [];
  const a = document.getElementById("voice");
  for (const type of ["playing", "ended", "pause"]) {
    a.addEventListener(type, () => window.__media.push({type, src: a.currentSrc, t: performance.now()}));
  }
}"""


def open_screen(browser, url: str, query: str = "hall=eco&screen=tv-1", size=(1920, 1080)):
    # bypass_csp: wait_for_function evaluates its string with eval, which the pages' CSP forbids
    # (tests/server/test_csp_browser.py drives the pages under their CSP)
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/screen?{query}")
    page.wait_for_selector("body:not(.offline)")
    page.evaluate(LISTEN)
    return page, errors


def media(page) -> list[dict]:
    return page.evaluate("window.__media")


def wait_media(page, n_ended: int, timeout: float = 30) -> list[dict]:
    page.wait_for_function(f"window.__media.filter(e => e.type === 'ended').length >= {n_ended}",
                           timeout=timeout * 1000)
    return media(page)


def test_next_appears_on_screen_and_is_announced(live_server, browser, hall):
    server = live_server()
    h = hall(server)
    h.clerk_at("w3", display_name="王芳", title="综合受理岗")
    h.issue("eia")
    page, errors = open_screen(browser, server.url)
    page.evaluate("window.__samePage = true")  # gone, were the page to reload

    called = h.next("w3")
    # Pushed over the screen's socket: it appears without a reload. (How fast: bench/display_bench.py.)
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'A001'", timeout=5000)
    assert page.evaluate("window.__samePage") is True
    assert called["number"] == "A001"
    assert "3号窗口" in page.inner_text("#latest-window")
    card = page.locator('.window[data-window="w3"]')
    assert card.get_attribute("data-status") == "serving"
    assert "A001" in card.inner_text() and "王芳" in card.inner_text() and "综合受理岗" in card.inner_text()
    assert page.locator("#latest.flash").count() == 1  # highlighted for a few seconds

    events = wait_media(page, 1)
    kinds = [e["type"] for e in events if e["type"] in ("playing", "ended")]
    assert kinds[:2] == ["playing", "ended"], events
    assert "/audio/" in events[0]["src"] and events[0]["src"].endswith(".wav")
    assert page.evaluate("Sound.muted") is False
    assert errors == []


def test_announcements_play_one_after_another_even_the_same_wav(live_server, browser, hall, publish_event):
    # speech="off": every announcement is the same chime WAV, so the same URL
    # must play again, once per announcement, never cut short by the next.
    server = live_server(speech="off")
    h = hall(server)
    for w in ("w1", "w2", "w4"):
        h.clerk_at(w)
    for _ in range(3):
        h.issue("consult")
    page, errors = open_screen(browser, server.url)
    page.evaluate("() => { window.__announced = []; const e = Sound.enqueue; "
                  "Sound.enqueue = (ev) => { window.__announced.push(ev); e(ev); }; }")
    for w in ("w1", "w2", "w4"):
        h.next(w)
    page.wait_for_function("document.getElementById('latest-ticket').textContent === 'F003'")
    # three calls at once: one announcement (one chime) for the three, in call order
    wait_media(page, 1)
    first = page.evaluate("window.__announced")
    assert [c["ticket"] for c in first[0]["calls"]] == ["F001", "F002", "F003"]
    # two more announcements at once (two zones' voices, say): queued, played in turn
    for _ in range(2):
        publish_event(server, "announce", {k: first[0][k] for k in ("ticket", "window", "recall", "calls", "zone",
                                                                     "round", "audio", "duration_s", "spoken")})
    events = wait_media(page, 3)
    seq = [e for e in events if e["type"] in ("playing", "ended")]
    assert [e["type"] for e in seq] == ["playing", "ended"] * 3, seq
    assert len({e["src"] for e in seq}) == 1  # one URL, played three times
    # never overlapping: each starts after the previous one ended
    for prev_end, nxt in zip(seq[1::2], seq[2::2], strict=False):
        assert nxt["t"] >= prev_end["t"]
    assert page.evaluate("Sound.pending") == 0
    recent = page.inner_text("#recent")
    assert "F002" in recent and "F001" in recent
    assert errors == []


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_screenshots(live_server, browser, hall, shot, overflowing, size):
    server = live_server()
    h = hall(server)
    h.clerk_at("w1", display_name="张伟", title="综合受理岗")
    h.clerk_at("w2", display_name="李娜", title="综合受理岗")
    h.clerk_at("w3", display_name="王芳", title="帮办代办岗")
    h.clerk_at("w5", display_name="陈静", title="咨询岗")
    for cat in ("eia", "permit", "consult", "eia", "complaint", "assist"):
        h.issue(cat)
    for w in ("w1", "w2", "w3", "w5", "w1"):
        h.next(w)
    h.away("w2", reason="meeting", back_at="14:30", see_instead="w1")
    page, errors = open_screen(browser, server.url, size=size)
    called = h.next("w3")
    page.wait_for_function(f"document.getElementById('latest-ticket').textContent === '{called['number']}'")
    path = shot(page, f"screen-{size[0]}x{size[1]}")
    assert path.exists()
    assert overflowing(page) == []
    assert errors == []
