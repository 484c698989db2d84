"""The mobile outlet's tables (issue 18): published visits; at the centre the id mapping and the
received batches of each van; on the van its acknowledged marks (services/sync.py)."""
from __future__ import annotations

import json

from onewindow.server.errors import NotFound
from onewindow.server.store.database import Tx

VISIT_COLUMNS = "id, hall, town, place, day, start, \"end\", categories, status, published_at, changed_at, changed_by"


def _visit(row) -> dict:
    d = dict(row)
    d["categories"] = json.loads(d["categories"] or "[]")
    return d


def add_visit(tx: Tx, hall: str, v: dict, by: str, now: float) -> dict:
    new_id = tx.scalar("INSERT INTO mobile_visit (hall, town, place, day, start, \"end\", categories, status, "
                       "published_at, changed_at, changed_by) VALUES (:hall, :town, :place, :day, :start, :end, "
                       ":cats, 'published', :now, :now, :by) RETURNING id",
                       {**v, "hall": hall, "cats": json.dumps(v["categories"]), "now": now, "by": by})
    return visit(tx, hall, new_id)


def visit(tx: Tx, hall: str, visit_id: int) -> dict:
    row = tx.one(f"SELECT {VISIT_COLUMNS} FROM mobile_visit WHERE id = :id AND hall = :hall",
                 {"id": visit_id, "hall": hall})
    if row is None:
        raise NotFound(f"no visit {visit_id} of {hall}", "unknown_visit")
    return _visit(row)


def update_visit(tx: Tx, hall: str, visit_id: int, v: dict, by: str, now: float) -> dict:
    tx.execute("UPDATE mobile_visit SET town = :town, place = :place, day = :day, start = :start, \"end\" = :end, "
               "categories = :cats, changed_at = :now, changed_by = :by WHERE id = :id AND hall = :hall",
               {**v, "cats": json.dumps(v["categories"]), "now": now, "by": by, "id": visit_id, "hall": hall})
    return visit(tx, hall, visit_id)


def cancel_visit(tx: Tx, hall: str, visit_id: int, by: str, now: float) -> dict:
    tx.execute("UPDATE mobile_visit SET status = 'cancelled', changed_at = :now, changed_by = :by "
               "WHERE id = :id AND hall = :hall", {"now": now, "by": by, "id": visit_id, "hall": hall})
    return visit(tx, hall, visit_id)


def visits(tx: Tx, halls: list[str], since: str, include_cancelled: bool = False) -> list[dict]:
    if not halls:
        return []
    names = {f"h{i}": h for i, h in enumerate(halls)}
    status = "" if include_cancelled else " AND status = 'published'"
    return [_visit(r) for r in tx.all(
        f"SELECT {VISIT_COLUMNS} FROM mobile_visit WHERE hall IN ({', '.join(':' + k for k in names)}) "
        f"AND day >= :since{status} ORDER BY day, start, hall, id", {**names, "since": since})]


def published(tx: Tx, hall: str) -> list[dict]:
    return [_visit(r) for r in tx.all(f"SELECT {VISIT_COLUMNS} FROM mobile_visit WHERE hall = :hall "
                                      "AND status = 'published' ORDER BY day, start", {"hall": hall})]


def visits_of_day(tx: Tx, hall: str, day: str) -> list[dict]:
    """The outlet's published (not cancelled) visits on `day` (ISO), in order: when the van takes tickets."""
    return [_visit(r) for r in tx.all(f"SELECT {VISIT_COLUMNS} FROM mobile_visit WHERE hall = :hall AND day = :day "
                                      "AND status = 'published' ORDER BY start", {"hall": hall, "day": day})]


def visit_days(tx: Tx, hall: str, first: str, last: str) -> set[str]:
    """The days (ISO) from first to last on which the outlet has a published (not cancelled) visit:
    when a mobile outlet opens (utilisation, "open today", ticketing: Hall.opens_on)."""
    return {r["day"] for r in tx.all("SELECT DISTINCT day FROM mobile_visit WHERE hall = :hall AND status = "
                                     "'published' AND day >= :first AND day <= :last",
                                     {"hall": hall, "first": first, "last": last})}


def raise_alert(tx: Tx, key: str, hall: str, kind: str, level: str, message: str, now: float,
                case_id: int | None = None) -> None:
    """A supervision alert, once per key (the dashboard and the bureau see it); reopened if resolved."""
    tx.execute("INSERT INTO supervision_alert (key, hall, kind, level, case_id, message, at) "
               "VALUES (:key, :hall, :kind, :level, :case, :msg, :at) ON CONFLICT (key) DO UPDATE SET "
               "message = excluded.message, resolved_at = NULL, resolved_by = NULL",
               {"key": key, "hall": hall, "kind": kind, "level": level, "case": case_id, "msg": message, "at": now})


def resolve_alerts(tx: Tx, prefix: str, keep: set[str], now: float) -> None:
    for r in tx.all("SELECT key FROM supervision_alert WHERE key LIKE :p AND resolved_at IS NULL",
                    {"p": prefix + "%"}):
        if r["key"] not in keep:
            tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = 'schedule' WHERE key = :k",
                       {"now": now, "k": r["key"]})


# ----- the centre: mapping and batches -------------------------------------------------------------


def mapped(tx: Tx, outlet: str, kind: str, origin_id: int) -> dict | None:
    row = tx.one("SELECT central_id, digest FROM sync_map WHERE outlet = :o AND kind = :k AND origin_id = :id",
                 {"o": outlet, "k": kind, "id": origin_id})
    return dict(row) if row else None


def map_row(tx: Tx, outlet: str, kind: str, origin_id: int, central_id: int, digest: str = "") -> None:
    tx.execute("INSERT INTO sync_map (outlet, kind, origin_id, central_id, digest) VALUES (:o, :k, :id, :c, :d) "
               "ON CONFLICT (outlet, kind, origin_id) DO UPDATE SET central_id = excluded.central_id, "
               "digest = excluded.digest", {"o": outlet, "k": kind, "id": origin_id, "c": central_id, "d": digest})


def last_batch(tx: Tx, outlet: str) -> dict | None:
    row = tx.one("SELECT seq, marks, offset_s FROM sync_batch WHERE outlet = :o ORDER BY seq DESC LIMIT 1",
                 {"o": outlet})
    return dict(row) if row else None


def batch(tx: Tx, outlet: str, seq: int) -> dict | None:
    row = tx.one("SELECT seq, marks, counts, offset_s FROM sync_batch WHERE outlet = :o AND seq = :s",
                 {"o": outlet, "s": seq})
    return dict(row) if row else None


def record_batch(tx: Tx, outlet: str, seq: int, device: int, received_at: float, sent_at: float, offset_s: float,
                 marks: dict, counts: dict) -> None:
    tx.execute("INSERT INTO sync_batch (outlet, seq, device, received_at, sent_at, offset_s, marks, counts) "
               "VALUES (:o, :s, :d, :r, :sent, :off, :m, :c)",
               {"o": outlet, "s": seq, "d": device, "r": received_at, "sent": sent_at, "off": offset_s,
                "m": json.dumps(marks), "c": json.dumps(counts)})


# ----- the van: its state ---------------------------------------------------------------------------


def state(tx: Tx) -> dict:
    return {r["key"]: json.loads(r["value"]) for r in tx.all("SELECT key, value FROM sync_state")}


def set_state(tx: Tx, **values) -> None:
    for k, v in values.items():
        tx.execute("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", {"k": k, "v": json.dumps(v)})
