"""Fixtures of the kiosk, printing and tracking tests; helpers live in
kiosk_helpers.py. The root conftest's functions are reached through its
`root_conftest` fixture, never by `import conftest`."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from kiosk_helpers import PRINTER_FAKES, ROOT, Clerks, printers_toml


@pytest.fixture
def hall_config(root_conftest):
    """`hall_config(printers=printers_toml(...), replace={...}, enforce_hours=False)`: the demo
    hall with its printer sections replaced."""
    demo = (ROOT / "queue" / "server" / "config" / "demo_hall.toml").read_text(encoding="utf-8")
    start = demo.index("[[halls.printers]]")
    shipped = demo[start:]

    def make(printers: str | None = None, replace: dict | None = None, enforce_hours: bool = False):
        edits = {shipped: printers if printers is not None else printers_toml()}
        edits.update(replace or {})
        return root_conftest.demo_config(enforce_hours=enforce_hours, replace=edits)

    return make


@pytest.fixture
def kiosk_client(make_client, hall_config):
    """`kiosk_client(printers=..., replace=..., **settings)`: a TestClient that prints."""

    def make(printers: str | None = None, replace: dict | None = None, enforce_hours: bool = False, **settings):
        settings.setdefault("printer", "config")
        settings.setdefault("printer_poll_s", 0.2)
        return make_client(hall_config(printers, replace, enforce_hours), **settings)

    return make


@pytest.fixture
def fake_network_printer():
    server = PRINTER_FAKES.FakeNetworkPrinter()
    yield server
    server.close()


@pytest.fixture
def zbar(tmp_path):
    """Every QR code in an image, read with zbarimg as a phone would."""
    exe = shutil.which("zbarimg")
    assert exe, "zbarimg (zbar-tools) is required"

    def read(image) -> list[str]:
        path = tmp_path / "scan.png"
        image.convert("L").save(path)
        done = subprocess.run([exe, "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=30)
        return done.stdout.splitlines()

    return read


@pytest.fixture
def clerks(settings):
    return lambda http: Clerks(http, settings.admin_password)
