"""Helpers of the kiosk, printing and tracking tests (imported by name, like
tests/console/console_helpers.py; conftest.py holds only fixtures).

The fake port-9100 printer of tests/printer/conftest.py is loaded from its
file: conftest.py files live in folders without __init__.py and are never
imported by name."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HALL = "eco"
CLERKS = {"w1": "zhangwei", "w2": "lina", "w3": "wangfang"}


def _load_printer_fakes():
    spec = importlib.util.spec_from_file_location("printer_fakes", ROOT / "tests" / "printer" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRINTER_FAKES = _load_printer_fakes()


def printers_toml(door: str = "fake", desk: str = "fake", door_policy: str = "issue", width: int = 576,
                  mode: str = "raster") -> str:
    """The demo hall's two printers with other drivers and policies."""
    return (f'[[halls.printers]]\nid = "door"\ndriver = "{door}"\nwidth = {width}\nmode = "{mode}"\n'
            f'when_unavailable = "{door_policy}"\nkiosks = ["door"]\n'
            f'notice = "过号请重新取号 / Missed numbers must take a new ticket"\n\n'
            f'[[halls.printers]]\nid = "desk"\ndriver = "{desk}"\nwidth = 576\nkiosks = []\n'
            f'windows = ["w1", "w2", "w3", "w4", "w5", "w6"]\n')


def runtime(client):
    return client.app.state.runtime


def driver(client, printer: str = "door"):
    return runtime(client).printing.slots[f"{HALL}/{printer}"].driver


def until(predicate, timeout: float = 5.0, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.02)


def printer_state(client, printer: str = "door") -> str:
    view = client.get(f"/api/v1/halls/{HALL}/kiosk").json()
    if printer == "door":
        return view["printer"]["state"]
    return next(p["state"] for p in runtime(client).printing.printers(HALL) if p["printer"] == printer)


class Clerks:
    """Demo-hall clerks over a TestClient or an httpx.Client."""

    def __init__(self, http, admin_password: str):
        self.http = http
        r = http.post("/api/v1/auth/login", json={"username": "admin", "password": admin_password})
        assert r.status_code == 200, r.text
        self.admin = {"Authorization": f"Bearer {r.json()['token']}"}
        self.tokens: dict[str, dict] = {}

    def user(self, username: str, role: str = "clerk", display_name: str = "") -> dict:
        if username not in self.tokens:
            r = self.http.post("/api/v1/users", headers=self.admin, json={
                "username": username, "password": f"{username}-password", "role": role,
                "display_name": display_name or username})
            assert r.status_code == 201, r.text
            r = self.http.post("/api/v1/auth/login", json={"username": username, "password": f"{username}-password"})
            self.tokens[username] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self.tokens[username]

    def at(self, window: str, display_name: str = "") -> dict:
        h = self.user(CLERKS[window], display_name=display_name)
        r = self.http.post(f"/api/v1/halls/{HALL}/windows/{window}/sign-in", headers=h)
        assert r.status_code == 200, r.text
        return h

    def post(self, path: str, headers: dict, **body) -> dict:
        r = self.http.post(path, headers=headers, json=body or None)
        assert r.status_code == 200, r.text
        return r.json()
