"""Fixtures of the console and A/B coverage tests; the helpers live in
console_helpers.py. The root conftest's plain functions are reached through
pytest's plugin manager, never by `import conftest` (several conftest.py files
live in folders without __init__.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from console_helpers import Desk, split_replace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root_conftest(pytestconfig):
    want = ROOT / "tests" / "conftest.py"
    for plugin in pytestconfig.pluginmanager.get_plugins():
        f = getattr(plugin, "__file__", None)
        if f and Path(f).resolve() == want:
            return plugin
    raise RuntimeError("tests/conftest.py is not loaded")


@pytest.fixture
def demo_config(root_conftest):
    """`demo_config(enforce_hours=False, replace={...})` from tests/conftest.py."""
    return root_conftest.demo_config


@pytest.fixture
def desk_factory(make_client, database_url, demo_config, root_conftest):
    """`desk_factory(mode="merge", split=True, **demo_config kwargs)`: a Desk on a fresh app
    (both backends, by the root `database_url` fixture)."""

    def make(mode: str = "merge", split: bool = True, replace: dict | None = None, enforce_hours: bool = False):
        edits = split_replace(mode) if split else {}
        if not split and mode != "merge":
            edits['coverage_mode = "merge"'] = f'coverage_mode = "{mode}"'
        edits.update(replace or {})
        client = make_client(demo_config(enforce_hours=enforce_hours, replace=edits), database_url=database_url)
        return Desk(client, root_conftest.Staff(client))

    return make


@pytest.fixture
def desk(desk_factory) -> Desk:
    """The demo hall with window 1 serving only eia and window 2 only permit (merge mode)."""
    return desk_factory()
