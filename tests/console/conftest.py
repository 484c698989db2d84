"""Fixtures of the console and A/B coverage tests; the helpers live in
console_helpers.py. The root conftest's plain functions are reached through
its `root_conftest` fixture, never by `import conftest`."""
from __future__ import annotations


import pytest
from console_helpers import Desk, split_replace



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
