"""A server process moves what it loaded at start out of the collector's sight
(full collections walking it stalled requests ~90 ms under load)."""
from __future__ import annotations

import gc

from onewindow.server.settings import Settings


def test_a_server_process_freezes_what_it_loaded_and_a_test_app_does_not(make_client):
    assert Settings.from_env().freeze_gc and not Settings().freeze_gc
    gc.unfreeze()
    make_client()
    assert gc.get_freeze_count() == 0
    try:
        make_client(freeze_gc=True)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the rest of the suite collects as usual
