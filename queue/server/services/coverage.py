"""The coverage invariant at runtime (AB岗位责任制).

During opening hours every category with someone waiting must have a staffed
window that serves it (`onewindow.caller.uncovered`). One task per hall
watches the hub: each sign-in or -out, away or back (`window` events), post
change (`posts`) and each change of the queue (`queue`: an issue, a call, a
transfer) re-evaluates it at once, with the live waiting counts of the hall's
view; a timer re-reads the windows every PERIOD_S as well (opening hours
begin and end, other server processes change rows). Outside the outlet's hours,
and on a day it does not open, nothing is uncovered.

What it publishes:
- `alert` {kind: "coverage", level: "red", message, categories, ...} when the
  set of uncovered categories changes, and {level: "green", categories: []}
  once every waiting category is served again. Besides the public keys the
  consoles get `could_cover` ({category: [clerk, ...]}, who_can_cover) and
  `clerks` (all of them), so those consoles can highlight it.
- `coverage` (consoles only) when who covers whom changes: every present
  clerk's profile, so a B post is told at once that they now cover A's window.
Uncovered categories are also logged in the supervision log and settled
when covered again.

At start the lunchtime rota ([[halls.rota]]) is checked against the
invariant (`check_rota`); each gap is logged and raised as an alert.

With several server processes every one keeps this state, but only the
leader (`Hub.leads`) publishes and logs, so each alert is raised once; a
process that becomes leader says the current alerts again.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

from onewindow.caller import (
    AwayNotice,
    Change,
    GoAway,
    LunchRota,
    ReassignPosts,
    SignIn,
    SignOut,
    Violation,
    Window,
    check_change,
    check_rota,
    effective_profiles,
    uncovered,
    who_can_cover,
)
from onewindow.server.config import Hall
from onewindow.server.errors import Invalid
from onewindow.server.live.hub import Event, Hub
from onewindow.server.services import access
from onewindow.server.services.halls import HallService
from onewindow.server.store import coverage as covstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.database import Database
from onewindow.server.tasks import cancel_all
from onewindow.tickets import times

log = logging.getLogger("onewindow.coverage")

PERIOD_S = 30.0
_WATCHED = frozenset({"window", "posts", "queue"})
_RELOAD = frozenset({"window", "posts"})


def in_opening_hours(svc: HallService, now: float) -> bool:
    """Inside the outlet's hours on a day it opens (HallService.hours_on: its opening days on the
    working calendar, a van's published visits), so nobody is told to cover a closed outlet; a hall
    that does not enforce its hours is always open."""
    if not svc.hall.enforce_hours:
        return True
    local = datetime.fromtimestamp(now, svc.tz)
    t = local.time()
    return any(start <= t < end for start, end in svc.hours_on(local.date()))


def _cat_name(hall: Hall, code: str) -> tuple[str, str]:
    c = hall.category(code)
    return (c.name, c.name_en or c.code) if c else (code, code)


# ----- the lunchtime rota -------------------------------------------------------------------


def lunch_span(hall: Hall) -> tuple[time, time] | None:
    """The span the rota must cover: hours.lunch_from/lunch_until, else the rota's own span."""
    if hall.hours.lunch_from is not None:
        return hall.hours.lunch_from, hall.hours.lunch_until  # type: ignore[return-value]
    if not hall.rota:
        return None
    return min(r.start for r in hall.rota), max(r.end for r in hall.rota)


def rota_report(hall: Hall) -> dict:
    """The rota as configured and its gaps against the invariant (every category served)."""
    span = lunch_span(hall)
    gaps = []
    if span is not None:
        windows = [Window(w.id, tuple(w.categories), w.a_clerk, w.b_clerk) for w in hall.windows]
        lines = [LunchRota(r.clerk, tuple(r.covers), r.start, r.end) for r in hall.rota]
        gaps = check_rota(windows, lines, [c.code for c in hall.categories], *span)
    hhmm = lambda t: t.strftime("%H:%M")  # noqa: E731
    return {
        "hall": hall.id,
        "lunch": {"from": hhmm(span[0]), "until": hhmm(span[1])} if span else None,
        "lines": [{"clerk": r.clerk, "covers": list(r.covers), "start": hhmm(r.start), "end": hhmm(r.end)}
                  for r in hall.rota],
        "gaps": [{"category": g.category, "name": _cat_name(hall, g.category)[0],
                  "name_en": _cat_name(hall, g.category)[1], "start": hhmm(g.start), "end": hhmm(g.end)}
                 for g in gaps],
    }


