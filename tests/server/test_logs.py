"""The server's own INFO lines reach the log under `onewindow serve`'s set-up."""
from __future__ import annotations

import logging
import logging.config

import pytest

from onewindow.server.logs import log_config


@pytest.fixture
def restore_logging():
    saved = logging.getLogger("onewindow")
    state = (saved.handlers[:], saved.level, saved.propagate)
    yield
    saved.handlers[:], saved.level, saved.propagate = state


def test_the_days_turn_is_logged_at_info(restore_logging, capsys):
    logging.config.dictConfig(log_config("info"))
    logging.getLogger("onewindow.service").info("hall eco: 3 tickets left waiting from earlier days were cancelled")
    logging.getLogger("onewindow.service").debug("not shown at info")
    err = capsys.readouterr().err
    assert "INFO onewindow.service: hall eco: 3 tickets left waiting" in err
    assert "not shown" not in err


def test_a_quieter_level_and_a_bad_one(restore_logging, capsys):
    logging.config.dictConfig(log_config("warning"))
    logging.getLogger("onewindow.broker").info("took the lease")
    logging.getLogger("onewindow.broker").warning("redis unreachable")
    err = capsys.readouterr().err
    assert "redis unreachable" in err and "took the lease" not in err
    with pytest.raises(ValueError, match="log level"):
        log_config("loud")
