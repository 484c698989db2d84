"""After the window (issue 14): the applicant follows the case on the phone, is told what
happens, and rates the result.

- Every accepted case gets a tracking token (the `complete` answer, the printed receipt's QR
  code and short link). The database keeps only its keyed hash (crypto.track_digest under a key
  derived from the server's secret key); the token itself is derived, HMAC(secret, case id and
  acceptance time), so the messages sent later carry the same link without it being stored.
  A wrong token is a 404, as an unknown case.
- `progress` is the phone page's answer: the item, deadlines, steps with their times, what is
  missing while suspended, the result and how it is delivered, the case's own rating and the
  outcome of its rectification. The applicant's name masked; nothing else personal.
- Messages (services/notifications.Notifier, when the runtime has one) are enqueued inside the
  transaction of the event they tell of, once per event (`event_key`), only for an applicant or
  ticket holder who opted in and left a phone.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from onewindow.promises import compute_deadline, extend_for_suspension
from onewindow.ratings import BY_CODE, InvalidRating, check_reasons, due_at, is_bad
from onewindow.ratings.rectification import STEP_NAMES
from onewindow.server.errors import Conflict, Invalid, NotFound
from onewindow.server.live.hub import Hub
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.store import cases as cstore
from onewindow.server.store import tickets as tstore
from onewindow.server.store import tracking as kstore
from onewindow.server.store.crypto import UNREADABLE, Box, mask_name, track_digest, track_digests, track_matches
from onewindow.server.store.database import Database, Tx
from onewindow.server.store.rows import CaseRow, TicketRow
from onewindow.tickets import times

log = logging.getLogger("onewindow.tracking")

NEAR_AHEAD = 3  # "your turn is near" when this many or fewer are ahead ([halls.notify] near_ahead)
PROGRESS_EVENT = "case_progress"  # published on the hub when a case's page may have changed
REASON_NAMES = {"correction": ("补正材料", "Documents to complete"), "expert_review": ("专家评审", "Expert review"),
                "hearing": ("听证", "Hearing"), "public_notice": ("公示", "Public notice")}
DELIVERY = ("collect", "post", "online")
# What of a step's data the applicant sees (never the clerk's name or notes meant for staff).
_STEP_KEYS = {"accepted": (), "suspended": ("reason",), "resumed": ("deadline",),
              "deadline_recomputed": ("deadline",), "completed": ("kept",), "withdrawn": ("reason",),
              "result_ready": ("delivery", "window"), "rated": ("level",),
              "review_approved": (), "review_returned": ()}  # 一审一核: the sign-off, without names or reasons


def case_link(base: str, case_id: int, token: str) -> str:
    """The short link on the receipt and in the accepted message: the phone page."""
    return f"{base.rstrip('/')}/case?" + urlencode({"id": case_id, "token": token})


def missing_of(data: dict) -> list[str]:
    """What is missing, from a suspension's data: its list, else the notice's lines."""
    listed = [str(m).strip() for m in data.get("missing") or [] if str(m).strip()]
    if listed:
        return listed
    return [line.strip(" -•·\t") for line in str(data.get("notice", "")).splitlines() if line.strip(" -•·\t")]


class TrackingService:
    def __init__(self, db: Database, hub: Hub, clock: Callable[[], float], halls: dict[str, HallService], box: Box,
                 calendar: Calendar, notifier: Callable[[], Any] = lambda: None):
        self.db, self.hub, self.clock, self.halls, self.box = db, hub, clock, halls, box
        self.calendar = calendar
        self.keys = box.derive("case track token")  # the stored hashes: the first makes them, any checks
        self.token_keys = box.derive("case token")  # the tokens themselves
        self.base = ""  # where phones reach this server (settings.public_url; else the last request's)
        self.notifier = notifier  # the runtime's Notifier when it has one (a callable: it may come later)

    # ----- tokens ------------------------------------------------------------------------

    def token_of(self, case: CaseRow, key: bytes | None = None) -> str:
        """The case's token: 16 characters (96 bits, short enough for an SMS), derived, never stored."""
        mac = hmac.new(key or self.token_keys[0], f"{case['id']}:{case['accepted_at']!r}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()[:12]).decode()

    def new_token(self, case: CaseRow) -> tuple[str, str]:
        """A new case's token and its keyed hash (what the database keeps)."""
        token = self.token_of(case)
        return token, track_digest(self.keys[0], token)

    def link_of(self, tx: Tx, case: CaseRow, base: str = "") -> str:
        """The case's tracking link for a message or a receipt printed later (with the key that made
        its token; `base` where phones reach this server, else the configured or last known one)."""
        stored = tx.scalar("SELECT track_token FROM case_file WHERE id = :id", {"id": case["id"]}) or ""
        for key in self.token_keys:  # keys rotate: the one that made this case's token
            token = self.token_of(case, key)
            if stored and track_matches(stored, self.digests(token)):
                return case_link(base or self.base, case["id"], token)
        return case_link(base or self.base, case["id"], "")

    def digests(self, token: str | None) -> tuple[str, ...]:
        return track_digests(self.keys, token or "")

    # ----- messages (inside the caller's transaction) -------------------------------------

    def message_case(self, tx: Tx, case: CaseRow, kind: str, params: dict, key: str) -> int | None:
        """Enqueue `kind` about `case` to its applicant, if they opted in and left a phone; every
        case message carries the tracking link (where to read the details and to rate)."""
        notifier = self.notifier()
        if notifier is None:
            return None
        c = kstore.contact(tx, case["id"])
        phone = self.box.decrypt(c["phone_enc"]) if c["notify"] else ""
        if not phone or phone == UNREADABLE:
            return None
        # A parameter given per language ({"zh": .., "en": ..}) is said in the applicant's.
        params = {"link": self.link_of(tx, case),
                  **{k: (v.get(c["lang"]) or v.get("zh", "")) if isinstance(v, dict) else v for k, v in params.items()}}
        return notifier.enqueue(tx, hall=case["hall"], kind=kind, phone=phone, params=params,
                                event_key=f"case:{case['id']}:{key}", lang=c["lang"])

    def message_ticket(self, tx: Tx, hall: str, ticket_id: int, kind: str, params: dict, key: str) -> int | None:
        notifier = self.notifier()
        if notifier is None:
            return None
        c = kstore.ticket_contact(tx, ticket_id)
        phone = self.box.decrypt(c["phone_enc"]) if c else ""
        if not c or not phone or phone == UNREADABLE:
            return None
        return notifier.enqueue(tx, hall=hall, kind=kind, phone=phone, params=params,
                                event_key=f"ticket:{ticket_id}:{key}", lang=c["lang"])

    def on_call(self, svc: HallService) -> Callable[[Tx, TicketRow], None]:
        """HallService's call hook (same transaction as the call): "called" to the ticket called,
        "near" to each opted-in ticket with at most N ahead now (once each: the event key)."""
        rules = getattr(svc.hall, "notify", None)  # [halls.notify] near_ahead
        near = int(getattr(rules, "near_ahead", NEAR_AHEAD) or NEAR_AHEAD)

        def hook(tx: Tx, t: TicketRow) -> None:
            if self.notifier() is None or getattr(rules, "channel", "") == "off":
                return  # nothing would be sent: no reads on the call's path
            w = svc.hall.window(t["window_id"]) if t["window_id"] else None
            if t.get("phone_enc"):  # no phone, nothing to read (the call's row has it)
                self.message_ticket(tx, svc.hall.id, t["id"], "ticket_called",
                                    {"number": t["number"], "window": w.name if w else t["window_id"]}, "called")
            if t.get("notify_waiting") is False:  # the call's own statement saw nobody waiting for a message
                return
            for o in kstore.waiting_to_notify(tx, svc.hall.id):
                ahead = tstore.count_ahead(tx, svc.hall.id, svc.pool[o["category"]], o["priority"], o["arrived_at"],
                                           o["id"])
                if ahead <= near:
                    self.message_ticket(tx, svc.hall.id, o["id"], "ticket_near",
                                        {"number": o["number"], "ahead": ahead}, "near")

        return hook

    # ----- the phone page ----------------------------------------------------------------

    def _svc(self, case: CaseRow) -> HallService:
        svc = self.halls.get(case["hall"])
        if svc is None:
            raise NotFound("no such case")
        return svc

    async def progress(self, case_id: int, token: str, count: bool = True) -> dict:
        """The tracking page's answer; `count`: a look-up by the applicant (the HTTP page, not the socket)."""
        digests = self.digests(token)

        def fn(tx):
            case = kstore.tracked(tx, case_id, digests)
            found = case["id"]  # another id for a case a mobile outlet synced (store/tracking.tracked)
            if count:
                kstore.count_lookup(tx, found)
            return case, cstore.history(tx, found), cstore.suspensions(tx, found), kstore.case_rating(tx, case)

        case, hist, stops, rating = await (self.db.write(fn) if count else self.db.read(fn))
        return self._public(case, hist, stops, rating)

    def _public(self, c: CaseRow, hist: list[dict], stops: list[dict], rating: dict | None) -> dict:
        svc = self._svc(c)
        hall, tz = svc.hall, svc.tz
        iso = lambda ts: times.iso(ts, tz)  # noqa: E731
        item = hall.item(c["item"])
        window = hall.window(c["window_id"]) if c["window_id"] else None
        steps: list[dict] = []
        result = None
        for e in hist:
            data = json.loads(e["data"] or "{}")
            kind = e["type"]
            if kind == "missing_listed":  # the one-time notice's list, written with its suspension
                last = next((st for st in reversed(steps) if st["kind"] == "suspended"), None)
                if last is not None:
                    last["missing"] = missing_of(data)
                continue
            step: dict[str, Any] = {"kind": kind, "at": iso(e["at"])}
            for k in _STEP_KEYS.get(kind, ()):
                if k in data:
                    step[k] = iso(data[k]) if k == "deadline" and isinstance(data[k], (int, float)) else data[k]
            if kind == "suspended":
                names = REASON_NAMES.get(data.get("reason", ""), (data.get("reason", ""), ""))
                step.update(reason_name=names[0], reason_name_en=names[1], missing=missing_of(data))
            if kind == "result_ready":
                w = hall.window(data.get("window") or "") if data.get("window") else None
                step["window_name"] = w.name if w else None
                step["window_number"] = (w.number or w.name) if w else None
                result = {k: step.get(k) for k in ("delivery", "window", "window_name", "window_number", "at")}
            steps.append(step)
        missing: list[str] = []
        notice = ""
        open_stop = next((s for s in reversed(stops) if s["to_at"] is None), None)
        if c["status"] == cstore.SUSPENDED and open_stop is not None:
            stopped: dict[str, Any] = next((st for st in reversed(steps) if st["kind"] == "suspended"), {})
            missing = list(stopped.get("missing") or [])
            notice = open_stop["notice"]
        statutory, statutory_prov = self._statutory(svc, c, stops)
        out: dict[str, Any] = {
            "id": c["id"], "number": c["number"], "item": item.name if item else c["item"],
            "item_en": item.name_en if item else "", "item_code": c["item"], "status": c["status"],
            "applicant": mask_name(self.box.decrypt(c["applicant_name_enc"])),
            "accepted_at": iso(c["accepted_at"]), "deadline": iso(c["deadline_at"]),
            "provisional": c["deadline_provisional"],
            "promised": {"amount": c["promised_amount"], "unit": c["promised_unit"]},
            "statutory": ({"amount": c["statutory_amount"], "unit": c["statutory_unit"]}
                          if c["statutory_amount"] is not None else None),
            "statutory_deadline": statutory, "statutory_provisional": statutory_prov,
            "window": ({"id": window.id, "name": window.name, "name_en": window.name_en,
                        "number": window.number} if window else None),
            "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
            "completed_at": iso(c["completed_at"]), "steps": steps, "missing": missing, "notice": notice,
            "result": result, "rating": self._rating_public(rating, tz),
            "rateable": c["status"] == cstore.COMPLETED and rating is None,
        }
        return out

    def _statutory(self, svc: HallService, c: CaseRow, stops: list[dict]) -> tuple[str | None, bool]:
        """The statutory limit's deadline as the case keeps it (supervised apart from the promise);
        for a case from before it was kept, computed and moved by the suspensions like the promise's."""
        kept = cast(dict, c).get("statutory_deadline_at")
        if kept is not None:
            return times.iso(kept, svc.tz), bool(cast(dict, c).get("statutory_provisional"))
        if c["statutory_amount"] is None or c["statutory_unit"] is None:
            return None, False
        tz, cal = svc.tz, self.calendar.current
        at = lambda ts: datetime.fromtimestamp(ts, tz)  # noqa: E731
        d = compute_deadline(at(c["clock_from"]), c["statutory_amount"], c["statutory_unit"], cal, tz)
        for s in stops:
            if s["to_at"] is not None:
                d = extend_for_suspension(d, at(s["from_at"]), at(s["to_at"]), cal, tz)
        return d.at.isoformat(timespec="seconds"), d.provisional

    @staticmethod
    def _rating_public(r: dict | None, tz) -> dict | None:
        if r is None:
            return None
        lv = BY_CODE[r["level"]]
        out: dict[str, Any] = {"level": r["level"], "level_name": lv.name, "level_name_en": lv.name_en,
                               "at": times.iso(r["at"], tz), "rectification": None}
        task = r["task"]
        if task is not None:
            rect: dict[str, Any] = {"state": task["state"], "due_at": times.iso(task["due_at"], tz),
                                    "state_name": STEP_NAMES.get(task["state"], (task["state"], ""))[0]}
            steps = {s["step"]: s for s in task["steps"]}
            if "callback" in steps:  # after the callback the rater sees what came of it
                rect.update(closed_at=times.iso(task["closed_at"], tz),
                            verified=steps.get("verify", {}).get("outcome"),
                            outcome=(steps.get("feedback", {}).get("note") or steps.get("rectify", {}).get("note")
                                     or ""),
                            callback=steps["callback"].get("outcome"))
            out["rectification"] = rect
        return out

    # ----- rating the case ---------------------------------------------------------------

    async def rate(self, case_id: int, token: str, level: int, reasons: list[str], comment: str,
                   ratings: Any) -> dict:
        """Once per case, with the case's token, after completion; a bad rating opens the 48-hour
        rectification task (`ratings`: the hall's RatingService, for its policy)."""
        try:
            kept = check_reasons(level, reasons)
        except InvalidRating as exc:
            raise Invalid(str(exc)) from None
        digests = self.digests(token)
        now = self.clock()
        p = ratings.policy
        from onewindow.promises import WorkingCalendar

        cal = self.calendar.current if p.rectify_unit != "hours" else WorkingCalendar()
        due = due_at(now, p.rectify_amount, p.rectify_unit, cal, ratings.tz)
        bad = is_bad(level)

        def fn(tx):
            case = kstore.tracked(tx, case_id, digests)
            if case["status"] != cstore.COMPLETED:
                raise NotRateable("办结后才能评价 / a case can be rated once it is completed")
            return kstore.rate_case(tx, case, level=level, reasons=kept, comment=comment.strip() if bad else "",
                                    now=now, due_at=due, bad=bad)

        try:
            r = await self.db.write(fn)
        except kstore.rstore.AlreadyRated:
            raise kstore.rstore.AlreadyRated("这个办件已经评价过了 / this case has already been rated") from None
        task = r["task"]
        hall = r["hall"]
        self.hub.publish(hall, "rating", {
            "ticket": r["number"], "case": case_id, "window": r["window_id"], "clerk": r["clerk"],
            "category": r["category"], "level": level, "bad": bad, "channel": "link", "rated": "case",
            "task": task["id"] if task else None}, r["ticket_id"])
        if task:
            self.hub.publish(hall, "rating_task", {"task": task["id"], "state": task["state"], "ticket": r["number"],
                                                   "window": r["window_id"]}, r["ticket_id"])
        self.publish(hall, case_id)
        lv = BY_CODE[level]
        return {"id": r["id"], "case": case_id, "level": level, "level_name": lv.name, "level_name_en": lv.name_en,
                "at": times.iso(now, ratings.tz),
                "task": {"id": task["id"], "due_at": times.iso(task["due_at"], ratings.tz)} if task else None}

    def after_task_step(self, tx: Tx, task: dict, step: str) -> int | None:
        """In the rectification step's transaction: after the callback of a case's own rating,
        the rater is told the outcome (a message); the case whose page changed, or None."""
        case_id = kstore.case_of_task(tx, task["id"])
        if case_id is None:
            return None
        if step == "callback":
            case = cstore.get(tx, case_id)
            steps = {s["step"]: s for s in task["steps"]}
            outcome = (steps.get("feedback", {}).get("note") or steps.get("rectify", {}).get("note") or "")
            self.message_case(tx, case, "rectification_result",
                              {"number": case["number"], "outcome": outcome[:60],
                               "verified": steps.get("verify", {}).get("outcome", "")}, f"rectified:{task['id']}")
        return case_id

    async def link(self, case_id: int, base: str = "") -> str:
        """The case's tracking link (the receipt's QR code and short link)."""
        def fn(tx):
            return self.link_of(tx, cstore.get(tx, case_id), base)

        return await self.db.read(fn)

    def publish(self, hall: str, case_id: int) -> None:
        """Tell the case's open tracking pages to refresh (only the id goes over the hub)."""
        self.hub.publish(hall, PROGRESS_EVENT, {"case_id": case_id})

    # ----- reports -----------------------------------------------------------------------

    async def figures(self, hall: str, start: float, end: float) -> dict:
        f = await self.db.read(kstore.case_figures, hall, start, end)
        f["looked_up_share"] = round(f["looked_up"] / f["accepted"], 4) if f["accepted"] else None
        f["rated_share"] = round(f["rated"] / f["completed"], 4) if f["completed"] else None
        return cast(dict, f)


class NotRateable(Conflict):
    code = "not_rateable"