# ----- warning before a change ---------------------------------------------------------------


def change_for(action: str, window: str, states: dict, username: str, a_clerk: str | None = None,
               b_clerk: str | None = None) -> Change | None:
    """The caller change an action at `window` would make (None: it changes nothing)."""
    st = states[window]
    if action == "away":
        return GoAway(st["clerk"], AwayNotice("other")) if st["clerk"] else None
    if action == "sign-out":
        return SignOut(st["clerk"]) if st["clerk"] else None
    if action == "sign-in":
        return SignIn(username, window)
    if action == "posts":
        return ReassignPosts(window, a_clerk, b_clerk)
    raise Invalid(f"unknown action {action!r}")


def violations(svc: HallService, states: dict, change: Change | None, now: float) -> list[Violation]:
    """Categories with people waiting the change would newly leave uncovered (none outside opening hours)."""
    if change is None or not in_opening_hours(svc, now):
        return []
    windows, presence = access.caller_view(svc.own, states)
    return check_change(windows, presence, dict(svc.view.waiting), change)


# ----- the watch ----------------------------------------------------------------------------


@dataclass
class HallCoverage:
    """What the watch last saw and said for one hall."""

    svc: HallService
    states: dict = field(default_factory=dict)
    uncovered: tuple[str, ...] = ()
    could_cover: dict[str, tuple[str, ...]] = field(default_factory=dict)
    profiles: dict[str, dict] = field(default_factory=dict)
    covering: dict[str, str] = field(default_factory=dict)
    alert: dict | None = None  # the last coverage alert, while categories are uncovered


