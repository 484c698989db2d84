"""Fixtures of the console and A/B coverage tests (the desk is support.console.Desk)."""
from __future__ import annotations

import pytest
from support.accounts import Staff
from support.console import Desk, split_replace


@pytest.fixture
def desk_factory(make_client, database_url, demo_config):
    """`desk_factory(mode="merge", split=True, **demo_config kwargs)`: a Desk on a fresh app
    (both backends, by the root `database_url` fixture)."""

    def make(mode: str = "merge", split: bool = True, replace: dict | None = None, enforce_hours: bool = False):
        edits = split_replace(mode) if split else {}
        if not split and mode != "merge":
            edits['coverage_mode = "merge"'] = f'coverage_mode = "{mode}"'
        edits.update(replace or {})
        client = make_client(demo_config(enforce_hours=enforce_hours, replace=edits), database_url=database_url)
        return Desk(client, Staff(client))

    return make


@pytest.fixture
def desk(desk_factory) -> Desk:
    """The demo hall with window 1 serving only eia and window 2 only permit (merge mode)."""
    return desk_factory()
