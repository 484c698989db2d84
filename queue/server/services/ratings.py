"""Ratings (好差评), rectification tasks, the manager's dashboard and reports of one hall.

One `RatingService` per hall, made and started by the Runtime; its round
(default ratings that fell due, overdue tasks raising supervision alerts)
runs every minute in the background, so pages only read.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from onewindow.promises import WorkingCalendar
from onewindow.ratings import (
    BY_CODE,
    REASONS,
    InvalidRating,
    Policy,
    check_reasons,
    default_due,
    due_at,
    is_bad,
)
from onewindow.ratings.metrics import length, open_intervals
from onewindow.ratings.thresholds import year_to_date
from onewindow.server.config.ratings import policy_of
from onewindow.server.errors import DomainError, Invalid, NotFound
from onewindow.server.live.hub import Hub
from onewindow.server.services import access, board, reporting
from onewindow.server.services.auth import User
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import acks as ackstore
from onewindow.server.store import appointments as astore
from onewindow.server.store import complaints as cxstore
from onewindow.server.store import ratings as rstore
from onewindow.server.store import reports as qstore
from onewindow.server.store import sync as sstore
from onewindow.server.store import tracking as kstore
from onewindow.server.store.database import Database
from onewindow.server.store.rows import WindowPosts
from onewindow.tickets import times

log = logging.getLogger("onewindow.ratings")

ROUND_EVERY_S = 60


class RatingService:
    def __init__(self, svc: HallService, db: Database, hub: Hub, clock: Callable[[], float], calendar: Calendar):
        self.svc = svc
        self.hall = svc.hall
        self.db, self.hub, self.clock, self.calendar = db, hub, clock, calendar
        self.tz = svc.tz
        self.policy: Policy = policy_of(svc.hall)
        self.tracking: Any = None  # services/tracking.TrackingService: a case's rating tells its rater (issue 14)

    # ----- background ----------------------------------------------------------------

    async def run(self) -> None:
        while True:
            await asyncio.sleep(ROUND_EVERY_S)
            try:
                await self.round()
            except Exception:
                log.exception("rating round of %s failed", self.hall.id)

    async def round(self) -> None:
        """Default ratings that fell due, and supervision alerts for overdue tasks."""
        await self.apply_defaults()
        await self.check_overdue()

    async def apply_defaults(self) -> int:
        p = self.policy
        if not p.gives_default or p.default_after_s is None or p.default_level is None:
            return 0
        now = self.clock()
        since = now - p.default_after_s - 7 * 86400
        pending = await self.db.read(rstore.completed_unrated, self.hall.id, since, now)
        n = 0
        for tid in default_due(pending, set(), now, p):
            try:
                await self._record(tid, p.default_level, (), "", "default", None)
                n += 1
            except DomainError:  # rated meanwhile
                pass
        return n

    async def check_overdue(self) -> list[dict]:
        raised = await self.db.write(rstore.raise_overdue_alerts, self.hall.id, self.clock())
        for a in raised:
            self.hub.publish(self.hall.id, "rating_task", {"task": a["task"], "overdue": True,
                                                            "message": a["message"]}, a["ticket_id"])
        return raised

    # ----- the pad and the QR page ---------------------------------------------------

    async def last_completed(self, window: str) -> dict:
        """For the window's pad: the ticket just completed there (its number only)."""
        w = self.svc.window_or_404(window)
        now = self.clock()
        since = now - self.policy.pad_window_s
        row = await self.db.read(rstore.last_completed, self.hall.id, w.id, since,
                                 times.service_day(since - 86400, self.tz))
        out = {"window": w.id, "window_name": w.name, "window_name_en": w.name_en, "ticket": None}
        if row is not None:
            out["ticket"] = {"id": row["id"], "number": row["number"], "rated": row["rating_id"] is not None,
                             "finished_at": times.iso(row["finished_at"], self.tz)}
        return out

    async def rate(self, ticket_id: int, level: int, reasons: list[str], comment: str, channel: str,
                   token: str | None) -> dict:
        try:
            kept = check_reasons(level, reasons)
        except InvalidRating as exc:
            raise Invalid(str(exc)) from None
        return await self._record(ticket_id, level, kept, comment.strip() if is_bad(level) else "", channel, token)

    async def _record(self, ticket_id: int, level: int, reasons: tuple[str, ...], comment: str, channel: str,
                      token: str | None) -> dict:
        now = self.clock()
        p = self.policy
        cal = self.calendar.current if p.rectify_unit != "hours" else WorkingCalendar()
        due = due_at(now, p.rectify_amount, p.rectify_unit, cal, self.tz)
        pad_since = now - p.pad_window_s
        try:
            r = await self.db.write(rstore.rate, ticket_id=ticket_id, level=level, reasons=reasons, comment=comment,
                                    channel=channel, now=now, due_at=due, token=self.svc.track_digests(token),
                                    pad_since=pad_since,
                                    day_from=times.service_day(pad_since - 86400, self.tz))
        except NotFound:
            raise NotFound("no such ticket") from None  # the same answer as a wrong token
        except rstore.AlreadyRated:
            raise rstore.AlreadyRated("这个号已经评价过了 / this ticket has already been rated") from None
        task = r["task"]
        self.hub.publish(self.hall.id, "rating", {
            "ticket": r["number"], "window": r["window_id"], "clerk": r["clerk"], "category": r["category"],
            "level": level, "bad": is_bad(level), "channel": channel, "task": task["id"] if task else None,
        }, ticket_id)
        if task:
            self.hub.publish(self.hall.id, "rating_task", {"task": task["id"], "state": task["state"],
                                                            "ticket": r["number"], "window": r["window_id"]}, ticket_id)
        lv = BY_CODE[level]
        out = {"id": r["id"], "ticket": r["number"], "level": level, "level_name": lv.name,
               "level_name_en": lv.name_en, "channel": channel, "at": times.iso(now, self.tz), "task": None}
        if task:
            out["task"] = {"id": task["id"], "due_at": times.iso(task["due_at"], self.tz)}
        return out

    # ----- rectification tasks (managers) ----------------------------------------------

    async def tasks(self, open_only: bool = True) -> list[dict]:
        rows = await self.db.read(rstore.tasks, self.hall.id, open_only)
        now = self.clock()
        return [reporting.task_public(t, self.tz, now) for t in rows]

    async def task(self, task_id: int) -> dict:
        try:
            t = await self.db.read(rstore.task, task_id)
        except NotFound:
            raise NotFound(f"no rectification task {task_id}") from None
        if t["hall"] != self.hall.id:
            raise NotFound(f"no rectification task {task_id}")
        return reporting.task_public(t, self.tz, self.clock())

    async def advance(self, user: User, task_id: int, step: str, note: str, outcome: str) -> dict:
        await self.task(task_id)  # 404 for another hall's task
        now = self.clock()

        def fn(tx):
            t = rstore.advance_task(tx, task_id, step=step, by=user.username, at=now, note=note, outcome=outcome)
            if t["state"] == "closed":
                rstore.resolve_task_alert(tx, task_id, user.username, now)
            t["case_id"] = self.tracking.after_task_step(tx, t, step) if self.tracking is not None else None
            accounts.audit(tx, user.username, "rectification_step", json.dumps(
                {"hall": self.hall.id, "task": task_id, "step": step, "state": t["state"], "outcome": outcome or None},
                ensure_ascii=False), now)
            return t

        t = await self.db.write(fn)  # StepError and TaskConflict answer 409 bad_step
        if t.get("case_id") is not None and self.tracking is not None:  # the rater's tracking page
            self.tracking.publish(self.hall.id, t["case_id"])
        self.hub.publish(self.hall.id, "rating_task", {"task": task_id, "state": t["state"], "step": step,
                                                        "by": user.username}, t["ticket_id"])
        return reporting.task_public(t, self.tz, self.clock())

    # ----- dashboard -------------------------------------------------------------------

    async def dashboard(self, coverage: dict | None = None) -> dict:
        """`coverage`: the coverage watch's view of the hall (CoverageWatch.current), the authority
        on the coverage alarm; None: the dashboard reads it from the queues itself."""
        now = self.clock()
        today = datetime.fromtimestamp(now, self.tz).date()
        hall = self.hall
        waiting = await self.db.read(qstore.waiting_now, hall.id)
        rows = await self.db.read(qstore.tickets_of_days, hall.id, today.isoformat(), today.isoformat())
        start, end = reporting.day_bounds(today, today, self.tz)
        ratings = await self.db.read(rstore.ratings_between, hall.id, start, end)
        day_tasks = await self.db.read(rstore.tasks_opened_between, hall.id, start, end)
        open_tasks = await self.tasks(open_only=True)
        alerts_db = await self.db.read(qstore.open_alerts, hall.id)
        carded = await self.db.read(qstore.carded_cases, hall.id)
        cases = await self.db.read(qstore.cases_between, hall.id, start, end)
        public = await self.svc.hall_public()
        messages = await self.db.read(kstore.message_counts, hall.id, start, end)  # issue 14
        followed = await self.db.read(kstore.case_figures, hall.id, start, end)
        appts = await self.db.read(astore.day_counts, hall.id, today.isoformat(), today.isoformat(),  # issue 16
                                   now - hall.appointments.check_in_after_min * 60)
        cal = self.calendar.current
        visit_days = await self.visit_days(today, today)

        yearly = await self._yearly(today, now)

        def build():
            report = reporting.build_report(hall, self.policy, rows, ratings, day_tasks, cases, today, today,
                                            [today] if hall.opens_on(today, cal, visit_days) else [], now)
            reporting.add_thresholds(report, self.policy, yearly)
            reporting.add_followup(report, messages, followed)
            reporting.add_appointments(report, appts)
            return report, reporting.series(hall, rows, today, now)

        report, chart = await asyncio.to_thread(build)
        block = self._now_block(public, waiting, open_tasks, alerts_db, carded, now, coverage)
        # Each alert once, with who acknowledged it since it began; people by their names.
        acks = await self.db.read(ackstore.latest, hall.id, [a["key"] for a in block["alerts"]])
        people = {w[k] for w in block["windows"] for k in ("signed_in", "a_clerk", "b_clerk", "covered_by")}
        people |= {a["by"] for a in acks.values()} | {t["clerk"] for t in open_tasks}
        people |= {c for a in block["alerts"] for c in a.get("clerks") or []}
        people |= {x["key"] for x in report["by_clerk"]} | {x["key"] for x in report["ratings"]["by_clerk"]}
        names = await self.db.read(ackstore.display_names, {p for p in people if p})
        board.acknowledge(block["alerts"], acks, names, self.tz)
        board.name_people(block, report, names)
        block["tiles"] = board.tile_levels(block, report["totals"], report["ratings"], hall.supervision,
                                           self.policy.bad_rate_threshold)
        return {
            "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en, "timezone": hall.timezone},
            "at": times.iso(now, self.tz),
            "now": block,
            "today": {**report, "series": chart},
        }

    def _now_block(self, public: dict, waiting: list[dict], tasks: list[dict], alerts_db: list[dict],
                   carded: list[dict], now: float, coverage: dict | None = None) -> dict:
        hall = self.hall
        targets = reporting.targets_s(hall)
        cats = []
        for c in public["categories"]:
            mine = [w for w in waiting if w["category"] == c["code"]]
            longest = max((now - w["issued_at"] for w in mine), default=0)
            cats.append({"code": c["code"], "name": c["name"], "name_en": c["name_en"], "prefix": c["prefix"],
                         "waiting": len(mine), "longest_wait_s": round(longest),
                         "target_wait_s": targets[c["code"]], "over_target": longest > targets[c["code"]],
                         "open_windows": c["open_windows"], "estimated_wait_s": c["estimated_wait_s"]})
        first = min(waiting, key=lambda w: w["issued_at"], default=None)
        longest = None if first is None else {"number": first["number"], "category": first["category"],
                                              "wait_s": round(now - first["issued_at"])}
        states: dict[str, WindowPosts] = {
            w["id"]: {"clerk": w["signed_in"], "away": w["notice"], "a_clerk": w["a_clerk"], "b_clerk": w["b_clerk"]}
            for w in public["windows"]}
        windows = []
        for w in public["windows"]:
            duty = None
            if w["signed_in"]:
                duty = "A" if w["signed_in"] == w["a_clerk"] else "B" if w["signed_in"] == w["b_clerk"] else "other"
            covered_by = None
            if access.holder_absent(states[w["id"]]) and w["b_clerk"] and w["b_clerk"] != w["signed_in"] \
                    and access.present(states, w["b_clerk"]):
                covered_by = w["b_clerk"]
            windows.append({"id": w["id"], "name": w["name"], "name_en": w["name_en"], "status": w["status"],
                            "number": w["number"], "clerk": w["clerk"], "signed_in": w["signed_in"],
                            "notice": w["notice"], "a_clerk": w["a_clerk"], "b_clerk": w["b_clerk"],
                            "on_duty": duty, "covered_by": covered_by})
        # Every source of an alert, each with when it began (since_ts); board.merge tells each once.
        alerts: list[dict[str, Any]] = []
        for c in cats:
            if c["waiting"] and not c["open_windows"] and coverage is None:
                alerts.append({"kind": "coverage", "level": "red", "categories": [c["code"]],
                               "message": f"{c['name']}：{c['waiting']} 人等候，无窗口办理 / "
                                          f"{c['waiting']} waiting for {c['name_en'] or c['code']}, no window open"})
            if c["over_target"]:
                since = now - c["longest_wait_s"] + c["target_wait_s"]
                alerts.append({"kind": "wait", "level": "yellow", "categories": [c["code"]], "key": f"wait:{c['code']}",
                               "since_ts": since, "at_ts": since,
                               "message": f"{c['name']}：最长等候 {c['longest_wait_s'] // 60} 分钟，超过承诺 "
                                          f"{int(c['target_wait_s'] // 60)} 分钟 / longest wait over the target"})
        live = (coverage or {}).get("alert")
        if live and live.get("level") == "red":
            at = datetime.fromisoformat(live["at"]).timestamp() if live.get("at") else None
            alerts.append({**{k: v for k, v in live.items() if k != "at"}, "live": True, "since_ts": at, "at_ts": at})
        muted = sorted(s for s, m in self.svc.view.muted_screens.items() if m)
        for s in muted:
            since = self.svc.view.screens.entries[s]["since"]
            alerts.append({"kind": "muted_screen", "level": "yellow", "categories": [], "key": f"muted_screen:{s}",
                           "since_ts": since, "at_ts": since,
                           "message": f"叫号屏 {s} 无声音 / call screen {s} is muted"})
        for t in tasks:
            if t["overdue"]:
                due = now + (t["left_s"] or 0)
                alerts.append({"kind": "rating_overdue", "level": "red", "categories": [],
                               "key": f"rating_overdue:{t['id']}", "since_ts": due, "at_ts": due,
                               "message": f"差评整改超时：{t['ticket']}（{t['window']}）/ rectification overdue"})
        for a in alerts_db:
            if a["kind"] == "rating_overdue":
                continue  # listed above from the tasks themselves
            printer = None
            if a["kind"] == "printer" and a.get("key"):
                printer = a["key"].split(":")[2] if a["key"].count(":") >= 3 else None
            alerts.append({"kind": a["kind"], "level": a["level"], "key": a.get("key"), "printer": printer,
                           "case_id": a.get("case_id"), "ticket_id": a.get("ticket_id"),
                           "categories": [a["category"]] if a["category"] else [],
                           "message": a["message"], "since_ts": a["at"], "at_ts": a["at"], "id": a["id"]})
        alerts = board.merge(alerts, self.tz)
        return {
            "waiting": sum(c["waiting"] for c in cats), "categories": cats, "longest": longest, "windows": windows,
            "alerts": alerts, "muted_screens": muted, "tasks": tasks,
            "cases": [{"id": c["id"], "number": c["number"], "item": c["item"], "card": c["card"],
                       "status": c["status"], "deadline": times.iso(c["deadline_at"], self.tz),
                       "provisional": bool(c["deadline_provisional"]), "window": c["window_id"]} for c in carded],
        }

    # ----- reports ---------------------------------------------------------------------

    async def visit_days(self, first: date, last: date) -> set[date]:
        """A mobile outlet's days with a published visit from first to last (the database is the
        schedule's one home, services/mobile.py): the days it opens (Hall.opens_on)."""
        if self.hall.kind != "mobile":
            return set()
        days = await self.db.read(sstore.visit_days, self.hall.id, first.isoformat(), last.isoformat())
        return {date.fromisoformat(d) for d in days}

    async def _yearly(self, last: date, now: float) -> dict:
        """What the yearly thresholds are judged on: the year to date up to `last`, from the
        hall's first ticket if it opened this year (reporting.add_thresholds)."""
        hall, tz = self.hall, self.tz
        first_at = await self.db.read(qstore.first_ticket_at, hall.id)
        first, last = year_to_date(last, datetime.fromtimestamp(first_at, tz).date() if first_at else None)
        start, end = reporting.day_bounds(first, last, tz)
        levels = await self.db.read(qstore.rating_levels, hall.id, start, end)
        busy = await self.db.read(qstore.serving_seconds, hall.id, first.isoformat(), last.isoformat())
        cal = self.calendar.current
        visit_days = await self.visit_days(first, last)

        def open_s() -> float:
            days = [d for d in reporting.days(first, last) if hall.opens_on(d, cal, visit_days)]
            return length(open_intervals(days, hall.hours.open, hall.hours.close, tz, until=now))

        return {"from": first, "to": last, "levels": levels, "busy_s": busy, "open_s": await asyncio.to_thread(open_s),
                "windows": len(hall.windows)}

    async def thresholds(self, last: date) -> dict:
        """The yearly thresholds up to `last` (reporting.thresholds_block): the bureau's view (issue 17)."""
        return reporting.thresholds_block(self.policy, await self._yearly(last, self.clock()))

    @staticmethod
    def check_range(first: date, last: date) -> None:
        for name, day in (("from", first), ("to", last)):
            _check_sane(day, name)
        if last < first:
            raise Invalid("to is before from")
        if (last - first).days + 1 > reporting.MAX_DAYS:
            raise Invalid(f"a report covers at most {reporting.MAX_DAYS} days")

    async def report(self, first: date, last: date, progress=None) -> tuple[dict, list[dict]]:
        """The report and its tasks; `progress(share, step)` hears how far a long one has got."""
        self.check_range(first, last)
        hall = self.hall
        now = self.clock()
        start, end = reporting.day_bounds(first, last, self.tz)
        rows: list[dict] = []
        spans = reporting.spans(first, last, 31)
        for i, (a, b) in enumerate(spans):  # a month a read: the reader is never held for long
            rows += await self.db.read(qstore.tickets_of_days, hall.id, a.isoformat(), b.isoformat())
            if progress:
                progress(0.8 * (i + 1) / len(spans), f"reading {b.isoformat()}")
        ratings = await self.db.read(rstore.ratings_between, hall.id, start, end)
        tasks = await self.db.read(rstore.tasks_opened_between, hall.id, start, end)
        cases = await self.db.read(qstore.cases_between, hall.id, start, end)
        messages = await self.db.read(kstore.message_counts, hall.id, start, end)  # issue 14
        followed = await self.db.read(kstore.case_figures, hall.id, start, end)
        complaints = await self.db.read(cxstore.figures, hall.id, start, end)  # issue 15
        appts = await self.db.read(astore.day_counts, hall.id, first.isoformat(), last.isoformat(),  # issue 16
                                   now - hall.appointments.check_in_after_min * 60)
        yearly = await self._yearly(last, now)
        cal = self.calendar.current
        visit_days = await self.visit_days(first, last)

        def build():
            open_days = [d for d in reporting.days(first, last) if hall.opens_on(d, cal, visit_days)
                         and datetime.combine(d, hall.hours.open, self.tz).timestamp() < now]
            report = reporting.build_report(hall, self.policy, rows, ratings, tasks, cases, first, last, open_days,
                                            now)
            reporting.add_thresholds(report, self.policy, yearly)
            reporting.add_followup(report, messages, followed)
            reporting.add_complaints(report, complaints)
            reporting.add_appointments(report, appts)
            return report, [reporting.task_public(t, self.tz, now) for t in tasks]

        report, public_tasks = await asyncio.to_thread(build)
        # People by the names staff know them by (the login id stays the row's key).
        people = {x["key"] for x in (*report["by_clerk"], *report["ratings"]["by_clerk"])}
        names = await self.db.read(ackstore.display_names, people | {t["clerk"] for t in public_tasks})
        for x in (*report["by_clerk"], *report["ratings"]["by_clerk"]):
            x["name"] = names.get(x["key"], x["name"])
        for t in public_tasks:
            t["clerk_name"] = names.get(t["clerk"], t["clerk"])
        return report, public_tasks


# Reports and exports cover days in this range: beyond it a day's bounds overflow (9999-12-31
# has no next day) and no hall has figures anyway.
SANE_DAYS = (date(2000, 1, 1), date(2100, 12, 31))


def _check_sane(day: date, name: str) -> None:
    if not SANE_DAYS[0] <= day <= SANE_DAYS[1]:
        raise Invalid(f"{name} must be a date from {SANE_DAYS[0]} to {SANE_DAYS[1]}, got {day}", "invalid",
                      field=name)


def parse_day(raw: str | None, default: date, name: str) -> date:
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        raise Invalid(f"{name} must be a date YYYY-MM-DD, got {raw[:40]!r}", "invalid", field=name) from None
    _check_sane(day, name)
    return day


def reasons_public() -> list[dict]:
    return [{"code": k, "name": v[0], "name_en": v[1]} for k, v in REASONS.items()]
