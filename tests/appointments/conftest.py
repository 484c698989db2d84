"""Fixtures of the appointment tests: a server process on each database kind (as tests/server's)."""
from __future__ import annotations

from pathlib import Path

import pytest
from support.servers import ServerProcess, clean_env, free_port


@pytest.fixture(params=["sqlite", "postgres"])
def backend_env(request):
    if request.param == "sqlite":
        return {}
    return {"ONEWINDOW_DATABASE_URL": request.getfixturevalue("pg_url")}


@pytest.fixture
def server_process(tmp_path):
    made: list[ServerProcess] = []

    def make(args: list[str], env: dict | None = None, cwd: Path | None = None) -> ServerProcess:
        port = free_port()
        sp = ServerProcess([a.format(port=port) for a in args], clean_env(**(env or {})), port, cwd or tmp_path,
                           tmp_path / f"server-{len(made)}.log")
        made.append(sp)
        return sp.start()

    yield make
    for sp in made:
        sp.stop()


@pytest.fixture
def admin_password(settings) -> str:
    return settings.admin_password
