"""Appointment SQL: booking under the slot's capacity, cancelling, rescheduling,
checking in, no-shows, reminders, and the one-per-person claims.

Capacity holds under any concurrency, on SQLite and PostgreSQL, across server
processes: a slot's counter row is raised by `UPDATE ... SET booked = booked + 1
WHERE booked < :cap`; the row's lock makes concurrent updates take turns, and each
re-checks the condition against the committed count (PostgreSQL re-evaluates the
WHERE on the new row version; SQLite has one writer)."""
from __future__ import annotations

from typing import Any

from onewindow.server.errors import Conflict, NotFound
from onewindow.server.store.database import Tx

COLUMNS = ("id, hall, category, day, start, \"end\", code, token_hash, phone_enc, phone_hash, id_hash, lang, "
           "state, created_at, checked_in_at, cancelled_at, ticket_id, reminded")
OPEN = ("booked", "checked_in", "late")


class SlotFull(Conflict):
    code = "slot_full"


class OnePerPerson(Conflict):
    code = "one_per_person"


ONE_PER_PERSON = ("同一人同一事项每天只能预约或取号一次 / one booking or ticket per person per day for this "
                  "service: you already hold one")


def claim(tx: Tx, *, hall: str, category: str, day: str, persons: tuple[str, ...], now: float,
          appointment_id: int | None = None, ticket_id: int | None = None) -> None:
    """Claim the day's one booking or ticket for each person (keyed hashes); OnePerPerson if one is taken."""
    for person in persons:
        n = tx.execute(
            "INSERT INTO person_claim (hall, category, day, person, appointment_id, ticket_id, at) "
            "VALUES (:hall, :cat, :day, :p, :a, :t, :now) ON CONFLICT (hall, category, day, person) DO NOTHING",
            {"hall": hall, "cat": category, "day": day, "p": person, "a": appointment_id, "t": ticket_id,
             "now": now})
        if n != 1:
            raise OnePerPerson(ONE_PER_PERSON)


def _take_seat(tx: Tx, hall: str, category: str, start: int, capacity: int) -> None:
    tx.execute("INSERT INTO appointment_slot (hall, category, start, booked) VALUES (:hall, :cat, :start, 0) "
               "ON CONFLICT (hall, category, start) DO NOTHING", {"hall": hall, "cat": category, "start": start})
    n = tx.execute("UPDATE appointment_slot SET booked = booked + 1 WHERE hall = :hall AND category = :cat "
                   "AND start = :start AND booked < :cap",
                   {"hall": hall, "cat": category, "start": start, "cap": capacity})
    if n != 1:
        raise SlotFull("该时段已约满 / this time slot is fully booked")


def _free_seat(tx: Tx, hall: str, category: str, start: int) -> None:
    tx.execute("UPDATE appointment_slot SET booked = booked - 1 WHERE hall = :hall AND category = :cat "
               "AND start = :start AND booked > 0", {"hall": hall, "cat": category, "start": start})


def book(tx: Tx, *, hall: str, category: str, day: str, start: float, end: float, capacity: int, code: str,
         token_hash: str, phone_enc: str, phone_hash: str, id_hash: str, lang: str, now: float,
         persons: tuple[str, ...] = ()) -> dict:
    """A booking, or SlotFull / OnePerPerson with nothing changed (the caller's transaction rolls back)."""
    _take_seat(tx, hall, category, int(start), capacity)
    aid = tx.scalar(
        "INSERT INTO appointment (hall, category, day, start, \"end\", code, token_hash, phone_enc, phone_hash, "
        "id_hash, lang, state, created_at, reminded) VALUES (:hall, :cat, :day, :start, :end, :code, :token, "
        ":phone, :ph, :idh, :lang, 'booked', :now, '') RETURNING id",
        {"hall": hall, "cat": category, "day": day, "start": start, "end": end, "code": code, "token": token_hash,
         "phone": phone_enc, "ph": phone_hash, "idh": id_hash, "lang": lang, "now": now})
    claim(tx, hall=hall, category=category, day=day, persons=persons, now=now, appointment_id=aid)
    return get(tx, aid)


def code_taken(tx: Tx, hall: str, code: str) -> bool:
    return tx.scalar("SELECT COUNT(*) FROM appointment WHERE hall = :hall AND code = :code",
                     {"hall": hall, "code": code}) > 0


