"""Key-project tracking cards (重点项目服务跟踪卡, issue 15 point 6): SQL over key_project and
key_project_step. Plain functions over a `Tx`, like store/cases.py."""
from __future__ import annotations

from onewindow.server.errors import Conflict, NotFound
from onewindow.server.store.database import Tx

STEP_COLUMNS = "id, case_id, step, days, fee_cap, started_at, ended_at, due_at, fee, satisfaction, rated_by"
_STEP_MUTABLE = frozenset({"started_at", "ended_at", "due_at", "fee", "satisfaction", "rated_by"})


def mark(tx: Tx, *, case_id: int, hall: str, liaison: str, phone: str, steps: list[tuple[str, int, float | None]],
         actor: str, now: float) -> None:
    """Mark a case key project with its liaison and the item's steps (limits and caps as configured now)."""
    if tx.one("SELECT case_id FROM key_project WHERE case_id = :c", {"c": case_id}) is not None:
        raise Conflict(f"case {case_id} is already a key project", "already_key_project")
    tx.execute("INSERT INTO key_project (case_id, hall, liaison, phone, marked_by, marked_at) "
               "VALUES (:c, :h, :l, :p, :by, :now)",
               {"c": case_id, "h": hall, "l": liaison, "p": phone, "by": actor, "now": now})
    for step, days, cap in steps:
        tx.execute("INSERT INTO key_project_step (case_id, step, days, fee_cap) VALUES (:c, :s, :d, :cap)",
                   {"c": case_id, "s": step, "d": days, "cap": cap})


def get(tx: Tx, case_id: int) -> dict | None:
    row = tx.one("SELECT case_id, hall, liaison, phone, marked_by, marked_at FROM key_project WHERE case_id = :c",
                 {"c": case_id})
    return dict(row) if row is not None else None


def steps(tx: Tx, case_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(f"SELECT {STEP_COLUMNS} FROM key_project_step WHERE case_id = :c ORDER BY id",
                                    {"c": case_id})]


def step(tx: Tx, case_id: int, name: str) -> dict:
    row = tx.one(f"SELECT {STEP_COLUMNS} FROM key_project_step WHERE case_id = :c AND step = :s",
                 {"c": case_id, "s": name})
    if row is None:
        raise NotFound(f"case {case_id} has no key-project step {name!r}", "unknown_step")
    return dict(row)


def update_step(tx: Tx, step_id: int, **cols) -> None:
    bad = set(cols) - _STEP_MUTABLE
    if bad:
        raise ValueError(f"not changeable: {sorted(bad)}")
    sets = ", ".join(f"{k} = :{k}" for k in cols)
    tx.execute(f"UPDATE key_project_step SET {sets} WHERE id = :id", {**cols, "id": step_id})


def overrun_steps(tx: Tx, hall: str, now: float) -> list[dict]:
    """Started steps past their due time and not ended (the supervision round's read)."""
    return [dict(r) for r in tx.all(
        "SELECT s.case_id, s.step, s.days, s.due_at, s.started_at, c.number, c.category FROM key_project_step s "
        "JOIN key_project k ON k.case_id = s.case_id JOIN case_file c ON c.id = s.case_id "
        "WHERE k.hall = :h AND s.started_at IS NOT NULL AND s.ended_at IS NULL AND s.due_at < :now",
        {"h": hall, "now": now})]
