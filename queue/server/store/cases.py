"""Case SQL: opening a case inside the ticket's completion, suspending and
resuming its clock, completing and withdrawing it; the loaded holiday
schedules; the supervision alerts and what the supervision check reads.

Like store/tickets.py: plain functions over a `Tx`, the caller's clock
reading, and pure deadline rules from `onewindow.promises` for the dates.
They raise `NotFound` or `BadState`; the transaction then changes nothing.
"""
from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import cast

from onewindow.casework import case_number
from onewindow.promises import Deadline, WorkingCalendar, YearSchedule, compute_deadline, extend_for_suspension
from onewindow.server.errors import Conflict, NotFound
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import AlertRow, CaseRow

ACCEPTED, SUSPENDED, COMPLETED, WITHDRAWN = "accepted", "suspended", "completed", "withdrawn"
STATUSES = (ACCEPTED, SUSPENDED, COMPLETED, WITHDRAWN)
GREEN, YELLOW, RED = "green", "yellow", "red"

CASE_COLUMNS = (
    "id, hall, number, item, ticket_id, ticket_number, category, applicant_name_enc, applicant_phone_enc, "
    "project, accepted_at, clock_from, deadline_at, deadline_provisional, promised_amount, promised_unit, "
    "statutory_amount, statutory_unit, instant, status, first_clerk, clerk, window_id, wait_s, walk_s, service_s, "
    "completed_at, closed_reason, card, card_at, statutory_deadline_at, statutory_provisional, visits"
)
ALERT_COLUMNS = "id, key, hall, kind, level, case_id, ticket_id, category, message, at, resolved_at, resolved_by"
# What update_case may set; everything else about a case is written once.
_MUTABLE = frozenset({"status", "deadline_at", "deadline_provisional", "completed_at", "closed_reason", "card",
                      "card_at", "clerk", "statutory_deadline_at", "statutory_provisional", "visits"})



class BadState(Conflict):
    """The case's status does not allow this."""

    code = "bad_state"


def _case(row) -> CaseRow:
    c = dict(row)
    c["deadline_provisional"] = bool(c["deadline_provisional"])
    c["instant"] = bool(c["instant"])
    c["statutory_provisional"] = bool(c["statutory_provisional"])
    return cast(CaseRow, c)


def _at(ts: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts, tz)


def event(tx: Tx, case: CaseRow, type_: str, at: float, actor: str | None, **data) -> None:
    tx.execute(
        "INSERT INTO case_event (case_id, hall, type, at, actor, data) VALUES (:cid, :hall, :type, :at, :actor, :data)",
        {"cid": case["id"], "hall": case["hall"], "type": type_, "at": at, "actor": actor,
         "data": json.dumps(data, ensure_ascii=False) if data else "{}"},
    )


# ----- cases -------------------------------------------------------------------------------


def next_number(tx: Tx, day: str, prefix: str) -> str:
    """HP-20261123-0001: the outlet's prefix, the day, a sequence per prefix and day, so unique
    across the deployment (onewindow.casework.numbers). A number some case already has is passed
    over: one a van synced under its prefix, or one a worker of the release before gave."""
    while True:
        seq = tx.scalar(
            "INSERT INTO case_sequence (prefix, service_day, last) VALUES (:prefix, :day, 1) "
            "ON CONFLICT (prefix, service_day) DO UPDATE SET last = case_sequence.last + 1 RETURNING last",
            {"prefix": prefix, "day": day},
        )
        number = case_number(prefix, day, seq)
        if tx.one("SELECT id FROM case_file WHERE number = :n", {"n": number}) is None:
            return number


