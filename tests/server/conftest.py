"""Helpers for the hall-core tests: the root conftest's functions as fixtures,
a small hall config without posts, and a thin HTTP client for live servers.

The root tests/conftest.py is reached through its `root_conftest` fixture, never
by `import conftest` (several conftest.py files live in folders without
__init__.py, so that name is ambiguous)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

VENV_BIN = Path(sys.executable).parent
HALL = "eco"


@pytest.fixture
def fresh_pg_database(root_conftest):
    return root_conftest.fresh_pg_database


@pytest.fixture
def pg_url(root_conftest):
    """A fresh PostgreSQL database (skipped, or failed on CI, when none answers)."""
    if not root_conftest.pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    with root_conftest.fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def backend_env(request):
    """The environment of a server process on a fresh database of each kind
    (SQLite lives in ONEWINDOW_DATA_DIR, which the test sets)."""
    if request.param == "sqlite":
        return {}
    return {"ONEWINDOW_DATABASE_URL": request.getfixturevalue("pg_url")}


@pytest.fixture
def admin_password(settings) -> str:
    return settings.admin_password


def _hall_toml(windows: int = 8, hall: str = "t", posts: bool = False) -> str:
    """A hall with two categories (A, B) and `windows` fifo windows serving both;
    without posts any clerk may sign in anywhere."""
    out = [
        "[[halls]]", f'id = "{hall}"', 'name = "测试大厅"', "enforce_hours = false", "",
        "[[halls.categories]]", 'code = "general"', 'prefix = "A"', 'name = "综合"', "",
        "[[halls.categories]]", 'code = "other"', 'prefix = "B"', 'name = "其他"', "",
    ]
    for i in range(1, windows + 1):
        out += ["[[halls.windows]]", f'id = "w{i}"', f'name = "{i}号窗口"', 'categories = ["general", "other"]']
        if posts:
            out += [f'a_clerk = "clerk{i}"']
        out.append("")
    return "\n".join(out)


@pytest.fixture
def hall_toml():
    """`hall_toml(windows=8, hall="t", posts=False)`: the TOML text of a small hall."""
    return _hall_toml


@pytest.fixture
def small_config():
    """`small_config(windows=8, ...)`: a parsed small hall (see hall_toml)."""
    from onewindow.server.config import parse_config

    def make(windows: int = 8, **kw):
        return parse_config(_hall_toml(windows, **kw), "test_hall.toml")

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Http:
    """Accounts and calls against a real server over HTTP (thread-safe: httpx.Client)."""

    def __init__(self, base_url: str, admin_password: str, timeout: float = 30):
        self.c = httpx.Client(base_url=base_url, timeout=timeout, limits=httpx.Limits(max_connections=256))
        self.admin = bearer(self.login("admin", admin_password))

    def login(self, username: str, password: str) -> str:
        r = self.c.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def clerk(self, username: str, role: str = "clerk") -> dict:
        r = self.c.post("/api/v1/users", headers=self.admin, json={
            "username": username, "password": f"{username}-password", "role": role, "display_name": username})
        assert r.status_code == 201, r.text
        return bearer(self.login(username, f"{username}-password"))

    def close(self) -> None:
        self.c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Poll /healthz of a server started as a subprocess (real time: it is a real process)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            r = httpx.get(f"{url}/healthz", timeout=2)
            if r.status_code == 200:
                return
            last = r.status_code
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} not healthy: {last}")


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server we started (and its workers: it leads its own session)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)


@pytest.fixture
def http(admin_password):
    """`http(base_url)`: an `Http` signed in as admin, closed after the test."""
    made: list[Http] = []

    def make(base_url: str, password: str | None = None) -> Http:
        h = Http(base_url, password or admin_password)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


class ServerProcess:
    """A server run as a real process (its own session, so its workers go with it)."""

    def __init__(self, args: list[str], env: dict, port: int, cwd: Path, log: Path):
        self.args, self.env, self.port, self.cwd, self.log = args, env, port, cwd, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "ServerProcess":
        out = open(self.log, "ab")
        try:
            self.proc = subprocess.Popen(self.args, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            out.close()
        wait_healthy(self.url, self.proc, timeout)
        return self

    def kill9(self) -> None:
        os.killpg(self.proc.pid, 9)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def server_process(tmp_path, root_conftest):
    """`server_process(args, env_overrides)`: start `args` (with `{port}` filled in) as a process
    and wait until /healthz answers; stopped after the test."""
    made: list[ServerProcess] = []

    def make(args: list[str], env: dict | None = None, start: bool = True, cwd: Path | None = None) -> ServerProcess:
        port = root_conftest.free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
        full_env.update(env or {})
        sp = ServerProcess([a.format(port=port) for a in args], full_env, port, cwd or tmp_path,
                           tmp_path / f"server-{len(made)}.log")
        made.append(sp)
        if start:
            sp.start()
        return sp

    yield make
    for sp in made:
        sp.stop()
