"""Shared fixtures: a controllable clock, apps on SQLite and PostgreSQL, a real
server on a free port, and headless Chromium.

Fixtures only: the helpers behind them live in tests/support (on sys.path through
pytest's `pythonpath`), imported by name, e.g. `from support.wait import wait_until`."""
from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from support import pg
from support.accounts import ADMIN_PASSWORD, Http, Staff
from support.browser import CHROMIUM, CHROMIUM_ARGS, screenshot
from support.clock import FakeClock
from support.devices import equip_admin, paired_context
from support.halls import demo_config
from support.media import phonemes, sox_stat, zbar_read
from support.servers import LiveServer

from onewindow.server.app import create_app
from onewindow.server.config import Config
from onewindow.server.services import auth
from onewindow.server.settings import Settings
from onewindow.server.store import migrate

auth.use_cheap_hashing_for_tests()


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_template():
    yield
    pg.drop_template()


# ----- time, configuration, databases --------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="demo_config")
def _demo_config():
    """`demo_config(enforce_hours=False, replace={...})`, as a fixture (support.halls)."""
    return demo_config


@pytest.fixture
def pg_url():
    """A fresh, migrated PostgreSQL database (skipped, or failed on CI, when none answers)."""
    pg.require_pg()
    with pg.fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """None (SQLite in the data dir), then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated once per session, copied into each test's data dir."""
    path = tmp_path_factory.mktemp("template") / "onewindow.db"
    migrate.upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


# ----- the app ---------------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path, clock, sqlite_template) -> Settings:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(sqlite_template, data / "onewindow.db")
    # printer_offline_after_s=0: printer tests see "offline" at once (tests/dashboard/ debounces it).
    return Settings(data_dir=data, admin_password=ADMIN_PASSWORD, clock=clock, speech="fake",
                    printer="none", printer_offline_after_s=0)


@pytest.fixture
def make_client(settings):
    """Build an app (optionally with another config or database) and a TestClient on it.
    The client is a paired kiosk and rating pad of every hall, as the hall's own devices
    are (support.devices; `client.devices.token(hall, kind)`); `paired=False`: a bare client."""
    from starlette.testclient import TestClient

    stack = contextlib.ExitStack()

    def make(config: Config | None = None, paired: bool = True, **overrides):
        s = Settings(**{**settings.__dict__, **overrides})
        app = create_app(s, config or demo_config())
        client = stack.enter_context(TestClient(app))
        if paired:
            client.devices = equip_admin(client, s.admin_password)
        return client

    with stack:
        yield make


@pytest.fixture
def client(make_client, database_url):
    return make_client(database_url=database_url)


@pytest.fixture
def staff(client) -> Staff:
    """Accounts made through the client's API (support.accounts.Staff)."""
    return Staff(client)


@pytest.fixture
def live_server(settings):
    """Start a real server: `live_server(config=None, **settings_overrides)`."""
    stack = contextlib.ExitStack()

    def start(config: Config | None = None, **overrides) -> LiveServer:
        s = Settings(**{**settings.__dict__, **overrides})
        return stack.enter_context(LiveServer(create_app(s, config or demo_config())))

    with stack:
        yield start


@pytest.fixture
def http(settings):
    """`http(base_url)`: a support.accounts.Http signed in as admin, closed after the test."""
    made: list[Http] = []

    def make(base_url: str, password: str | None = None) -> Http:
        h = Http(base_url, password or settings.admin_password)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


# ----- looking at what came out ------------------------------------------------------------------------


@pytest.fixture(name="sox_stat")
def _sox_stat():
    return sox_stat


@pytest.fixture(name="phonemes")
def _phonemes():
    return phonemes


@pytest.fixture
def zbar(tmp_path):
    """`zbar(image)`: every QR code in a PIL image, read with zbarimg as a phone would."""
    return lambda image: zbar_read(image, tmp_path)


@pytest.fixture(name="screenshot")
def _screenshot():
    """`screenshot(page, name)`: a PNG in test-artifacts/ for a person to look at; its path."""
    return screenshot


# ----- headless Chromium --------------------------------------------------------------------------------


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


@pytest.fixture
def device_context(browser, settings):
    """`device_context(base_url, kind="kiosk", hall="eco", kiosk=None, **context_options)`: a browser
    context that is a paired kiosk (or pad) of the hall, as the hall's own devices are."""
    return lambda base_url, kind="kiosk", hall="eco", kiosk=None, **kw: paired_context(
        browser, base_url, settings.admin_password, kind, hall, kiosk, **kw)