def open_case(
    tx: Tx, *, hall: str, day: str, prefix: str, ticket: dict, item: str, name_enc: str, phone_enc: str,
    project: str, actor: str, now: float, clock_from: float, deadline: Deadline,
    promised: tuple[int, str], statutory: tuple[int, str] | None, instant: bool,
    statutory_deadline: Deadline | None = None,
) -> CaseRow:
    """Open a case for a ticket just completed (same transaction). An instant
    item (即办件) is done at the window: its case is completed at once."""
    number = next_number(tx, day, prefix)
    deadline_at = deadline.at.timestamp()
    done = instant
    card = (RED if now > deadline_at else GREEN) if done else GREEN
    cid = tx.scalar(
        "INSERT INTO case_file (hall, number, item, ticket_id, ticket_number, category, applicant_name_enc, "
        "applicant_phone_enc, project, accepted_at, clock_from, deadline_at, deadline_provisional, "
        "promised_amount, promised_unit, statutory_amount, statutory_unit, instant, status, first_clerk, clerk, "
        "window_id, wait_s, walk_s, service_s, completed_at, closed_reason, card, card_at, statutory_deadline_at, "
        "statutory_provisional) VALUES (:hall, :number, "
        ":item, :tid, :tnum, :cat, :name, :phone, :project, :now, :clock_from, :deadline, :prov, :pa, :pu, :sa, "
        ":su, :instant, :status, :first, :clerk, :win, :wait, :walk, :service, :completed, '', :card, :card_at, "
        ":sd, :sprov) RETURNING id",
        {"hall": hall, "number": number, "item": item, "tid": ticket["id"], "tnum": ticket["number"],
         "cat": ticket["category"], "name": name_enc, "phone": phone_enc, "project": project, "now": now,
         "clock_from": clock_from, "deadline": deadline_at, "prov": deadline.provisional, "pa": promised[0],
         "pu": promised[1], "sa": statutory[0] if statutory else None, "su": statutory[1] if statutory else None,
         "instant": instant, "status": COMPLETED if done else ACCEPTED, "first": ticket.get("first_clerk"),
         "clerk": actor, "win": ticket.get("window_id"), "wait": ticket.get("wait_s"), "walk": ticket.get("walk_s"),
         "service": ticket.get("service_s"), "completed": now if done else None, "card": card,
         "card_at": now if done else None,
         "sd": statutory_deadline.at.timestamp() if statutory_deadline else None,
         "sprov": bool(statutory_deadline and statutory_deadline.provisional)},
    )
    case = get(tx, cid)
    event(tx, case, "accepted", now, actor, item=item, ticket=ticket["number"], window=ticket.get("window_id"),
          deadline=deadline_at, provisional=deadline.provisional, clock_from=clock_from)
    if done:
        event(tx, case, "completed", now, actor, instant=True, kept=card == GREEN)
    return case


def get(tx: Tx, case_id: int, lock: bool = False) -> CaseRow:
    row = tx.one(
        f"SELECT {CASE_COLUMNS} FROM case_file WHERE id = :id"
        + (" FOR UPDATE" if lock and tx.dialect == "postgresql" else ""),
        {"id": case_id},
    )
    if row is None:
        raise NotFound(f"no case {case_id}")
    return _case(row)


def update_case(tx: Tx, case_id: int, **cols) -> None:
    bad = set(cols) - _MUTABLE
    if bad:
        raise ValueError(f"not changeable: {sorted(bad)}")
    sets = ", ".join(f"{k} = :{k}" for k in cols)
    tx.execute(f"UPDATE case_file SET {sets} WHERE id = :id", {**cols, "id": case_id})


def _require(case: CaseRow, action: str, *allowed: str) -> None:
    if case["status"] not in allowed:
        raise BadState(f"cannot {action} a case that is {case['status']}")


