"""Fixtures of the mobile outlet's tests (issue 18): the centre and vans of support/mobile.py."""
from __future__ import annotations

import contextlib

import pytest
from support.mobile import Van, make_centre


@pytest.fixture
def centre(tmp_path, settings):
    with make_centre(tmp_path, settings) as c:
        yield c


@pytest.fixture
def vans(tmp_path, centre):
    made: list[Van] = []

    def make(hall: str = "van1") -> Van:
        v = Van(tmp_path / hall, hall, centre)
        made.append(v)
        return v

    yield make
    for v in made:
        with contextlib.suppress(Exception):
            v.stop()


