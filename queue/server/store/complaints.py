"""Complaint SQL (投诉举报, issue 15): complaints, their clocks (milestones), steps,
callbacks, the clocks the supervision round reads, and the report's figures.

Plain functions over a `Tx` and the caller's clock reading, like store/cases.py;
the rules (flow, clocks, grades) are onewindow.complaints'.
"""
from __future__ import annotations

import json
from typing import Any

from onewindow.server.errors import NotFound
from onewindow.server.store.database import Tx

COLUMNS = (
    "id, hall, number, source, external_ref, type_code, grade, urgent, content, place, place_key, name_enc, "
    "phone_enc, real_name, has_phone, received_at, entered_at, entered_by, window_id, status, department, result, "
    "closed_at, evaluation"
)
CLOCK_COLUMNS = ("id, complaint_id, hall, milestone, round, amount, unit, started_at, due_at, provisional, done_at, "
                 "card, card_at")
_MUTABLE = frozenset({"status", "grade", "department", "result", "closed_at", "evaluation"})
_BOOLS = ("urgent", "real_name", "has_phone")


def _row(row) -> dict[str, Any]:
    c = dict(row)
    for k in _BOOLS:
        c[k] = bool(c[k])
    return c


def _clock(row) -> dict[str, Any]:
    c = dict(row)
    c["provisional"] = bool(c["provisional"])
    return c


def insert(tx: Tx, *, hall: str, day: str, **cols) -> dict | None:
    """A new complaint; its number is TS-<day>-<id> (unique with the id, in every process). None when
    its external_ref came in meanwhile (another process, the same platform retrying)."""
    cols = {**cols, "hall": hall, "number": "pending"}
    names = ", ".join(cols)
    marks = ", ".join(f":{k}" for k in cols)
    cid = tx.scalar(f"INSERT INTO complaint ({names}) VALUES ({marks}) "
                    "ON CONFLICT (hall, external_ref) DO NOTHING RETURNING id", cols)
    if cid is None:
        return None
    tx.execute("UPDATE complaint SET number = :n WHERE id = :id",
               {"n": f"TS-{day.replace('-', '')}-{cid:05d}", "id": cid})
    return get(tx, cid)


def get(tx: Tx, complaint_id: int, lock: bool = False) -> dict:
    row = tx.one(f"SELECT {COLUMNS} FROM complaint WHERE id = :id"
                 + (" FOR UPDATE" if lock and tx.dialect == "postgresql" else ""), {"id": complaint_id})
    if row is None:
        raise NotFound(f"no complaint {complaint_id}", "unknown_complaint")
    return _row(row)


def by_external_ref(tx: Tx, hall: str, ref: str) -> dict | None:
    row = tx.one(f"SELECT {COLUMNS} FROM complaint WHERE hall = :hall AND external_ref = :ref",
                 {"hall": hall, "ref": ref})
    return _row(row) if row is not None else None


def update(tx: Tx, complaint_id: int, **cols) -> None:
    bad = set(cols) - _MUTABLE
    if bad:
        raise ValueError(f"not changeable: {sorted(bad)}")
    sets = ", ".join(f"{k} = :{k}" for k in cols)
    tx.execute(f"UPDATE complaint SET {sets} WHERE id = :id", {**cols, "id": complaint_id})


def listing(tx: Tx, hall: str, *, statuses: tuple[str, ...] = (), limit: int = 100, offset: int = 0) -> list[dict]:
    params: dict = {"hall": hall, "limit": limit, "offset": offset}
    where = "hall = :hall"
    if statuses:
        marks = []
        for i, s in enumerate(statuses):
            params[f"s{i}"] = s
            marks.append(f":s{i}")
        where += f" AND status IN ({', '.join(marks)})"
    return [_row(r) for r in tx.all(
        f"SELECT {COLUMNS} FROM complaint WHERE {where} ORDER BY received_at DESC, id DESC "
        "LIMIT :limit OFFSET :offset", params)]


def repeats(tx: Tx, hall: str, type_code: str, place_key: str, since: float) -> int:
    """Complaints of this type about this place received since `since` (before this one)."""
    return int(tx.scalar(
        "SELECT COUNT(*) FROM complaint WHERE hall = :hall AND type_code = :t AND place_key = :p "
        "AND received_at >= :since", {"hall": hall, "t": type_code, "p": place_key, "since": since}) or 0)


# ----- clocks -----------------------------------------------------------------------------------