def suspend(tx: Tx, case_id: int, *, reason: str, notice: str, actor: str, now: float,
            missing: list[str] | None = None) -> CaseRow:
    """Stop the clock (补正, expert review, hearing, public notice) with a written notice;
    `missing`: the defects in what was submitted (一次性告知: checklist items and free text)."""
    case = get(tx, case_id, lock=True)
    _require(case, "suspend", ACCEPTED)
    update_case(tx, case_id, status=SUSPENDED)
    tx.execute(
        "INSERT INTO case_suspension (case_id, reason, from_at, to_at, notice, actor, missing) "
        "VALUES (:cid, :reason, :now, NULL, :notice, :actor, :missing)",
        {"cid": case_id, "reason": reason, "now": now, "notice": notice, "actor": actor,
         "missing": json.dumps(list(missing or []), ensure_ascii=False)},
    )
    event(tx, case, "suspended", now, actor, reason=reason, notice=notice)
    return get(tx, case_id)


def _close_suspension(tx: Tx, case_id: int, now: float) -> dict:
    row = tx.one("SELECT id, reason, from_at FROM case_suspension WHERE case_id = :cid AND to_at IS NULL "
                 "ORDER BY id DESC LIMIT 1", {"cid": case_id})
    if row is None:  # pragma: no cover - a suspended case always has one open
        raise BadState(f"case {case_id} has no open suspension")
    tx.execute("UPDATE case_suspension SET to_at = :now WHERE id = :id", {"now": now, "id": row["id"]})
    return dict(row)


def resume(tx: Tx, case_id: int, *, actor: str, now: float, calendar: WorkingCalendar, tz: tzinfo) -> CaseRow:
    """Restart the clock; the deadline moves by the working days it stood still."""
    case = get(tx, case_id, lock=True)
    _require(case, "resume", SUSPENDED)
    stop = _close_suspension(tx, case_id, now)
    old = Deadline(_at(case["deadline_at"], tz), case["deadline_provisional"])
    new = extend_for_suspension(old, _at(stop["from_at"], tz), _at(now, tz), calendar, tz, case["promised_unit"])
    law: dict[str, object] = {}
    if case["statutory_deadline_at"] is not None:  # the law's clock stood still too
        s = extend_for_suspension(Deadline(_at(case["statutory_deadline_at"], tz), case["statutory_provisional"]),
                                  _at(stop["from_at"], tz), _at(now, tz), calendar, tz,
                                  case["statutory_unit"] or "working_days")
        law = {"statutory_deadline_at": s.at.timestamp(), "statutory_provisional": s.provisional}
    update_case(tx, case_id, status=ACCEPTED, deadline_at=new.at.timestamp(), deadline_provisional=new.provisional,
                card=GREEN, card_at=now, **law)
    event(tx, case, "resumed", now, actor, reason=stop["reason"], suspended_from=stop["from_at"],
          old_deadline=case["deadline_at"], deadline=new.at.timestamp(), provisional=new.provisional)
    return get(tx, case_id)


def visit(tx: Tx, case_id: int, *, actor: str, now: float, note: str = "") -> CaseRow:
    """One more trip of the applicant for an open case (最多跑一次)."""
    case = get(tx, case_id, lock=True)
    _require(case, "record a visit to", ACCEPTED, SUSPENDED)
    visits = case["visits"] + 1
    update_case(tx, case_id, visits=visits)
    event(tx, case, "visit", now, actor, note=note, visits=visits)
    return get(tx, case_id)


def complete(tx: Tx, case_id: int, *, actor: str, now: float, note: str = "") -> CaseRow:
    """办结: the promise is kept if done by the deadline; the card says so for good."""
    case = get(tx, case_id, lock=True)
    _require(case, "complete", ACCEPTED)
    card = RED if now > case["deadline_at"] else GREEN
    update_case(tx, case_id, status=COMPLETED, completed_at=now, card=card, card_at=now, clerk=actor)
    event(tx, case, "completed", now, actor, kept=card == GREEN, note=note)
    return get(tx, case_id)


