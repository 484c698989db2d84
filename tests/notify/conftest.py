"""Notification tests' fixtures: a local SMSC and server processes (helpers: support.notify)."""
from __future__ import annotations

from pathlib import Path

import pytest
from support.servers import ServerProcess, clean_env, free_port
from support.smsc import Smsc


@pytest.fixture
def smsc():
    with Smsc() as s:
        yield s


@pytest.fixture
def server_process(tmp_path):
    """`server_process(args, env)`: `args` ({port} filled in) as a real process, started and
    healthy; stopped after the test."""
    made: list[ServerProcess] = []

    def make(args: list[str], env: dict | None = None, cwd: Path | None = None) -> ServerProcess:
        port = free_port()
        sp = ServerProcess([a.format(port=port) for a in args], clean_env(**(env or {})), port, cwd or tmp_path,
                           tmp_path / f"server-{len(made)}.log")
        made.append(sp)
        sp.start()
        return sp

    yield make
    for sp in made:
        sp.stop()
