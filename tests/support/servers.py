"""Servers for tests: free ports, the app served by uvicorn in a thread, and
`onewindow serve` (or any command) run as a real process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from support.wait import wait_until

ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict:
    """This process's environment without any ONEWINDOW_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env.update(extra)
    return env


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

    def _started(self) -> bool:
        if not self.thread.is_alive() and not self.server.started:
            raise RuntimeError("server did not start")
        return self.server.started

    def __enter__(self):
        self.thread.start()
        wait_until(self._started, timeout=20, what="the server's start")
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=20)


def healthy(url: str, proc: subprocess.Popen | None = None) -> bool:
    """Whether /healthz answers 200; RuntimeError if `proc` (the server) has exited."""
    if proc is not None and proc.poll() is not None:
        raise RuntimeError(f"server exited with {proc.returncode}")
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Wait until /healthz of a server started as a subprocess answers."""
    wait_until(lambda: healthy(url, proc), timeout=timeout, interval=0.1, what=f"{url}/healthz")


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


class ServerProcess:
    """A server run as a real process (its own session, so its workers go with it)."""

    def __init__(self, args: list[str], env: dict, port: int, cwd: Path, log: Path):
        self.args, self.env, self.port, self.cwd, self.log = args, env, port, cwd, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> ServerProcess:
        """Start it and wait until /healthz answers."""
        self.launch()
        wait_healthy(self.url, self.proc, timeout)
        return self

    def launch(self) -> ServerProcess:
        """Start it, without waiting."""
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.args, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def kill9(self) -> None:
        os.killpg(self.proc.pid, 9)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
