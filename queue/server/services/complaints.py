"""Complaints and reports (投诉举报) and the 12369 flow: a case kind with several clocks.

One `ComplaintService` per server (the Runtime). A complaint comes in at a
window (a clerk) or from outside the hall through the API (the 12369
platform, a grid supervisors' app, the letters office: a paired device of
kind "system", or any staff account). Each has its clocks (milestones,
onewindow.complaints.clocks) with the hall's limits ([halls.complaints]):

- entry: received -> entered, 1 hour (done at intake; late: a red card at once);
- contact: the complainant reached to confirm, 24 hours from receipt (if they left a phone);
- forward: dispatched to the responsible department, 1 working day from entry;
- handling: the department's result, the department's limit from dispatch;
- verify: verified on site, from the result.

`supervise(tx, svc, cal, now)` is part of electronic supervision's round
(services/supervision.py, every minute): a running clock crossing into
yellow or red logs its alert once (the alert table, published on the hub);
a handling clock gone red escalates the complaint one grade (上报). Every
change is audited; the complainant's name and phone are encrypted and leave
this module masked, but for the callback's one audited read.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, tzinfo

from onewindow.complaints import CALLBACK_OUTCOMES, FlowError, after, covers, escalate, grade_of, may_call_back, plan
from onewindow.complaints import state as clock_state
from onewindow.complaints.flow import NAMES, STARTS, STOPS
from onewindow.complaints.grading import GRADE_NAMES
from onewindow.promises import WorkingCalendar
from onewindow.server.config.complaints import ComplaintRules
from onewindow.server.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.server.live.hub import Hub
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import cases as cstore
from onewindow.server.store import complaints as qstore
from onewindow.server.store.crypto import UNREADABLE, Box, mask_name, mask_phone
from onewindow.server.store.database import Database, Tx
from onewindow.server.store.rows import AlertRow
from onewindow.tickets import times

SOURCES = ("window", "hotline", "grid", "letter", "online")
SOURCE_NAMES = {"window": ("窗口", "window"), "hotline": ("12369热线", "12369 hotline"),
                "grid": ("网格监督员", "grid supervisor"), "letter": ("来信", "letter"), "online": ("网上", "online")}
MILESTONE_NAMES = {"entry": ("录入系统", "entered"), "contact": ("联系确认", "complainant contacted"),
                   "forward": ("转交属地部门", "forwarded"), "handling": ("部门办理反馈", "handled"),
                   "verify": ("现场核实", "verified on site")}
OUTCOMES = {"contact": ("reached", "unreachable"), "verify": ("rectified", "not_rectified"),
            "evaluate": ("good", "fair", "poor")}
MANAGER_STEPS = ("evaluate",)  # the centre's overall evaluation (综合评价)
KINDS = ("complaint", "complaint_escalated")  # alert kinds
_SPACE = re.compile(r"[\s，,。.·]+")


def place_key(place: str) -> str:
    """The place as repeated complaints name it: without spaces and punctuation, lower case."""
    return _SPACE.sub("", place).lower()[:64]


def _at(ts: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


def rules_of(svc: HallService) -> ComplaintRules:
    rules = getattr(svc.hall, "complaints", None)
    return rules if isinstance(rules, ComplaintRules) else ComplaintRules()


def _audit(tx: Tx, actor: str | None, action: str, c: dict, now: float, **data) -> None:
    accounts.audit(tx, actor, action, json.dumps({"complaint": c["number"], "complaint_id": c["id"],
                                                  "hall": c["hall"], **data}, ensure_ascii=False), now)


def _key(c: dict, milestone: str, round_: int) -> str:
    return f"{c['hall']}:complaint:{c['id']}:{milestone}:{round_}:"


def _start_clock(tx: Tx, svc: HallService, cal: WorkingCalendar, c: dict, milestone: str, start: float,
                 amount: int, unit: str, done_at: float | None = None) -> dict:
    d = plan(milestone, _at(start, svc.tz), amount, unit, cal, svc.tz)
    round_ = qstore.last_round(tx, c["id"], milestone) + 1
    due = d.at.timestamp()
    grade = None if done_at is None else ("kept" if done_at <= due else "missed")
    qstore.add_clock(tx, complaint_id=c["id"], hall=c["hall"], milestone=milestone, round_=round_, amount=amount,
                     unit=unit, started_at=start, due_at=due, provisional=d.provisional, done_at=done_at,
                     card=grade or "green", card_at=done_at)
    return {"milestone": milestone, "round": round_, "due_at": due, "done_at": done_at, "card": grade or "green"}


def _alert(tx: Tx, svc: HallService, c: dict, milestone: str, round_: int, level: str, due: float,
           now: float) -> AlertRow | None:
    zh, en = MILESTONE_NAMES[milestone]
    when = times.iso(due, svc.tz)
    if level == "red":
        msg = (f"投诉 {c['number']}「{zh}」已超过时限 {when} / complaint {c['number']}: not {en} by {when}")
    else:
        msg = (f"投诉 {c['number']}「{zh}」将于 {when} 到期 / complaint {c['number']}: to be {en} by {when}")
    return cstore.raise_alert(tx, key=_key(c, milestone, round_) + level, hall=c["hall"], kind="complaint",
                              level=level, message=msg, now=now)


def _escalate(tx: Tx, svc: HallService, c: dict, actor: str | None, now: float, why: str) -> AlertRow | None:
    up = escalate(c["grade"])
    if up is None:
        return None
    qstore.update(tx, c["id"], grade=up)
    qstore.step(tx, complaint_id=c["id"], hall=c["hall"], step="escalate", at=now, actor=actor, outcome=up,
                note=why, grade_from=c["grade"])
    _audit(tx, actor, "complaint_escalate", c, now, grade=up, reason=why)
    c["grade"] = up
    return cstore.raise_alert(
        tx, key=f"{c['hall']}:complaint_escalated:{c['id']}:{up}", hall=c["hall"], kind="complaint_escalated",
        level="red" if up == "serious" else "yellow", now=now,
        message=f"投诉 {c['number']} 升级为{GRADE_NAMES[up]}：{why} / complaint {c['number']} escalated to {up}: {why}")


def supervise(tx: Tx, svc: HallService, cal: WorkingCalendar, now: float) -> list[AlertRow]:
    """The complaints' part of a supervision round (one hall, its transaction): each running
    clock's card; a yellow or red one logged once; a handling clock gone red escalates."""
    sup = svc.hall.supervision
    at_now = _at(now, svc.tz)
    out: list[AlertRow] = []
    for k in qstore.running_clocks(tx, svc.hall.id):
        grade = clock_state(_at(k["due_at"], svc.tz), at_now, done_at=None, amount=k["amount"], unit=k["unit"],
                            calendar=cal, tz=svc.tz, warn_working_days=sup.warn_working_days,
                            warn_fraction=sup.warn_fraction)
        if grade == k["card"]:
            continue
        qstore.set_card(tx, k["id"], grade, now)
        if grade == "green":
            continue
        c = {"id": k["complaint_id"], "hall": k["hall"], "number": k["number"], "grade": k["grade"]}
        if grade == "red":  # the yellow card of this clock gives way to the red one
            qstore.resolve_alerts(tx, c["hall"], _key(c, k["milestone"], k["round"]) + "yellow", actor=None, now=now)
        a = _alert(tx, svc, c, k["milestone"], k["round"], grade, k["due_at"], now)
        if a is not None:
            out.append(a)
        if grade == "red" and k["milestone"] == "handling":
            e = _escalate(tx, svc, c, None, now, "部门办理超期 / handling overdue")
            if e is not None:
                out.append(e)
    return out


