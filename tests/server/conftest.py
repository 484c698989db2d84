"""Fixtures of the hall-core tests: a small hall config without posts, the
environment of a server process on each database kind, and `onewindow serve`
run as a real process (helpers in tests/support)."""
from __future__ import annotations

from pathlib import Path

import pytest
from support import halls
from support.servers import ServerProcess, clean_env, free_port


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


@pytest.fixture
def hall_toml():
    """`hall_toml(windows=8, hall="t", posts=False)`: the TOML text of a small hall."""
    return halls.small_hall_toml


@pytest.fixture
def small_config():
    """`small_config(windows=8, ...)`: a parsed small hall (see hall_toml)."""
    return halls.small_config


@pytest.fixture
def server_process(tmp_path):
    """`server_process(args, env_overrides)`: start `args` (with `{port}` filled in) as a process
    and wait until /healthz answers; stopped after the test."""
    made: list[ServerProcess] = []

    def make(args: list[str], env: dict | None = None, start: bool = True, cwd: Path | None = None) -> ServerProcess:
        port = free_port()
        sp = ServerProcess([a.format(port=port) for a in args], clean_env(**(env or {})), port, cwd or tmp_path,
                           tmp_path / f"server-{len(made)}.log")
        made.append(sp)
        if start:
            sp.start()
        return sp

    yield make
    for sp in made:
        sp.stop()
