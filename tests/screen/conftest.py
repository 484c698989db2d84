"""Fixtures of the call-screen tests: clerks and visitors over HTTP against a live
server, display sockets read in a thread (support.sockets.LiveSocket), events
published inside a server, and a layout check."""
from __future__ import annotations

import threading

import httpx
import pytest
from support.accounts import Accounts
from support.browser import screenshot
from support.devices import equip
from support.halls import A_POSTS as CLERKS
from support.halls import HALL, demo_config
from support.sockets import LiveSocket


@pytest.fixture
def shot():
    """`shot(page, name)`: support.browser.screenshot, returning the PNG's path."""
    return screenshot


@pytest.fixture
def hall_config():
    """`hall_config(replace={...})`: the demo hall, edited (see support.halls.demo_config)."""
    return demo_config


class Hall(Accounts):
    """Clerks and visitors of the demo hall, over HTTP against a live server."""

    def __init__(self, url: str, admin_password: str):
        self.url = url
        self.c = httpx.Client(base_url=url, timeout=30)
        super().__init__(self.c, admin_password)
        equip(self.c, self.admin)  # a paired kiosk and pad, as in the hall

    def user(self, username: str, role: str = "clerk", display_name: str = "", title: str = "") -> dict:
        return super().user(username, role, display_name, title)

    def clerk_at(self, window: str, display_name: str = "", title: str = "") -> dict:
        h = self.user(CLERKS[window], display_name=display_name, title=title)
        r = self.c.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=h)
        assert r.status_code == 200, r.text
        return h

    def issue(self, category: str = "eia") -> dict:
        r = self.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": category})
        assert r.status_code == 201, r.text
        return r.json()

    def next(self, window: str) -> dict:
        h = self.tokens[CLERKS[window]]
        r = self.c.post(f"/api/v1/halls/{HALL}/windows/{window}/next", headers=h)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, at: str | None = None, headers: dict | None = None, **body) -> dict:
        """POST as the clerk of window `at` (or with `headers`); `body` is the JSON body."""
        h = headers or self.tokens[CLERKS[at]]
        r = self.c.post(path, headers=h, json=body or None)
        assert r.status_code == 200, r.text
        return r.json()

    def away(self, window: str, **notice) -> dict:
        return self.post(f"/api/v1/halls/{HALL}/windows/{window}/away", window, **notice)

    def close(self) -> None:
        self.c.close()


@pytest.fixture
def hall(settings):
    """`hall(live_server)`: a `Hall` client on that server, closed after the test."""
    made: list[Hall] = []

    def make(server) -> Hall:
        h = Hall(server.url, settings.admin_password)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.fixture
def display_reader():
    """`display_reader(url, screen="")`: the hall's display socket as a LiveSocket, closed after the test."""
    made: list[LiveSocket] = []

    def make(url: str, screen: str = "") -> LiveSocket:
        ws_url = url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display" + (f"?screen={screen}" if screen else "")
        r = LiveSocket(ws_url)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def publish(server, type_: str, data: dict) -> None:
    """Publish an event inside a live server, on its own event loop (the hub is not thread-safe)."""
    rt = server.app.state.runtime
    loop = rt._tasks[0].get_loop()
    done = threading.Event()

    def go():
        rt.hub.publish(HALL, type_, data)
        done.set()

    loop.call_soon_threadsafe(go)
    assert done.wait(10)


@pytest.fixture
def publish_event():
    return publish


# Everything inside a panel stays inside it: nothing spills over a border or off the screen.
OVERFLOW = """() => {
  const out = [];
  for (const panel of document.querySelectorAll('.latest, .recent, .items, .window, .top')) {
    const box = panel.getBoundingClientRect();
    if (box.bottom > innerHeight + 1 || box.right > innerWidth + 1) out.push(panel.className);
    for (const e of panel.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.left < box.left - 1)
        out.push(`${panel.className} > ${e.className || e.tagName}: ${e.textContent.slice(0, 30)}`);
    }
  }
  return out;
}"""


@pytest.fixture
def overflowing():
    """`overflowing(page)`: what spills out of its panel on the call screen (should be [])."""
    return lambda page: page.evaluate(OVERFLOW)
