"""Issue 17, point 7 (docs/deploy.md, section 8): a rolling restart. Two server instances (`onewindow
serve`, one data directory, one Redis) behind a failover proxy that, like nginx's upstream, sends
each new connection to the first instance that accepts it. Two call screens (Chromium) are open
through the proxy. Each instance in turn is stopped and started again, as `systemctl restart` does;
the screens lose their socket, reconnect by themselves to the running instance, and show a call
made after both restarts, without a reload. The time each screen spent offline is printed (not
asserted: the machine is shared); docs/deploy.md quotes it."""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import pytest
from playwright.sync_api import expect
from support.accounts import Http, password_of
from support.broker import RedisProcess
from support.halls import HALL
from support.servers import ONEWINDOW, free_port
from support.wait import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class FailoverProxy:
    """TCP on 127.0.0.1:port: each connection goes to the first upstream port that accepts it."""

    def __init__(self, upstreams: list[int]):
        self.port, self.upstreams = free_port(), upstreams
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(OSError, RuntimeError):
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for port in self.upstreams:
            try:
                ur, uw = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            writer.close()
            return
        self.writers |= {writer, uw}
        await asyncio.gather(self._pipe(reader, uw), self._pipe(ur, writer))
        self.writers -= {writer, uw}

    def __enter__(self) -> FailoverProxy:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        async def close():
            self.server.close()
            for w in list(self.writers):  # ends every pipe's read: no task left pending
                w.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await asyncio.wait(tasks, timeout=10) if tasks else None

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


WATCH = """() => {
  window.__offline = [];
  const note = () => window.__offline.push([Date.now(), document.body.classList.contains("offline")]);
  new MutationObserver(note).observe(document.body, { attributes: true, attributeFilter: ["class"] });
}"""


def offline_spans(page) -> list[int]:
    """How long (ms) the screen was offline each time it was."""
    spans, since = [], None
    for at, offline in page.evaluate("() => window.__offline"):
        if offline and since is None:
            since = at
        elif not offline and since is not None:
            spans.append(at - since)
            since = None
    return spans


def test_a_rolling_restart_keeps_the_screens(server_process, browser, tmp_path, screenshot):
    redis = RedisProcess(free_port(), tmp_path).start()
    try:
        env = {"ONEWINDOW_ADMIN_PASSWORD": "sesame-Ledger-4417", "ONEWINDOW_SPEECH": "off",
               "ONEWINDOW_PRINTER": "none"}
        args = [ONEWINDOW, "serve", "--data-dir", str(tmp_path / "data"), "--redis-url", redis.url,
                "--port", "{port}"]
        a = server_process(args, env)
        b = server_process(args, env)
        with FailoverProxy([a.port, b.port]) as proxy, Http(proxy.url) as h:
            h.clerk("zhangwei")
            screens = []
            for name in ("tv-1", "tv-2"):
                page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                page.goto(f"{proxy.url}/screen?hall={HALL}&screen={name}")
                wait_until(lambda p=page: not p.evaluate("() => document.body.classList.contains('offline')"),
                           timeout=20, what="the screen live")
                page.evaluate(WATCH)
                screens.append(page)

            for sp in (a, b):  # systemctl restart onewindow@PORT, one instance after the other
                sp.stop()
                sp.start()

            for page in screens:
                wait_until(lambda p=page: not p.evaluate("() => document.body.classList.contains('offline')"),
                           timeout=20, what="the screen live again")
            # A call after both restarts reaches both screens on their new sockets (no reload).
            clerk = h.login("zhangwei", password_of("zhangwei"))  # sessions live in the database
            assert h.c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
            t = h.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
            assert h.c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["id"] == t["id"]
            for page in screens:
                expect(page.locator("body")).to_contain_text(t["number"], timeout=10000)
                assert page.evaluate("() => window.__offline.length") > 0, "the screen did lose its socket"
            screenshot(screens[0], "rolling-restart-screen")
            spans = [offline_spans(p) for p in screens]
            print(f"\nrolling restart: offline spans per screen (ms): {spans}; at {time.strftime('%H:%M:%S')}")
    finally:
        redis.stop()
