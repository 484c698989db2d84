"""The real server, `onewindow serve --workers 2 --redis-url ...`: call screens
connected to both processes see every call, whichever process made it, with
contiguous seq; each call is announced once; both processes' views agree."""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from broker_helpers import free_port

HALL = "t"
WINDOWS = 4
CALLS = 48
DISPLAYS = 7  # odd: the processes cannot hold equal numbers of them
ADMIN_PASSWORD = "admin-pass-123"
ONEWINDOW = Path(sys.executable).parent / "onewindow"


def _hall_toml() -> str:
    out = ["[[halls]]", f'id = "{HALL}"', 'name = "测试大厅"', "enforce_hours = false", "",
           "[[halls.categories]]", 'code = "general"', 'prefix = "A"', 'name = "综合"', "",
           "[[halls.categories]]", 'code = "other"', 'prefix = "B"', 'name = "其他"', ""]
    for i in range(1, WINDOWS + 1):
        out += ["[[halls.windows]]", f'id = "w{i}"', f'name = "{i}号窗口"', 'categories = ["general", "other"]', ""]
    return "\n".join(out)


@pytest.fixture(params=["sqlite", "postgres"])
def database_env(request, root_conftest):
    if request.param == "sqlite":
        yield {}
        return
    root = root_conftest
    if not root.pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    with root.fresh_pg_database() as url:
        yield {"ONEWINDOW_DATABASE_URL": url}


@pytest.fixture
def two_workers(tmp_path, redis_url, prefix, database_env):
    cfg = tmp_path / "hall.toml"
    cfg.write_text(_hall_toml(), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env.update(ONEWINDOW_ADMIN_PASSWORD=ADMIN_PASSWORD, ONEWINDOW_SPEECH="off", ONEWINDOW_PRINTER="none",
               ONEWINDOW_REDIS_PREFIX=prefix, **database_env)
    log = tmp_path / "server.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(ONEWINDOW), "serve", "--config", str(cfg), "--data-dir", str(tmp_path / "data"),
                                 "--port", str(port), "--workers", "2", "--redis-url", redis_url],
                                env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(re.findall("Application startup complete", log.read_text(errors="replace"))) < 2:
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the two workers did not start:\n" + log.read_text(errors="replace")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}", log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)


class Display:
    """A call screen's socket, read in a thread: (arrival time, message) pairs."""

    def __init__(self, host: str):
        from websockets.sync.client import connect

        self.ws = connect(f"ws://{host}/ws/halls/{HALL}/display", open_timeout=10, close_timeout=2, legacy=True)
        self.snapshot = json.loads(self.ws.recv(timeout=10))
        self.got: list[tuple[float, dict]] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                text = self.ws.recv(timeout=0.1)
            except TimeoutError:
                continue
            except Exception:
                return
            self.got.append((time.monotonic(), json.loads(text)))

    def of_type(self, t: str) -> list[dict]:
        return [m for _, m in self.got if m["type"] == t]

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self.ws.close()


def _subscribers_seen(host: str, scrapes: int = 30) -> set[int]:
    """The display subscriber counts the processes report (each scrape on a new connection)."""
    seen = set()
    for _ in range(scrapes):
        with httpx.Client(base_url=f"http://{host}", timeout=10) as c:
            text = c.get("/metrics").text
        m = re.search(r'^onewindow_websocket_subscribers\{hall="t"\} (\d+)', text, re.M)
        seen.add(int(float(m.group(1))))
    return seen


def _broker_seen(host: str, scrapes: int = 30) -> set[tuple[int, int]]:
    """(Redis up, this process leads) as the processes' /metrics report them."""
    seen = set()
    for _ in range(scrapes):
        with httpx.Client(base_url=f"http://{host}", timeout=10) as c:
            text = c.get("/metrics").text
        up = re.search(r"^onewindow_broker_up (\S+)", text, re.M).group(1)
        lead = re.search(r"^onewindow_broker_leader (\S+)", text, re.M).group(1)
        seen.add((int(float(up)), int(float(lead))))
    return seen


