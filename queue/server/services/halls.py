"""The hall's operations: what the API, the pages and the tests call.

Each operation checks who may do it, runs one store function in one
transaction, and publishes what changed once the change is committed.
"""
from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from onewindow.appointments.fairness import APPOINTMENT
from onewindow.caller import estimate as est
from onewindow.caller.estimate import learned_cycles, pool_cycle_s
from onewindow.server.config import Category, Hall
from onewindow.server.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.server.live.hub import Hub
from onewindow.server.live.projection import HallView
from onewindow.server.services import access
from onewindow.server.services.auth import User, new_token
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.limits import RemoteLimits
from onewindow.server.store import accounts
from onewindow.server.store import sync as sstore
from onewindow.server.store import tickets as tstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.crypto import Box, track_digest, track_digests, track_matches
from onewindow.server.store.database import Database, Tx
from onewindow.server.store.rows import TicketRow, WindowState
from onewindow.tickets import hours, lifecycle, times

log = logging.getLogger("onewindow.service")


NOT_HERE = "you may not act at this window"


@dataclass
class Rates:
    """Mean call-to-done time per category, refreshed off the hot path."""

    cycle_s: dict[str, float]
    open_windows: dict[str, int]
    # The mean cycle of the tickets competing with each category (estimate_wait_s).
    pool_cycle_s: dict[str, float]
    staffed: bool = False  # someone is signed in at some window (the hall's day has begun)
    # Per category, the back-at times of clerks away from a window serving it (when service resumes).
    back_at: dict[str, list[time]] | None = None
    # A van's published visits from today on, their hours by day (HallService.hours_on).
    visit_hours: dict[date, list[tuple[time, time]]] | None = None



def _not_away(states: dict[str, WindowState], window: str, user: User) -> None:
    """The clerk signed in at `window` calls no one while away (a colleague covering it may)."""
    st = states.get(window)
    if st is not None and st["clerk"] == user.username and st["away"]:
        raise Conflict("您处于暂离状态，请先点'回来' / you are away: press Back first", "away")