def withdraw(tx: Tx, case_id: int, *, reason: str, actor: str, now: float) -> CaseRow:
    """Withdrawn by the applicant or refused (不予受理, 退件), always with a reason."""
    case = get(tx, case_id, lock=True)
    _require(case, "withdraw", ACCEPTED, SUSPENDED)
    if case["status"] == SUSPENDED:
        _close_suspension(tx, case_id, now)
    update_case(tx, case_id, status=WITHDRAWN, completed_at=now, closed_reason=reason, card_at=now)
    event(tx, case, "withdrawn", now, actor, reason=reason)
    return get(tx, case_id)


def recompute(tx: Tx, case: CaseRow, *, calendar: WorkingCalendar, tz: tzinfo, actor: str | None, now: float,
              why: str) -> CaseRow | None:
    """The deadlines (promised, statutory) again from their start, limits and closed suspensions;
    the new case if one changed."""
    stops = [s for s in suspensions(tx, case["id"]) if s["to_at"] is not None]

    def again(amount: int, unit: str) -> Deadline:
        d = compute_deadline(_at(case["clock_from"], tz), amount, unit, calendar, tz)
        for s in stops:
            d = extend_for_suspension(d, _at(s["from_at"], tz), _at(s["to_at"], tz), calendar, tz, unit)
        return d

    d = again(case["promised_amount"], case["promised_unit"])
    law: dict[str, object] = {}
    if case["statutory_deadline_at"] is not None and case["statutory_amount"] is not None:
        s = again(case["statutory_amount"], cast(str, case["statutory_unit"]))
        if (s.at.timestamp(), s.provisional) != (case["statutory_deadline_at"], case["statutory_provisional"]):
            law = {"statutory_deadline_at": s.at.timestamp(), "statutory_provisional": s.provisional}
    at = d.at.timestamp()
    if at == case["deadline_at"] and d.provisional == case["deadline_provisional"]:
        if law:  # only the law's deadline moved: its alarms settle, the promise's cards stand
            update_case(tx, case["id"], **law)
            tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by WHERE case_id = :cid "
                       "AND kind = 'statutory' AND resolved_at IS NULL", {"now": now, "by": actor, "cid": case["id"]})
        return None
    cols: dict[str, object] = {"deadline_at": at, "deadline_provisional": d.provisional, **law}
    if case["status"] == COMPLETED:
        cols["card"] = RED if cast(float, case["completed_at"]) > at else GREEN  # completed: set
    elif case["status"] in (ACCEPTED, SUSPENDED):
        cols.update(card=GREEN, card_at=now)
    update_case(tx, case["id"], **cols)
    event(tx, case, "deadline_recomputed", now, actor, why=why, old_deadline=case["deadline_at"], deadline=at,
          provisional=d.provisional)
    return get(tx, case["id"])


def provisional_cases(tx: Tx) -> list[CaseRow]:
    return [_case(r) for r in tx.all(
        f"SELECT {CASE_COLUMNS} FROM case_file WHERE (deadline_provisional = :t OR statutory_provisional = :t) "
        "AND status <> 'withdrawn' ORDER BY id",
        {"t": True})]


def suspensions(tx: Tx, case_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT id, reason, from_at, to_at, notice, actor, missing FROM case_suspension WHERE case_id = :cid "
        "ORDER BY id", {"cid": case_id})]


