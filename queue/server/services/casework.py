"""Second-person sign-off (一审一核, issue 15 point 5) and key-project tracking cards
(重点项目服务跟踪卡, point 6). The rules are onewindow.casework's; this module maps rows onto them.

- Sign-off: a configured item (`review = true`) completes only after a reviewer (the reviewer role,
  the window's chief representative, or a manager) approved it; never someone who accepted or
  handled the case (403 same_person); a return needs a reason. Each decision is a case event (the
  tracking page's steps show it) and an audit entry; a suspension after an approval voids it.
- Key projects: a manager marks a case with a named liaison (a staff account); the item's
  `key_steps` give each step's limit (working days) and fee cap. Staff record each step's start
  and end, its fee and the satisfaction (the five levels); a fee over its cap is kept and flagged
  (a red alert), a started step past its limit raises a red alert in the supervision round.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from onewindow.casework import (
    APPROVED,
    RETURNED,
    STEP_NAMES,
    StepState,
    handlers,
    over_cap,
    overrun,
    review_state,
    satisfaction_name,
    step_problem,
)
from onewindow.promises import compute_deadline
from onewindow.server.errors import Conflict, Forbidden, Invalid
from onewindow.server.services import access
from onewindow.server.services.auth import User
from onewindow.server.services.calendar import Calendar
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import cases as cstore
from onewindow.server.store import keyprojects as kstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.crypto import mask_name
from onewindow.server.store.database import Database, Tx
from onewindow.server.store.rows import AlertRow, CaseRow
from onewindow.tickets import times

if TYPE_CHECKING:
    from onewindow.server.services.cases import CaseService

REVIEWERS = ("reviewer", "manager")  # who may sign off (一审一核: the chief representative)
FEE_ALERT, STEP_ALERT = "key_fee_over_cap", "key_step_overrun"


def _audit(tx: Tx, actor: str, action: str, case: CaseRow, now: float, **data) -> None:
    accounts.audit(tx, actor, action, json.dumps({"case": case["number"], "case_id": case["id"], "hall": case["hall"],
                                                  **data}, ensure_ascii=False), now)


def needs_review(svc: HallService, case: CaseRow) -> bool:
    item = svc.hall.item(case["item"])
    return bool(item and item.review)


def review_refusal(tx: Tx, svc: HallService, case: CaseRow) -> None:
    """In the completion's transaction (CaseService.complete): 409 review_required unless signed off."""
    if needs_review(svc, case) and review_state(cstore.history(tx, case["id"])) != APPROVED:
        raise Conflict(f"case {case['number']} needs the reviewer's sign-off before it completes (一审一核)",
                       "review_required")


def supervise(tx: Tx, svc: HallService, now: float) -> list[AlertRow]:
    """The supervision round's part (supervision.check_hall): started key-project steps past their limit."""
    out = []
    for s in kstore.overrun_steps(tx, svc.hall.id, now):
        due = times.iso(s["due_at"], svc.tz)
        zh, en = STEP_NAMES.get(s["step"], (s["step"], s["step"]))
        a = cstore.raise_alert(
            tx, key=f"{svc.hall.id}:{STEP_ALERT}:{s['case_id']}:{s['step']}:{int(s['due_at'])}", hall=svc.hall.id,
            kind=STEP_ALERT, level=cstore.RED, now=now, case_id=s["case_id"], category=s["category"],
            message=f"重点项目 {s['number']} 的{zh}已超过 {s['days']} 个工作日时限（{due}） / key project "
                    f"{s['number']}: {en.lower()} is past its {s['days']}-working-day limit ({due})")
        if a is not None:
            out.append(a)
    return out