class HallService:
    def __init__(self, hall: Hall, db: Database, hub: Hub, clock: Callable[[], float], calendar: Calendar,
                 track_keys: list[bytes] | None = None):
        self.hall = hall
        # Tracking tokens are stored as HMACs under these keys (store/crypto.py; the Runtime derives
        # them from the server's secret key). Without: a key of this process only.
        self.track_keys = track_keys or [secrets.token_bytes(32)]
        self.db = db
        self.hub = hub
        self.clock = clock
        self.calendar = calendar  # which days tickets are issued
        self.tz = hall.tz
        self.own = {w.id: list(w.categories) for w in hall.windows}
        self.modes = {w.id: w.mode for w in hall.windows}
        # A ticket of category c competes with every category some window serving c also serves.
        self.pool = {
            c.code: tuple(sorted({x for w in hall.windows if c.code in w.categories for x in w.categories}))
            for c in hall.categories
        }
        # The configured guesses, which learned rates are blended with (caller/estimate.py).
        self.guess = {c.code: c.default_service_min * 60 for c in hall.categories}
        # Waiting promises: no checked-in appointment goes ahead of a walk-in past its (appointments/fairness.py).
        self.promise_s = {c.code: c.target_wait_min * 60.0 for c in hall.categories}
        guess = dict(self.guess)
        self.rates = Rates(guess, {c.code: 0 for c in hall.categories}, pool_cycle_s(self.pool, guess, {}))
        self.view = HallView(hall.id, hall.name, hall.name_en,
                             [w.model_dump() for w in hall.windows], recent=hall.queue.recent_calls,
                             timezone=hall.timezone)
        self._open_day: str | None = None  # the service day whose leftovers are already closed
        self.remote = RemoteLimits(hall.limits)  # tickets taken without a paired kiosk
        # Issue 14 (the Runtime sets them): phones on tickets are encrypted with `box`; `on_call(tx, ticket)`
        # runs in a call's transaction (queue messages: called, your turn is near).
        self.box: Box | None = None
        self.on_call: Callable[[Tx, TicketRow], None] | None = None

    # ----- start-up and background -------------------------------------------------

    async def start(self) -> None:
        await self.db.write(wstore.seed, self.hall.id, [(w.id, w.a_clerk, w.b_clerk) for w in self.hall.windows])
        await self.close_past_days()
        await self._load_view(self.view)
        self.hub.add_view(self.view)
        self.hub.on_rebuild(self.hall.id, self.live_state)  # when events were lost to the views (live/hub.py)
        await self.refresh_rates()

    async def _load_view(self, view: HallView) -> None:
        now = self.clock()
        day_start = self.day_start(now)
        states = await self.db.read(wstore.states, self.hall.id)
        calls = await self.db.read(tstore.recent_calls, self.hall.id, day_start, self.hall.queue.recent_calls)
        waiting = await self.db.read(tstore.waiting_counts, self.hall.id)
        users = await self.display_names(on_screen(states))
        here = present_clerks(states)
        view.load({w: self._window_public(s, users, here) for w, s in states.items()},
                  [self._call_public(c) for c in calls], waiting)

    async def live_state(self) -> dict:
        """The call screens' view as the database has it now (`HallView.state()`)."""
        view = HallView(self.hall.id, self.hall.name, self.hall.name_en, [w.model_dump() for w in self.hall.windows],
                        recent=self.hall.queue.recent_calls, timezone=self.hall.timezone)
        await self._load_view(view)
        return view.state()

    async def close_past_days(self) -> None:
        """At a new service day, cancel what earlier days left open: a ticket
        nobody served yesterday is never called today (its holder has gone home)."""
        now = self.clock()
        today = times.service_day(now, self.tz)
        if today == self._open_day:
            return
        lost, windows = await self.db.write(tstore.close_past_days, self.hall.id, today, now)
        self._open_day = today
        if lost:
            log.info("hall %s: %d tickets left waiting from earlier days were cancelled",
                     self.hall.id, sum(lost.values()))
            self.hub.publish(self.hall.id, "queue", {"delta": {c: -n for c, n in lost.items()}})
        if windows:
            states = await self.db.read(wstore.states, self.hall.id)
            for w in sorted(windows):
                await self._publish_window(states[w], states)

    async def refresh_rates(self) -> None:
        await self.close_past_days()  # the rates loop runs every 30 s: it also turns the day
        now = self.clock()
        today = await self.db.read(tstore.mean_cycle_s, self.hall.id, self.day_start(now))
        week = await self.db.read(tstore.mean_cycle_s, self.hall.id, now - 7 * 86400)
        states = await self.db.read(wstore.states, self.hall.id)
        self.rates.cycle_s, served = learned_cycles(self.guess, today, week, self.hall.queue.estimate_prior_samples)
        self.rates.pool_cycle_s = pool_cycle_s(self.pool, self.rates.cycle_s, served)
        self.rates.open_windows = self.open_windows_per_category(states)
        self.rates.staffed = any(st["clerk"] for st in states.values())
        self.rates.back_at = self.back_at_per_category(states)
        if self.hall.kind == "mobile":  # its days and hours are its published visits (hours_on)
            visits = await self.db.read(sstore.visits, [self.hall.id], times.service_day(now, self.tz))
            by_day: dict[date, list[tuple[time, time]]] = {}
            for v in visits:
                by_day.setdefault(date.fromisoformat(v["day"]), []).append(
                    (time.fromisoformat(v["start"]), time.fromisoformat(v["end"])))
            self.rates.visit_hours = by_day

    def back_at_per_category(self, states: dict) -> dict[str, list[time]]:
        """The back-at times of away clerks who hold a post at, or sit at, a window serving each category."""
        out: dict[str, list[time]] = {}
        for st in states.values():
            notice = st["away"] or {}
            if not (st["clerk"] and notice.get("back_at")):
                continue
            try:
                back = time.fromisoformat(notice["back_at"])
            except (TypeError, ValueError):
                continue
            posts = [w for w, o in states.items() if st["clerk"] in (o["a_clerk"], o["b_clerk"])]
            for w in {st["window_id"], *posts}:
                for c in self.own.get(w, ()):
                    out.setdefault(c, []).append(back)
        return out

    def open_windows_per_category(self, states: dict) -> dict[str, int]:
        """Present clerks whose `next` serves each category (A/B cover included)."""
        counts = {c.code: 0 for c in self.hall.categories}
        for c, n in access.open_per_category(self.own, states, self.hall.queue.coverage_mode).items():
            counts[c] = counts.get(c, 0) + n
        return counts

    def day_start(self, now: float) -> float:
        d = datetime.fromtimestamp(now, self.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        return d.timestamp()

    # ----- visitors ----------------------------------------------------------------

    async def todays_visits(self, now: float) -> list[dict]:
        """A mobile outlet's published (not cancelled) visits of the service day at `now` (the
        database is their one home: services/mobile.py); [] for a fixed outlet."""
        if self.hall.kind != "mobile":
            return []
        return await self.db.read(sstore.visits_of_day, self.hall.id, times.service_day(now, self.tz))

    def ticketing_closed(self, now: float, visits: list[dict] | None = None) -> str | None:
        """Why no ticket can be issued now, or None. A fixed outlet: its opening days (the calendar's
        holidays and make-up days) and ticketing hours; a mobile one: during today's published
        `visits` (todays_visits) only."""
        if not self.hall.enforce_hours:
            return None
        local = datetime.fromtimestamp(now, self.tz)
        if self.hall.kind == "mobile":
            return hours.visit_closed(local, [hours.Stop(v["town"], time.fromisoformat(v["start"]),
                                                         time.fromisoformat(v["end"])) for v in visits or ()])
        h = self.hall.hours
        cal = self.calendar.current
        day = local.date()
        if cal.is_working_day(day) and not self.hall.opens_on(day, cal):
            return hours.not_open_today([hours.WEEKDAYS.index(d) for d in self.hall.opening_days])
        return hours.hall_closed(local, self.hall.opens_on(day, cal),
                                 h.ticketing_from or h.open, h.ticketing_until or h.close)

    async def closed_now(self, now: float) -> tuple[str | None, list[dict]]:
        """Why no ticket can be issued now (ticketing_closed), and today's visits of a mobile outlet."""
        visits = await self.todays_visits(now) if self.hall.enforce_hours else []
        return self.ticketing_closed(now, visits), visits

    def category_closed(self, cat: Category, now: float, visits: list[dict] | None = None) -> str | None:
        """Why this category takes no tickets now (its own hours, its weekdays; at a mobile outlet,
        not offered on today's `visits`), or None."""
        if self.hall.enforce_hours and visits and not any(cat.code in v["categories"] for v in visits):
            return hours.not_offered(cat.name, cat.name_en or cat.code)
        if not self.hall.enforce_hours or (cat.ticketing_from is None and cat.ticketing_until is None
                                           and not cat.sessions):
            return None
        h = self.hall.hours
        local = datetime.fromtimestamp(now, self.tz)
        start = cat.ticketing_from or h.ticketing_from or h.open
        end = cat.ticketing_until or h.ticketing_until or h.close
        if cat.sessions:  # a reception day: only these weekdays and hours (issue 15, point 13)
            return hours.session_closed(local, [
                hours.Session(frozenset(hours.WEEKDAYS.index(d) for d in s.weekdays), s.start or start,
                              s.end or end) for s in cat.sessions], cat.name, cat.name_en or cat.code)
        return hours.category_closed(local, start, end, cat.name, cat.name_en or cat.code)

    async def check_open(self, cat, now: float) -> None:
        """409 when the outlet (its opening days, a van's published visits, its hours), or this
        category's own ticketing hours, are closed."""
        closed, visits = await self.closed_now(now)
        if closed:
            raise Conflict(closed, "hall_closed")
        closed = self.category_closed(cat, now, visits)
        if closed:
            raise Conflict(closed, "category_closed")

    async def issue(self, category: str, priority: str, lang: str, priority_kind: str | None = None,
                    channel: str = "kiosk", client: str = "", device: int | None = None, phone: str | None = None,
                    notify: bool = False, appointment_at: float | None = None,
                    claim: Callable[[Tx, int], None] | None = None) -> dict:
        """Issue a ticket. `channel` "kiosk": a paired kiosk (`device`), never limited; "remote":
        anything else, limited per `client` address and per category (429), and to the
        category's remote share of its daily cap. `phone` (normalized) is stored encrypted, with
        the holder's opt-in to queue messages (`notify`)."""
        cat = self.hall.category(category)
        if cat is None:
            raise Invalid(f"unknown category {category!r}", "unknown_category")
        if priority not in cat.priority_classes:
            raise Invalid(f"category {category!r} does not offer {priority!r} tickets", "bad_priority")
        now = self.clock()
        await self.close_past_days()
        if appointment_at is None:  # a checked-in appointment's hours are its slot's (an extended session)
            await self.check_open(cat, now)
        remote_cap = None
        if channel == "remote":
            self.remote.check(cat.code, client, now)
            remote_cap = self.remote.remote_cap(cat.daily_cap)
        token = new_token()
        phone_enc = self.box.encrypt(phone) if phone and self.box is not None else ""
        args: dict[str, Any] = dict(
            hall=self.hall.id, category=cat.code, prefix=cat.prefix,
            priority=lifecycle.PRIORITY[priority] if appointment_at is None else APPOINTMENT, lang=lang, now=now,
            day=times.service_day(now, self.tz),
            token=track_digest(self.track_keys[0], token), daily_cap=cat.daily_cap, pool=self.pool[cat.code],
            kind=priority_kind, channel=channel, remote_cap=remote_cap, device=device,
            phone_enc=phone_enc, notify=bool(notify and phone_enc), arrived_at=appointment_at,
        )
        if claim is None:
            t = await self.db.write_hot(tstore.issue, **args, lane=self.lane("numbers", cat.code))
        else:  # `claim(tx, ticket id)` in the issue's transaction: a check-in, one ticket per person
            def issue_and_claim(tx: Tx) -> dict:
                out = tstore.issue(tx, **args)
                claim(tx, out["id"])
                return out

            t = await self.db.write(issue_and_claim)
        t["track_token"] = token  # shown once (the answer, the printed QR code); only its HMAC is kept
        self.hub.publish(self.hall.id, "queue", {"delta": {cat.code: 1}})
        t["wait"] = self.wait(cat.code, t["ahead"])
        t.update(self.wait_fields(t["wait"]))
        return t

    def wait(self, category: str, ahead: int) -> est.Wait:
        """The one estimate (caller/estimate.py) for `ahead` people before a visitor of `category`:
        the windows whose `next` serves it now, the idle ones among them, the pool's blended mean
        cycle; with none serving now, when service resumes (opening, lunch end, a back-at time)."""
        q = self.hall.queue
        local = datetime.fromtimestamp(self.clock(), self.tz)
        open_ = self.rates.open_windows.get(category, 0)
        idle = sum(1 for w, st in self.view.windows.items()
                   if st["status"] == "idle" and category in self.own.get(w, ()))
        resume = None
        if open_ <= 0:
            h = self.hall.hours
            lunch = (h.lunch_from, h.lunch_until) if h.lunch_from and h.lunch_until else (
                (min(r.start for r in self.hall.rota), max(r.end for r in self.hall.rota)) if self.hall.rota else None)
            resume = est.resumes_at(local, lunch=lunch, back_at=(self.rates.back_at or {}).get(category, []),
                                    hours=self.hours_on)  # days the outlet does not open skipped
        return est.estimate(ahead, open_, self.rates.pool_cycle_s[category], idle, now=local, resumes_at=resume,
                            min_cycle_s=q.estimate_min_service_s)

    def hours_on(self, day: date) -> list[tuple[time, time]]:
        """When the outlet serves on `day`, [] on a day it does not open: a fixed outlet its hours on its
        opening days (Hall.opens_on: the working calendar, 调休), a van its published visits' hours
        (refresh_rates). When service resumes, and the coverage watch, go by it."""
        if self.hall.kind == "mobile":
            return (self.rates.visit_hours or {}).get(day, [])
        if not self.hall.opens_on(day, self.calendar.current):
            return []
        return [(self.hall.hours.open, self.hall.hours.close)]

    def estimate(self, category: str, ahead: int) -> int:
        """The wait in seconds for `ahead` people before this one (see `wait`)."""
        return self.wait(category, ahead).seconds

    def wait_fields(self, w: est.Wait) -> dict:
        """A wait as every answer carries it: seconds (the contract's field), the rounded minutes
        and the words the pages show, and whether any window serves now (else when it resumes)."""
        zh, en = w.text()
        return {"estimated_wait_s": w.seconds, "estimated_wait_min": w.minutes, "wait_text": {"zh": zh, "en": en},
                "serving_now": w.serving_now,
                "resumes_at": times.iso(w.resumes_at.timestamp(), self.tz) if w.resumes_at else None}

    def next_ahead(self, category: str, waiting: dict[str, int]) -> int:
        """The people a normal ticket of `category` taken now has ahead: everyone waiting in its pool."""
        return sum(waiting.get(c, 0) for c in self.pool[category])

    async def track(self, ticket_id: int, token: str) -> dict:
        try:
            t = await self.db.read(tstore.get, ticket_id)
        except NotFound:
            raise NotFound("no such ticket") from None  # the same answer as a wrong token
        if t["hall"] != self.hall.id or not track_matches(t["track_token"], self.track_digests(token)):
            raise NotFound("no such ticket")
        ahead = 0
        if t["status"] == lifecycle.WAITING:
            ahead = await self.db.read(tstore.count_ahead, self.hall.id, self.pool[t["category"]],
                                       t["priority"], t["arrived_at"], t["id"])
        return self.ticket_public(t, ahead)

    def track_digests(self, token: str | None) -> tuple[str, ...]:
        """What a ticket's stored token equals when `token` is its tracking token."""
        return track_digests(self.track_keys, token or "")

    def ticket_public(self, t: TicketRow, ahead: int = 0) -> dict:
        out = {"id": t["id"], "number": t["number"], "status": t["status"], "category": t["category"],
               "ahead": ahead, "estimated_wait_s": 0,
               "issued_at": times.iso(t["issued_at"], self.tz)}
        if t["status"] == lifecycle.WAITING:
            out.update(self.wait_fields(self.wait(t["category"], ahead)))
        if t["window_id"] and t["status"] in (lifecycle.CALLED, lifecycle.SERVING):
            w = self.hall.window(t["window_id"])
            out["window"] = t["window_id"]
            out["window_name"] = w.name if w else t["window_id"]
            # a recall changes these, so the phone hears of it and alerts again
            out["call_count"] = t["call_count"]
            last = t["last_called_at"] or t["called_at"]
            out["called_at"] = times.iso(last, self.tz) if last else None
        return out

    # ----- clerks ------------------------------------------------------------------

    def lane(self, kind: str, name: str) -> str:
        """A hot write's lane (store/database.py): a window's calls and actions follow each other, as
        do a category's numbers; those of different windows and categories may commit in parallel."""
        return f"{self.hall.id}/{kind}/{name}"

    def window_or_404(self, window: str):
        """The configured window, or a 404 naming it."""
        w = self.hall.window(window)
        if w is None:
            raise NotFound(f"unknown window {window!r}", "unknown_window")
        return w

    async def sign_in(self, user: User, window: str) -> dict:
        self.window_or_404(window)
        now = self.clock()

        def tx_fn(tx):
            states = wstore.states(tx, self.hall.id)
            if not access.may_sign_in(user.username, user.is_manager, window, states):
                raise Forbidden("you hold no post at this window")
            holder = states[window]["clerk"]
            if holder and holder != user.username and not user.is_manager:
                raise Conflict(f"window is staffed by {holder}", "window_taken")
            left = wstore.sign_in(tx, self.hall.id, window, user.username, now)
            out = left, wstore.states(tx, self.hall.id)
            self._audit(tx, user, "window_sign_in", now, window, replaced=holder if holder != user.username else None)
            return out

        left, states = await self.db.write(tx_fn)
        for w in left:
            await self._publish_window(states[w], states)
        await self._publish_window(states[window], states)
        await self.refresh_rates()
        return self.window_public(states[window], {user.username: {"display_name": user.display_name,
                                                                   "title": user.title}})

    async def sign_out(self, user: User, window: str) -> dict:
        def change(tx, clerk: str | None, now: float) -> None:
            wstore.sign_out(tx, self.hall.id, window)
            self._audit(tx, user, "window_sign_out", now, window, clerk=clerk)  # who was signed out

        return await self._change_own_window(user, window, change)

    async def set_away(self, user: User, window: str, notice: dict | None) -> dict:
        def change(tx, clerk: str | None, now: float) -> None:
            wstore.set_away(tx, self.hall.id, window, notice)
            if notice is None:
                self._audit(tx, user, "window_back", now, window, clerk=clerk)
            else:
                self._audit(tx, user, "window_away", now, window, clerk=clerk,
                            reason=notice.get("reason"), back_at=notice.get("back_at"))

        return await self._change_own_window(user, window, change)

    async def _change_own_window(self, user: User, window: str,
                                 change: Callable[[Tx, str | None, float], None]) -> dict:
        """A change to `window` that only the clerk signed in there, or a manager, may make:
        `change(tx, clerk signed in there, now)` runs in the transaction; then the window is published."""
        self.window_or_404(window)
        now = self.clock()

        def tx_fn(tx: Tx) -> dict[str, WindowState]:
            states = wstore.states(tx, self.hall.id)
            if not (user.is_manager or states[window]["clerk"] == user.username):
                raise Forbidden("you are not signed in at this window")
            change(tx, states[window]["clerk"], now)
            return wstore.states(tx, self.hall.id)

        states = await self.db.write(tx_fn)
        await self._publish_window(states[window], states)
        await self.refresh_rates()
        return self.window_public(states[window])

    def _audit(self, tx, user: User, action: str, now: float, window: str, **data) -> None:
        """A window's staff action in the audit log, in its own transaction (last: see store/audit.py)."""
        accounts.audit(tx, user.username, action, json.dumps({"hall": self.hall.id, "window": window, **data},
                                                             ensure_ascii=False), now)

    async def set_posts(self, user: User, window: str, a_clerk: str | None, b_clerk: str | None) -> dict:
        """A manager changes a window's A/B posts during the day (audited in the same transaction)."""
        self.window_or_404(window)
        if not user.is_manager:
            raise Forbidden("only a manager or an admin may change posts")
        now = self.clock()

        def tx_fn(tx):
            before = wstore.states(tx, self.hall.id)[window]
            wstore.set_posts(tx, self.hall.id, window, a_clerk, b_clerk, user.username, now)
            accounts.audit(tx, user.username, "set_posts", json.dumps({
                "hall": self.hall.id, "window": window, "a_clerk": a_clerk, "b_clerk": b_clerk,
                "before": {"a_clerk": before["a_clerk"], "b_clerk": before["b_clerk"]}}, ensure_ascii=False), now)
            return wstore.states(tx, self.hall.id)

        states = await self.db.write(tx_fn)
        self.hub.publish(self.hall.id, "posts", {"window": window, "a_clerk": a_clerk, "b_clerk": b_clerk,
                                                 "by": user.username})
        await self.refresh_rates()
        return self.window_public(states[window])

    async def next(self, user: User, window: str) -> TicketRow | None:
        self.window_or_404(window)
        await self.close_past_days()  # a string comparison, unless the day has just turned
        now = self.clock()
        q = self.hall.queue

        def tx_fn(tx):
            states = wstore.states(tx, self.hall.id)
            if not access.may_act(user.username, user.is_manager, window, states):
                raise Forbidden(NOT_HERE)
            _not_away(states, window, user)
            cats, also = access.next_plan(window, self.own, states, q.coverage_mode, user.username)
            t = tstore.call_next(tx, hall=self.hall.id, window=window, clerk=user.username, categories=cats,
                                 mode=self.modes[window], now=now, starvation_limit_s=q.starvation_limit_min * 60,
                                 also_windows=also, promise_s=self.promise_s)
            if t is not None and self.on_call is not None:
                self.on_call(tx, t)
            return t, states[window]

        t, before = await self.db.write_hot(tx_fn, lane=self.lane("window", window))
        if t is not None:
            self._publish_call(t, "call")
            await self._publish_cover(t, before)
        return t

    async def call_number(self, user: User, window: str, number: str) -> TicketRow:
        self.window_or_404(window)
        now = self.clock()

        def tx_fn(tx):
            states = wstore.states(tx, self.hall.id)
            if not access.may_act(user.username, user.is_manager, window, states):
                raise Forbidden(NOT_HERE)
            _not_away(states, window, user)
            t = tstore.call_number(tx, hall=self.hall.id, day=times.service_day(now, self.tz),
                                   number=number.strip().upper(), window=window, clerk=user.username, now=now)
            if self.on_call is not None:
                self.on_call(tx, t)
            return t, states[window]

        t, before = await self.db.write_hot(tx_fn, lane=self.lane("window", window))
        self._publish_call(t, "call")
        await self._publish_cover(t, before)
        return t

    async def ticket_action(self, user: User, ticket: TicketRow, action: str, also=None, **kw) -> TicketRow:
        """recall, start, complete, no_show, transfer, park, resume, reactivate on one ticket.

        `also(tx, ticket)` runs in the same transaction after the action (opening a
        case on completion, say); its result is returned as ticket["also"]."""
        now = self.clock()
        q = self.hall.queue
        where = ticket["window_id"]

        def tx_fn(tx):
            states = wstore.states(tx, self.hall.id)
            if action == "reactivate":
                allowed = user.is_manager or access.present(states, user.username)
            else:
                allowed = where is not None and (access.may_act(user.username, user.is_manager, where, states)
                                                 or access.serves(user.username, ticket, states))
            if not allowed:
                raise Forbidden(NOT_HERE)
            fn = getattr(tstore, action)
            extras: dict[str, dict[str, Any]] = {"recall": {"max_calls": q.max_calls},
                                                 "reactivate": {"late_arrival": q.late_arrival}}
            extra = extras.get(action, {})
            t = fn(tx, ticket["id"], clerk=user.username, now=now, **extra, **kw)
            if also is not None:
                t["also"] = also(tx, t)
            return t

        t = await self.db.write_hot(tx_fn, lane=self.lane("window", where or ""))
        if action == "recall" and t["status"] == lifecycle.CALLED:
            self._publish_call(t, "recall")
        elif t["status"] in (lifecycle.DONE, lifecycle.NO_SHOW) or action in ("transfer", "park"):
            self.hub.publish(self.hall.id, "done", {"ticket": t["number"], "window": where}, t["id"])
        if t["status"] == lifecycle.WAITING:
            self.hub.publish(self.hall.id, "queue", {"delta": {t["category"]: 1}})
        self.hub.publish(self.hall.id, "ticket",
                         {"ticket": t["number"], "status": t["status"], "window": t["window_id"]}, t["id"])
        return t

    async def load_ticket(self, ticket_id: int) -> TicketRow:
        return await self.db.read(tstore.get, ticket_id)

    # ----- events ------------------------------------------------------------------

    def _publish_call(self, t: TicketRow, kind: str) -> None:
        w = self.hall.window(t["window_id"])
        data = {"ticket": t["number"], "window": t["window_id"], "window_name": w.name if w else t["window_id"],
                "window_number": (w.number or w.name) if w else t["window_id"], "category": t["category"],
                "at": times.iso(self.clock(), self.tz), "count": t["call_count"], "lang": t["lang"]}
        self.hub.publish(self.hall.id, kind, data, t["id"])
        if kind == "call":  # after the call: screens get the call first (see api/ws.py _pump)
            self.hub.publish(self.hall.id, "queue", {"delta": {t["category"]: -1}})
        self.hub.publish(self.hall.id, "ticket",
                         {"ticket": t["number"], "status": t["status"], "window": t["window_id"]}, t["id"])

    async def _publish_window(self, state: WindowState, states: dict[str, WindowState] | None = None,
                              present: set[str] | None = None) -> None:
        """Publish `state` as the screens show it; `states` (the hall's) or `present` say who is here."""
        here = present if present is not None else present_clerks(states or {})
        names = await self.display_names(on_screen({state["window_id"]: state}))
        self.hub.publish(self.hall.id, "window", self._window_public(state, names, here))

    async def _publish_cover(self, t: TicketRow, before: WindowState) -> None:
        """A colleague called at a window whose own clerk is away or signed out (a B
        covering, in takeover mode say): its card now shows them serving there, not
        the away notice (the screen must not send visitors elsewhere)."""
        caller = t["clerk"]
        if caller is None or not access.holder_absent(before) or caller == before["clerk"]:
            return
        now: WindowState = {**before, "current_ticket": t["id"], "current_number": t["number"],
                            "current_clerk": t["clerk"]}
        await self._publish_window(now, present={caller})  # a manager calling need not be signed in

    def _window_public(self, st: WindowState, names: dict, present: set[str] | frozenset = frozenset()) -> dict:
        """A window as the call screen shows it: status, number, post card, notice.

        While its own clerk is away or signed out, the visitor of a colleague who is
        `present` makes the window theirs on the screen: serving, their card marked `covering`."""
        cover = st.get("current_clerk") if st.get("current_ticket") and access.holder_absent(st) else None
        if cover and cover != st["clerk"] and cover in present:
            return {"window": st["window_id"], "status": "serving", "number": st.get("current_number"),
                    "clerk": {**_card(cover, names), "covering": True}, "notice": st["away"] or None}
        status = "closed" if st["clerk"] is None else "away" if st["away"] else (
            "serving" if st.get("current_ticket") else "idle")
        clerk = _card(st["clerk"], names) if st["clerk"] else None
        return {"window": st["window_id"], "status": status, "number": st.get("current_number"),
                "clerk": clerk, "notice": st["away"] or None}

    def window_public(self, st: WindowState, names: dict | None = None) -> dict:
        out = self._window_public(st, names or {})
        w = self.hall.window(st["window_id"])
        assert w is not None  # a window state is of one of the hall's windows
        out.update(id=st["window_id"], name=w.name, name_en=w.name_en, categories=list(w.categories),
                   a_clerk=st["a_clerk"], b_clerk=st["b_clerk"], signed_in=st["clerk"])
        return out

    def _call_public(self, c: dict) -> dict:
        w = self.hall.window(c["window_id"]) if c["window_id"] else None
        return {"ticket": c["number"], "window": c["window_id"], "window_name": w.name if w else c["window_id"],
                "window_number": (w.number or w.name) if w else c["window_id"], "at": times.iso(c["at"], self.tz),
                "recall": c["type"] == "recall", "category": None}

    async def display_names(self, usernames: set[str]) -> dict:
        """username -> {display_name, title}: the post cards on the screens."""
        return await self.db.read(accounts.user_cards, usernames) if usernames else {}

    async def hall_public(self) -> dict:
        states = await self.db.read(wstore.states, self.hall.id)
        names = await self.display_names(on_screen(states))
        waiting = self.view.waiting
        return {
            "id": self.hall.id, "name": self.hall.name, "name_en": self.hall.name_en,
            "timezone": self.hall.timezone,
            "open": (await self.closed_now(self.clock()))[0] is None,
            "categories": [
                # `ahead` and the wait are what a ticket taken now gets (the tile agrees with the ticket)
                {"code": c.code, "name": c.name, "name_en": c.name_en, "prefix": c.prefix, "icon": c.icon,
                 "priority_classes": list(c.priority_classes), "waiting": waiting.get(c.code, 0),
                 "ahead": self.next_ahead(c.code, waiting),
                 **self.wait_fields(self.wait(c.code, self.next_ahead(c.code, waiting))),
                 "open_windows": self.rates.open_windows.get(c.code, 0)}
                for c in self.hall.categories
            ],
            "windows": [self.window_public(states[w.id], names) for w in self.hall.windows if w.id in states],
        }


def present_clerks(states: dict[str, WindowState]) -> set[str]:
    """Clerks signed in somewhere in the hall and not away."""
    return {s["clerk"] for s in states.values() if s["clerk"] and not s["away"]}


def on_screen(states: dict[str, WindowState]) -> set[str]:
    """The clerks whose cards the screens show: those signed in, and colleagues serving at a window."""
    clerks = {s["clerk"] for s in states.values()} | {s.get("current_clerk") for s in states.values()}
    return {c for c in clerks if c}


def _card(username: str, names: dict) -> dict:
    """A clerk's post card: display name and title, never the login id unless nothing else is known."""
    info = names.get(username, {})
    return {"name": info.get("display_name") or username, "title": info.get("title", "")}