def history(tx: Tx, case_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT type, at, actor, data FROM case_event WHERE case_id = :cid ORDER BY id", {"cid": case_id})]


def list_cases(tx: Tx, hall: str, *, statuses: tuple[str, ...] = STATUSES, cards: tuple[str, ...] = (),
               limit: int = 200, offset: int = 0) -> list[CaseRow]:
    """A hall's cases, soonest deadline first."""
    params: dict = {"hall": hall, "limit": limit, "offset": offset}
    where = "hall = :hall"
    if statuses:
        where += f" AND status IN ({_marks('s', statuses, params)})"
    if cards:
        where += f" AND card IN ({_marks('c', cards, params)})"
    return [_case(r) for r in tx.all(
        f"SELECT {CASE_COLUMNS} FROM case_file WHERE {where} ORDER BY deadline_at, id LIMIT :limit OFFSET :offset",
        params)]


def open_cases(tx: Tx, hall: str) -> list[CaseRow]:
    """Cases whose clock runs (suspended ones stand still)."""
    return [_case(r) for r in tx.all(
        f"SELECT {CASE_COLUMNS} FROM case_file WHERE hall = :hall AND status = 'accepted' ORDER BY deadline_at",
        {"hall": hall})]


def open_suspensions(tx: Tx, hall: str) -> list[dict]:
    """The suspensions of the hall's cases whose clock stands still now (the cap's check)."""
    return [dict(r) for r in tx.all(
        "SELECT s.id, s.case_id, s.reason, s.from_at, c.number, c.category FROM case_suspension s "
        "JOIN case_file c ON c.id = s.case_id WHERE c.hall = :hall AND c.status = 'suspended' AND s.to_at IS NULL "
        "ORDER BY s.from_at", {"hall": hall})]


def open_provisional_spans(tx: Tx, hall: str) -> list[tuple[float, float]]:
    rows = tx.all("SELECT clock_from, deadline_at FROM case_file WHERE hall = :hall AND deadline_provisional = :t "
                  "AND status IN ('accepted', 'suspended')", {"hall": hall, "t": True})
    return [(r["clock_from"], r["deadline_at"]) for r in rows]


def completed_since(tx: Tx, hall: str, since: float, limit: int) -> list[CaseRow]:
    """For the completion ticker: newest first."""
    return [_case(r) for r in tx.all(
        f"SELECT {CASE_COLUMNS} FROM case_file WHERE hall = :hall AND status = 'completed' AND completed_at >= :since "
        "ORDER BY completed_at DESC, id DESC LIMIT :limit", {"hall": hall, "since": since, "limit": limit})]


def _marks(prefix: str, values, params: dict) -> str:
    names = []
    for i, v in enumerate(values):
        params[f"{prefix}{i}"] = v
        names.append(f":{prefix}{i}")
    return ", ".join(names)


# ----- calendar years ------------------------------------------------------------------------


def save_year(tx: Tx, schedule: YearSchedule, *, loaded_by: str, now: float) -> None:
    """Load (or replace) a year's official schedule."""
    tx.execute(
        "INSERT INTO calendar_year (year, holidays, workdays, source, loaded_by, loaded_at) "
        "VALUES (:year, :holidays, :workdays, :source, :by, :now) ON CONFLICT (year) DO UPDATE SET "
        "holidays = excluded.holidays, workdays = excluded.workdays, source = excluded.source, "
        "loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at",
        {"year": schedule.year, "holidays": json.dumps(sorted(d.isoformat() for d in schedule.holidays)),
         "workdays": json.dumps(sorted(d.isoformat() for d in schedule.workdays)), "source": schedule.source,
         "by": loaded_by, "now": now},
    )


def years(tx: Tx) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT year, holidays, workdays, source, loaded_by, loaded_at FROM calendar_year ORDER BY year")]


def schedule_of(row: dict) -> YearSchedule:
    return YearSchedule(
        year=row["year"],
        holidays=frozenset(date.fromisoformat(d) for d in json.loads(row["holidays"])),
        workdays=frozenset(date.fromisoformat(d) for d in json.loads(row["workdays"])),
        source=row["source"],
    )


# ----- alerts --------------------------------------------------------------------------------


def raise_alert(
    tx: Tx, *, key: str | None, hall: str, kind: str, level: str, message: str, now: float,
    case_id: int | None = None, ticket_id: int | None = None, category: str | None = None,
) -> AlertRow | None:
    """Log an alert once: None if one with this key was logged before (by any process)."""
    aid = tx.scalar(
        "INSERT INTO supervision_alert (key, hall, kind, level, case_id, ticket_id, category, message, at) "
        "VALUES (:key, :hall, :kind, :level, :cid, :tid, :cat, :msg, :now) ON CONFLICT (key) DO NOTHING RETURNING id",
        {"key": key, "hall": hall, "kind": kind, "level": level, "cid": case_id, "tid": ticket_id, "cat": category,
         "msg": message, "now": now},
    )
    if aid is None:
        return None
    return {"id": aid, "key": key, "hall": hall, "kind": kind, "level": level, "case_id": case_id,
            "ticket_id": ticket_id, "category": category, "message": message, "at": now, "resolved_at": None,
            "resolved_by": None}


def alerts(tx: Tx, hall: str, *, include_resolved: bool = False, kinds: tuple[str, ...] = (),
           limit: int = 200) -> list[AlertRow]:
    params: dict = {"hall": hall, "limit": limit}
    where = "hall = :hall"
    if not include_resolved:
        where += " AND resolved_at IS NULL"
    if kinds:
        where += f" AND kind IN ({_marks('k', kinds, params)})"
    return [cast(AlertRow, dict(r)) for r in tx.all(
        f"SELECT {ALERT_COLUMNS} FROM supervision_alert WHERE {where} ORDER BY id DESC LIMIT :limit", params)]


def resolve_alert(tx: Tx, alert_id: int, *, actor: str, now: float) -> AlertRow:
    row = tx.one(f"SELECT {ALERT_COLUMNS} FROM supervision_alert WHERE id = :id", {"id": alert_id})
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    if row["resolved_at"] is None:
        tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by WHERE id = :id",
                   {"now": now, "by": actor, "id": alert_id})
        row = tx.one(f"SELECT {ALERT_COLUMNS} FROM supervision_alert WHERE id = :id", {"id": alert_id})
    return cast(AlertRow, dict(row))


