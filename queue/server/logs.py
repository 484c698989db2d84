"""Logging for `onewindow serve`: uvicorn's own set-up, plus the server's
`onewindow.*` loggers at ONEWINDOW_LOG_LEVEL (default info), so that the day
turning, broker leadership and printer alarms reach the log. Without it only
warnings reached stderr, through Python's last-resort handler."""
from __future__ import annotations

import copy
import logging
import re

from uvicorn.config import LOGGING_CONFIG

LEVELS = ("debug", "info", "warning", "error")
# Secrets that travel in query strings: tickets' tracking tokens (?token=), one-time codes (?code=).
_SECRET_PARAM = re.compile(r"(?i)([?&;](?:token|code)=)[^&;#\s\"']*")


def redact(text: str) -> str:
    """`/api/v1/tickets/7?token=abc&x=1` -> `/api/v1/tickets/7?token=[redacted]&x=1`."""
    return _SECRET_PARAM.sub(r"\1[redacted]", text)


class RedactQuery(logging.Filter):
    """Keeps tokens out of the log: uvicorn's access lines (and its websocket lines) carry
    each request's full path with its query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, str) and "=" in a for a in record.args):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = redact(record.msg)
        return True


def log_config(level: str = "info") -> dict:
    """uvicorn's logging dictConfig with the `onewindow` logger added."""
    if level.lower() not in LEVELS:
        raise ValueError(f"log level {level!r}: one of {', '.join(LEVELS)}")
    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["formatters"]["onewindow"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    cfg["handlers"]["onewindow"] = {"class": "logging.StreamHandler", "formatter": "onewindow",
                                    "stream": "ext://sys.stderr"}
    cfg["loggers"]["onewindow"] = {"handlers": ["onewindow"], "level": level.upper(), "propagate": False}
    cfg.setdefault("filters", {})["redact"] = {"()": "onewindow.server.logs.RedactQuery"}
    for handler in cfg["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    return cfg