class CoverageWatch:
    def __init__(self, halls: dict[str, HallService], db: Database, hub: Hub, clock: Callable[[], float]):
        self.halls, self.db, self.hub, self.clock = halls, db, hub, clock
        self.state: dict[str, HallCoverage] = {}
        self._tasks: list[asyncio.Task] = []
        hub.on_leadership(self._leadership)

    def _leadership(self, lead: bool) -> None:
        if not lead:
            return
        for hid, st in self.state.items():  # the last leader's word may be lost with it
            self.hub.publish(hid, "coverage", {"covering": st.covering, "profiles": st.profiles})
            if st.alert is not None:
                self.hub.publish(hid, "alert", st.alert)

    async def start(self) -> None:
        for hid, svc in self.halls.items():
            self.state[hid] = HallCoverage(svc)
            await self._check_rota(svc)
            # Subscribe before the first reading, so no change falls between them.
            sub, _ = self.hub.subscribe(hid, lambda e: e.type in _WATCHED)
            await self.evaluate(hid, reload=True)
            self._tasks.append(asyncio.create_task(self._watch(hid, sub), name=f"onewindow-coverage-{hid}"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks.clear()

    def current(self, hall: str) -> dict:
        """The hall's coverage now: uncovered categories, who could cover, who covers whom."""
        st = self.state[hall]
        return {"uncovered": list(st.uncovered), "could_cover": {c: list(v) for c, v in st.could_cover.items()},
                "covering": dict(st.covering), "profiles": dict(st.profiles), "alert": st.alert}

    async def _watch(self, hall: str, sub) -> None:
        """Re-evaluate on each watched event (a burst counts once), and every PERIOD_S."""
        try:
            while True:
                try:
                    events: list[Event | None] = [await asyncio.wait_for(sub.get(), PERIOD_S)]
                except TimeoutError:
                    events = []
                while not sub.queue.empty():
                    events.append(sub.queue.get_nowait())
                if None in events:  # dropped for falling behind: subscribe afresh and re-read
                    self.hub.unsubscribe(sub)
                    sub, _ = self.hub.subscribe(hall, lambda e: e.type in _WATCHED)
                reload = not events or any(e is None or e.type in _RELOAD for e in events)
                try:
                    await self.evaluate(hall, reload=reload)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("coverage check of hall %s failed", hall)
        finally:
            self.hub.unsubscribe(sub)

    async def evaluate(self, hall: str, reload: bool = False) -> None:
        """Re-evaluate the invariant; publish what changed."""
        st = self.state[hall]
        svc = st.svc
        if reload or not st.states:
            st.states = await self.db.read(wstore.states, hall)
        now = self.clock()
        windows, presence = access.caller_view(svc.own, st.states)
        cov = effective_profiles(windows, presence, svc.hall.queue.coverage_mode)
        profiles = {c: {"window": p.window, "categories": list(p.categories), "covers": list(p.covers)}
                    for c, p in sorted(cov.profiles.items())}
        covering = dict(cov.covering)
        if (profiles, covering) != (st.profiles, st.covering):
            st.profiles, st.covering = profiles, covering
            if self.hub.leads:
                self.hub.publish(hall, "coverage", {"covering": covering, "profiles": profiles})

        waiting = {c: n for c, n in svc.view.waiting.items() if n > 0}
        missing = tuple(sorted(uncovered(windows, presence, waiting))) if in_opening_hours(svc, now) else ()
        could = {c: who_can_cover(c, windows, presence) for c in missing}
        if (missing, could) == (st.uncovered, st.could_cover):
            return
        fresh = [c for c in missing if c not in st.uncovered]
        st.uncovered, st.could_cover = missing, could
        await self._publish(st, waiting, fresh, now)

    async def _publish(self, st: HallCoverage, waiting: dict[str, int], fresh: list[str], now: float) -> None:
        svc, hall = st.svc, st.svc.hall
        if st.uncovered:
            names = [_cat_name(hall, c) for c in st.uncovered]
            zh = "、".join(f"{n[0]}（{waiting.get(c, 0)}人等候）" for n, c in zip(names, st.uncovered, strict=False))
            en = ", ".join(f"{n[1]} ({waiting.get(c, 0)} waiting)" for n, c in zip(names, st.uncovered, strict=False))
            message = f"无窗口受理：{zh}，请 A/B 岗补位 / Nobody is serving {en}: an A/B post should cover"
            clerks = list(dict.fromkeys(c for cs in st.could_cover.values() for c in cs))
            data = {"kind": "coverage", "level": "red", "message": message, "categories": list(st.uncovered),
                    "waiting": {c: waiting.get(c, 0) for c in st.uncovered},
                    "could_cover": {c: list(v) for c, v in st.could_cover.items()}, "clerks": clerks,
                    "at": times.iso(now, svc.tz)}
            st.alert = data
        else:
            data = {"kind": "coverage", "level": "green", "categories": [], "could_cover": {}, "clerks": [],
                    "message": "所有等候业务均有窗口受理 / Every waiting category is served again"}
            st.alert = None
        if not self.hub.leads:
            return  # another server process raises and logs the hall's alerts
        log.log(logging.WARNING if st.uncovered else logging.INFO, "hall %s: %s", hall.id, data["message"])
        self.hub.publish(hall.id, "alert", data)
        await self.db.write(self._log, hall.id, list(st.uncovered), fresh, data["message"], now)

    @staticmethod
    def _log(tx, hall: str, missing: list[str], fresh: list[str], message: str, now: float) -> None:
        covstore.resolve_covered(tx, hall=hall, still_uncovered=missing, now=now)
        for c in fresh:
            covstore.raise_uncovered(tx, hall=hall, category=c, message=message, now=now)

    async def _check_rota(self, svc: HallService) -> None:
        report = rota_report(svc.hall)
        gaps = []
        for g in report["gaps"]:
            msg = (f"午间轮岗 {g['start']}–{g['end']} 无人受理{g['name']} / lunch rota: nobody serves "
                   f"{g['name_en']} {g['start']}–{g['end']}")
            log.warning("hall %s: %s", svc.hall.id, msg)
            gaps.append((g["category"], g["start"], g["end"], msg))
        await self.db.write(lambda tx: covstore.record_rota_gaps(tx, hall=svc.hall.id, gaps=gaps, now=self.clock()))
        if gaps and self.hub.leads:
            self.hub.publish(svc.hall.id, "alert", {
                "kind": "rota", "level": "yellow", "categories": sorted({g[0] for g in gaps}),
                "message": "午间轮岗表有空档 / the lunch rota has gaps: " + "; ".join(g[3] for g in gaps),
                "gaps": report["gaps"]})
