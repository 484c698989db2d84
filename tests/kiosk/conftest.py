"""Fixtures of the kiosk, printing and tracking tests (helpers in support.kiosk,
support.halls and support.printer)."""
from __future__ import annotations

import pytest
from support.halls import demo_with_printers
from support.kiosk import Clerks
from support.printer import FakeNetworkPrinter


@pytest.fixture
def hall_config():
    """`hall_config(printers=printers_toml(...), replace={...}, enforce_hours=False)`: the demo
    hall with its printer sections replaced."""
    return demo_with_printers


@pytest.fixture
def kiosk_client(make_client):
    """`kiosk_client(printers=..., replace=..., **settings)`: a TestClient that prints."""

    def make(printers: str | None = None, replace: dict | None = None, enforce_hours: bool = False, **settings):
        settings.setdefault("printer", "config")
        settings.setdefault("printer_poll_s", 0.2)
        return make_client(demo_with_printers(printers, replace, enforce_hours), **settings)

    return make


@pytest.fixture
def fake_network_printer():
    """A fake port-9100 printer on a free port of 127.0.0.1."""
    server = FakeNetworkPrinter()
    yield server
    server.close()


@pytest.fixture
def clerks(settings):
    """`clerks(http)`: demo-hall clerks (support.kiosk.Clerks) over that client."""
    return lambda http: Clerks(http, settings.admin_password)