def add_clock(tx: Tx, *, complaint_id: int, hall: str, milestone: str, round_: int, amount: int, unit: str,
              started_at: float, due_at: float, provisional: bool, done_at: float | None = None,
              card: str = "green", card_at: float | None = None) -> int:
    return int(tx.scalar(
        "INSERT INTO complaint_clock (complaint_id, hall, milestone, round, amount, unit, started_at, due_at, "
        "provisional, done_at, card, card_at) VALUES (:cid, :hall, :m, :r, :a, :u, :s, :d, :p, :done, :card, "
        ":card_at) RETURNING id",
        {"cid": complaint_id, "hall": hall, "m": milestone, "r": round_, "a": amount, "u": unit, "s": started_at,
         "d": due_at, "p": provisional, "done": done_at, "card": card, "card_at": card_at}))


def clocks(tx: Tx, complaint_id: int) -> list[dict]:
    return [_clock(r) for r in tx.all(
        f"SELECT {CLOCK_COLUMNS} FROM complaint_clock WHERE complaint_id = :cid ORDER BY started_at, id",
        {"cid": complaint_id})]


def clocks_of(tx: Tx, ids: list[int]) -> dict[int, list[dict]]:
    """The clocks of several complaints (a list page), by complaint id."""
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    params = {f"i{n}": i for n, i in enumerate(ids)}
    for r in tx.all(f"SELECT {CLOCK_COLUMNS} FROM complaint_clock WHERE complaint_id IN "
                    f"({', '.join(':' + k for k in params)}) ORDER BY started_at, id", params):
        out[r["complaint_id"]].append(_clock(r))
    return out


def last_round(tx: Tx, complaint_id: int, milestone: str) -> int:
    return int(tx.scalar("SELECT COALESCE(MAX(round), 0) FROM complaint_clock WHERE complaint_id = :cid "
                         "AND milestone = :m", {"cid": complaint_id, "m": milestone}) or 0)


def open_clock(tx: Tx, complaint_id: int, milestone: str) -> dict | None:
    row = tx.one(f"SELECT {CLOCK_COLUMNS} FROM complaint_clock WHERE complaint_id = :cid AND milestone = :m "
                 "AND done_at IS NULL ORDER BY round DESC LIMIT 1", {"cid": complaint_id, "m": milestone})
    return _clock(row) if row is not None else None


def finish_clock(tx: Tx, clock_id: int, *, at: float, card: str) -> None:
    tx.execute("UPDATE complaint_clock SET done_at = :at, card = :card, card_at = :at WHERE id = :id",
               {"at": at, "card": card, "id": clock_id})


def set_card(tx: Tx, clock_id: int, card: str, at: float) -> None:
    tx.execute("UPDATE complaint_clock SET card = :card, card_at = :at WHERE id = :id",
               {"card": card, "at": at, "id": clock_id})


def running_clocks(tx: Tx, hall: str) -> list[dict]:
    """Every clock still running in the hall's open complaints, with the complaint's number, type and
    grade (a closed complaint whose complainant was never reached keeps that clock running, unwatched:
    the report counts it missed once past due)."""
    cols = ", ".join(f"k.{c.strip()}" for c in CLOCK_COLUMNS.split(","))
    return [_clock(r) for r in tx.all(
        f"SELECT {cols}, c.number AS number, c.type_code AS type_code, c.grade AS grade, c.status AS status "
        "FROM complaint_clock k JOIN complaint c ON c.id = k.complaint_id "
        "WHERE k.hall = :hall AND k.done_at IS NULL AND c.status NOT IN ('closed', 'evaluated') "
        "ORDER BY k.due_at", {"hall": hall})]


# ----- steps and callbacks ---------------------------------------------------------------------


def step(tx: Tx, *, complaint_id: int, hall: str, step: str, at: float, actor: str | None, outcome: str = "",
         note: str = "", **data) -> None:
    tx.execute(
        "INSERT INTO complaint_step (complaint_id, hall, step, at, actor, outcome, note, data) "
        "VALUES (:cid, :hall, :step, :at, :actor, :outcome, :note, :data)",
        {"cid": complaint_id, "hall": hall, "step": step, "at": at, "actor": actor, "outcome": outcome,
         "note": note, "data": json.dumps(data, ensure_ascii=False) if data else "{}"})


def steps(tx: Tx, complaint_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT step, at, actor, outcome, note, data FROM complaint_step WHERE complaint_id = :cid ORDER BY at, id",
        {"cid": complaint_id})]


def add_callback(tx: Tx, *, complaint_id: int, hall: str, at: float, actor: str, outcome: str, note: str) -> None:
    tx.execute("INSERT INTO complaint_callback (complaint_id, hall, at, actor, outcome, note) "
               "VALUES (:cid, :hall, :at, :actor, :outcome, :note)",
               {"cid": complaint_id, "hall": hall, "at": at, "actor": actor, "outcome": outcome, "note": note})


