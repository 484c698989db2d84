"""Revocation across server processes (issue 13, point 7): two `onewindow serve`
processes on one database and one Redis. A session signed out, or a user
deactivated, through one process stops working at once in the other, although
that process had the token in its cache (which used to keep it for 30 s), and
the other process closes the user's console socket with 4401."""
from __future__ import annotations

import httpx
import pytest
from support.accounts import ADMIN_PASSWORD, Accounts, bearer
from support.halls import small_hall_toml
from support.servers import ONEWINDOW, ServerProcess, clean_env, free_port
from support.sockets import LiveSocket
from support.wait import wait_until

# Two server processes started for each test: ~5 s.
pytestmark = pytest.mark.slow
HALL = "t"
# Well under the token cache's 30 s: only the control message can make it.
AT_ONCE_S = 5


@pytest.fixture
def two_processes(tmp_path, redis_url, prefix):
    cfg = tmp_path / "hall.toml"
    cfg.write_text(small_hall_toml(2, hall=HALL), encoding="utf-8")
    procs = []
    for k in (0, 1):
        port = free_port()
        env = clean_env(ONEWINDOW_ADMIN_PASSWORD=ADMIN_PASSWORD, ONEWINDOW_SPEECH="off", ONEWINDOW_PRINTER="none",
                        ONEWINDOW_REDIS_PREFIX=prefix)
        args = [ONEWINDOW, "serve", "--config", str(cfg), "--data-dir", str(tmp_path / "data"), "--port", str(port),
                "--redis-url", redis_url]
        procs.append(ServerProcess(args, env, port, tmp_path, tmp_path / f"server-{k}.log"))
    try:
        for sp in procs:
            sp.start(timeout=90)
        yield procs
    finally:
        for sp in procs:
            sp.stop()


def _me(url: str, headers: dict) -> int:
    return httpx.get(f"{url}/api/v1/auth/me", headers=headers, timeout=10).status_code


@pytest.mark.parametrize("how", ["logout", "deactivate"])
def test_revocation_reaches_the_other_process_at_once(two_processes, how):
    a, b = (sp.url for sp in two_processes)
    with httpx.Client(base_url=a, timeout=30) as http:
        staff = Accounts(http, keep_cookies=False)
        lina = staff.make("lina")
        assert _me(b, lina) == 200  # the other process has it in its cache now
        console = LiveSocket(b.replace("http://", "ws://") + f"/ws/halls/{HALL}/console", headers=lina)
        try:
            assert console.snapshot["type"] == "snapshot"
            if how == "logout":
                assert http.post("/api/v1/auth/logout", headers=lina).status_code == 200
            else:
                assert http.post("/api/v1/users/lina/deactivate", headers=staff.admin).status_code == 200
            wait_until(lambda: _me(b, lina) == 401, timeout=AT_ONCE_S, interval=0.05,
                       what="the other process refusing the revoked token")
            wait_until(lambda: console.close_code is not None, timeout=AT_ONCE_S, interval=0.05,
                       what="the other process closing the console socket")
            assert console.close_code == 4401
        finally:
            console.close()
        assert _me(a, lina) == 401
        assert _me(b, bearer("not-a-token")) == 401
