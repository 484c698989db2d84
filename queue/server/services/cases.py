"""Cases (办件), their promised deadlines and electronic supervision (电子监察).

One `CaseService` per server, made by the Runtime with the server's
working-day calendar (calendar.py); loading a year's schedule happens here.

- A ticket completed with the outcome "accepted" opens a case in the same
  transaction (`opener`); its deadline runs from acceptance, or from the
  ticket's issue for an instant item (即办件), so the wait counts.
- `check(now)` runs at start (deadlines that crossed while the server was
  down are caught) and every minute: supervision.py's round over each hall
  (yellow and red cards, waiting promises, overrun steps, years without a
  schedule). Each alert is logged once (a unique key, across processes) and
  published on the hub as an "alert" event.
- Personal data: the applicant's name and phone are encrypted before they
  reach the database and leave this module masked (张**, 138****5678).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from onewindow.casework import case_prefixes
from onewindow.promises import Deadline, YearSchedule, compute_deadline
from onewindow.server.errors import Forbidden, Invalid, NotFound
from onewindow.server.live.hub import Hub
from onewindow.server.services import access, supervision
from onewindow.server.services.auth import User
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import cases as cstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.crypto import Box, mask_name, mask_phone
from onewindow.server.store.database import Database
from onewindow.server.store.rows import AlertRow, CaseRow
from onewindow.tickets import times

if TYPE_CHECKING:
    from onewindow.server.services.tracking import TrackingService

log = logging.getLogger("onewindow.cases")

CHECK_EVERY_S = 60
TICKER = 20
SUSPENSION_REASONS = ("correction", "expert_review", "hearing", "public_notice")
REASON_NAMES = {"correction": "补正材料", "expert_review": "专家评审", "hearing": "听证", "public_notice": "公示"}
_TIME_KEYS = ("deadline", "old_deadline", "suspended_from", "clock_from")


def _audit(tx, actor: str, action: str, case: CaseRow, now: float, **data) -> None:
    """A case action in the audit log, last in its transaction (store/audit.py)."""
    accounts.audit(tx, actor, action, json.dumps({"case": case["number"], "case_id": case["id"], "hall": case["hall"],
                                                  **data}, ensure_ascii=False), now)


def _at(ts: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


class CaseService:
    def __init__(self, db: Database, hub: Hub, clock: Callable[[], float], halls: dict[str, HallService], box: Box,
                 calendar: Calendar):
        self.db, self.hub, self.clock, self.halls, self.box = db, hub, clock, halls, box
        self.calendar = calendar
        # Each outlet's case-number prefix, unique across the deployment (checked at config load): a
        # van's own (HP-VAN1-...) on the van too, whose file holds its outlet alone (issue 17).
        self.prefixes = case_prefixes((s.hall.id, s.hall.kind, s.hall.case_prefix) for s in halls.values())
        first = next(iter(halls.values()), None)
        self.tz: tzinfo = first.tz if first else ZoneInfo("Asia/Shanghai")
        self.tracking: TrackingService | None = None  # the applicant's page and messages (issue 14; the Runtime)

    # ----- start-up, the calendar ---------------------------------------------------------

    async def start(self) -> None:
        for svc in self.halls.values():
            await self._load_ticker(svc)
        await self.check_safely()

    async def run(self) -> None:
        """The supervision check, every minute until cancelled."""
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            await self.check_safely()

    def zone(self, hall: str | None) -> tzinfo:
        if hall is None:
            return self.tz
        svc = self.halls.get(hall)
        if svc is None:
            raise NotFound(f"unknown hall {hall!r}", "unknown_hall")
        return svc.tz

    def deadline(self, start: datetime, amount: int, unit: str, tz: tzinfo) -> Deadline:
        """The contract's calendar answer (ValueError on bad input)."""
        return compute_deadline(start, amount, unit, self.calendar.current, tz)

    async def years(self) -> list[dict]:
        await self.calendar.reload()
        rows = {r["year"]: r for r in await self.db.read(cstore.years)}
        out = []
        for year in sorted(self.calendar.current.loaded_years):
            s = self.calendar.current.schedule(year)
            assert s is not None  # a loaded year
            r = rows.get(year)
            out.append({"year": year, "source": s.source, "seeded": r is None,
                        "loaded_by": r["loaded_by"] if r else None,
                        "loaded_at": times.iso(r["loaded_at"], self.tz) if r else None,
                        "holidays": sorted(d.isoformat() for d in s.holidays),
                        "workdays": sorted(d.isoformat() for d in s.workdays)})
        return out

    async def load_year(self, actor: str, schedule: YearSchedule) -> dict:
        """An administrator loads a year's official schedule: every provisional
        deadline is recomputed, and the calendar alerts of that year settle."""
        await self.calendar.reload()
        try:
            cal = self.calendar.current.with_schedule(schedule)
        except ValueError as exc:
            raise Invalid(f"holidays: {exc}", "invalid", field="holidays") from None
        now = self.clock()
        zones = {h: s.tz for h, s in self.halls.items()}

        def fn(tx):
            cstore.save_year(tx, schedule, loaded_by=actor, now=now)
            changed = []
            for c in cstore.provisional_cases(tx):
                if c["hall"] not in zones:
                    continue
                new = cstore.recompute(tx, c, calendar=cal, tz=zones[c["hall"]], actor=actor, now=now,
                                       why=f"calendar {schedule.year} loaded")
                if new is not None:
                    cstore.resolve_case_alerts(tx, c["id"], actor=actor, now=now)
                    changed.append(new)
            settled = cstore.resolve_calendar_alerts(tx, schedule.year, actor=actor, now=now)
            accounts.audit(tx, actor, "calendar_year_loaded", json.dumps(
                {"year": schedule.year, "source": schedule.source, "recomputed": len(changed)}, ensure_ascii=False),
                now)
            return changed, settled

        changed, settled = await self.db.write(fn)
        await self.calendar.reload()
        await self.check_safely()
        return {"year": schedule.year, "source": schedule.source, "loaded_by": actor,
                "loaded_at": times.iso(now, self.tz), "holidays": len(schedule.holidays),
                "workdays": len(schedule.workdays), "recomputed": [c["number"] for c in changed],
                "alerts_resolved": settled}

    # ----- opening a case with the ticket's completion ------------------------------------

    def opener(self, svc: HallService, user: User, body, base: str = "") -> Callable:
        """`also(tx, ticket)` for HallService.ticket_action("complete"): opens the case
        in the completion's transaction. `body` has item, applicant_name,
        applicant_phone, project, notify (api/tickets.CaseBody); `base`: where phones reach
        this server (the tracking link)."""
        hall, tz = svc.hall, svc.tz
        item = hall.item(body.item)
        if item is None:
            raise Invalid(f"unknown business item {body.item!r}", "unknown_item")
        name_enc = self.box.encrypt(body.applicant_name.strip())
        phone_enc = self.box.encrypt(body.applicant_phone.strip())
        project = body.project.strip()
        cal = self.calendar.current
        statutory = (item.statutory.amount, item.statutory.unit) if item.statutory else None

        def also(tx, ticket: dict) -> dict:
            now = ticket["finished_at"]
            clock_from = ticket["issued_at"] if item.instant else now
            d = compute_deadline(_at(clock_from, tz), item.promised.amount, item.promised.unit, cal, tz)
            # The law's limit, in its own unit, from the same start (issue 15, point 7).
            law = (compute_deadline(_at(clock_from, tz), item.statutory.amount, item.statutory.unit, cal, tz)
                   if item.statutory else None)
            case = cstore.open_case(
                tx, hall=hall.id, day=times.service_day(now, tz), prefix=self.prefixes[hall.id], ticket=ticket,
                item=item.code, name_enc=name_enc, phone_enc=phone_enc, project=project, actor=user.username, now=now,
                clock_from=clock_from, deadline=d, promised=(item.promised.amount, item.promised.unit),
                statutory=statutory, instant=item.instant, statutory_deadline=law)
            tracking = self._track_new(tx, svc, case, ticket, bool(getattr(body, "notify", False)), base)
            alerts = []
            if d.provisional:
                alerts = supervision.calendar_alerts(tx, svc, cal, now, [(clock_from, d.at.timestamp())])
            return {"case": case, "alerts": alerts, **tracking}

        return also

    def _track_new(self, tx, svc: HallService, case: CaseRow, ticket: dict, notify: bool, base: str) -> dict:
        """The new case's tracking token (kept as its keyed hash) and the accepted message."""
        if self.tracking is None:
            return {}
        from onewindow.server.services.tracking import case_link
        from onewindow.server.store import tracking as kstore

        token, digest = self.tracking.new_token(case)
        kstore.set_case(tx, case["id"], digest=digest, notify=notify, lang=ticket.get("lang") or "zh")
        if base and not self.tracking.base:
            self.tracking.base = base.rstrip("/")
        link = case_link(base or self.tracking.base, case["id"], token)
        item = svc.hall.item(case["item"])
        self.tracking.message_case(tx, case, "case_accepted", {
            "number": case["number"], "item": item.name if item else case["item"],
            "deadline": _at(case["deadline_at"], svc.tz).date().isoformat(), "link": link}, "accepted")
        if case["status"] == cstore.COMPLETED:  # an instant item: done at the window
            self._message_completed(tx, svc, case, None, None)
        return {"track_token": token, "track_url": link}

    def _message_completed(self, tx, svc: HallService, case: CaseRow, delivery: str | None,
                           window: str | None) -> None:
        if self.tracking is None:
            return
        item = svc.hall.item(case["item"])
        w = svc.hall.window(window or case["window_id"] or "")
        name, name_en = (w.name, w.name_en or w.name) if w else ("窗口", "the window")
        way = {"collect": {"zh": f"，请到{name}领取", "en": f": collect it at {name_en}"},
               "post": {"zh": "，结果已邮寄", "en": ": the result is posted to you"},
               "online": {"zh": "，结果可在网上查看", "en": ": see the result online"}}.get(delivery or "collect", "")
        self.tracking.message_case(tx, case, "case_completed", {
            "number": case["number"], "item": item.name if item else case["item"], "result": way}, "completed")
        self.tracking.message_case(tx, case, "case_rate_invite", {"number": case["number"]}, "rate_invite")

    async def opened(self, svc: HallService, result: dict) -> dict:
        """After the completion committed: publish, and the contract's case answer."""
        case = result["case"]
        for a in result["alerts"]:
            self._publish_alert(a)
        if case["status"] == cstore.COMPLETED:
            self._publish_completion(svc, case)
        out = {"id": case["id"], "number": case["number"], "deadline": times.iso(case["deadline_at"], svc.tz),
               "provisional": case["deadline_provisional"], "status": case["status"],
               "statutory_deadline": times.iso(case["statutory_deadline_at"], svc.tz)}
        if "track_token" in result:  # shown once: only its keyed hash is kept
            out.update(track_token=result["track_token"], track_url=result["track_url"])
        return out

    # ----- a case's life ------------------------------------------------------------------

    def _hall_of(self, case: CaseRow) -> HallService:
        svc = self.halls.get(case["hall"])
        if svc is None:  # a hall removed from the configuration
            raise NotFound(f"case {case['id']} belongs to hall {case['hall']!r}, not served here")
        return svc

    async def case(self, case_id: int) -> dict:
        case, hist, stops = await self.db.read(
            lambda tx: (cstore.get(tx, case_id), cstore.history(tx, case_id), cstore.suspensions(tx, case_id)))
        svc = self._hall_of(case)
        out = self.case_public(svc, case)
        out["suspensions"] = [self._suspension_public(svc, s) for s in stops]
        # What the applicant still has to bring (一次性告知): the open suspension's list.
        waiting_for = [s for s in stops if s["to_at"] is None]
        out["missing"] = json.loads(waiting_for[-1]["missing"] or "[]") if waiting_for else []
        out["history"] = [self._event_public(svc, e) for e in hist]
        return out

    async def list_cases(self, hall: str, statuses: tuple[str, ...], cards: tuple[str, ...], limit: int,
                         offset: int) -> list[dict]:
        svc = self.halls[hall]
        rows = await self.db.read(cstore.list_cases, hall, statuses=statuses, cards=cards, limit=limit, offset=offset)
        return [self.case_public(svc, c) for c in rows]

    async def authorize(self, user: User, case_id: int) -> CaseRow:
        """403 unless `user` may change or print this case (access.may_handle_case); 404 without it."""
        case = await self.db.read(cstore.get, case_id)
        states = await self.db.read(wstore.states, case["hall"])
        if not access.may_handle_case(user.username, user.is_manager, case["clerk"], case["window_id"], states):
            raise Forbidden("only the clerk who accepted this case, a post holder of its window or a manager "
                            "may do this", "not_your_case")
        return case

    async def suspend(self, actor: str, case_id: int, reason: str, notice: str,
                      missing: list[str] | None = None) -> dict:
        """`missing`: the materials the one-time notice lists (the tracking page and message show them)."""
        now = self.clock()
        missing = [m.strip() for m in missing or [] if m.strip()]

        def fn(tx):
            case = cstore.suspend(tx, case_id, reason=reason, notice=notice, actor=actor, now=now, missing=missing)
            if missing:  # kept with the suspension's event, for the applicant's page
                cstore.event(tx, case, "missing_listed", now, actor, missing=missing)
            if self.tracking is not None:
                from onewindow.server.services.tracking import REASON_NAMES, missing_of
                what = missing_of({"missing": missing, "notice": notice})
                self.tracking.message_case(tx, case, "case_suspended", {
                    "number": case["number"], "reason": REASON_NAMES.get(reason, (reason, ""))[0],
                    "missing": "、".join(what)[:120]}, f"suspended:{now}")
            _audit(tx, actor, "case_suspend", case, now, reason=reason)
            return case

        case = await self.db.write(fn)
        self._progress(case)
        return await self.case(case_id)

    async def resume(self, actor: str, case_id: int) -> dict:
        now = self.clock()
        cal = self.calendar.current

        def fn(tx):
            svc = self._hall_of(cstore.get(tx, case_id))
            case = cstore.resume(tx, case_id, actor=actor, now=now, calendar=cal, tz=svc.tz)
            cstore.resolve_case_alerts(tx, case_id, actor=actor, now=now)
            if self.tracking is not None:
                self.tracking.message_case(tx, case, "case_resumed", {
                    "number": case["number"], "deadline": _at(case["deadline_at"], svc.tz).date().isoformat()},
                    f"resumed:{now}")
            _audit(tx, actor, "case_resume", case, now)
            return case

        self._progress(await self.db.write(fn))
        await self.check_safely()  # the moved deadline may already be close or past
        return await self.case(case_id)

    async def visit(self, actor: str, case_id: int, note: str = "") -> dict:
        """The applicant came again for this case (最多跑一次 counts the trips)."""
        now = self.clock()

        def fn(tx):
            case = cstore.visit(tx, case_id, actor=actor, now=now, note=note)
            _audit(tx, actor, "case_visit", case, now, visits=case["visits"])
            return case

        await self.db.write(fn)
        return await self.case(case_id)

    async def complete(self, actor: str, case_id: int, note: str = "", delivery: str | None = None,
                       window: str | None = None) -> dict:
        """`delivery`: how the result reaches the applicant (collect at `window`, post, online)."""
        now = self.clock()

        def fn(tx):
            from onewindow.server.services.casework import review_refusal
            held = cstore.get(tx, case_id, lock=True)
            review_refusal(tx, self._hall_of(held), held)  # 一审一核: 409 review_required before the sign-off
            case = cstore.complete(tx, case_id, actor=actor, now=now, note=note)
            cstore.resolve_case_alerts(tx, case_id, actor=actor, now=now)
            way = delivery or "collect"
            where = (window or case["window_id"]) if way == "collect" else None
            cstore.event(tx, case, "result_ready", now, actor, delivery=way, window=where)
            self._message_completed(tx, self._hall_of(case), case, way, where)
            _audit(tx, actor, "case_complete", case, now)
            return case

        case = await self.db.write(fn)
        self._publish_completion(self._hall_of(case), case)
        self._progress(case)
        return await self.case(case_id)

    async def withdraw(self, actor: str, case_id: int, reason: str) -> dict:
        """Withdrawn or refused, with a reason; a refusal without one is refused and flagged."""
        now = self.clock()
        reason = reason.strip()
        if not reason:
            def flag(tx):
                case = cstore.get(tx, case_id)
                alert = cstore.raise_alert(
                    tx, key=f"{case['hall']}:refusal_without_reason:{case_id}:{actor}", hall=case["hall"],
                    kind="refusal_without_reason", level=cstore.RED, now=now, case_id=case_id,
                    message=f"办件 {case['number']} 退件未说明理由 / case {case['number']}: "
                            "a refusal without a reason was attempted")
                _audit(tx, actor, "case_refusal_without_reason", case, now)
                return alert

            alert = await self.db.write(flag)
            if alert is not None:
                self._publish_alert(alert)
            raise Invalid("reason: a withdrawal or refusal needs a reason (退件须说明理由)", "reason_required",
                           field="reason")

        def fn(tx):
            case = cstore.withdraw(tx, case_id, reason=reason, actor=actor, now=now)
            cstore.resolve_case_alerts(tx, case_id, actor=actor, now=now)
            _audit(tx, actor, "case_withdraw", case, now, reason=reason)
            return case

        self._progress(await self.db.write(fn))
        return await self.case(case_id)

    # ----- alerts and the supervision check -----------------------------------------------

    async def alerts(self, hall: str, include_resolved: bool, kinds: tuple[str, ...], limit: int) -> list[dict]:
        svc = self.halls[hall]
        rows = await self.db.read(cstore.alerts, hall, include_resolved=include_resolved, kinds=kinds, limit=limit)
        return [self.alert_public(svc, a) for a in rows]

    async def resolve_alert(self, actor: str, alert_id: int) -> dict:
        now = self.clock()
        def fn(tx):
            a = cstore.resolve_alert(tx, alert_id, actor=actor, now=now)
            accounts.audit(tx, actor, "alert_resolve", json.dumps(
                {"alert": alert_id, "hall": a["hall"], "kind": a["kind"]}, ensure_ascii=False), now)
            return a

        a = await self.db.write(fn)
        return self.alert_public(self.halls.get(a["hall"]), a)

    async def check_safely(self, now: float | None = None) -> list[AlertRow]:
        try:
            return await self.check(now)
        except Exception:
            log.exception("the supervision check failed")
            return []

    async def check(self, now: float | None = None) -> list[AlertRow]:
        """One round of electronic supervision; the alerts it newly logged (also published)."""
        now = self.clock() if now is None else now
        await self.calendar.reload()
        cal = self.calendar.current
        fresh: list[AlertRow] = []
        for svc in self.halls.values():
            fresh += await self.db.write(supervision.check_hall, svc, cal, now)
        for a in fresh:
            self._publish_alert(a)
        return fresh

    # ----- what leaves this module --------------------------------------------------------

    def _publish_alert(self, a: AlertRow) -> None:
        svc = self.halls.get(a["hall"])
        if svc is None:
            return
        self.hub.publish(a["hall"], "alert", self.alert_public(svc, a))

    def _progress(self, case: CaseRow) -> None:
        if self.tracking is not None:
            self.tracking.publish(case["hall"], case["id"])

    def _publish_completion(self, svc: HallService, case: CaseRow) -> None:
        self.hub.publish(svc.hall.id, "completion", {**self._ticker_entry(svc, case), "case_id": case["id"]})

    def _ticker_entry(self, svc: HallService, case: CaseRow) -> dict:
        """A line of the completion ticker (call screens): the applicant masked."""
        return {"case": case["number"], "item": supervision.item_name(svc.hall, case["item"]),
                "completed_at": times.iso(case["completed_at"], svc.tz),
                "applicant": mask_name(self.box.decrypt(case["applicant_name_enc"]))}

    async def _load_ticker(self, svc: HallService) -> None:
        """Cases completed today, for screens that connect after a restart."""
        since = _at(self.clock(), svc.tz).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        rows = await self.db.read(cstore.completed_since, svc.hall.id, since, TICKER)
        for case in reversed(rows):
            svc.view.completions.appendleft(self._ticker_entry(svc, case))

    def case_public(self, svc: HallService, c: CaseRow) -> dict:
        iso = lambda ts: times.iso(ts, svc.tz)  # noqa: E731
        item = svc.hall.item(c["item"])
        kept = None
        if c["status"] == cstore.COMPLETED:
            kept = cast(float, c["completed_at"]) <= c["deadline_at"]  # completed: set
        return {
            "id": c["id"], "number": c["number"], "hall": c["hall"], "item": c["item"],
            "item_name": item.name if item else c["item"], "item_name_en": item.name_en if item else "",
            "ticket_id": c["ticket_id"], "ticket_number": c["ticket_number"], "category": c["category"],
            "applicant_name": mask_name(self.box.decrypt(c["applicant_name_enc"])),
            "applicant_phone": mask_phone(self.box.decrypt(c["applicant_phone_enc"])),
            "project": c["project"], "accepted_at": iso(c["accepted_at"]), "clock_from": iso(c["clock_from"]),
            "deadline": iso(c["deadline_at"]), "provisional": c["deadline_provisional"],
            "promised": {"amount": c["promised_amount"], "unit": c["promised_unit"]},
            "statutory": ({"amount": c["statutory_amount"], "unit": c["statutory_unit"]}
                          if c["statutory_amount"] is not None else None),
            "instant": c["instant"], "status": c["status"], "first_clerk": c["first_clerk"], "clerk": c["clerk"],
            "window": c["window_id"], "wait_s": c["wait_s"], "walk_s": c["walk_s"], "service_s": c["service_s"],
            "completed_at": iso(c["completed_at"]), "closed_reason": c["closed_reason"] or None,
            "card": c["card"], "card_at": iso(c["card_at"]), "kept": kept,
            "statutory_deadline": iso(c["statutory_deadline_at"]),
            "statutory_provisional": c["statutory_provisional"], "visits": c["visits"],
            "processing_s": (c["completed_at"] - c["accepted_at"]) if c["completed_at"] is not None else None,
        }

    def alert_public(self, svc: HallService | None, a: AlertRow) -> dict:
        tz = svc.tz if svc else self.tz
        return {"id": a["id"], "kind": a["kind"], "level": a["level"], "message": a["message"],
                "categories": [a["category"]] if a["category"] else [], "case_id": a["case_id"],
                "ticket_id": a["ticket_id"], "at": times.iso(a["at"], tz),
                "resolved_at": times.iso(a["resolved_at"], tz), "resolved_by": a["resolved_by"]}

    def _suspension_public(self, svc: HallService, s: dict) -> dict:
        return {"reason": s["reason"], "reason_name": REASON_NAMES.get(s["reason"], s["reason"]),
                "from": times.iso(s["from_at"], svc.tz), "to": times.iso(s["to_at"], svc.tz),
                "notice": s["notice"], "actor": s["actor"], "missing": json.loads(s.get("missing") or "[]")}

    def _event_public(self, svc: HallService, e: dict) -> dict:
        data = json.loads(e["data"] or "{}")
        for k in _TIME_KEYS:
            if isinstance(data.get(k), (int, float)):
                data[k] = times.iso(data[k], svc.tz)
        return {"type": e["type"], "at": times.iso(e["at"], svc.tz), "actor": e["actor"], "data": data}