def get(tx: Tx, appointment_id: int) -> dict:
    row = tx.one(f"SELECT {COLUMNS} FROM appointment WHERE id = :id", {"id": appointment_id})
    if row is None:
        raise NotFound("没有这个预约 / no such appointment", "unknown_appointment")
    return dict(row)


def by_code(tx: Tx, hall: str, code: str) -> dict:
    row = tx.one(f"SELECT {COLUMNS} FROM appointment WHERE hall = :hall AND code = :code",
                 {"hall": hall, "code": code})
    if row is None:
        raise NotFound("预约码不存在 / no appointment has this code", "unknown_appointment")
    return dict(row)


def by_person_on(tx: Tx, hall: str, id_hash: str, day: str) -> list[dict]:
    """The day's open bookings of an ID number (the card reader at the kiosk)."""
    return [dict(r) for r in tx.all(
        f"SELECT {COLUMNS} FROM appointment WHERE hall = :hall AND id_hash = :h AND day = :day "
        "AND state = 'booked' ORDER BY start", {"hall": hall, "h": id_hash, "day": day})]


def _release_claims(tx: Tx, appointment_id: int) -> None:
    tx.execute("DELETE FROM person_claim WHERE appointment_id = :id", {"id": appointment_id})


def cancel(tx: Tx, a: dict, now: float) -> dict:
    n = tx.execute("UPDATE appointment SET state = 'cancelled', cancelled_at = :now WHERE id = :id "
                   "AND state = 'booked'", {"now": now, "id": a["id"]})
    if n != 1:
        raise Conflict("此预约已签到、取消或过期 / this appointment was already used, cancelled or missed",
                       "appointment_closed")
    _free_seat(tx, a["hall"], a["category"], int(a["start"]))
    _release_claims(tx, a["id"])
    return get(tx, a["id"])


def reschedule(tx: Tx, a: dict, *, day: str, start: float, end: float, capacity: int, now: float) -> dict:
    """Move a booking to another slot: the new seat first (SlotFull leaves the old booking as it was)."""
    if a["state"] != "booked":
        raise Conflict("此预约已签到、取消或过期 / this appointment was already used, cancelled or missed",
                       "appointment_closed")
    # Both slots' rows in ascending order of start: two moves crossing each other never deadlock
    # (PostgreSQL); a full new slot rolls the whole move back either way.
    if int(start) < int(a["start"]):
        _take_seat(tx, a["hall"], a["category"], int(start), capacity)
        _free_seat(tx, a["hall"], a["category"], int(a["start"]))
    else:
        _free_seat(tx, a["hall"], a["category"], int(a["start"]))
        _take_seat(tx, a["hall"], a["category"], int(start), capacity)
    if day != a["day"]:  # the claims move with it (another booking that day: OnePerPerson, nothing changed)
        persons = tuple(r["person"] for r in tx.all("SELECT person FROM person_claim WHERE appointment_id = :id",
                                                    {"id": a["id"]}))
        _release_claims(tx, a["id"])
        claim(tx, hall=a["hall"], category=a["category"], day=day, persons=persons, now=now, appointment_id=a["id"])
    tx.execute("UPDATE appointment SET day = :day, start = :start, \"end\" = :end, reminded = '' WHERE id = :id",
               {"day": day, "start": start, "end": end, "id": a["id"]})
    return get(tx, a["id"])


def check_in(tx: Tx, appointment_id: int, *, state: str, ticket_id: int, now: float) -> None:
    """checked_in (on time) or late; the ticket it got."""
    n = tx.execute("UPDATE appointment SET state = :state, checked_in_at = :now, ticket_id = :t WHERE id = :id "
                   "AND state = 'booked'", {"state": state, "now": now, "t": ticket_id, "id": appointment_id})
    if n != 1:
        raise Conflict("此预约已签到、取消或过期 / this appointment was already used, cancelled or missed",
                       "appointment_closed")


def mark_no_shows(tx: Tx, hall: str, started_before: float) -> int:
    """Bookings whose check-in window has closed without them: no_show."""
    return tx.execute("UPDATE appointment SET state = 'no_show' WHERE hall = :hall AND state = 'booked' "
                      "AND start < :before", {"hall": hall, "before": started_before})


