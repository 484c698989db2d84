"""The real server on Redis: two `onewindow serve` processes on one database and
one Redis, as `--workers 2` runs them (or two machines behind a balancer). Call
screens connected to both see every call, whichever process made it, with
contiguous seq; each call is announced once; both processes' views agree; one
process raises the hall-wide alerts, which reach the consoles of both. And
`onewindow serve --workers 2` itself runs two such workers on one port.

Each process of the first test has a port of its own, so the test knows which
process every request and every screen reaches: behind one shared listening
socket the kernel decides, and it does not spread a handful of connections over
both processes (the test used to assume it did, and failed on a busy machine)."""
from __future__ import annotations

import re

import httpx
import pytest
from support import pg
from support.accounts import ADMIN_PASSWORD, Accounts
from support.devices import HEADER, pair
from support.halls import small_hall_toml
from support.servers import ONEWINDOW, ServerProcess, clean_env, free_port
from support.sockets import LiveSocket
from support.wait import wait_until

HALL = "t"
WINDOWS = 4
CALLS = 48
DISPLAYS = 7  # odd: the processes hold different numbers of them (4 and 3)


@pytest.fixture(params=["sqlite", "postgres"])
def database_env(request):
    if request.param == "sqlite":
        yield {}
        return
    pg.require_pg()
    with pg.fresh_pg_database() as url:
        yield {"ONEWINDOW_DATABASE_URL": url}


def _serve(tmp_path, redis_url: str, prefix: str, database_env: dict, name: str, workers: int = 1) -> ServerProcess:
    cfg = tmp_path / "hall.toml"
    cfg.write_text(small_hall_toml(WINDOWS, hall=HALL), encoding="utf-8")
    port = free_port()
    env = clean_env(ONEWINDOW_ADMIN_PASSWORD=ADMIN_PASSWORD, ONEWINDOW_SPEECH="off", ONEWINDOW_PRINTER="none",
                    ONEWINDOW_REDIS_PREFIX=prefix, **database_env)
    args = [ONEWINDOW, "serve", "--config", str(cfg), "--data-dir", str(tmp_path / "data"), "--port", str(port),
            "--workers", str(workers), "--redis-url", redis_url]
    return ServerProcess(args, env, port, tmp_path, tmp_path / f"{name}.log")


@pytest.fixture
def two_processes(tmp_path, redis_url, prefix, database_env):
    """Two server processes on one data dir (or PostgreSQL database) and one Redis prefix, each
    on its own port; the second started once the first answers."""
    procs = [_serve(tmp_path, redis_url, prefix, database_env, f"server-{k}") for k in (0, 1)]
    try:
        for sp in procs:
            sp.start(timeout=90)
        yield procs
    finally:
        for sp in procs:
            sp.stop()


def _metrics(url: str) -> str:
    return httpx.get(f"{url}/metrics", timeout=10).text


def _subscribers(url: str) -> int:
    """The display subscribers the process at `url` holds (its own, and the screens')."""
    m = re.search(rf'^onewindow_websocket_subscribers{{hall="{HALL}"}} (\S+)', _metrics(url), re.M)
    return int(float(m.group(1)))


def _broker(url: str) -> tuple[int, int]:
    """(Redis up, this process leads) as the process at `url` reports them."""
    text = _metrics(url)
    up = re.search(r"^onewindow_broker_up (\S+)", text, re.M).group(1)
    lead = re.search(r"^onewindow_broker_leader (\S+)", text, re.M).group(1)
    return int(float(up)), int(float(lead))


def _waiting(url: str) -> int:
    """The hall's waiting count in the view of the process at `url`."""
    return sum(c["waiting"] for c in httpx.get(f"{url}/api/v1/halls/{HALL}", timeout=30).json()["categories"])


def _post(url: str, path: str, headers: dict | None = None, json: dict | None = None, status: int = 200) -> dict:
    r = httpx.post(f"{url}/api/v1/halls/{HALL}{path}", headers=headers, json=json, timeout=30)
    assert r.status_code == status, r.text
    return r.json()