def resolve_case_alerts(tx: Tx, case_id: int, *, actor: str | None, now: float) -> int:
    """A case whose deadline moved or that closed: its yellow and red cards (and statutory alarms) settle."""
    return tx.execute(
        "UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by WHERE case_id = :cid "
        "AND kind IN ('yellow', 'red', 'statutory', 'suspension_overrun') AND resolved_at IS NULL",
        {"now": now, "by": actor, "cid": case_id},
    )


def resolve_calendar_alerts(tx: Tx, year: int, *, actor: str, now: float) -> int:
    return tx.execute(
        "UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by WHERE kind = 'calendar_missing' "
        "AND resolved_at IS NULL AND key LIKE :pattern",
        {"now": now, "by": actor, "pattern": f"%:{year}"},
    )


# ----- what the supervision check reads ------------------------------------------------------


def waiting_issued_before(tx: Tx, hall: str, before: float) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT id, number, category, issued_at FROM ticket WHERE hall = :hall AND status = 'waiting' "
        "AND issued_at <= :before ORDER BY issued_at", {"hall": hall, "before": before})]


def serving_started_before(tx: Tx, hall: str, before: float) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT id, number, category, started_at, window_id, clerk FROM ticket WHERE hall = :hall "
        "AND status = 'serving' AND started_at <= :before ORDER BY started_at", {"hall": hall, "before": before})]


def settle_ticket_alerts(tx: Tx, hall: str, *, now: float) -> int:
    """Waiting and serving alerts settle once their ticket left that state."""
    return tx.execute(
        "UPDATE supervision_alert SET resolved_at = :now, resolved_by = 'system' WHERE hall = :hall "
        "AND resolved_at IS NULL AND ((kind = 'wait_promise' AND NOT EXISTS (SELECT 1 FROM ticket t "
        "WHERE t.id = supervision_alert.ticket_id AND t.status = 'waiting')) OR (kind = 'step_overrun' AND NOT "
        "EXISTS (SELECT 1 FROM ticket t WHERE t.id = supervision_alert.ticket_id AND t.status = 'serving')))",
        {"now": now, "hall": hall},
    )
