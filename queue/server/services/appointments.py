"""Appointments (预约, issue 16): slots, booking, cancelling, rescheduling, checking in
at a paired kiosk, no-shows and reminders. The rules are onewindow.appointments'
(pure); the SQL is store/appointments.py; this maps one onto the other.

Personal data: the phone is kept encrypted (crypto.Box) with a keyed hash beside it
(one per person, no-shows); the ID number only as a keyed hash (HMAC-SHA256 with a
key derived from the server's secret), never in plain."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from onewindow.appointments import (
    InvalidIdNumber,
    Rules,
    Session,
    Slot,
    blocked_until,
    bookable_day,
    check_in_state,
    closed_day,
    day_slots,
    nearest_free,
    normalize_id_number,
    opens_at,
)
from onewindow.server.config import Category, Hall
from onewindow.server.errors import Conflict, Invalid
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.services.limits import RemoteLimits
from onewindow.server.store import accounts
from onewindow.server.store import appointments as astore
from onewindow.server.store import keybookings as kbstore
from onewindow.server.store import sync as sstore
from onewindow.server.store.crypto import Box, mask_phone, track_digest, track_digests, track_matches
from onewindow.server.store.database import Database, Tx
from onewindow.tickets import hours, times

log = logging.getLogger("onewindow.appointments")

CODE_DIGITS = 8  # typed on the kiosk's keypad: digits only


def _local(ts: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


class AppointmentService:
    def __init__(self, db: Database, halls: dict[str, HallService], clock: Callable[[], float], calendar: Calendar,
                 box: Box, notifier: Callable[[], Any] | None = None):
        self.db = db
        self.halls = halls
        self.clock = clock
        self.calendar = calendar
        self.box = box
        self.notifier = notifier or (lambda: None)  # services/notifications.Notifier, looked up when used
        self.token_keys = box.derive("appointment token")
        self._person_key = box.derive("person")[0]
        # Public booking is limited like remote tickets ([halls.limits]), with buckets of its own.
        self.limits = {h: RemoteLimits(svc.hall.limits) for h, svc in halls.items()}
        self.base = ""  # the public address of the pages (settings.public_url), for reminders' links

    # ----- slots --------------------------------------------------------------------------

    def person(self, kind: str, value: str) -> str:
        """A keyed hash of a phone or ID number: comparable, not reversible without the key."""
        mac = hmac.new(self._person_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind[0]}:{mac[:60]}"

    def category(self, hall: Hall, code: str) -> Category:
        cat = hall.category(code)
        if cat is None:
            raise Invalid(f"unknown category {code!r}", "unknown_category", field="category")
        if cat.appointments is None:
            raise Invalid("此事项不接受预约 / this service takes no appointments", "no_appointments",
                          field="category")
        return cat

    def rules(self, hall: Hall, cat: Category) -> Rules:
        a = cat.appointments
        assert a is not None
        windows = sum(1 for w in hall.windows if cat.code in w.categories)
        return Rules(slot_min=a.slot_min, capacity=a.capacity, share=a.share, ahead_days=a.ahead_days,
                     windows=windows, service_min=cat.default_service_min)

    async def opening(self, hall: Hall, cat: Category, day: date) -> tuple[bool, list[tuple[time, time]] | None]:
        """Whether the outlet opens on `day` for this category, and a van's hours then: a fixed outlet on
        its opening days (Hall.opens_on: the working calendar, 调休), its own hours (None); a van
        during its published visits of the day that offer the category (the database, read afresh:
        a visit just published is bookable at once)."""
        if hall.kind != "mobile":
            return hall.opens_on(day, self.calendar.current), None
        visits = await self.db.read(sstore.visits_of_day, hall.id, day.isoformat())
        spans = [(time.fromisoformat(v["start"]), time.fromisoformat(v["end"]))
                 for v in visits if cat.code in v["categories"]]
        return bool(spans), spans

    async def day_slots(self, hall: Hall, cat: Category, day: date) -> list[Slot]:
        """The category's slots on `day`: none on a day the outlet does not open (a dated session aside)."""
        h = hall.hours
        lunch = (h.lunch_from, h.lunch_until) if h.lunch_from and h.lunch_until else None
        sessions = [Session(s.start, s.end, day=s.date,
                            weekdays=frozenset(hours.WEEKDAYS.index(d) for d in s.weekdays),
                            categories=frozenset(s.categories)) for s in hall.appointments.sessions]
        opens, spans = await self.opening(hall, cat, day)
        return day_slots(day, hall.tz, opens, h.open, h.close, lunch, sessions, cat.code, self.rules(hall, cat),
                         hours=spans)

    async def slots(self, hall_id: str, category: str, day: date) -> list[dict]:
        """The day's slots with the seats left; none outside the booking horizon or past."""
        svc = self.halls_or_404(hall_id)
        cat = self.category(svc.hall, category)
        now = self.clock()
        today = _local(now, svc.tz).date()
        assert cat.appointments is not None
        if not bookable_day(day, today, cat.appointments.ahead_days):
            return []
        slots = [s for s in await self.day_slots(svc.hall, cat, day) if s.start.timestamp() > now]
        if not slots:
            return []
        booked = await self.db.read(astore.booked_counts, svc.hall.id, cat.code, int(slots[0].start.timestamp()),
                                    int(slots[-1].start.timestamp()))
        return [self.public_slot(s, booked.get(int(s.start.timestamp()), 0), svc.tz) for s in slots]

    @staticmethod
    def public_slot(s: Slot, booked: int, tz: tzinfo) -> dict:
        return {"start": s.start.astimezone(tz).isoformat(), "end": s.end.astimezone(tz).isoformat(),
                "capacity": s.capacity, "left": max(0, s.capacity - booked)}

    def halls_or_404(self, hall_id: str) -> HallService:
        from onewindow.server.errors import NotFound

        svc = self.halls.get(hall_id)
        if svc is None:
            raise NotFound(f"unknown hall {hall_id!r}", "unknown_hall")
        return svc

    async def find_slot(self, svc: HallService, cat: Category, start: datetime) -> Slot:
        """The slot starting at `start` (422 when there is none: outlet_closed on a day the outlet does
        not open, else no_such_slot for a wrong time)."""
        local = start.astimezone(svc.tz)
        assert cat.appointments is not None
        now = self.clock()
        if not bookable_day(local.date(), _local(now, svc.tz).date(), cat.appointments.ahead_days):
            raise Invalid(f"只能预约 {cat.appointments.ahead_days} 天内的时段 / slots can be booked up to "
                          f"{cat.appointments.ahead_days} days ahead", "outside_horizon", field="start")
        offered = await self.day_slots(svc.hall, cat, local.date())
        slot = next((s for s in offered if s.start == local), None)
        if slot is None and not offered and not (await self.opening(svc.hall, cat, local.date()))[0]:
            days = None if svc.hall.kind == "mobile" else [hours.WEEKDAYS.index(d) for d in svc.hall.opening_days]
            raise Invalid(closed_day(local.date(), days), "outlet_closed", field="start")
        if slot is None:
            raise Invalid("没有这个预约时段 / there is no such slot", "no_such_slot", field="start")
        if slot.start.timestamp() <= now:
            raise Conflict("该时段已过 / this slot has begun or passed", "slot_past")
        return slot

    async def nearest(self, svc: HallService, cat: Category, wanted: datetime, n: int = 3) -> list[dict]:
        """Free slots nearest `wanted`: the same day and the following days up to the horizon."""
        assert cat.appointments is not None
        today = _local(self.clock(), svc.tz).date()
        day, out = wanted.astimezone(svc.tz).date(), []
        for d in sorted({day + timedelta(days=k) for k in range(-2, 8)}):
            if bookable_day(d, today, cat.appointments.ahead_days):
                out += [s for s in await self.slots(svc.hall.id, cat.code, d) if s["left"] > 0]
        free = [Slot(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]), s["capacity"])
                for s in out]
        left = {s["start"]: s["left"] for s in out}
        return [{**self.public_slot(s, 0, svc.tz), "left": left[s.start.isoformat()]}
                for s in nearest_free(free, wanted, n)]

    # ----- booking ------------------------------------------------------------------------

    def _id_hash(self, id_number: str | None, cat: Category) -> str:
        assert cat.appointments is not None
        if not id_number:
            if cat.appointments.require_id:
                raise Invalid("此事项预约需要身份证号码 / this service needs your ID number to book",
                              "id_required", field="id_number")
            return ""
        try:
            return self.person("id", normalize_id_number(id_number))
        except InvalidIdNumber as exc:
            raise Invalid(str(exc), "bad_id_number", field="id_number") from None

    def ticket_claim(self, svc: HallService, cat: Category, id_number: str) -> Callable[[Tx, int], None] | None:
        """For a walk-in ticket with an ID number: its one-per-person claim, run in the issue's transaction
        (409 one_per_person for a second one that day); None where the category does not ask it."""
        try:
            person = self.person("id", normalize_id_number(id_number))
        except InvalidIdNumber as exc:
            raise Invalid(str(exc), "bad_id_number", field="id_number") from None
        if cat.appointments is None or not cat.appointments.one_per_person:
            return None
        now = self.clock()
        day = _local(now, svc.tz).date().isoformat()

        def claim(tx: Tx, ticket_id: int) -> None:
            astore.claim(tx, hall=svc.hall.id, category=cat.code, day=day, persons=(person,), now=now,
                         ticket_id=ticket_id)

        return claim

    async def _not_blocked(self, svc: HallService, phone_hash: str, id_hash: str) -> None:
        a = svc.hall.appointments
        if a.no_show_limit <= 0:
            return
        now = self.clock()
        missed = await self.db.read(astore.no_shows, svc.hall.id, phone_hash, id_hash,
                                    now - a.no_show_within_days * 86400, now - a.check_in_after_min * 60)
        until = blocked_until(missed, now, a.no_show_limit, a.no_show_within_days, a.no_show_block_days)
        if until is not None:
            day = _local(until, svc.tz).date().isoformat()
            raise Conflict(f"多次预约未到，{day} 前不能预约 / after repeated missed appointments you may book "
                           f"again from {day}", "booking_blocked", until=times.iso(until, svc.tz))

    async def _key_project(self, svc: HallService, cat: Category, case_number: str, project: str) -> dict:
        """Whom a key-project booking reaches (green channel, 004): the liaison of the named case's
        tracking card, else the hall's green_channel_liaison; 422 for a category without green
        channel or a case number the hall does not know."""
        assert cat.appointments is not None
        if not cat.appointments.key_project:
            raise Invalid("此事项不办理重点项目绿色通道预约 / this service takes no key-project (green channel) "
                          "bookings", "no_key_project", field="key_project")
        ap = svc.hall.appointments
        out = {"case_id": None, "case_number": case_number, "project": project,
               "liaison": ap.green_channel_liaison, "phone": ap.green_channel_phone, "via": "hall"}
        if case_number:
            case = await self.db.read(kbstore.case_card, svc.hall.id, case_number)
            if case is None:
                raise Invalid("没有这个办件号 / no case has this number", "unknown_case",
                              field="key_project.case_number")
            out.update(case_id=case["id"], project=project or case["project"])
            if case["liaison"]:
                out.update(liaison=case["liaison"], phone=case["phone"], via="card")
        return out

    def _book_key_project(self, tx: Tx, svc: HallService, cat: Category, a: dict, kp: dict) -> str:
        """In the booking's transaction: the mark, and the liaison's message through the outbox (a
        liaison without a mobile number still finds it in the console). The liaison's name."""
        kbstore.add(tx, appointment_id=a["id"], hall=svc.hall.id, case_id=kp["case_id"],
                    case_number=kp["case_number"], project=kp["project"], liaison=kp["liaison"], via=kp["via"],
                    now=self.clock())
        notifier = self.notifier()
        if notifier is not None and kp["phone"]:
            start = _local(a["start"], svc.tz)
            notifier.enqueue(tx, hall=svc.hall.id, kind="key_project_booking", phone=kp["phone"],
                             params={"project": kp["project"] or kp["case_number"], "item": cat.name,
                                     "time": start.strftime("%m-%d %H:%M"), "code": a["code"]},
                             event_key=f"appt:{a['id']}:key_project", lang="zh")
        who = accounts.user_by_name(tx, kp["liaison"])
        return (who or {}).get("display_name") or kp["liaison"]

    async def book(self, hall_id: str, category: str, start: datetime, phone: str, id_number: str | None,
                   lang: str, client: str, key_project: dict | None = None) -> dict:
        """`key_project` {case_number?, project?}: a green-channel booking for a key project (004)."""
        svc = self.halls_or_404(hall_id)
        cat = self.category(svc.hall, category)
        assert cat.appointments is not None
        id_hash = self._id_hash(id_number, cat)
        kp = None
        if key_project is not None:
            kp = await self._key_project(svc, cat, (key_project.get("case_number") or "").strip(),
                                         (key_project.get("project") or "").strip())
        slot = await self.find_slot(svc, cat, start)
        now = self.clock()
        self.limits[svc.hall.id].check(cat.code, client, now)
        phone_hash = self.person("phone", phone)
        await self._not_blocked(svc, phone_hash, id_hash)
        persons = tuple(p for p in (phone_hash, id_hash) if p) if cat.appointments.one_per_person else ()
        token = secrets.token_urlsafe(18)
        day = slot.start.date().isoformat()
        for _ in range(5):
            code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
            if not await self.db.read(astore.code_taken, svc.hall.id, code):
                break
        args: dict[str, Any] = dict(
            hall=svc.hall.id, category=cat.code, day=day, start=slot.start.timestamp(), end=slot.end.timestamp(),
            capacity=slot.capacity, code=code, token_hash=track_digest(self.token_keys[0], token),
            phone_enc=self.box.encrypt(phone), phone_hash=phone_hash, id_hash=id_hash, lang=lang, now=now,
            persons=persons)

        def write(tx: Tx) -> tuple[dict, str | None]:
            a = astore.book(tx, **args)
            return a, (self._book_key_project(tx, svc, cat, a, kp) if kp is not None else None)

        try:
            a, liaison_name = await self.db.write(write)
        except astore.SlotFull as exc:
            raise astore.SlotFull(exc.message, nearest=await self.nearest(svc, cat, slot.start)) from None
        out = {**self.public(a, svc), "token": token}
        if kp is not None:
            out["key_project"] = {"case_number": kp["case_number"], "project": kp["project"],
                                  "liaison_name": liaison_name}
        return out

    def public(self, a: dict, svc: HallService) -> dict:
        cat = svc.hall.category(a["category"])
        return {"id": a["id"], "code": a["code"], "hall": a["hall"], "category": a["category"],
                "category_name": cat.name if cat else a["category"], "category_name_en": cat.name_en if cat else "",
                "start": times.iso(a["start"], svc.tz), "end": times.iso(a["end"], svc.tz), "state": a["state"],
                "checked_in_at": times.iso(a["checked_in_at"], svc.tz) if a["checked_in_at"] else None}

    async def _own(self, appointment_id: int, token: str) -> tuple[dict, HallService]:
        """The booking its token opens (a wrong token: the same 404 as no booking)."""
        from onewindow.server.errors import NotFound

        try:
            a = await self.db.read(astore.get, appointment_id)
        except NotFound:
            a = None
        if a is None or not token or not track_matches(a["token_hash"], track_digests(self.token_keys, token)):
            raise NotFound("没有这个预约 / no such appointment", "unknown_appointment")
        return a, self.halls_or_404(a["hall"])

    async def show(self, appointment_id: int, token: str) -> dict:
        a, svc = await self._own(appointment_id, token)
        return self.public(a, svc)

    async def cancel(self, appointment_id: int, token: str) -> dict:
        a, svc = await self._own(appointment_id, token)
        return self.public(await self.db.write(astore.cancel, a, self.clock()), svc)

    async def reschedule(self, appointment_id: int, token: str, start: datetime) -> dict:
        a, svc = await self._own(appointment_id, token)
        cat = self.category(svc.hall, a["category"])
        slot = await self.find_slot(svc, cat, start)
        try:
            out = await self.db.write(astore.reschedule, a, day=slot.start.date().isoformat(),
                                      start=slot.start.timestamp(), end=slot.end.timestamp(),
                                      capacity=slot.capacity, now=self.clock())
        except astore.SlotFull as exc:
            raise astore.SlotFull(exc.message, nearest=await self.nearest(svc, cat, slot.start)) from None
        return self.public(out, svc)

    # ----- checking in ----------------------------------------------------------------------

    async def check_in(self, hall_id: str, code: str | None, id_number: str | None, lang: str,
                       device: int | None) -> tuple[dict, dict]:
        """(ticket, appointment). On time: an appointment ticket (its place: the slot's start); too
        early: 409 too_early with when to come; too late: an ordinary ticket, the lateness recorded."""
        svc = self.halls_or_404(hall_id)
        now = self.clock()
        if code:
            a = await self.db.read(astore.by_code, svc.hall.id, code.strip())
        else:
            try:
                h = self.person("id", normalize_id_number(id_number or ""))
            except InvalidIdNumber as exc:
                raise Invalid(str(exc), "bad_id_number", field="id_number") from None
            found = await self.db.read(astore.by_person_on, svc.hall.id, h, _local(now, svc.tz).date().isoformat())
            if not found:
                from onewindow.server.errors import NotFound

                raise NotFound("今天没有此身份证的预约 / no appointment today for this ID card", "unknown_appointment")
            a = found[0]
        if a["state"] != "booked":
            raise Conflict("此预约已签到、取消或过期 / this appointment was already used, cancelled or missed",
                           "appointment_closed", state=a["state"])
        ap = svc.hall.appointments
        state = check_in_state(now, a["start"], ap.check_in_before_min, ap.check_in_after_min)
        if state == "early":
            come = opens_at(a["start"], ap.check_in_before_min)
            hm = _local(come, svc.tz).strftime("%H:%M")
            day = _local(come, svc.tz).date()
            when = hm if day == _local(now, svc.tz).date() else f"{day.isoformat()} {hm}"
            raise Conflict(f"还未到签到时间，请于 {when} 后签到 / too early to check in: please come back at {when}",
                           "too_early", come_at=times.iso(come, svc.tz))
        on_time = state == "on_time"
        a_id = a["id"]
        # A key project's booking checks in as green channel (004): on time with the appointment's
        # priority, late as a priority ticket where the category offers one.
        key = await self.db.read(kbstore.get, a_id) is not None
        cat = svc.hall.category(a["category"])
        late_priority = key and not on_time and cat is not None and "priority" in cat.priority_classes

        def record(tx: Tx, ticket_id: int) -> None:
            astore.check_in(tx, a_id, state="checked_in" if on_time else "late", ticket_id=ticket_id, now=now)

        t = await svc.issue(a["category"], "priority" if late_priority else "normal", lang,
                            "green_channel" if key else None, "kiosk", device=device,
                            appointment_at=a["start"] if on_time else None, claim=record)
        a = await self.db.read(astore.get, a_id)
        return t, {**self.public(a, svc), "key_project": key}

    # ----- rounds: no-shows and reminders ----------------------------------------------------

    async def run_round(self, svc: HallService) -> None:
        """Record the no-shows whose check-in window has closed; queue the reminders that are due."""
        now = self.clock()
        ap = svc.hall.appointments
        await self.db.write(astore.mark_no_shows, svc.hall.id, now - ap.check_in_after_min * 60)
        await self._check_slots(svc)
        notifier = self.notifier()
        if notifier is None:
            return
        for mark, ahead, on in (("day", 86400.0, ap.remind_day_before), ("hour", 3600.0, ap.remind_hour_before)):
            if not on:
                continue
            due = await self.db.read(astore.to_remind, svc.hall.id, now, now + ahead, mark)
            for a in due:
                await self.db.write(self._remind, notifier, svc, a, mark)

    async def _check_slots(self, svc: HallService) -> None:
        """Bookings whose slot is gone (a holiday loaded, hours or sessions changed): flagged once, for
        the manager (summary's `flagged`) and the applicant (a message through the outbox)."""
        now = self.clock()
        ahead = max((c.appointments.ahead_days for c in svc.hall.categories if c.appointments), default=0)
        booked = await self.db.read(astore.booked_between, svc.hall.id, now, now + (ahead + 2) * 86400)
        starts: dict[tuple[str, date], set[float]] = {}
        for a in booked:
            if "gone" in a["reminded"].split(","):
                continue
            cat = svc.hall.category(a["category"])
            day = _local(a["start"], svc.tz).date()
            if (a["category"], day) not in starts:
                starts[(a["category"], day)] = set() if cat is None or cat.appointments is None else {
                    s.start.timestamp() for s in await self.day_slots(svc.hall, cat, day)}
            if a["start"] not in starts[(a["category"], day)]:
                log.warning("hall %s: appointment %s at %s lost its slot (calendar or hours changed)",
                            svc.hall.id, a["code"], times.iso(a["start"], svc.tz))
                await self.db.write(self._flag_gone, svc, a)

    def _flag_gone(self, tx: Tx, svc: HallService, a: dict) -> None:
        astore.mark_reminded(tx, a["id"], a["reminded"], "gone")
        notifier = self.notifier()
        if notifier is not None:
            self._message(tx, notifier, svc, a, "appointment_slot_gone", "gone")

    def _remind(self, tx: Tx, notifier: Any, svc: HallService, a: dict, mark: str) -> None:
        self._message(tx, notifier, svc, a, f"appointment_reminder_{mark}", mark)
        astore.mark_reminded(tx, a["id"], a["reminded"], mark)

    def _message(self, tx: Tx, notifier: Any, svc: HallService, a: dict, kind: str, mark: str) -> None:
        cat = svc.hall.category(a["category"])
        name = (cat.name if a["lang"] != "en" else (cat.name_en or cat.name)) if cat else a["category"]
        start = _local(a["start"], svc.tz)
        notifier.enqueue(tx, hall=svc.hall.id, kind=kind, phone=self.box.decrypt(a["phone_enc"]),
                         params={"item": name, "time": start.strftime("%m-%d %H:%M"), "code": a["code"]},
                         event_key=f"appt:{a['id']}:{mark}:{int(a['start'])}", lang=a["lang"])

    async def run(self, every_s: float = 60.0) -> None:
        while True:
            for svc in self.halls.values():
                try:
                    await self.run_round(svc)
                except Exception:
                    log.exception("appointments round of %s failed", svc.hall.id)
            await asyncio.sleep(every_s)

    # ----- staff -------------------------------------------------------------------------------

    async def of_ticket(self, ticket_id: int) -> dict | None:
        """The appointment a ticket checked in for (the console), or None."""
        a = await self.db.read(astore.of_ticket, ticket_id)
        if a is None:
            return None
        svc = self.halls_or_404(a["hall"])
        return {**self.public(a, svc), "on_time": a["state"] == "checked_in"}

    async def green_channel(self, hall_id: str, first_day: str, last_day: str, liaison: str | None) -> list[dict]:
        """Key-project bookings of the days first..last (a liaison's own; `liaison` None: all, the manager's),
        with their check-in (the ticket's number once checked in)."""
        svc = self.halls_or_404(hall_id)
        rows = await self.db.read(kbstore.between, svc.hall.id, first_day, last_day, liaison)
        people = {u["username"]: u for u in await self.db.read(accounts.users)}
        out = []
        for r in rows:
            cat = svc.hall.category(r["category"])
            who = people.get(r["liaison"])
            out.append({
                "id": r["appointment_id"], "code": r["code"], "category": r["category"],
                "category_name": cat.name if cat else r["category"], "category_name_en": cat.name_en if cat else "",
                "start": times.iso(r["start"], svc.tz), "end": times.iso(r["end"], svc.tz), "state": r["state"],
                "case_id": r["case_id"], "case_number": r["case_number"], "project": r["project"],
                "liaison": {"username": r["liaison"], "name": (who or {}).get("display_name") or r["liaison"]},
                "via": r["via"], "phone": mask_phone(self.box.decrypt(r["phone_enc"])) if r["phone_enc"] else None,
                "checked_in_at": times.iso(r["checked_in_at"], svc.tz) if r["checked_in_at"] else None,
                "ticket_number": r["ticket_number"]})
        return out

    async def flagged(self, hall_id: str) -> list[dict]:
        """Bookings whose slot disappeared, not yet cancelled or moved (the manager's list)."""
        svc = self.halls_or_404(hall_id)
        return [self.public(a, svc) for a in await self.db.read(astore.flagged, svc.hall.id)]

    async def summary(self, hall_id: str, first_day: str, last_day: str) -> dict:
        """Bookings, check-ins (on time and late), no-shows and cancellations per category, and the
        appointments' share of the tickets (the dashboard, reports)."""
        svc = self.halls_or_404(hall_id)
        missed = self.clock() - svc.hall.appointments.check_in_after_min * 60
        counts = await self.db.read(astore.day_counts, svc.hall.id, first_day, last_day, missed)
        issued = await self.db.read(astore.issued_between, svc.hall.id, first_day, last_day)
        out = {}
        for cat in svc.hall.categories:
            c = counts.get(cat.code, {})
            if cat.appointments is None and not c:
                continue
            out[cat.code] = {"booked": sum(c.values()) - c.get("cancelled", 0), "checked_in": c.get("checked_in", 0),
                             "late": c.get("late", 0), "no_show": c.get("no_show", 0),
                             "cancelled": c.get("cancelled", 0), "waiting": c.get("booked", 0),
                             "share": round((c.get("checked_in", 0) + c.get("late", 0)) / issued[cat.code], 4)
                             if issued.get(cat.code) else None}
        return out