class ComplaintService:
    def __init__(self, db: Database, hub: Hub, clock: Callable[[], float], halls: dict[str, HallService], box: Box,
                 calendar: Calendar, notifier: Callable[[], object] | None = None):
        self.db, self.hub, self.clock, self.halls, self.box, self.calendar = db, hub, clock, halls, box, calendar
        self.notifier = notifier or (lambda: None)

    def hall(self, hall: str) -> HallService:
        svc = self.halls.get(hall)
        if svc is None:
            raise NotFound(f"unknown hall {hall!r}", "unknown_hall")
        return svc

    def types(self, hall: str) -> dict:
        svc = self.hall(hall)
        r = rules_of(svc)
        return {
            "sources": [{"code": s, "name": n[0], "name_en": n[1]} for s, n in SOURCE_NAMES.items()],
            "types": [{"code": t.code, "name": t.name, "name_en": t.name_en, "grade": t.grade,
                       "kinds": [{"code": f"{t.code}.{k.code}", "name": k.name, "name_en": k.name_en,
                                  "grade": k.grade or t.grade} for k in t.kinds]} for t in r.types],
            "departments": [{"code": d.code, "name": d.name, "name_en": d.name_en, "duties": list(d.duties),
                             "handling": (d.handling or r.clocks.handling).model_dump()} for d in r.departments],
            "clocks": {m: getattr(r.clocks, m).model_dump() for m in MILESTONE_NAMES},
        }

    # ----- intake -----------------------------------------------------------------------------

    async def intake(self, hall: str, actor: str, body, system: bool = False) -> tuple[dict, bool]:
        """A new complaint (or, for an `external_ref` seen before, the one it made): (public, created)."""
        svc = self.hall(hall)
        rules = rules_of(svc)
        now = self.clock()
        if body.type not in rules.codes():
            raise Invalid(f"type: unknown complaint type {body.type!r}", "unknown_type", field="type")
        if system and body.source == "window":
            raise Invalid("source: an outside system cannot file a window complaint", "invalid", field="source")
        if body.window is not None and svc.hall.window(body.window) is None:
            raise Invalid(f"window: unknown window {body.window!r}", "unknown_window", field="window")
        received = body.received_at.timestamp() if body.received_at is not None else now
        if received > now + 60:
            raise Invalid("received_at: in the future", "invalid", field="received_at")
        if received < now - 366 * 86400:
            raise Invalid("received_at: more than a year ago", "invalid", field="received_at")
        name = "" if body.anonymous else body.name.strip()
        phone = body.phone.strip()
        cal = self.calendar.current
        key = place_key(body.place)
        since = received - rules.repeat_days * 86400

        def fn(tx):
            if body.external_ref:
                seen = qstore.by_external_ref(tx, svc.hall.id, body.external_ref)
                if seen is not None:
                    return seen, False, []
            repeats = qstore.repeats(tx, svc.hall.id, body.type, key, since) + 1
            grade = grade_of(rules.base_grade(body.type), repeats=repeats, repeat_threshold=rules.repeat_threshold,
                             urgent=body.urgent)
            made = qstore.insert(
                tx, hall=svc.hall.id, day=times.service_day(now, svc.tz), source=body.source,
                external_ref=body.external_ref or None, type_code=body.type, grade=grade, urgent=body.urgent,
                content=body.content.strip(), place=body.place.strip(), place_key=key,
                name_enc=self.box.encrypt(name) if name else "", phone_enc=self.box.encrypt(phone) if phone else "",
                real_name=bool(name), has_phone=bool(phone), received_at=received, entered_at=now,
                entered_by=actor, window_id=body.window, status="received", department=None, result="",
                closed_at=None, evaluation=None)
            if made is None:  # the same external_ref, committed by another process since we looked
                seen = qstore.by_external_ref(tx, svc.hall.id, body.external_ref or "")
                assert seen is not None
                return seen, False, []
            c = made
            qstore.step(tx, complaint_id=c["id"], hall=c["hall"], step="intake", at=now, actor=actor,
                        outcome=body.source, note="", repeats=repeats, grade=grade)
            alerts = []
            k = rules.clocks
            entry = _start_clock(tx, svc, cal, c, "entry", received, k.entry.amount, k.entry.unit, done_at=now)
            if entry["card"] == "missed":
                a = _alert(tx, svc, c, "entry", 1, "red", entry["due_at"], now)
                if a is not None:
                    alerts.append(a)
            if phone:
                _start_clock(tx, svc, cal, c, "contact", received, k.contact.amount, k.contact.unit)
            _start_clock(tx, svc, cal, c, "forward", now, k.forward.amount, k.forward.unit)
            if phone:
                self._message(tx, c, phone, "complaint_received", {"number": c["number"]}, "received")
            _audit(tx, actor, "complaint_intake", c, now, source=body.source, type=body.type, grade=grade,
                   external_ref=body.external_ref)
            return c, True, alerts

        c, created, alerts = await self.db.write(fn)
        for a in alerts:
            self._publish_alert(svc, a)
        if created:
            await self._check(svc)  # a clock already yellow or red (a letter received days ago)
            self.hub.publish(svc.hall.id, "complaint", {"id": c["id"], "status": c["status"]})
        return await self.get(c["id"]), created

    def _message(self, tx: Tx, c: dict, phone: str, kind: str, params: dict, key: str) -> None:
        notifier = self.notifier()
        enqueue = getattr(notifier, "enqueue", None)
        if enqueue is None or not phone or phone == UNREADABLE:
            return
        enqueue(tx, hall=c["hall"], kind=kind, phone=phone, params=params, event_key=f"complaint:{c['id']}:{key}")

    # ----- the flow -----------------------------------------------------------------------------

    async def step(self, user, complaint_id: int, body) -> dict:
        """One step of the flow by `user` (services.auth.User); 409 `bad_step` when its status
        does not allow it."""
        if body.step in MANAGER_STEPS and not user.is_manager:
            raise Forbidden("综合评价须由管理人员进行 / only a manager evaluates a complaint", "manager_only")
        allowed = OUTCOMES.get(body.step)
        outcome = body.outcome or (allowed[0] if allowed else "")
        if allowed and outcome not in allowed:
            raise Invalid(f"outcome: one of {', '.join(allowed)} for {body.step}", "invalid", field="outcome")
        if body.step == "feedback" and not body.result.strip():
            raise Invalid("result: the department's result is required (查处结果)", "invalid", field="result")
        if body.step == "escalate" and not body.note.strip():
            raise Invalid("note: say why it is escalated", "invalid", field="note")
        now = self.clock()
        cal = self.calendar.current
        actor = user.username

        def fn(tx):
            c = qstore.get(tx, complaint_id, lock=True)
            svc = self.hall(c["hall"])
            rules = rules_of(svc)
            try:
                status = after(c["status"], body.step, outcome)
            except FlowError as exc:
                raise Conflict(str(exc), "bad_complaint_step") from None
            alerts: list[AlertRow] = []
            data: dict = {}
            if body.step == "contact" and not c["has_phone"]:
                raise Conflict("联系确认：投诉人未留电话 / the complainant left no phone to contact", "no_phone")
            if body.step == "dispatch":
                dep = rules.department(body.department or "")
                if dep is None:
                    raise Invalid(f"department: unknown department {body.department!r}", "unknown_department",
                                  field="department")
                if not covers(dep.duties, c["type_code"]):
                    raise Invalid(f"department: {dep.name} is not responsible for {c['type_code']} "
                                  "(按法定职责派遣)", "wrong_department", field="department")
                qstore.update(tx, c["id"], department=dep.code)
                data["department"] = dep.code
            if body.step == "feedback":
                qstore.update(tx, c["id"], result=body.result.strip())
            if body.step == "escalate":
                a = _escalate(tx, svc, c, actor, now, body.note.strip())
                if a is None:
                    raise Conflict("已是最高级别 / already at the highest grade", "top_grade")
                alerts.append(a)
            else:
                qstore.step(tx, complaint_id=c["id"], hall=c["hall"], step=body.step, at=now, actor=actor,
                            outcome=outcome, note=body.note.strip() or body.result.strip(), **data)
            # The clock this step stops (an unreachable complainant keeps the contact clock running).
            stops = STOPS.get(body.step)
            if stops and not (body.step == "contact" and outcome == "unreachable"):
                k = qstore.open_clock(tx, c["id"], stops)
                if k is None and body.step == "contact":
                    raise Conflict("联系确认已完成 / the complainant was already reached", "already_done")
                if k is not None:
                    qstore.finish_clock(tx, k["id"], at=now, card="kept" if now <= k["due_at"] else "missed")
                    qstore.resolve_alerts(tx, c["hall"], _key(c, stops, k["round"]), actor=actor, now=now)
            # ... and the clock it starts: a verification that finds no rectification sends it back.
            starts = STARTS.get(body.step) or ("handling" if body.step == "verify" and status == "dispatched" else None)
            if starts:
                dep = rules.department(c["department"] or "") if starts == "handling" else None
                if body.step == "dispatch":
                    dep = rules.department(body.department or "")
                limit = (dep.handling if dep is not None and dep.handling else None) or getattr(rules.clocks, starts)
                _start_clock(tx, svc, cal, c, starts, now, limit.amount, limit.unit)
            changes: dict = {}
            if status != c["status"]:
                changes["status"] = status
            if status == "closed":
                changes["closed_at"] = now
                if c["has_phone"]:
                    phone = self.box.decrypt(c["phone_enc"])
                    self._message(tx, c, phone, "complaint_result", {"number": c["number"],
                                                                     "result": (c["result"] or "")[:60]}, "result")
            if body.step == "evaluate":
                changes["evaluation"] = outcome
            if changes:
                qstore.update(tx, c["id"], **changes)
            _audit(tx, actor, f"complaint_{body.step}", c, now, outcome=outcome, status=status, **data)
            return c, alerts

        c, alerts = await self.db.write(fn)
        svc = self.hall(c["hall"])
        for a in alerts:
            self._publish_alert(svc, a)
        await self._check(svc)
        self.hub.publish(c["hall"], "complaint", {"id": c["id"]})
        return await self.get(complaint_id)

    async def callback(self, actor: str, complaint_id: int, outcome: str, note: str) -> dict:
        """A callback (回访) to a real-name complainant with a phone, once the complaint is closed."""
        if outcome not in CALLBACK_OUTCOMES:
            raise Invalid(f"outcome: one of {', '.join(CALLBACK_OUTCOMES)}", "invalid", field="outcome")
        now = self.clock()

        def fn(tx):
            c = qstore.get(tx, complaint_id, lock=True)
            if not may_call_back(c["status"], c["real_name"], c["has_phone"]):
                why = ("not closed yet" if c["status"] not in ("closed", "evaluated")
                       else "anonymous or without a phone")
                raise Conflict(f"回访：不适用 / no callback: {why}", "no_callback")
            qstore.add_callback(tx, complaint_id=c["id"], hall=c["hall"], at=now, actor=actor, outcome=outcome,
                                note=note.strip())
            _audit(tx, actor, "complaint_callback", c, now, outcome=outcome)
            return c

        await self.db.write(fn)
        return await self.get(complaint_id)

    async def contact(self, actor: str, complaint_id: int) -> dict:
        """The complainant's name and phone in full, to call them (an audited read)."""
        now = self.clock()

        def fn(tx):
            c = qstore.get(tx, complaint_id)
            _audit(tx, actor, "complaint_contact_read", c, now)
            return c

        c = await self.db.write(fn)
        return {"id": c["id"], "number": c["number"],
                "name": self.box.decrypt(c["name_enc"]) if c["name_enc"] else "",
                "phone": self.box.decrypt(c["phone_enc"]) if c["phone_enc"] else ""}

    # ----- reading ------------------------------------------------------------------------------

    async def get(self, complaint_id: int) -> dict:
        c, ks, ss, bs = await self.db.read(lambda tx: (qstore.get(tx, complaint_id), qstore.clocks(tx, complaint_id),
                                                       qstore.steps(tx, complaint_id),
                                                       qstore.callbacks(tx, complaint_id)))
        svc = self.hall(c["hall"])
        out = self.public(svc, c)
        iso = lambda ts: times.iso(ts, svc.tz)  # noqa: E731
        out["clocks"] = self._clocks_public(svc, ks)
        names = {**NAMES, "intake": "登记"}
        out["steps"] = [{"step": s["step"], "name": names.get(s["step"], s["step"]),
                         "at": iso(s["at"]), "actor": s["actor"], "outcome": s["outcome"], "note": s["note"],
                         "data": json.loads(s["data"] or "{}")} for s in ss]
        out["callbacks"] = [{"at": iso(b["at"]), "actor": b["actor"], "outcome": b["outcome"], "note": b["note"]}
                            for b in bs]
        out["callback_due"] = may_call_back(c["status"], c["real_name"], c["has_phone"]) and not any(
            b["outcome"] != "unreachable" for b in bs)
        return out

    async def listing(self, hall: str, statuses: tuple[str, ...], limit: int, offset: int) -> list[dict]:
        """The newest complaints, each with its clocks (as in `get`)."""
        svc = self.hall(hall)

        def fn(tx):
            rows = qstore.listing(tx, svc.hall.id, statuses=statuses, limit=limit, offset=offset)
            return rows, qstore.clocks_of(tx, [c["id"] for c in rows])

        rows, ks = await self.db.read(fn)
        return [{**self.public(svc, c), "clocks": self._clocks_public(svc, ks[c["id"]])} for c in rows]

    def _clocks_public(self, svc: HallService, ks: list[dict]) -> list[dict]:
        """Each clock: its milestone, limit and unit, due time, done time and state now."""
        iso = lambda ts: times.iso(ts, svc.tz)  # noqa: E731
        now = _at(self.clock(), svc.tz)
        cal = self.calendar.current
        sup = svc.hall.supervision
        return [{
            "milestone": k["milestone"], "name": MILESTONE_NAMES[k["milestone"]][0],
            "name_en": MILESTONE_NAMES[k["milestone"]][1], "round": k["round"],
            "limit": {"amount": k["amount"], "unit": k["unit"]}, "started_at": iso(k["started_at"]),
            "due": iso(k["due_at"]), "provisional": k["provisional"], "done_at": iso(k["done_at"]),
            "state": clock_state(_at(k["due_at"], svc.tz), now,
                                 done_at=_at(k["done_at"], svc.tz) if k["done_at"] is not None else None,
                                 amount=k["amount"], unit=k["unit"], calendar=cal, tz=svc.tz,
                                 warn_working_days=sup.warn_working_days, warn_fraction=sup.warn_fraction),
        } for k in ks]

    def public(self, svc: HallService, c: dict) -> dict:
        rules = rules_of(svc)
        name, name_en = rules.type_name(c["type_code"])
        dep = rules.department(c["department"] or "") if c["department"] else None
        iso = lambda ts: times.iso(ts, svc.tz)  # noqa: E731
        return {
            "id": c["id"], "number": c["number"], "hall": c["hall"], "source": c["source"],
            "source_name": SOURCE_NAMES.get(c["source"], (c["source"], c["source"]))[0],
            "external_ref": c["external_ref"], "type": c["type_code"], "type_name": name, "type_name_en": name_en,
            "grade": c["grade"], "grade_name": GRADE_NAMES.get(c["grade"], c["grade"]), "urgent": c["urgent"],
            "content": c["content"], "place": c["place"],
            "name": mask_name(self.box.decrypt(c["name_enc"])) if c["name_enc"] else "",
            "phone": mask_phone(self.box.decrypt(c["phone_enc"])) if c["phone_enc"] else "",
            "real_name": c["real_name"], "has_phone": c["has_phone"],
            "received_at": iso(c["received_at"]), "entered_at": iso(c["entered_at"]), "entered_by": c["entered_by"],
            "window": c["window_id"], "status": c["status"], "status_name": NAMES.get(c["status"], c["status"]),
            "department": c["department"], "department_name": dep.name if dep else None,
            "result": c["result"], "closed_at": iso(c["closed_at"]), "evaluation": c["evaluation"],
        }

    # ----- supervision and the report --------------------------------------------------------------

    async def _check(self, svc: HallService) -> None:
        now = self.clock()
        await self.calendar.reload()
        cal = self.calendar.current
        for a in await self.db.write(supervise, svc, cal, now):
            self._publish_alert(svc, a)

    def _publish_alert(self, svc: HallService, a: AlertRow) -> None:
        self.hub.publish(svc.hall.id, "alert", {
            "id": a["id"], "kind": a["kind"], "level": a["level"], "message": a["message"], "categories": [],
            "case_id": None, "ticket_id": None, "at": times.iso(a["at"], svc.tz), "resolved_at": None,
            "resolved_by": None})

    async def figures(self, hall: str, start: float, end: float) -> dict:
        """The report's complaint figures over [start, end) (reporting.add_complaints)."""
        from onewindow.server.services.reporting import add_complaints

        return add_complaints({}, await self.db.read(qstore.figures, hall, start, end))["complaints"]