def _wait(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.mark.slow
def test_calls_on_either_process_reach_every_screen_in_order(two_workers):
    host, log = two_workers
    base = f"http://{host}"
    with httpx.Client(base_url=base, timeout=30) as c:
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        clerks = {}
        for i in range(1, WINDOWS + 1):
            assert c.post("/api/v1/users", headers=admin, json={
                "username": f"clerk{i}", "password": f"clerk{i}-password", "role": "clerk",
                "display_name": f"clerk{i}"}).status_code == 201
            token = c.post("/api/v1/auth/login", json={"username": f"clerk{i}",
                                                        "password": f"clerk{i}-password"}).json()["token"]
            clerks[f"w{i}"] = {"Authorization": f"Bearer {token}"}
    internal = _subscribers_seen(host, 10)
    assert len(internal) == 1, internal  # the processes' own subscribers (announcer, coverage watch)
    base_subs = internal.pop()

    # Every request on a new connection, so both processes take requests.
    for w, headers in clerks.items():
        assert httpx.post(f"{base}/api/v1/halls/{HALL}/windows/{w}/sign-in", headers=headers,
                          timeout=30).status_code == 200
    for i in range(CALLS):
        r = httpx.post(f"{base}/api/v1/halls/{HALL}/tickets", json={"category": "general" if i % 3 else "other"},
                       timeout=30)
        assert r.status_code == 201, r.text

    # An answer does not wait for the other process to apply the event: let both views settle
    # (a hall's waiting counts come from the view of whichever process answers).
    def settled() -> bool:
        return all(sum(c["waiting"] for c in httpx.get(f"{base}/api/v1/halls/{HALL}", timeout=30)
                       .json()["categories"]) == CALLS for _ in range(20))

    _wait(settled, 10, "the processes' views did not agree on the queue")
    displays = [Display(host) for _ in range(DISPLAYS)]
    try:
        per_process = {n - base_subs for n in _subscribers_seen(host)}
        assert len(per_process) == 2 and 0 not in per_process, (
            f"the screens did not land on both processes: {per_process}")
        for d in displays:  # both processes' views are equal: every screen starts from the same snapshot
            assert d.snapshot == displays[0].snapshot
        assert _broker_seen(host) == {(1, 0), (1, 1)}, "both processes reach Redis; exactly one leads"

        called, answered_at = [], {}
        for i in range(CALLS):
            w = f"w{i % WINDOWS + 1}"
            r = httpx.post(f"{base}/api/v1/halls/{HALL}/windows/{w}/next", headers=clerks[w], timeout=30)
            assert r.status_code == 200, r.text
            called.append(r.json()["number"])
            answered_at[r.json()["number"]] = time.monotonic()
        assert len(set(called)) == CALLS

        _wait(lambda: all(len(d.of_type("call")) >= CALLS for d in displays), 20,
              "a call did not reach every screen")
        _wait(lambda: all(len(d.of_type("announce")) >= CALLS for d in displays), 30,
              "a call was not announced on every screen")
        time.sleep(0.5)  # time enough for a duplicate to arrive, were there one
        first = [m for _, m in displays[0].got]
        lags = []
        for d in displays:
            msgs = [m for _, m in d.got]
            assert [m["seq"] for m in msgs] == list(range(d.snapshot["seq"] + 1, d.snapshot["seq"] + len(msgs) + 1))
            assert msgs == first, "every screen got the same messages in the same order"
            calls = [m["ticket"] for m in d.of_type("call")]
            assert sorted(calls) == sorted(called), "every call once, on every screen"
            announced = [m["ticket"] for m in d.of_type("announce")]
            assert sorted(announced) == sorted(called), "every call announced once (by the process that made it)"
            lags += [t - answered_at[m["ticket"]] for t, m in d.got if m["type"] == "call"]
        lags.sort()
        p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
        assert p99 < 2.0, f"calls reached the screens late: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"

        # Screens connecting now, to either process, start from the same view.
        late = [Display(host) for _ in range(DISPLAYS)]
        displays += late
        for d in late:
            assert d.snapshot == late[0].snapshot
        assert {c["ticket"] for c in late[0].snapshot["calls"]} <= set(called)
        assert all(w["status"] == "serving" for w in late[0].snapshot["windows"])

        # Everyone signs out while a visitor waits: one process (the leader) raises the alert, once.
        assert httpx.post(f"{base}/api/v1/halls/{HALL}/tickets", json={"category": "general"},
                          timeout=30).status_code == 201
        for w, headers in clerks.items():
            assert httpx.post(f"{base}/api/v1/halls/{HALL}/windows/{w}/sign-out", headers=headers,
                              timeout=30).status_code == 200

        def reds(d):
            return [m for m in d.of_type("alert") if m["kind"] == "coverage" and m["level"] == "red"]

        _wait(lambda: all(reds(d) for d in displays), 15, "the coverage alert did not reach every screen")
        time.sleep(1.0)  # time enough for a second process's alert, were there one
        assert all(len(reds(d)) == 1 for d in displays), [len(reds(d)) for d in displays]
    finally:
        for d in displays:
            d.close()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text