def _display(url: str) -> LiveSocket:
    d = LiveSocket(url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display")
    assert d.snapshot["type"] == "snapshot"  # subscribed: the process counts it from now on
    return d


def _announced(d: LiveSocket) -> list[str]:
    """The tickets a screen heard announced, in order: an announcement says one call, or several
    that queued up together (its `calls`, voice batching), so there are fewer announces than calls."""
    return [c["ticket"] for m in d.of_type("announce") for c in m["calls"]]


def _console(url: str, headers: dict) -> LiveSocket:
    c = LiveSocket(url.replace("http://", "ws://") + f"/ws/halls/{HALL}/console", headers=headers)
    assert c.snapshot["type"] == "snapshot"
    return c


@pytest.mark.slow
def test_calls_on_either_process_reach_every_screen_in_order(two_processes):
    urls = [sp.url for sp in two_processes]

    def via(k: int) -> str:
        """The process of the k-th request: alternately the first and the second."""
        return urls[k % 2]

    with httpx.Client(base_url=urls[0], timeout=30) as c:
        accounts = Accounts(c, ADMIN_PASSWORD)
        admin = accounts.admin
        clerks = {f"w{i}": accounts.make(f"clerk{i}") for i in range(1, WINDOWS + 1)}
        kiosk = {HEADER: pair(c, admin, HALL, "kiosk")}  # the hall's own kiosk: its tickets are not rate-limited
    internal = [_subscribers(u) for u in urls]
    assert internal[0] == internal[1], internal  # the processes' own subscribers (announcer, coverage watch)
    base_subs = internal[0]

    for k, (w, headers) in enumerate(clerks.items()):
        _post(via(k), f"/windows/{w}/sign-in", headers)
    tickets = CALLS + 2  # two more for the sentinel calls below
    for i in range(tickets):
        _post(via(i), "/tickets", kiosk, json={"category": "general" if i % 3 else "other"}, status=201)

    # An answer does not wait for the other process to apply the event: let both views settle
    # (a hall's waiting counts come from the view of the process that answers).
    wait_until(lambda: all(_waiting(u) == tickets for u in urls), what="both processes' views of the queue")
    displays = [_display(via(k)) for k in range(DISPLAYS)]
    try:
        assert [_subscribers(u) - base_subs for u in urls] == [4, 3], "the screens are on both processes"
        for d in displays:  # both processes' views are equal: every screen starts from the same snapshot
            assert d.snapshot == displays[0].snapshot
        wait_until(lambda: sorted(_broker(u) for u in urls) == [(1, 0), (1, 1)],
                   what="both processes reaching Redis, exactly one leading")

        called = []
        for i in range(CALLS):  # w1 and w3 call through the first process, w2 and w4 through the second
            w = f"w{i % WINDOWS + 1}"
            called.append(_post(via(i), f"/windows/{w}/next", clerks[w])["number"])
        assert len(set(called)) == CALLS

        wait_until(lambda: all(len(d.of_type("call")) >= CALLS for d in displays), timeout=20,
                   what="every call on every screen")
        wait_until(lambda: all(len(_announced(d)) >= CALLS for d in displays), timeout=30,
                   what="every call announced on every screen")
        # A sentinel call through each process, one after the other. A process announces the calls it
        # sees in the order they reach it, so once its sentinel is announced on every screen, any
        # announcement it made of an earlier call (a duplicate: not its own) is on every screen too.
        sentinels = []
        for k, w in ((0, "w1"), (1, "w2")):
            number = _post(urls[k], f"/windows/{w}/next", clerks[w])["number"]
            sentinels.append(number)
            wait_until(lambda number=number: all(any(m["ticket"] == number for m in d.of_type("call"))
                                                 for d in displays),
                       timeout=20, what=f"sentinel call {number} on every screen")
        wait_until(lambda: all(set(_announced(d)) >= set(sentinels) for d in displays),
                   timeout=30, what="both sentinels announced on every screen")
        called += sentinels

        def upto_sentinels(d) -> list[dict]:
            """The screen's messages up to both sentinels' announcements, which came last."""
            msgs = d.events
            last = max(i for i, m in enumerate(msgs)
                       if m["type"] == "announce" and {c["ticket"] for c in m["calls"]} & set(sentinels))
            return msgs[:last + 1]

        first = upto_sentinels(displays[0])
        for d in displays:
            msgs = d.events
            assert [m["seq"] for m in msgs] == list(range(d.snapshot["seq"] + 1, d.snapshot["seq"] + len(msgs) + 1))
            assert upto_sentinels(d) == first, "every screen got the same messages in the same order"
            calls = [m["ticket"] for m in d.of_type("call")]
            assert sorted(calls) == sorted(called), "every call once, on every screen"
            assert sorted(_announced(d)) == sorted(called), "every call announced once (by the process that made it)"

        # Screens connecting now, to either process, start from the same view.
        late = [_display(via(k)) for k in range(DISPLAYS)]
        displays += late
        for d in late:
            assert d.snapshot == late[0].snapshot
        assert {c["ticket"] for c in late[0].snapshot["calls"]} <= set(called)
        assert all(w["status"] == "serving" for w in late[0].snapshot["windows"])

        # Everyone signs out while a visitor waits: one process (the leader) raises the alert, once,
        # and the consoles on both processes hear it (the call screens do not: it is no public event).
        consoles = [_console(u, admin) for u in urls]
        displays += consoles  # closed with the screens
        _post(urls[0], "/tickets", kiosk, json={"category": "general"}, status=201)
        for k, (w, headers) in enumerate(clerks.items()):
            _post(via(k), f"/windows/{w}/sign-out", headers)

        def reds(s):
            return [m for m in s.of_type("alert") if m["kind"] == "coverage" and m["level"] == "red"]

        wait_until(lambda: all(reds(s) for s in consoles), timeout=15, what="the coverage alert on both consoles")

        # Each process's coverage watch keeps the alert, leader or not, and would publish it right
        # where it sets it: once both hold it, any second alert is in its process's outbox.
        def alert_level(url: str):
            r = httpx.get(f"{url}/api/v1/halls/{HALL}/coverage", headers=admin, timeout=30)
            assert r.status_code == 200, r.text
            return (r.json()["alert"] or {}).get("level")

        wait_until(lambda: [alert_level(u) for u in urls] == ["red", "red"], what="both watches holding the alert")
        # Then a ticket through each process: its queue event follows whatever that process published
        # before, on every socket. One waits already; these make three.
        for u in urls:
            _post(u, "/tickets", kiosk, json={"category": "general"}, status=201)
        wait_until(lambda: all(any(m["waiting"].get("general") == 3 for m in d.of_type("queue")) for d in displays),
                   timeout=15, what="both tickets' queue events on every screen and console")
        assert [len(reds(s)) for s in consoles] == [1, 1]
        assert not [m for d in displays if d not in consoles for m in d.of_type("alert")], "alerts stay off screens"
    finally:
        for d in displays:
            d.close()
    for sp in two_processes:
        assert "Traceback" not in sp.output(), sp.output()


@pytest.mark.slow
def test_serve_with_two_workers_runs_both_on_the_broker(tmp_path, redis_url, prefix):
    """`--workers 2` on one port: two worker processes start, both join the hall's broker (Redis
    lists both alive, one holds the lease), and a call reaches a screen, announced once, whichever
    worker the kernel hands each connection to."""
    import redis

    sp = _serve(tmp_path, redis_url, prefix, {}, "workers", workers=2)
    try:
        sp.launch()
        wait_until(lambda: sp.output().count("Application startup complete") >= 2 or sp.proc.poll() is not None,
                   timeout=90, what="two workers started")
        assert sp.output().count("Application startup complete") == 2, sp.output()
        with redis.Redis.from_url(redis_url, decode_responses=True) as r:
            wait_until(lambda: r.zcard(f"{prefix}:workers") == 2, what="both workers alive in Redis")
            workers = set(r.zrange(f"{prefix}:workers", 0, -1))
            wait_until(lambda: r.get(f"{prefix}:leader") in workers, what="a worker holding the lease")

        with httpx.Client(base_url=sp.url, timeout=30) as c:
            clerk = Accounts(c, ADMIN_PASSWORD).make("clerk1")
        display = _display(sp.url)
        try:
            _post(sp.url, "/windows/w1/sign-in", clerk)
            _post(sp.url, "/tickets", json={"category": "general"}, status=201)
            number = _post(sp.url, "/windows/w1/next", clerk)["number"]
            wait_until(lambda: _announced(display) == [number],
                       what=f"{number} announced on the screen")
            assert [m["ticket"] for m in display.of_type("call")] == [number]
            seqs = [m["seq"] for m in display.events]
            assert seqs == list(range(display.snapshot["seq"] + 1, display.snapshot["seq"] + len(seqs) + 1))
        finally:
            display.close()
    finally:
        sp.stop()
    assert "Traceback" not in sp.output(), sp.output()
