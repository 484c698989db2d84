"""Logging for `onewindow serve`: uvicorn's own set-up, plus the server's
`onewindow.*` loggers at ONEWINDOW_LOG_LEVEL (default info), so that the day
turning, broker leadership and printer alarms reach the log. Without it only
warnings reached stderr, through Python's last-resort handler."""
from __future__ import annotations

import copy

from uvicorn.config import LOGGING_CONFIG

LEVELS = ("debug", "info", "warning", "error")


def log_config(level: str = "info") -> dict:
    """uvicorn's logging dictConfig with the `onewindow` logger added."""
    if level.lower() not in LEVELS:
        raise ValueError(f"log level {level!r}: one of {', '.join(LEVELS)}")
    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["formatters"]["onewindow"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    cfg["handlers"]["onewindow"] = {"class": "logging.StreamHandler", "formatter": "onewindow",
                                    "stream": "ext://sys.stderr"}
    cfg["loggers"]["onewindow"] = {"handlers": ["onewindow"], "level": level.upper(), "propagate": False}
    return cfg
