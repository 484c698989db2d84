"""The hall's working-day calendar, one for the server: every year the
`chinese_calendar` package knows, with the years an administrator loaded
into the database on top. The Runtime makes it and hands it to every service
that counts days (halls: which days tickets are issued; cases: deadlines;
ratings: rectification limits). Loading a year rebuilds it at once; other
server processes rebuild it on their next supervision round, which compares
the loaded years with what they hold."""
from __future__ import annotations

import asyncio
import functools
import logging

from onewindow.promises import WorkingCalendar, seeded_calendar
from onewindow.server.store import cases as cstore
from onewindow.server.store.database import Database

log = logging.getLogger("onewindow.calendar")


@functools.lru_cache(maxsize=1)
def _seeded() -> WorkingCalendar:
    # Probing the package takes a noticeable moment; the calendar is immutable, so share it.
    return seeded_calendar()


class Calendar:
    def __init__(self, db: Database):
        self.db = db
        self.current: WorkingCalendar = WorkingCalendar()  # until start(): weekdays only
        self._applied: dict[int, float] | None = None  # loaded years (year -> loaded_at) in `current`

    async def start(self) -> None:
        self.current = await asyncio.to_thread(_seeded)
        await self.reload()

    async def reload(self) -> WorkingCalendar:
        """The seeded calendar with the database's loaded years on top (rebuilt if they changed)."""
        rows = await self.db.read(cstore.years)
        applied = {r["year"]: r["loaded_at"] for r in rows}
        if applied != self._applied:
            cal = _seeded()
            for r in rows:
                try:
                    cal = cal.with_schedule(cstore.schedule_of(r))
                except ValueError as exc:
                    log.error("the loaded schedule of %s cannot be used: %s", r["year"], exc)
            self.current, self._applied = cal, applied
        return self.current
