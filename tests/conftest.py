"""Shared fixtures: a controllable clock, apps on SQLite and PostgreSQL, a
real server on a free port, and headless Chromium."""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from onewindow.server.services import auth
from onewindow.server.store import migrate
from onewindow.server.app import create_app
from onewindow.server.config import Config, demo_config_path, parse_config
from onewindow.server.settings import Settings

ADMIN_PASSWORD = "admin-pass-123"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SHANGHAI = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """Time the tests set and move; never sleeps."""

    def __init__(self, start: datetime | None = None):
        self.now = (start or datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, when: datetime) -> None:
        self.now = when.timestamp()


def demo_config(enforce_hours: bool = False, replace: dict[str, str] | None = None) -> Config:
    """The demo hall; `replace` edits its TOML text literally (first occurrence of each key)."""
    text = demo_config_path().read_text(encoding="utf-8")
    text = text.replace("enforce_hours = false", f"enforce_hours = {str(enforce_hours).lower()}")
    for old, new in (replace or {}).items():
        assert old in text, f"demo config has no {old!r}"
        text = text.replace(old, new, 1)
    return parse_config(text, "demo_hall.toml")


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure: not available
        return False


auth.use_cheap_hashing_for_tests()
_PG_TEMPLATE: list[str] = []


def _pg_template() -> str:
    """A database migrated once per session; each test's database is a copy of it."""
    if not _PG_TEMPLATE:
        import psycopg

        name = f"ow_tpl_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        migrate.upgrade(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        _PG_TEMPLATE.append(name)
    return _PG_TEMPLATE[0]


@contextlib.contextmanager
def fresh_pg_database(migrated: bool = True):
    """A new PostgreSQL database for one test (already migrated unless told), dropped afterwards."""
    import psycopg

    name = f"ow_{secrets.token_hex(6)}"
    template = f' TEMPLATE "{_pg_template()}"' if migrated else ""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_THIS = sys.modules[__name__]


@pytest.fixture(scope="session")
def root_conftest():
    """This module, for the folders' own conftests and tests: several conftest.py
    live in folders without __init__.py, so `import conftest` is ambiguous."""
    return _THIS


def sox_stat(path: Path) -> dict[str, float]:
    """`sox FILE -n stat` as numbers, e.g. {'Length (seconds)': 3.2, 'RMS amplitude': 0.1}."""
    out = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True, timeout=30,
    ).stderr
    stats = {}
    for line in out.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            try:
                stats[" ".join(name.split())] = float(value)
            except ValueError:
                pass
    return stats


@pytest.fixture(name="sox_stat")
def _sox_stat():
    return sox_stat


@pytest.fixture(name="demo_config")
def _demo_config():
    """`demo_config(enforce_hours=False, replace={...})`, as a fixture."""
    return demo_config


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_template():
    yield
    if _PG_TEMPLATE:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_PG_TEMPLATE[0]}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield None
        return
    if not pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated once per session, copied into each test's data dir."""
    path = tmp_path_factory.mktemp("template") / "onewindow.db"
    migrate.upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def settings(tmp_path, clock, sqlite_template) -> Settings:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(sqlite_template, data / "onewindow.db")
    return Settings(data_dir=data, admin_password=ADMIN_PASSWORD, clock=clock, speech="fake",
                    printer="none")


@pytest.fixture
def make_client(settings):
    """Build an app (optionally with another config or database) and a TestClient on it."""
    from starlette.testclient import TestClient

    stack = contextlib.ExitStack()

    def make(config: Config | None = None, **overrides):
        s = Settings(**{**settings.__dict__, **overrides})
        app = create_app(s, config or demo_config())
        return stack.enter_context(TestClient(app))

    with stack:
        yield make


@pytest.fixture
def client(make_client, database_url):
    return make_client(database_url=database_url)


class Staff:
    """Accounts made through the API, with their tokens."""

    def __init__(self, client):
        self.client = client
        r = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        self.admin = {"Authorization": f"Bearer {r.json()['token']}"}

    def make(self, username: str, role: str = "clerk", display_name: str = "") -> dict:
        r = self.client.post("/api/v1/users", headers=self.admin, json={
            "username": username, "password": f"{username}-password", "role": role,
            "display_name": display_name or username})
        assert r.status_code == 201, r.text
        r = self.client.post("/api/v1/auth/login", json={"username": username, "password": f"{username}-password"})
        return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def staff(client) -> Staff:
    return Staff(client)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", loop="asyncio",
                                ws="websockets-sansio", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def live_server(settings):
    """Start a real server: `live_server(config=None, **settings_overrides)`."""
    stack = contextlib.ExitStack()

    def start(config: Config | None = None, **overrides) -> LiveServer:
        s = Settings(**{**settings.__dict__, **overrides})
        return stack.enter_context(LiveServer(create_app(s, config or demo_config())))

    with stack:
        yield start


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")  # not session: its event loop would break later asyncio tests
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser_factory(playwright_instance):
    """`browser_factory(autoplay=True)` launches Chromium with our flags."""
    browsers = []

    def launch(autoplay: bool = True):
        args = list(CHROMIUM_ARGS)
        if autoplay:
            args.append("--autoplay-policy=no-user-gesture-required")
        b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        browsers.append(b)
        return b

    yield launch
    for b in browsers:
        b.close()


@pytest.fixture
def browser(browser_factory):
    return browser_factory()


def screenshot(page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
