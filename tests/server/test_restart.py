"""A hard kill (kill -9) of `onewindow serve` in the middle of a load of
issues and calls loses nothing that was answered with success."""
from __future__ import annotations

import collections
import threading
from pathlib import Path

import httpx
import pytest
from support.halls import A_POSTS as POSTS
from support.halls import HALL
from support.servers import ONEWINDOW
from support.wait import wait_until

CATEGORIES = ["eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist"]


class Load:
    """Issuers and windows hammering a server; what it acknowledged is kept."""

    def __init__(self, url: str, clerks: dict[str, dict], kiosk: dict):
        self.url, self.clerks = url, clerks
        self.kiosk = kiosk  # the X-Device-Token of the hall's paired kiosk: its tickets are never limited
        self.lock = threading.Lock()
        self.issued: dict[int, dict] = {}  # id -> the 201 answer
        self.called: dict[int, tuple[str, str]] = {}  # id -> (window, number) from a 200 answer to next
        self.unexpected: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._issuer, args=(k,), daemon=True) for k in range(4)]
        self.threads += [threading.Thread(target=self._window, args=(w, h), daemon=True) for w, h in clerks.items()]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=60)
            assert not t.is_alive()

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.issued), len(self.called)

    def _issuer(self, k: int) -> None:
        i = 0
        with httpx.Client(base_url=self.url, timeout=30, headers=self.kiosk) as c:
            while not self.stop.is_set():
                i += 1
                cat = CATEGORIES[(k + i) % len(CATEGORIES)]
                try:
                    r = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code != 201:
                    self.unexpected.append(f"issue {r.status_code} {r.text}")
                    continue
                with self.lock:
                    self.issued[r.json()["id"]] = r.json()

    def _window(self, window: str, headers: dict) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as c:
            while not self.stop.is_set():
                try:
                    r = c.post(f"/api/v1/halls/{HALL}/windows/{window}/next", headers=headers)
                except httpx.HTTPError:
                    return
                if r.status_code == 204:
                    self.stop.wait(0.005)  # an empty queue: press again in a moment (or stop)
                    continue
                if r.status_code != 200:
                    self.unexpected.append(f"next {r.status_code} {r.text}")
                    continue
                t = r.json()
                with self.lock:
                    self.called[t["id"]] = (window, t["number"])


def _serve(server_process, data_dir: Path, env: dict):
    return server_process([ONEWINDOW, "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", "{port}"],
                          env)


@pytest.mark.slow
def test_kill_9_loses_nothing_acknowledged(server_process, backend_env, http, tmp_path, admin_password):
    data_dir = tmp_path / "data"
    env = {"ONEWINDOW_ADMIN_PASSWORD": admin_password, "ONEWINDOW_SPEECH": "off", **backend_env}
    sp = _serve(server_process, data_dir, env)
    h = http(sp.url)
    clerks = {}
    for window, name in POSTS.items():
        clerks[window] = h.clerk(name)
        r = h.c.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=clerks[window])
        assert r.status_code == 200, r.text

    load = Load(sp.url, clerks, {"X-Device-Token": h.devices.token(HALL)})
    load.start()

    def well_into_the_load() -> bool:
        assert not load.unexpected, load.unexpected[:5]
        issued, called = load.counts()
        return issued >= 300 and called >= 100

    wait_until(well_into_the_load, timeout=120, what="300 issued and 100 called")
    sp.kill9()  # mid-load: requests are in flight
    load.stop.set()
    load.join()
    assert not load.unexpected, load.unexpected[:5]
    issued, called = dict(load.issued), dict(load.called)
    # (A ticket may be called before its issuer read the answer that the kill then cut off:
    # such a call is checked through the ticket's number below only if its issue was acknowledged.)

    sp2 = _serve(server_process, data_dir, env)  # restart on the same data
    with httpx.Client(base_url=sp2.url, timeout=30, headers=load.kiosk) as c:
        for tid, t in issued.items():
            r = c.get(f"/api/v1/tickets/{tid}", params={"token": t["track_token"]})
            assert r.status_code == 200, (t, r.text)
            got = r.json()
            assert got["number"] == t["number"]
            if tid in called:
                assert (got["status"], got["window"], got["number"]) == ("called", *called[tid]), (t, got)
            else:
                assert got["status"] in ("waiting", "called")
        # Numbers go on after the acknowledged ones: nothing acknowledged is handed out again.
        last = collections.defaultdict(int)
        for t in issued.values():
            last[t["number"][0]] = max(last[t["number"][0]], int(t["number"][1:]))
        r = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"})
        assert r.status_code == 201
        assert int(r.json()["number"][1:]) > last["A"]
        # The sessions and sign-ins answered before the kill are still there too.
        r = c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerks["w1"])
        assert r.status_code in (200, 204), r.text
        hall = c.get(f"/api/v1/halls/{HALL}").json()
        assert {w["id"]: w["signed_in"] for w in hall["windows"]} == POSTS
