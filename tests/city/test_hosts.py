"""Two server hosts on one PostgreSQL and one Redis (issue 17, point 4), each in a network
namespace of its own with its own address; PostgreSQL and a Redis of the test's own listen on
127.0.0.1 in the root namespace and each host reaches them through its veth (a forwarder per
host and service: tests/support/netns.py).

Call screens (websocket clients here) connect to both hosts; calls go through both. Then host
A loses its link to Redis, acknowledges two more calls (their events cannot leave it) and is
killed (SIGKILL). Its screens reconnect to host B; B finds A dead and rebuilds the hall's view
from the database, so every screen ends up with every acknowledged call, and the database holds
every acknowledged ticket and call."""
from __future__ import annotations

import json
import threading

import httpx
import pytest
from support import netns, pg
from support.accounts import ADMIN_PASSWORD, Accounts
from support.broker import RedisProcess
from support.devices import HEADER, pair
from support.halls import small_hall_toml
from support.servers import ONEWINDOW, ServerProcess, clean_env, free_port
from support.wait import wait_until

pytestmark = pytest.mark.slow

HALL = "t"
WINDOWS = 4
PORT = 8080  # every host its own address, so the same port on each


class Screen:
    """A call screen that reconnects: to its own host, else to the next one; it records every
    call it was sent and every call a snapshot showed it."""

    def __init__(self, urls: list[str]):
        self.urls = urls  # its host first
        self.calls: set[str] = set()  # from call events
        self.shown: set[str] = set()  # from snapshots' recent calls
        self.connections: list[str] = []  # the host of each connection, in order
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def seen(self) -> set[str]:
        with self.lock:
            return self.calls | self.shown

    def _run(self) -> None:
        from websockets.sync.client import connect

        k = 0
        while not self.stop.is_set():
            url = self.urls[k % len(self.urls)]
            try:
                with connect(url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display", open_timeout=3,
                             close_timeout=1) as ws:
                    k = 0  # connected: next time, its own host first again
                    with self.lock:
                        self.connections.append(url)
                    while not self.stop.is_set():
                        try:
                            msg = json.loads(ws.recv(timeout=0.5))
                        except TimeoutError:
                            continue
                        with self.lock:
                            if msg["type"] == "snapshot":
                                self.shown |= {c["ticket"] for c in msg["calls"]}
                            elif msg["type"] == "call":
                                self.calls.add(msg["ticket"])
            except Exception:
                k += 1  # refused, reset or closed (1013: resync): the next host in turn
                self.stop.wait(0.1)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def _post(url: str, path: str, headers: dict | None = None, json: dict | None = None, status: int = 200) -> dict:
    r = httpx.post(f"{url}/api/v1/halls/{HALL}{path}", headers=headers, json=json, timeout=30)
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def hosts():
    why = netns.unavailable()
    if why:
        pytest.skip(why)
    with netns.Hosts(2) as hs:
        yield hs


def test_a_killed_host_s_screens_reconnect_to_the_other_and_miss_no_call(tmp_path, hosts):
    from cryptography.fernet import Fernet

    pg.require_pg()
    redis = RedisProcess(free_port(), tmp_path).start()
    forwarders: list[netns.Forwarder] = []
    servers: list[ServerProcess] = []
    screens: list[Screen] = []
    key = Fernet.generate_key().decode()  # the hosts share the database, so the key of its personal data
    cfg = tmp_path / "hall.toml"
    cfg.write_text(small_hall_toml(WINDOWS, hall=HALL), encoding="utf-8")
    try:
        with pg.fresh_pg_database() as db_url:
            db_name = db_url.rsplit("/", 1)[1]
            for k, h in enumerate(hosts):
                rport, pport = free_port(), free_port()
                forwarders += [netns.forward(h.peer, rport, redis.port), netns.forward(h.peer, pport, 5432)]
                env = clean_env(ONEWINDOW_ADMIN_PASSWORD=ADMIN_PASSWORD, ONEWINDOW_SPEECH="off",
                                ONEWINDOW_PRINTER="none", ONEWINDOW_SECRET_KEY=key,
                                ONEWINDOW_DATABASE_URL=f"postgresql+psycopg://postgres@{h.peer}:{pport}/{db_name}")
                args = h.exec([ONEWINDOW, "serve", "--config", str(cfg), "--data-dir", str(tmp_path / f"data{k}"),
                               "--host", h.addr, "--port", str(PORT), "--redis-url", f"redis://{h.peer}:{rport}/0"])
                sp = ServerProcess(args, env, PORT, tmp_path, tmp_path / f"host{k}.log")
                sp.url = f"http://{h.addr}:{PORT}"
                servers.append(sp.start(timeout=90))
            a, b = (sp.url for sp in servers)
            a_redis_link = forwarders[0]

            with httpx.Client(base_url=a, timeout=30) as c:
                accounts = Accounts(c, ADMIN_PASSWORD)
                clerks = {f"w{i}": accounts.make(f"clerk{i}") for i in range(1, WINDOWS + 1)}
                kiosk = {HEADER: pair(c, accounts.admin, HALL, "kiosk")}
            # w1, w2 work through host A; w3, w4 through host B.
            via = {"w1": a, "w2": a, "w3": b, "w4": b}
            for w, headers in clerks.items():
                _post(via[w], f"/windows/{w}/sign-in", headers)
            issued = [_post((a, b)[i % 2], "/tickets", kiosk, json={"category": "general"}, status=201)["number"]
                      for i in range(16)]

            screens = [Screen([a, b]) for _ in range(3)] + [Screen([b, a]) for _ in range(3)]
            wait_until(lambda: all(s.connections for s in screens), timeout=20, what="every screen connected")
            called: list[str] = []

            def call(w: str) -> None:
                called.append(_post(via[w], f"/windows/{w}/next", clerks[w])["number"])

            for i in range(6):
                call(f"w{i % WINDOWS + 1}")
            wait_until(lambda: all(s.seen() >= set(called) for s in screens), timeout=20,
                       what="the first calls on every screen")

            # A's link to Redis is cut; it still answers its clerks (publishing never waits) ...
            a_redis_link.pause()
            call("w1")
            call("w2")
            unsent = called[-2:]
            # ... and dies with those two calls' events unsent.
            servers[0].kill9()
            for w in ("w3", "w4", "w3"):
                call(w)

            wait_until(lambda: all(s.seen() >= set(called) for s in screens), timeout=60,
                       what="every acknowledged call on every screen, A's last two included")
            for s in screens[:3]:
                assert s.connections[0] == a and b in s.connections, "A's screens moved to B"
            for s in screens:
                assert s.seen() >= set(unsent)

            # Nothing acknowledged is lost: every ticket and every call is in the database.
            import psycopg

            with psycopg.connect(pg.PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}") as conn:
                rows = dict(conn.execute("SELECT number, status FROM ticket").fetchall())
            assert set(issued) <= set(rows)
            assert all(rows[n] != "waiting" for n in called), {n: rows[n] for n in called}
            assert len(set(called)) == len(called)
            assert "Traceback" not in servers[1].output(), servers[1].output()
            assert "died" in servers[1].output() or "stopped without leaving" in servers[1].output()
    finally:
        for s in screens:
            s.close()
        for sp in servers:
            sp.stop()
        for f in forwarders:
            f.stop()
        redis.stop()
