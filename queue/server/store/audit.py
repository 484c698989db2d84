"""The audit log as a hash chain: every row carries `prev_hash` (the `hash`
of the row before it; GENESIS for the first) and `hash`, an HMAC-SHA256 over
a canonical encoding of (id, at, actor, action, data, prev_hash).

The HMAC key is derived from the server's secret key material
(crypto.Box.derive("audit")), not stored in the database: whoever can only
write to the database cannot compute a valid hash for an edited or forged row.
The key reaches the store explicitly: `open_database(url, audit_key=...)`
puts it on the Database, which hands it to every write transaction
(`tx.audit_key`).

Appends are serialised: SQLite has one writer; on PostgreSQL a transaction
takes an advisory transaction lock before it reads the last row, held until
it commits, so two processes never chain onto the same row. Put an audit
append last in a transaction (it holds that lock until the commit).

`verify_rows` walks the chain and names the first bad row:
- edited: the row's hash does not match its content (and its successor still
  points at its stored hash);
- inserted: a row that does not belong where it stands (its hash does not
  match its content, and its prev_hash does not point at the row before it,
  or the row after it skips it);
- deleted: a genuine row whose prev_hash points at a row that is no longer
  there (rows between it and the row before it were removed).
Deleting the newest rows cannot be told from their never having been written:
note the head (id and hash, printed by `onewindow audit verify`) elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator

from onewindow.server.store.database import Tx

GENESIS = "0" * 64
_PG_LOCK = 0x6F776175  # 'owau': one chain per database
COLUMNS = "id, at, actor, action, data, prev_hash, hash"


class NoAuditKey(RuntimeError):
    """A write wanted to audit on a Database opened without the audit key."""


def canonical(id_: int, at: float, actor: str | None, action: str, data: str, prev_hash: str) -> bytes:
    return json.dumps([int(id_), repr(float(at)), actor, action, data, prev_hash],
                      ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(key: bytes, id_: int, at: float, actor: str | None, action: str, data: str, prev_hash: str) -> str:
    return hmac.new(key, canonical(id_, at, actor, action, data, prev_hash), hashlib.sha256).hexdigest()


def _clean(text: str | None, limit: int) -> str | None:
    """What the columns can hold: PostgreSQL refuses NUL; the lengths are the schema's."""
    if text is None:
        return None
    return text.replace("\x00", "\ufffd")[:limit]


def append(tx: Tx, actor: str | None, action: str, data: str, now: float) -> int:
    """Chain a new row onto the last one; its id."""
    key = tx.audit_key
    if key is None:
        raise NoAuditKey("this database was opened without the audit key (open_database(url, audit_key=...))")
    actor, action, data = _clean(actor, 64), _clean(action, 40) or "", (data or "{}").replace("\x00", "\\u0000")
    if tx.dialect == "postgresql":
        tx.execute("SELECT pg_advisory_xact_lock(:k)", {"k": _PG_LOCK})
    last = tx.one("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    prev = GENESIS if last is None else (last["hash"] or "")
    at = float(now)
    new_id = tx.scalar("INSERT INTO audit_log (at, actor, action, data, prev_hash) "
                       "VALUES (:at, :a, :act, :d, :p) RETURNING id",
                       {"at": at, "a": actor, "act": action, "d": data, "p": prev})
    tx.execute("UPDATE audit_log SET hash = :h WHERE id = :id",
               {"h": row_hash(key, new_id, at, actor, action, data, prev), "id": new_id})
    return new_id


# ----- reading -------------------------------------------------------------------------------


def entries(tx: Tx, *, actor: str | None = None, action: str | None = None, since: float | None = None,
            until: float | None = None, before: int | None = None, limit: int = 100) -> list[dict]:
    """Newest first, filtered: actor and action exactly, `since <= at < until`, ids below `before`."""
    where: list[str] = []
    params: dict[str, object] = {"limit": limit}
    if actor:
        where.append("actor = :actor")
        params["actor"] = actor
    if action:
        where.append("action = :action")
        params["action"] = action
    if since is not None:
        where.append("at >= :since")
        params["since"] = since
    if until is not None:
        where.append("at < :until")
        params["until"] = until
    if before is not None:
        where.append("id < :before")
        params["before"] = before
    sql = f"SELECT {COLUMNS} FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [dict(r) for r in tx.all(sql + " ORDER BY id DESC LIMIT :limit", params)]


def actions(tx: Tx) -> list[str]:
    return [r[0] for r in tx.all("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def all_rows(tx: Tx, batch: int = 2000) -> Iterator[dict]:
    """Every row in id order, read in batches (one transaction)."""
    after = None
    while True:
        if after is None:
            rows = tx.all(f"SELECT {COLUMNS} FROM audit_log ORDER BY id LIMIT :n", {"n": batch})
        else:
            rows = tx.all(f"SELECT {COLUMNS} FROM audit_log WHERE id > :after ORDER BY id LIMIT :n",
                          {"after": after, "n": batch})
        if not rows:
            return
        for r in rows:
            yield dict(r)
        after = rows[-1]["id"]


# ----- verifying -----------------------------------------------------------------------------


def _genuine(keys: list[bytes], r: dict) -> bool:
    if not r.get("hash") or r.get("prev_hash") is None:
        return False
    return any(hmac.compare_digest(row_hash(k, r["id"], r["at"], r["actor"], r["action"], r["data"],
                                            r["prev_hash"]), r["hash"]) for k in keys)


def verify_rows(keys: list[bytes], rows: Iterable[dict]) -> dict:
    """{"ok", "rows", "head": {id, hash} | None, "problem": {id, kind, message} | None}: the first bad row.

    Any of `keys` may have written a row (the secret keys rotate: the first writes)."""
    count = 0
    prev: dict | None = None  # the last row found good
    it = iter(rows)
    cur = next(it, None)
    while cur is not None:
        nxt = next(it, None)
        count += 1
        expected = GENESIS if prev is None else prev["hash"]
        where = "the start" if prev is None else f"#{prev['id']}"
        if _genuine(keys, cur):
            if cur["prev_hash"] != expected:
                return _bad(count, prev, cur["id"], "deleted",
                            f"row(s) deleted between {where} and #{cur['id']}: #{cur['id']} points at a row "
                            "that is no longer there")
        else:
            links_back = cur.get("prev_hash") == expected
            skipped = nxt is not None and nxt.get("prev_hash") == expected
            linked_to = nxt is not None and nxt.get("prev_hash") == cur.get("hash")
            if skipped or not links_back:
                return _bad(count, prev, cur["id"], "inserted",
                            f"row #{cur['id']} was inserted: it is not part of the chain after {where}")
            return _bad(count, prev, cur["id"], "edited",
                        f"row #{cur['id']} was edited: its content does not match its hash"
                        + ("" if linked_to else " (or it was forged at the end of the log)"))
        prev, cur = cur, nxt
    return {"ok": True, "rows": count, "head": None if prev is None else {"id": prev["id"], "hash": prev["hash"]},
            "problem": None}


def _bad(count: int, prev: dict | None, row_id: int, kind: str, message: str) -> dict:
    return {"ok": False, "rows": count, "head": None if prev is None else {"id": prev["id"], "hash": prev["hash"]},
            "problem": {"id": row_id, "kind": kind, "message": message}}


def verify(tx: Tx, keys: list[bytes]) -> dict:
    return verify_rows(keys, all_rows(tx))
