"""The audit log, read, filtered, exported and verified (store/audit.py is
the chain itself). The server's Runtime makes one AuditService with the
audit keys it derived from its secret key material; `onewindow audit verify`
runs `verify_database` outside the server with the same keys
(`load_audit_keys`: ONEWINDOW_SECRET_KEY or the data directory's key file)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from onewindow.server.errors import Invalid
from onewindow.server.store import audit as astore
from onewindow.server.store.crypto import KEY_FILE, load_box
from onewindow.server.store.database import Database, open_database
from onewindow.tickets import times

MAX_PAGE = 1000
MAX_EXPORT = 100_000
CSV_COLUMNS = ("id", "at", "actor", "action", "data", "prev_hash", "hash")


class AuditFilter:
    """actor, action (exact), from/to (hall dates, inclusive), before (an id: older rows only), limit."""

    def __init__(self, tz: tzinfo, *, actor: str | None = None, action: str | None = None,
                 first: date | None = None, last: date | None = None, before: int | None = None,
                 limit: int = 100):
        self.actor, self.action, self.before, self.limit = actor or None, action or None, before, limit
        self.since = None if first is None else datetime.combine(first, time(), tz).timestamp()
        self.until = None if last is None else datetime.combine(last + timedelta(days=1), time(), tz).timestamp()

    @classmethod
    def from_query(cls, q, tz: tzinfo, max_limit: int = MAX_PAGE) -> AuditFilter:
        first, last = _day(q.get("from"), "from"), _day(q.get("to"), "to")
        if first and last and last < first:
            raise Invalid("to: before from", "invalid", field="to")
        return cls(tz, actor=_text(q.get("actor"), "actor", 64), action=_text(q.get("action"), "action", 40),
                   first=first, last=last, before=_int(q.get("before"), "before", 1, 2**62, None),
                   limit=_int(q.get("limit"), "limit", 1, max_limit, None) or min(100, max_limit))

    def args(self) -> dict:
        return {"actor": self.actor, "action": self.action, "since": self.since, "until": self.until,
                "before": self.before, "limit": self.limit}


def _text(raw: str | None, name: str, limit: int) -> str | None:
    raw = (raw or "").strip()
    if len(raw) > limit or "\x00" in raw:
        raise Invalid(f"{name}: at most {limit} characters", "invalid", field=name)
    return raw or None


def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        d = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name}: a date YYYY-MM-DD", "invalid", field=name) from None
    if not 2000 <= d.year <= 2200:
        raise Invalid(f"{name}: a date between 2000 and 2200", "invalid", field=name)
    return d


def _int(raw: str | None, name: str, low: int, high: int, default: int | None) -> int | None:
    if raw is None or raw == "":
        return default
    try:
        v = int(raw)
    except ValueError:
        raise Invalid(f"{name}: an integer", "invalid", field=name) from None
    if not low <= v <= high:
        raise Invalid(f"{name}: between {low} and {high}", "invalid", field=name)
    return v


def _data(raw: str):
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def _csv_cell(v) -> str:
    """No cell a spreadsheet would run as a formula (a login name is the visitor's own text)."""
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


class AuditService:
    def __init__(self, db: Database, keys: list[bytes], tz: tzinfo):
        self.db, self.keys, self.tz = db, keys, tz

    def public(self, r: dict) -> dict:
        return {"id": r["id"], "at": times.iso(r["at"], self.tz), "actor": r["actor"], "action": r["action"],
                "data": _data(r["data"])}

    async def entries(self, f: AuditFilter) -> list[dict]:
        return [self.public(r) for r in await self.db.read(astore.entries, **f.args())]

    async def actions(self) -> list[str]:
        return await self.db.read(astore.actions)

    async def csv(self, f: AuditFilter) -> bytes:
        """The entries the filter selects (newest first, at most its limit), UTF-8 with a BOM."""
        def fn(tx):
            out: list[dict] = []
            before, cap = f.before, min(f.limit, MAX_EXPORT)
            while len(out) < cap:
                rows = astore.entries(tx, **{**f.args(), "before": before, "limit": min(2000, cap - len(out))})
                out.extend(rows)
                if not rows:
                    break
                before = rows[-1]["id"]
            return out

        rows = await self.db.read(fn)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([r["id"], times.iso(r["at"], self.tz), _csv_cell(r["actor"]), _csv_cell(r["action"]),
                        _csv_cell(r["data"]), r["prev_hash"] or "", r["hash"] or ""])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")

    async def verify(self) -> dict:
        return await self.db.read(astore.verify, self.keys)


# ----- outside the server: onewindow audit verify ---------------------------------------------


class NoKey(Exception):
    """The key to check the chain with is not there."""


def load_audit_keys(secret_key: str | None, data_dir: Path) -> list[bytes]:
    """The audit keys the server derives, from ONEWINDOW_SECRET_KEY or the data directory's key
    file; never a new key file (a verifier with a new key would call every row edited)."""
    if not secret_key and not (Path(data_dir) / KEY_FILE).is_file():
        raise NoKey(f"no secret key: neither ONEWINDOW_SECRET_KEY nor {Path(data_dir) / KEY_FILE}")
    return load_box(secret_key, Path(data_dir)).derive("audit")


def verify_database(url: str, keys: list[bytes]) -> dict:
    """Walk the chain of the database at `url` (a thread of its own: no event loop needed)."""
    import asyncio

    db = open_database(url)

    async def run() -> dict:
        return await db.read(astore.verify, keys)

    try:
        return asyncio.run(run())
    finally:
        db.close()