def callbacks(tx: Tx, complaint_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT at, actor, outcome, note FROM complaint_callback WHERE complaint_id = :cid ORDER BY at, id",
        {"cid": complaint_id})]


def resolve_alerts(tx: Tx, hall: str, key_prefix: str, *, actor: str | None, now: float) -> int:
    """A milestone done: its yellow and red cards settle (keys start with `key_prefix`)."""
    return tx.execute(
        "UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by WHERE hall = :hall "
        "AND key LIKE :prefix AND resolved_at IS NULL",
        {"now": now, "by": actor, "hall": hall, "prefix": key_prefix.replace("%", "") + "%"})


# ----- the report ------------------------------------------------------------------------------


def figures(tx: Tx, hall: str, start: float, end: float) -> dict:
    """Complaints received in [start, end): by type, department, grade, source; each milestone's
    clocks kept, missed and running; callbacks by outcome and those still owed."""
    p = {"hall": hall, "start": start, "end": end}
    within = "c.hall = :hall AND c.received_at >= :start AND c.received_at < :end"
    out: dict[str, Any] = {"received": int(tx.scalar(f"SELECT COUNT(*) FROM complaint c WHERE {within}", p) or 0)}
    for col in ("type_code", "department", "grade", "source", "status"):
        out[f"by_{col}"] = {(r[0] or ""): int(r[1]) for r in tx.all(
            f"SELECT c.{col} AS k, COUNT(*) AS n FROM complaint c WHERE {within} GROUP BY c.{col} ORDER BY c.{col}", p)}
    out["milestones"] = {}
    for r in tx.all(
            # Each column named: PostgreSQL rows are dicts, four unnamed sums would be one "sum".
            "SELECT k.milestone, "
            "SUM(CASE WHEN k.done_at IS NOT NULL AND k.done_at <= k.due_at THEN 1 ELSE 0 END) AS kept, "
            "SUM(CASE WHEN k.done_at IS NOT NULL AND k.done_at > k.due_at THEN 1 ELSE 0 END) AS late, "
            "SUM(CASE WHEN k.done_at IS NULL AND k.card = 'red' THEN 1 ELSE 0 END) AS overdue, "
            "SUM(CASE WHEN k.done_at IS NULL AND k.card <> 'red' THEN 1 ELSE 0 END) AS running "
            f"FROM complaint_clock k JOIN complaint c ON c.id = k.complaint_id WHERE {within} GROUP BY k.milestone",
            p):
        out["milestones"][r[0]] = {"kept": int(r[1] or 0), "missed": int(r[2] or 0) + int(r[3] or 0),
                                   "running": int(r[4] or 0)}
    out["by_department_kept"] = {}
    for r in tx.all(
            "SELECT c.department, SUM(CASE WHEN k.done_at IS NOT NULL AND k.done_at <= k.due_at THEN 1 ELSE 0 END) "
            "AS kept, SUM(CASE WHEN (k.done_at IS NOT NULL AND k.done_at > k.due_at) OR (k.done_at IS NULL AND "
            "k.card = 'red') THEN 1 ELSE 0 END) AS missed "
            "FROM complaint_clock k JOIN complaint c ON c.id = k.complaint_id "
            f"WHERE {within} AND k.milestone = 'handling' GROUP BY c.department", p):
        out["by_department_kept"][r[0] or ""] = {"kept": int(r[1] or 0), "missed": int(r[2] or 0)}
    out["callbacks"] = {r[0]: int(r[1]) for r in tx.all(
        "SELECT b.outcome, COUNT(*) AS n FROM complaint_callback b JOIN complaint c ON c.id = b.complaint_id "
        f"WHERE {within} GROUP BY b.outcome", p)}
    out["callbacks_owed"] = int(tx.scalar(
        f"SELECT COUNT(*) FROM complaint c WHERE {within} AND c.real_name AND c.has_phone "
        "AND c.status IN ('closed', 'evaluated') AND NOT EXISTS (SELECT 1 FROM complaint_callback b "
        "WHERE b.complaint_id = c.id AND b.outcome <> 'unreachable')", p) or 0)
    out["callbacks_reached"] = int(tx.scalar(
        f"SELECT COUNT(DISTINCT b.complaint_id) FROM complaint_callback b JOIN complaint c ON c.id = b.complaint_id "
        f"WHERE {within} AND b.outcome <> 'unreachable'", p) or 0)
    return out
