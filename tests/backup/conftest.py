"""Fixtures of the backup tests: `onewindow serve` as a real process."""
from __future__ import annotations

from pathlib import Path

import pytest
from support.servers import ServerProcess, clean_env, free_port


@pytest.fixture
def server_process(tmp_path):
    """`server_process(args, env_overrides)`: start `args` (with `{port}` filled in) as a process and
    wait until /healthz answers; stopped after the test."""
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
