"""Clock readings as the hall sees them: the service day (numbers restart when
it changes) and local ISO times to the second, as the API shows every time."""
from __future__ import annotations

import functools
import math
import time
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


def service_day(now: float, tz: ZoneInfo) -> str:
    """The hall's calendar date at `now`: numbers restart when it changes."""
    return _day_at_second(math.floor(now), tz)  # dates change on whole seconds in every zone


# Per whole second: under load, every request of the same second asks again.
@functools.lru_cache(maxsize=256)
def _day_at_second(second: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(second, tz).date().isoformat()


def iso(ts: float | None, tz: tzinfo) -> str | None:
    """Local time to the second, as the API shows every time."""
    if ts is None:
        return None
    # fromtimestamp rounds to the microsecond before isoformat drops the fraction.
    return _iso_at_second(math.floor(ts + 5e-7), tz)


@functools.lru_cache(maxsize=1024)
def _iso_at_second(second: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(second, tz).isoformat()


def utc_now() -> float:
    """Seconds since the epoch (UTC): the clock every rule takes."""
    return time.time()