def no_shows(tx: Tx, hall: str, phone_hash: str, id_hash: str, since: float, missed_before: float) -> list[float]:
    """When this person (phone or ID) missed appointments since `since` (their starts): those recorded,
    and those still booked whose check-in window closed (started before `missed_before`) that the
    round has not recorded yet, so booking needs no write of its own."""
    rows = tx.all("SELECT start FROM appointment WHERE hall = :hall AND start >= :since "
                  "AND (state = 'no_show' OR (state = 'booked' AND start < :missed)) "
                  "AND (phone_hash = :ph OR (id_hash <> '' AND id_hash = :idh))",
                  {"hall": hall, "since": since, "ph": phone_hash, "idh": id_hash or "-", "missed": missed_before})
    return [float(r["start"]) for r in rows]


def booked_counts(tx: Tx, hall: str, category: str, first: int, last: int) -> dict[int, int]:
    rows = tx.all("SELECT start, booked FROM appointment_slot WHERE hall = :hall AND category = :cat "
                  "AND start >= :a AND start <= :b", {"hall": hall, "cat": category, "a": first, "b": last})
    return {int(r["start"]): int(r["booked"]) for r in rows}


def to_remind(tx: Tx, hall: str, start_from: float, start_to: float, mark: str) -> list[dict]:
    """Booked appointments starting in [start_from, start_to) not yet reminded with `mark`."""
    rows = tx.all(f"SELECT {COLUMNS} FROM appointment WHERE hall = :hall AND state = 'booked' AND start >= :a "
                  "AND start < :b ORDER BY start", {"hall": hall, "a": start_from, "b": start_to})
    return [dict(r) for r in rows if mark not in r["reminded"].split(",")]


def mark_reminded(tx: Tx, appointment_id: int, reminded: str, mark: str) -> None:
    marks = [m for m in reminded.split(",") if m] + [mark]
    tx.execute("UPDATE appointment SET reminded = :r WHERE id = :id", {"r": ",".join(marks), "id": appointment_id})


def booked_between(tx: Tx, hall: str, start_from: float, start_to: float) -> list[dict]:
    """Booked appointments starting in [start_from, start_to): their slots are checked against the calendar."""
    return [dict(r) for r in tx.all(f"SELECT {COLUMNS} FROM appointment WHERE hall = :hall AND state = 'booked' "
                                    "AND start >= :a AND start < :b ORDER BY start",
                                    {"hall": hall, "a": start_from, "b": start_to})]


def flagged(tx: Tx, hall: str) -> list[dict]:
    """Bookings whose slot disappeared (the calendar or the hours changed): for the manager to settle."""
    return [dict(r) for r in tx.all(f"SELECT {COLUMNS} FROM appointment WHERE hall = :hall AND state = 'booked' "
                                    "AND reminded LIKE '%gone%' ORDER BY start", {"hall": hall})]


def of_ticket(tx: Tx, ticket_id: int) -> dict | None:
    row = tx.one(f"SELECT {COLUMNS} FROM appointment WHERE ticket_id = :t", {"t": ticket_id})
    return dict(row) if row is not None else None


def day_counts(tx: Tx, hall: str, first_day: str, last_day: str, missed_before: float = 0.0
               ) -> dict[str, dict[str, int]]:
    """Per category, bookings by state over the days first..last (the dashboard and reports); a booking
    whose check-in window closed (started before `missed_before`) counts as a no-show before the round
    records it."""
    out: dict[str, dict[str, Any]] = {}
    for r in tx.all("SELECT category, CASE WHEN state = 'booked' AND start < :missed THEN 'no_show' ELSE state END "
                    "AS state, COUNT(*) AS n FROM appointment WHERE hall = :hall AND day >= :a AND day <= :b "
                    "GROUP BY category, CASE WHEN state = 'booked' AND start < :missed THEN 'no_show' ELSE state END",
                    {"hall": hall, "a": first_day, "b": last_day, "missed": missed_before}):
        out.setdefault(r["category"], {})[r["state"]] = int(r["n"])
    return out


def issued_between(tx: Tx, hall: str, first_day: str, last_day: str) -> dict[str, int]:
    """Tickets issued per category over the days first..last (the appointments' share)."""
    rows = tx.all("SELECT category, SUM(last) AS n FROM ticket_counter WHERE hall = :hall AND service_day >= :a "
                  "AND service_day <= :b GROUP BY category", {"hall": hall, "a": first_day, "b": last_day})
    return {r["category"]: int(r["n"]) for r in rows}
