"""Helpers for the call-screen tests: the root conftest's functions, a small
HTTP client that acts as clerks against a live server, and a display-socket
reader.

The root tests/conftest.py is reached through its `root_conftest` fixture, never
by `import conftest` (several folders have a conftest.py)."""
from __future__ import annotations

import json

import httpx
import pytest

HALL = "eco"
# The demo hall's A posts: whoever holds one may sign in at that window.
CLERKS = {"w1": "zhangwei", "w2": "lina", "w3": "wangfang", "w4": "liuyang", "w5": "chenjing", "w6": "zhaolei"}


@pytest.fixture
def shot(root_conftest):
    """`shot(page, name)`: conftest.screenshot, returning the PNG's path."""
    return root_conftest.screenshot


@pytest.fixture
def hall_config(root_conftest):
    """`hall_config(replace={...})`: the demo hall, edited (see conftest.demo_config)."""
    return root_conftest.demo_config


class Hall:
    """Clerks and visitors of the demo hall, over HTTP against a live server."""

    def __init__(self, url: str, admin_password: str):
        self.url = url
        self.c = httpx.Client(base_url=url, timeout=30)
        self.admin = self._login("admin", admin_password)
        self.tokens: dict[str, dict] = {}

    def _login(self, username: str, password: str) -> dict:
        r = self.c.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def user(self, username: str, role: str = "clerk", display_name: str = "", title: str = "") -> dict:
        if username not in self.tokens:
            r = self.c.post("/api/v1/users", headers=self.admin, json={
                "username": username, "password": f"{username}-password", "role": role,
                "display_name": display_name or username, "title": title})
            assert r.status_code == 201, r.text
            self.tokens[username] = self._login(username, f"{username}-password")
        return self.tokens[username]

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


class DisplayReader:
    """A display socket read in a background thread: every message, raw and parsed."""

    def __init__(self, url: str, screen: str = ""):
        import threading

        self.url = url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display" + (f"?screen={screen}" if screen else "")
        self.raw: list[str] = []
        self.ws = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self._ready.wait(15), "display socket did not open"
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        try:
            with connect(self.url, open_timeout=10) as ws:
                self.ws = ws
                self._ready.set()
                for m in ws:
                    self.raw.append(m)
        except ConnectionClosed:
            pass
        except OSError as exc:
            self.error = exc
        finally:
            self._ready.set()

    @property
    def messages(self) -> list[dict]:
        return [json.loads(m) for m in list(self.raw)]

    def wait_for(self, pred, timeout: float = 15.0) -> dict:
        """The first message for which pred(message) holds, waiting for it if need be."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if pred(m):
                    return m
            time.sleep(0.02)
        raise AssertionError(f"no such message within {timeout}s; got {[m.get('type') for m in self.messages]}")

    def send(self, obj: dict) -> None:
        self.ws.send(json.dumps(obj))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        self.thread.join(timeout=10)


@pytest.fixture
def display_reader():
    """`display_reader(url, screen="")`: a DisplayReader, closed after the test."""
    made: list[DisplayReader] = []

    def make(url: str, screen: str = "") -> DisplayReader:
        r = DisplayReader(url, screen)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def publish(server, type_: str, data: dict) -> None:
    """Publish an event inside a live server, on its own event loop (the hub is not thread-safe)."""
    import threading

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