class CaseworkService:
    def __init__(self, db: Database, clock: Callable[[], float], halls: dict[str, HallService],
                 calendar: Calendar, cases: CaseService):
        self.db, self.clock, self.halls, self.calendar, self.cases = db, clock, halls, calendar, cases

    # ----- 一审一核 ------------------------------------------------------------------------

    async def review(self, user: User, case_id: int, decision: str, reason: str) -> dict:
        if user.role not in REVIEWERS:
            raise Forbidden("only a reviewer (chief representative) or a manager signs a case off", "not_reviewer")
        reason = reason.strip()
        if decision == "return" and not reason:
            raise Invalid("reason: a return needs a reason (退回须说明理由)", "reason_required", field="reason")
        now = self.clock()

        def fn(tx):
            case = cstore.get(tx, case_id, lock=True)
            svc = self.cases._hall_of(case)
            if not needs_review(svc, case):
                raise Conflict(f"the item {case['item']!r} needs no sign-off", "review_not_required")
            if case["status"] != cstore.ACCEPTED:
                raise cstore.BadState(f"cannot sign off a case that is {case['status']}")
            hist = cstore.history(tx, case_id)
            if user.username in handlers(case["first_clerk"], case["clerk"], hist):
                raise Forbidden("the person who accepted or handled a case may not sign it off (一审一核)",
                                "same_person")
            if decision == "approve" and review_state(hist) == APPROVED:
                raise Conflict(f"case {case['number']} is already signed off", "already_signed_off")
            kind = APPROVED if decision == "approve" else RETURNED
            cstore.event(tx, case, kind, now, user.username, **({"reason": reason} if reason else {}))
            _audit(tx, user.username, f"case_{kind}", case, now, **({"reason": reason} if reason else {}))
            return case

        case = await self.db.write(fn)
        self.cases._progress(case)
        return await self.cases.case(case_id)

    # ----- key-project cards ---------------------------------------------------------------

    async def mark(self, user: User, case_id: int, liaison: str, phone: str) -> dict:
        now = self.clock()

        def fn(tx):
            case = cstore.get(tx, case_id, lock=True)
            svc = self.cases._hall_of(case)
            item = svc.hall.item(case["item"])
            if item is None or not item.key_steps:
                raise Conflict(f"the item {case['item']!r} has no key-project steps configured", "no_key_steps")
            if case["status"] not in (cstore.ACCEPTED, cstore.SUSPENDED):
                raise cstore.BadState(f"cannot mark a case that is {case['status']}")
            who = accounts.user_by_name(tx, liaison)
            if who is None or not who["active"] or who["role"] not in ("clerk", "manager", "reviewer"):
                raise Invalid(f"liaison: {liaison!r} is not an active staff account", "unknown_liaison",
                              field="liaison")
            kstore.mark(tx, case_id=case_id, hall=case["hall"], liaison=liaison, phone=phone,
                        steps=[(s.step, s.days, s.fee_cap) for s in item.key_steps], actor=user.username, now=now)
            _audit(tx, user.username, "key_project_mark", case, now, liaison=liaison)

        await self.db.write(fn)
        return await self.card(case_id)

    async def may_record(self, user: User, case_id: int) -> None:
        """The liaison, whoever may handle the case (access.may_handle_case), a manager: else 403."""
        def fn(tx):
            return cstore.get(tx, case_id), kstore.get(tx, case_id)

        case, kp = await self.db.read(fn)
        if kp is not None and kp["liaison"] == user.username:
            return
        states = await self.db.read(wstore.states, case["hall"])
        if not access.may_handle_case(user.username, user.is_manager, case["clerk"], case["window_id"], states):
            raise Forbidden("only the liaison, the case's clerk or window, or a manager records its steps",
                            "not_your_case")

    async def record(self, user: User, case_id: int, step: str, event: str, at: datetime | None = None,
                     amount: float | None = None, level: int | None = None) -> dict:
        """event: start | end (at: when, default now) | fee (amount, yuan) | satisfaction (level 1..5)."""
        now = self.clock()
        cal = self.calendar.current
        alerts: list[AlertRow] = []

        def fn(tx):
            case = cstore.get(tx, case_id, lock=True)
            if kstore.get(tx, case_id) is None:
                raise Conflict(f"case {case['number']} is not a key project", "not_key_project")
            svc = self.cases._hall_of(case)
            row = kstore.step(tx, case_id, step)
            state = StepState(row["started_at"], row["ended_at"])
            data: dict = {"step": step, "event": event}
            if event in ("start", "end"):
                when = at.timestamp() if at is not None else now
                problem = step_problem(state, event, when, now)
                if problem:
                    if "future" in problem:
                        raise Invalid(f"at: {problem}", "invalid", field="at")
                    raise Conflict(f"{step}: {problem}", "bad_step_state")
                if event == "start":
                    due = compute_deadline(datetime.fromtimestamp(when, svc.tz), row["days"], "working_days", cal,
                                           svc.tz)
                    kstore.update_step(tx, row["id"], started_at=when, due_at=due.at.timestamp())
                else:
                    kstore.update_step(tx, row["id"], ended_at=when)
                data["at"] = times.iso(when, svc.tz)
            elif event == "fee":
                assert amount is not None  # the API's body
                kstore.update_step(tx, row["id"], fee=amount)
                data["amount"] = amount
                cap = row["fee_cap"] if row["fee_cap"] is not None else 0.0
                if over_cap(amount, cap):  # kept, and flagged (004: 超标准收费 → warning)
                    zh, en = STEP_NAMES[step]
                    a = cstore.raise_alert(
                        tx, key=f"{case['hall']}:{FEE_ALERT}:{case_id}:{step}:{amount:g}", hall=case["hall"],
                        kind=FEE_ALERT, level=cstore.RED, now=now, case_id=case_id, category=case["category"],
                        message=f"重点项目 {case['number']} 的{zh}收费 {amount:g} 元超过上限 {cap:g} 元 / key project "
                                f"{case['number']}: the {en.lower()} fee {amount:g} yuan is over its cap {cap:g}")
                    if a is not None:
                        alerts.append(a)
                    data["over_cap"] = True
            else:  # satisfaction
                if state.started_at is None:
                    raise Conflict(f"{step}: the step has not started", "bad_step_state")
                kstore.update_step(tx, row["id"], satisfaction=level, rated_by=user.username)
                data["level"] = level
            _audit(tx, user.username, "key_project_step", case, now, **data)

        await self.db.write(fn)
        for a in alerts:
            self.cases._publish_alert(a)
        if event == "start":
            await self.cases.check_safely()  # a step recorded late may already be past its limit
        return await self.card(case_id)

    async def card(self, case_id: int) -> dict:
        def fn(tx):
            return (cstore.get(tx, case_id), kstore.get(tx, case_id), kstore.steps(tx, case_id),
                    cstore.history(tx, case_id))

        case, kp, rows, hist = await self.db.read(fn)
        if kp is None:
            raise Conflict(f"case {case['number']} is not a key project", "not_key_project")
        svc = self.cases._hall_of(case)
        tz = svc.tz
        liaison = await self.db.read(accounts.user_by_name, kp["liaison"])
        item = svc.hall.item(case["item"])
        now = datetime.fromtimestamp(self.clock(), tz)
        steps = []
        for r in rows:
            zh, en = STEP_NAMES.get(r["step"], (r["step"], r["step"]))
            due = datetime.fromtimestamp(r["due_at"], tz) if r["due_at"] is not None else None
            state = StepState(r["started_at"], r["ended_at"])
            sat = satisfaction_name(r["satisfaction"])
            end = r["ended_at"] if r["ended_at"] is not None else now.timestamp()
            steps.append({
                "step": r["step"], "name": zh, "name_en": en, "days": r["days"], "due": times.iso(r["due_at"], tz),
                "started_at": times.iso(r["started_at"], tz), "ended_at": times.iso(r["ended_at"], tz),
                "took_s": (end - r["started_at"]) if r["started_at"] is not None else None,
                "overrun": overrun(due, state, now), "fee_cap": r["fee_cap"], "fee": r["fee"],
                "over_cap": over_cap(r["fee"], r["fee_cap"] if r["fee_cap"] is not None else 0.0),
                "satisfaction": r["satisfaction"], "satisfaction_name": sat[0] if sat else None,
                "satisfaction_name_en": sat[1] if sat else None, "rated_by": r["rated_by"]})
        return {
            "case_id": case["id"], "number": case["number"], "item": case["item"],
            "item_name": item.name if item else case["item"], "item_name_en": item.name_en if item else "",
            "project": case["project"], "status": case["status"],
            "applicant": mask_name(self.cases.box.decrypt(case["applicant_name_enc"])),
            "liaison": {"username": kp["liaison"], "name": (liaison or {}).get("display_name") or kp["liaison"],
                        "phone": kp["phone"]},
            "marked_by": kp["marked_by"], "marked_at": times.iso(kp["marked_at"], tz),
            "review": {"required": needs_review(svc, case), "state": review_state(hist)},
            "steps": steps,
        }
