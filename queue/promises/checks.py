"""Argument checks shared by the deadline and supervision functions."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def require_aware(name: str, value: object) -> None:
    """Refuse anything but a datetime with a UTC offset: a naive time has no day."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone, got naive {value.isoformat()}")


def as_zone(tz: tzinfo | str) -> tzinfo:
    """A tzinfo, or an IANA name such as "Asia/Shanghai"."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {tz!r}") from None
