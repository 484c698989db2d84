"""Key-project bookings (green channel by appointment, 004; issue 16 point 6): SQL over
appointment_key_project, beside the appointment rows (store/appointments.py) it marks."""
from __future__ import annotations

from onewindow.server.store.database import Tx

COLUMNS = "appointment_id, hall, case_id, case_number, project, liaison, via, at"


def case_card(tx: Tx, hall: str, number: str) -> dict | None:
    """The hall's case with this number and its key-project card's liaison (None without a card),
    or None when there is no such case."""
    row = tx.one("SELECT c.id, c.number, c.project, c.category, k.liaison, k.phone FROM case_file c "
                 "LEFT JOIN key_project k ON k.case_id = c.id WHERE c.hall = :h AND c.number = :n",
                 {"h": hall, "n": number})
    return dict(row) if row is not None else None


def add(tx: Tx, *, appointment_id: int, hall: str, case_id: int | None, case_number: str, project: str,
        liaison: str, via: str, now: float) -> None:
    tx.execute(f"INSERT INTO appointment_key_project ({COLUMNS}) VALUES (:a, :h, :c, :n, :p, :l, :v, :now)",
               {"a": appointment_id, "h": hall, "c": case_id, "n": case_number, "p": project, "l": liaison,
                "v": via, "now": now})


def get(tx: Tx, appointment_id: int) -> dict | None:
    row = tx.one(f"SELECT {COLUMNS} FROM appointment_key_project WHERE appointment_id = :a", {"a": appointment_id})
    return dict(row) if row is not None else None


def between(tx: Tx, hall: str, first_day: str, last_day: str, liaison: str | None = None) -> list[dict]:
    """The key-project bookings of the days first..last (a liaison's own, or all), by start."""
    mine = " AND k.liaison = :l" if liaison is not None else ""
    return [dict(r) for r in tx.all(
        "SELECT k.appointment_id, k.case_id, k.case_number, k.project, k.liaison, k.via, a.category, a.start, "
        "a.\"end\", a.code, a.state, a.checked_in_at, a.ticket_id, a.phone_enc, t.number AS ticket_number "
        "FROM appointment_key_project k JOIN appointment a ON a.id = k.appointment_id "
        "LEFT JOIN ticket t ON t.id = a.ticket_id "
        f"WHERE k.hall = :h AND a.day >= :a AND a.day <= :b{mine} ORDER BY a.start, a.id",
        {"h": hall, "a": first_day, "b": last_day, "l": liaison})]
