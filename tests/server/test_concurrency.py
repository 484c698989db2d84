"""Several windows pressing next at once never get the same ticket, and
concurrent issuing never duplicates a number: over real HTTP, on SQLite and
PostgreSQL, in one server process and in several."""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import random
import re
import sys
import threading

import httpx
import pytest

HALL = "t"  # the small test hall: windows w1..w8 serving categories general (A) and other (B), no posts
WINDOWS = 8


def _issue(c: httpx.Client, i: int) -> dict:
    cat = "general" if i % 3 else "other"
    prio = "priority" if i % 7 == 0 else "normal"
    r = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat, "priority": prio})
    assert r.status_code == 201, r.text
    return r.json()


def _press_until_empty(c: httpx.Client, headers: dict, window: str, barrier: threading.Barrier,
                       more_coming: threading.Event | None = None) -> list[dict]:
    """Press next as fast as the server answers until nothing waits (and nothing more is coming)."""
    got = []
    barrier.wait(timeout=60)
    while True:
        r = c.post(f"/api/v1/halls/{HALL}/windows/{window}/next", headers=headers)
        if r.status_code == 204:
            if more_coming is not None and more_coming.is_set():
                continue
            return got
        assert r.status_code == 200, r.text
        t = r.json()
        assert (t["window"], t["status"]) == (window, "called"), t
        got.append(t)


def _issue_while_calling(clients, clerks: dict, n: int) -> tuple[list[dict], dict[str, list[dict]]]:
    """Four issuers take n tickets while every window presses next until nothing is left.
    `clients()` gives each thread its client (a context manager)."""
    issuing = threading.Event()
    issuing.set()
    barrier = threading.Barrier(len(clerks) + 4)
    issued: list[dict] = []
    lock = threading.Lock()

    def issuer(k: int):
        with clients() as c:
            barrier.wait(timeout=60)
            for i in range(k, n, 4):
                t = _issue(c, i)
                with lock:
                    issued.append(t)

    def window(w: str, headers: dict):
        with clients() as c:
            return _press_until_empty(c, headers, w, barrier, issuing)

    with concurrent.futures.ThreadPoolExecutor(len(clerks) + 4) as pool:
        issuers = [pool.submit(issuer, k) for k in range(4)]
        futures = {w: pool.submit(window, w, headers) for w, headers in clerks.items()}
        try:
            for f in issuers:
                f.result(timeout=300)
        finally:
            issuing.clear()  # also when an issuer failed: the windows then stop once the queue is empty
        calls = {w: f.result(timeout=300) for w, f in futures.items()}
    return issued, calls


def _sign_in_clerks(h, windows: int = WINDOWS) -> dict[str, dict]:
    clerks = {}
    for i in range(1, windows + 1):
        headers = h.clerk(f"clerk{i}")
        r = h.c.post(f"/api/v1/halls/{HALL}/windows/w{i}/sign-in", headers=headers)
        assert r.status_code == 200, r.text
        clerks[f"w{i}"] = headers
    return clerks


def _check_once(issued: list[dict], calls: dict[str, list[dict]]) -> None:
    called = [t["id"] for got in calls.values() for t in got]
    dupes = [tid for tid, n in collections.Counter(called).items() if n > 1]
    assert not dupes, f"tickets called twice: {dupes}"
    assert sorted(called) == sorted(t["id"] for t in issued), "some ticket was never called (or a stranger was)"
    numbers = [t["number"] for t in issued]
    assert len(set(numbers)) == len(numbers), "a number was issued twice"
    for prefix in ("A", "B"):
        seqs = sorted(int(n[1:]) for n in numbers if n.startswith(prefix))
        assert seqs == list(range(1, len(seqs) + 1)), f"{prefix} numbers have gaps or repeats"


def test_eight_windows_call_a_pool_exactly_once(live_server, database_url, small_config, http):
    server = live_server(small_config(WINDOWS), database_url=database_url)
    h = http(server.url)
    clerks = _sign_in_clerks(h)
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        issued = list(pool.map(lambda i: _issue(h.c, i), range(240)))

    barrier = threading.Barrier(WINDOWS)
    with concurrent.futures.ThreadPoolExecutor(WINDOWS) as pool:
        futures = {w: pool.submit(_press_until_empty, h.c, headers, w, barrier) for w, headers in clerks.items()}
        calls = {w: f.result(timeout=300) for w, f in futures.items()}
    _check_once(issued, calls)
    assert sum(1 for got in calls.values() if got) >= 2, "the windows did not actually compete"

    # The server's own record agrees: each ticket is called, at the window that was answered.
    where = {t["id"]: w for w, got in calls.items() for t in got}
    for t in random.Random(1).sample(issued, 40):
        r = h.c.get(f"/api/v1/tickets/{t['id']}", params={"token": t["track_token"]})
        assert (r.json()["status"], r.json()["window"]) == ("called", where[t["id"]])
    for w, headers in clerks.items():
        assert h.c.post(f"/api/v1/halls/{HALL}/windows/{w}/next", headers=headers).status_code == 204


def test_issue_and_next_at_the_same_time(live_server, database_url, small_config, http):
    server = live_server(small_config(WINDOWS), database_url=database_url)
    h = http(server.url)
    clerks = _sign_in_clerks(h)
    issued, calls = _issue_while_calling(lambda: contextlib.nullcontext(h.c), clerks, 200)
    assert len(issued) == 200
    _check_once(issued, calls)


# ----- several server processes ------------------------------------------------------------


@pytest.mark.slow
def test_two_worker_processes(server_process, backend_env, hall_toml, http, tmp_path, admin_password):
    cfg = tmp_path / "hall.toml"
    cfg.write_text(hall_toml(WINDOWS), encoding="utf-8")
    env = {"ONEWINDOW_ADMIN_PASSWORD": admin_password, "ONEWINDOW_DATA_DIR": str(tmp_path / "data"),
           "ONEWINDOW_CONFIG": str(cfg), "ONEWINDOW_SPEECH": "off", **backend_env}
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # From the repository root, where the folder queue/ must not shadow the standard library's queue.
    sp = server_process([sys.executable, "-m", "uvicorn", "onewindow.server.app:create_app", "--factory",
                         "--workers", "2", "--host", "127.0.0.1", "--port", "{port}", "--log-level", "info"],
                        env, cwd=root)
    h = http(sp.url)
    clerks = _sign_in_clerks(h)
    # each thread its own connections, so both processes take requests
    kiosk = {"X-Device-Token": h.devices.token(HALL)}  # the hall's paired kiosk: never limited
    issued, calls = _issue_while_calling(lambda: httpx.Client(base_url=sp.url, timeout=60, headers=kiosk), clerks, 240)
    assert len(issued) == 240
    _check_once(issued, calls)

    log = sp.output()
    assert len(re.findall(r"Application startup complete", log)) == 2, log
    assert "Traceback" not in log and "ImportError" not in log, log
