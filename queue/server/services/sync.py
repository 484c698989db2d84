"""The mobile outlet's sync (issue 18, points 2-4): a van serving offline on its own SQLite, and the centre.

The rules (README "Mobile outlet", docs/mobile.md):
- Credential: the van is a paired device of kind `van` of its outlet (services/devices.py). Every
  request is signed: HMAC-SHA256 over method, path, the van's clock and the body, keyed by the
  SHA-256 of the device token (the centre keeps exactly that digest, the token itself never travels
  after pairing). Unsigned, badly signed, unknown, revoked or non-van devices: 401/403, audited.
- Ids: the centre gives every row of the van its own id and keeps a mapping (sync_map: outlet, table,
  the van's id -> the centre's id). Why not id ranges or UUIDs: the schema's ids are integers the
  whole code relies on, and a block of ids handed to a van would be taken by the centre's own
  SQLite rowids (max + 1) after the first sync; the mapping works on SQLite and PostgreSQL alike.
  Ticket numbers are per outlet (the van is its own hall) and day: no clash. Case numbers carry the
  outlet's prefix, unique across the deployment (onewindow.casework.numbers), so a van's never equal
  a fixed outlet's or another van's; one the centre gave itself under the van's prefix is refused.
- Batches: numbered 1, 2, ... per outlet; each carries the rows after the marks the centre last
  acknowledged, up to BATCH rows per table, with every row they point at. The centre applies a
  batch in one transaction, records it and its marks; a batch number already recorded answers the
  recorded acknowledgement and changes nothing (a replay after a lost answer); a gap is refused
  (409 sync_gap). An interrupted transfer resumes from the last acknowledged batch.
- Personal data: names and phones are decrypted on the van and re-encrypted for the journey with a
  transport key derived from the device's secret (Fernet), then re-encrypted at the centre with its
  own key: never plain in the payload, whatever the link (HTTPS in production besides); at rest each
  side under its own key.
- Clocks: each batch carries the van's clock; the centre records the offset per batch; beyond
  CLOCK_DRIFT_S an alert (clock_drift) and an audit entry. Times are kept as the van recorded them.
- A case the centre changed since the van last saw it (its fingerprint differs from the one the
  last sync wrote or pulled): the centre's state stands, the van's events are kept, and the manager
  gets an alert (sync_conflict) naming the case (onewindow.mobile.resolve_case).
"""
from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import logging
import re
import time as _time
from pathlib import Path

from sqlalchemy import Boolean
from sqlmodel import SQLModel

from onewindow.mobile import (
    APPEND_ONLY,
    PERSONAL,
    REFERENCES,
    SYNC_TABLES,
    case_conflict,
    clock_offset,
    drifted,
    resolve_case,
    row_digest,
)
from onewindow.server.errors import Conflict, Forbidden, Invalid, Unauthorized
from onewindow.server.store import audit as audit_store
from onewindow.server.store import devices as dstore
from onewindow.server.store import models  # noqa: F401  # the tables' columns come from the metadata
from onewindow.server.store import sync as sstore
from onewindow.server.store.crypto import Box, track_digest
from onewindow.server.store.database import Tx

log = logging.getLogger("onewindow.sync")

BATCH = 500  # rows per table and batch: a 1,000-ticket day is a dozen batches
H_DEVICE, H_SENT, H_SIG = "x-onewindow-device", "x-onewindow-sent-at", "x-onewindow-signature"
# Columns the centre keeps its own value of, whatever the van sends.
# The numbers a row must not share with one the centre has: a ticket's in its outlet and day, a
# case's across the deployment (applicants quote it anywhere).
UNIQUE = {"ticket": ("hall", "service_day", "number"), "case_file": ("number",)}
# A case's status fields the van takes back (the applicant's tracking status as the centre has it).
PULLED_CASE = ("status", "deadline_at", "completed_at", "closed_reason", "card", "card_at", "statutory_deadline_at")
CENTRAL_KEEPS = {"case_file": {"lookups", "track_token"}, "ticket": {"track_token"}}


def columns(table: str) -> list[str]:
    return [c.name for c in SQLModel.metadata.tables[table].columns]


@functools.cache
def booleans(table: str) -> frozenset[str]:
    return frozenset(c.name for c in SQLModel.metadata.tables[table].columns if isinstance(c.type, Boolean))


def signing_key(token_hash: str) -> bytes:
    return token_hash.encode()


def sign(token_hash: str, method: str, path: str, sent_at: str, body: bytes) -> str:
    msg = b"\n".join([method.upper().encode(), path.encode(), sent_at.encode(), body])
    return hmac.new(signing_key(token_hash), msg, hashlib.sha256).hexdigest()


def transport_box(token_hash: str) -> Box:
    key = hmac.new(token_hash.encode(), b"onewindow sync transport", hashlib.sha256).digest()
    return Box([base64.urlsafe_b64encode(key)])


def hall_section(text: str, hall: str) -> str:
    """The config file's text with only `hall`'s [[halls]] block (the van serves its own outlet)."""
    parts = re.split(r"(?m)^(?=\[\[halls\]\]\s*$)", text)
    head, blocks = parts[0], parts[1:]
    mine = [b for b in blocks if re.search(rf'(?m)^id\s*=\s*["\']{re.escape(hall)}["\']', b)]
    return head + "".join(mine)


# ===== the centre ===================================================================================


def drift(tx: Tx, hall: str, offset: float, now: float) -> None:
    """A van clock off by more than CLOCK_DRIFT_S: an alert for the manager (once a day) and an audit entry."""
    if drifted(offset):
        sstore.raise_alert(tx, f"clock_drift:{hall}:{int(now // 86400)}", hall, "clock_drift", "yellow",
                           f"流动服务车时钟偏差 {offset:+.0f} 秒 / the van's clock is {offset:+.0f} s off "
                           "the centre's", now)
        audit_store.append(tx, None, "sync_clock_drift", json.dumps({"hall": hall, "offset_s": offset}), now)


class SyncCentre:
    """The centre's side: checks a van's signature, applies its batches, answers what changed."""

    def __init__(self, rt):
        self.rt = rt

    async def _refuse(self, exc: Exception, device: int | None, path: str, client: str) -> None:
        now = self.rt.clock()
        data = json.dumps({"device": device, "path": path, "client": client, "code": getattr(exc, "code", ""),
                           "reason": str(getattr(exc, "message", exc))})
        await self.rt.db.write(lambda tx: audit_store.append(tx, None, "sync_refused", data, now))
        raise exc

    async def authenticate(self, method: str, path: str, headers, body: bytes, client: str) -> tuple[dict, float]:
        """The paired van sending this request and its clock; 401/403 (audited) otherwise."""
        raw_dev, sent, sig = headers.get(H_DEVICE, ""), headers.get(H_SENT, ""), headers.get(H_SIG, "")
        device_id = int(raw_dev) if raw_dev.isdigit() and len(raw_dev) < 18 else None
        try:
            sent_at = float(sent)
        except ValueError:
            sent_at = None
        if device_id is None or sent_at is None or not sig:
            await self._refuse(Unauthorized("未签名的同步请求 / an unsigned sync request", "sync_unsigned"),
                               device_id, path, client)
        row = await self.rt.db.read(lambda tx: tx.one(f"SELECT {dstore.DEVICE_COLUMNS} FROM device WHERE id = :id",
                                                      {"id": device_id}))
        if row is None or row["revoked_at"] is not None:
            await self._refuse(Unauthorized("此车未配对或已撤销 / this van is not paired or was revoked",
                                            "device_revoked"), device_id, path, client)
        dev = dict(row)
        if not hmac.compare_digest(sign(dev["token_hash"], method, path, sent, body), sig):
            await self._refuse(Unauthorized("同步数据签名不符 / the sync payload's signature does not match",
                                            "bad_signature"), device_id, path, client)
        svc = self.rt.halls.get(dev["hall"])
        if dev["kind"] != "van" or svc is None or svc.hall.kind != "mobile":
            await self._refuse(Forbidden("只有流动服务网点的配对车辆可以同步 / only a mobile outlet's paired van syncs",
                                         "not_a_van"), device_id, path, client)
        return dev, float(sent_at)  # type: ignore[arg-type]  # checked above

    # ----- outfit: what the van takes before leaving ---------------------------------------------

    async def outfit(self, dev: dict) -> dict:
        hall = dev["hall"]
        path = self.rt.settings.config_path
        text = Path(path).read_text(encoding="utf-8") if path else ""

        def fn(tx):
            users = [dict(r) for r in tx.all(f"SELECT {', '.join(columns('app_user'))} FROM app_user")]
            years = [dict(r) for r in tx.all(f"SELECT {', '.join(columns('calendar_year'))} FROM calendar_year")]
            # The published schedule: on the road the van takes tickets during its visits only.
            visits = [dict(r) for r in tx.all(f"SELECT {sstore.VISIT_COLUMNS} FROM mobile_visit WHERE hall = :h "
                                              "ORDER BY id", {"h": hall})]
            return users, years, visits

        users, years, visits = await self.rt.db.read(fn)
        for u in users:
            u.pop("id", None)
        return {"hall": hall, "config": hall_section(text, hall) if text else "", "users": users,
                "calendar": years, "visits": visits, "public_url": self.rt.settings.public_url,
                "now": self.rt.clock()}

    # ----- a batch -----------------------------------------------------------------------------------

    async def apply(self, dev: dict, sent_at: float, payload: dict) -> dict:
        hall = dev["hall"]
        seq = payload.get("seq")
        if not isinstance(seq, int) or seq < 1:
            raise Invalid("seq: a batch number from 1", "invalid", field="seq")
        rows = payload.get("rows") or {}
        if not isinstance(rows, dict) or any(t not in SYNC_TABLES or not isinstance(v, list) for t, v in rows.items()):
            raise Invalid("rows: lists of rows by table", "invalid", field="rows")
        marks = payload.get("marks") or {}
        tokens = payload.get("case_tokens") or {}
        transport = transport_box(dev["token_hash"])
        box = self.rt.halls[hall].box
        track_key = self.rt.tracking.keys[0] if self.rt.tracking else b""
        token_of = self.rt.tracking.new_token if self.rt.tracking else None
        now = self.rt.clock()
        offset = clock_offset(sent_at, now)

        def fn(tx: Tx) -> dict:
            last = sstore.last_batch(tx, hall)
            done = sstore.batch(tx, hall, seq)
            if done is not None:  # a replay: the answer it had, nothing applied again
                return {"seq": seq, "replay": True, "marks": json.loads(done["marks"]),
                        "counts": json.loads(done["counts"]), "offset_s": done["offset_s"]}
            expected = (last["seq"] if last else 0) + 1
            if seq != expected:
                raise Conflict(f"batch {seq} out of order; expected {expected}", "sync_gap", expected=expected)
            counts: dict[str, int] = {}
            conflicts: list[str] = []
            for table in SYNC_TABLES:
                for row in rows.get(table, ()):
                    if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                        raise Invalid(f"{table}: a row without its id", "invalid", field="rows")
                    if table != "audit_log" and row.get("hall", hall) != hall:
                        raise Forbidden(f"a row of another outlet ({row.get('hall')!r})", "foreign_row")
                    if self._upsert(tx, hall, table, row, transport, box, now, conflicts, token_of):
                        counts[table] = counts.get(table, 0) + 1
            for origin, token in tokens.items():  # the receipts' QR codes, answered at the centre once synced
                m = sstore.mapped(tx, hall, "case_file", int(origin))
                if m is not None:
                    sstore.map_row(tx, hall, "case_token", int(origin), m["central_id"],
                                   track_digest(track_key, transport.decrypt(token)))
            sstore.record_batch(tx, hall, seq, dev["id"], now, sent_at, offset, marks, counts)
            drift(tx, hall, offset, now)
            audit_store.append(tx, f"device:{dev['id']}", "sync_batch", json.dumps(
                {"hall": hall, "seq": seq, "counts": counts, "offset_s": offset, "conflicts": conflicts}), now)
            return {"seq": seq, "replay": False, "marks": marks, "counts": counts, "offset_s": offset,
                    "conflicts": conflicts}

        return await self.rt.db.write(fn)

    def _upsert(self, tx: Tx, hall: str, table: str, row: dict, transport: Box, box: Box, now: float,
                conflicts: list[str], token_of) -> bool:
        origin = row["id"]
        m = sstore.mapped(tx, hall, table, origin)
        if m is not None and table in (*APPEND_ONLY, "rating"):
            return False  # sent before: never twice
        if table == "audit_log":
            data = json.dumps({"outlet": hall, "origin_id": origin, "at": row.get("at"),
                               "data": row.get("data")}, ensure_ascii=False)
            new_id = audit_store.append(tx, row.get("actor"), str(row.get("action") or ""), data, now)
            sstore.map_row(tx, hall, table, origin, new_id)
            return True
        cols = [c for c in columns(table) if c != "id" and c in row]
        vals = {c: row[c] for c in cols}
        for col, target in REFERENCES[table].items():
            if vals.get(col) is not None:
                ref = sstore.mapped(tx, hall, target, vals[col])
                if ref is None:
                    raise Invalid(f"{table} {origin}: {col} {vals[col]} was never sent", "dangling", field=col)
                vals[col] = ref["central_id"]
        for col in PERSONAL.get(table, ()):
            if vals.get(col):
                vals[col] = box.encrypt(transport.decrypt(vals[col]))
        for col in booleans(table) & vals.keys():  # SQLite's 0/1: PostgreSQL wants booleans
            if vals[col] is not None:
                vals[col] = bool(vals[col])
        if m is None:
            clash = UNIQUE.get(table)
            if clash and tx.one(f"SELECT id FROM {table} WHERE " + " AND ".join(f"{c} = :{c}" for c in clash),
                                {c: vals.get(c) for c in clash}):
                # The outlet's number was also given at the centre (its queue served there meanwhile):
                # refused whole, for a person to settle, rather than one of the two numbers lost.
                raise Conflict(f"{table} {' '.join(str(vals.get(c)) for c in clash)} already exists at the centre",
                               "number_clash")
            names = ", ".join(cols)
            new_id = tx.scalar(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + c for c in cols)}) "
                               "RETURNING id", vals)
            digest = ""
            if table == "case_file":
                central = dict(tx.one("SELECT * FROM case_file WHERE id = :id", {"id": new_id}))
                if token_of is not None:  # the centre's own token for its tracking page and messages
                    tx.execute("UPDATE case_file SET track_token = :t WHERE id = :id",
                               {"t": token_of(central)[1], "id": new_id})
                digest = row_digest(central)
            sstore.map_row(tx, hall, table, origin, new_id, digest)
            return True
        central_id = m["central_id"]
        keep = CENTRAL_KEEPS.get(table, set())
        if table == "case_file":
            now_row = tx.one("SELECT * FROM case_file WHERE id = :id", {"id": central_id})
            current = dict(now_row) if now_row else None
            if current is not None and case_conflict(m["digest"], current):
                vals = resolve_case(vals, current, True)
                conflicts.append(current["number"])
                sstore.raise_alert(tx, f"sync_conflict:{hall}:{central_id}", hall, "sync_conflict", "yellow",
                                   f"办件 {current['number']} 在中心和流动车上都有改动，以中心为准，"
                                   "车上记录已并入历史 / "
                                   f"case {current['number']} changed at the centre and in the van: the centre's "
                                   "state stands, the van's steps are in its history", now, case_id=central_id)
        sets = [c for c in cols if c not in keep]
        tx.execute(f"UPDATE {table} SET {', '.join(f'{c} = :{c}' for c in sets)} WHERE id = :id",
                   {**{c: vals[c] for c in sets}, "id": central_id})
        if table == "case_file":
            after = dict(tx.one("SELECT * FROM case_file WHERE id = :id", {"id": central_id}))
            sstore.map_row(tx, hall, table, origin, central_id, row_digest(after))
        return True

    # ----- what changed centrally ----------------------------------------------------------------

    async def changes(self, dev: dict, sent_at: float) -> dict:
        hall = dev["hall"]
        outfit = await self.outfit(dev)
        offset = clock_offset(sent_at, outfit["now"])
        outfit["offset_s"] = offset

        def fn(tx):
            drift(tx, hall, offset, outfit["now"])
            out = {}
            for r in tx.all("SELECT m.origin_id, c.* FROM sync_map m JOIN case_file c ON c.id = m.central_id "
                            "WHERE m.outlet = :o AND m.kind = 'case_file'", {"o": hall}):
                d = dict(r)
                out[str(d["origin_id"])] = {f: d[f] for f in PULLED_CASE}
                # The van now knows this state: a later van change to it is no conflict.
                sstore.map_row(tx, hall, "case_file", d["origin_id"], d["id"], row_digest(d))
            return out

        outfit["cases"] = await self.rt.db.write(fn)
        return outfit


# ===== the van ======================================================================================


class SyncError(Exception):
    pass


def _plain(row) -> dict:
    return dict(row)


class VanSync:
    """The van's side, run by `onewindow sync`: outfit (pull), push in batches, pull what changed."""

    def __init__(self, db, box: Box, data_dir: Path, outlet: dict, http, clock=_time.time, batch: int = BATCH):
        self.db, self.box, self.data_dir, self.outlet, self.http = db, box, Path(data_dir), outlet, http
        self.clock = clock
        self.batch = batch
        self.token_hash = hashlib.sha256(outlet["device_token"].encode()).hexdigest()
        self.transport = transport_box(self.token_hash)
        self.hall = outlet["hall"]

    def _headers(self, method: str, path: str, body: bytes) -> dict:
        sent = f"{self.clock():.3f}"
        return {"content-type": "application/json", "x-onewindow-device": str(self.outlet["device"]),
                "x-onewindow-sent-at": sent, "x-onewindow-signature": sign(self.token_hash, method, path, sent, body)}

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        r = self.http.request(method, path, content=body, headers=self._headers(method, path, body))
        if r.status_code >= 400:
            try:
                err = r.json()
            except ValueError:
                err = {"error": r.text[:200]}
            raise SyncError(f"{method} {path}: {r.status_code} {err.get('code', '')} {err.get('error', '')}")
        self.bytes_sent = getattr(self, "bytes_sent", 0) + len(body)
        self.bytes_received = getattr(self, "bytes_received", 0) + len(r.content)
        return r.json()

    # ----- pull ---------------------------------------------------------------------------------

    async def pull(self) -> dict:
        data = await asyncio.to_thread(self._call, "POST", "/api/v1/sync/changes", {})
        await self.take(data)
        return data

    async def take(self, data: dict) -> None:
        if data.get("config"):
            target = self.data_dir / "outlet.toml"
            if not target.exists() or target.read_text(encoding="utf-8") != data["config"]:
                target.write_text(data["config"], encoding="utf-8")  # read at the next `serve`
        user_cols = [c for c in columns("app_user") if c != "id"]
        year_cols = columns("calendar_year")
        cases = data.get("cases") or {}

        def fn(tx):
            for u in data.get("users", ()):
                vals = {c: u.get(c) for c in user_cols}
                tx.execute(f"INSERT INTO app_user ({', '.join(user_cols)}) VALUES "
                           f"({', '.join(':' + c for c in user_cols)}) ON CONFLICT (username) DO UPDATE SET "
                           + ", ".join(f"{c} = excluded.{c}" for c in user_cols if c != "username"), vals)
            for y in data.get("calendar", ()):
                vals = {c: y.get(c) for c in year_cols}
                tx.execute(f"INSERT INTO calendar_year ({', '.join(year_cols)}) VALUES "
                           f"({', '.join(':' + c for c in year_cols)}) ON CONFLICT (year) DO UPDATE SET "
                           + ", ".join(f"{c} = excluded.{c}" for c in year_cols if c != "year"), vals)
            if "visits" in data:  # the centre's schedule replaces the van's copy (the centre publishes it)
                tx.execute("DELETE FROM mobile_visit WHERE hall = :h", {"h": self.hall})
                for v in data["visits"]:
                    if v.get("hall") == self.hall:
                        tx.execute(f"INSERT INTO mobile_visit ({sstore.VISIT_COLUMNS}) VALUES (:id, :hall, :town, "
                                   ":place, :day, :start, :end, :categories, :status, :published_at, :changed_at, "
                                   ":changed_by)", {k: v.get(k) for k in ("id", "hall", "town", "place", "day",
                                   "start", "end", "categories", "status", "published_at", "changed_at",
                                   "changed_by")})
            for origin, st in cases.items():  # the tracking status of its cases, as the centre has it
                st = {k: st[k] for k in PULLED_CASE if k in st}
                tx.execute("UPDATE case_file SET " + ", ".join(f"{k} = :{k}" for k in st)
                           + " WHERE id = :id AND hall = :h", {**st, "id": int(origin), "h": self.hall})
            sstore.set_state(tx, pulled_at=self.clock(), centre_now=data.get("now"))
            if data.get("offset_s") is not None:
                sstore.set_state(tx, offset_s=data["offset_s"])

        await self.db.write(fn)

    # ----- push ---------------------------------------------------------------------------------

    def _case_token(self, case: dict) -> str:
        """The case's tracking token as the van printed it (services/tracking.token_of)."""
        key = self.box.derive("case token")[0]
        mac = hmac.new(key, f"{case['id']}:{case['accepted_at']!r}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()[:12]).decode()

    def build(self, tx: Tx, marks: dict) -> tuple[dict, dict, bool]:
        """The next batch after `marks`: rows by table, the marks after it, whether it holds anything new."""
        h, n = self.hall, self.batch
        m = {t: int(marks.get(t, 0)) for t in SYNC_TABLES}
        rows: dict[str, dict[int, dict]] = {t: {} for t in SYNC_TABLES}

        def take(table: str, where: str, params: dict) -> list[dict]:
            got = [_plain(r) for r in tx.all(f"SELECT * FROM {table} WHERE {where} ORDER BY id LIMIT {n}", params)]
            for r in got:
                rows[table][r["id"]] = r
            return got

        new = {}
        for t in ("ticket", "case_file", "rating", "ticket_event", "case_event"):
            new[t] = take(t, "hall = :h AND id > :m", {"h": h, "m": m[t]})
        new["case_suspension"] = take("case_suspension", "id > :m AND case_id IN (SELECT id FROM case_file "
                                      "WHERE hall = :h)", {"h": h, "m": m["case_suspension"]})
        new["audit_log"] = take("audit_log", "id > :m", {"m": m["audit_log"]})
        new["rectification_task"] = take("rectification_task", "hall = :h AND id > :m",
                                         {"h": h, "m": m["rectification_task"]})
        # Rows that changed since: touched by a new event (a ticket's or a case's), open tasks.
        take("rectification_task", "hall = :h AND state != 'closed'", {"h": h})

        def parents(table: str, ids: set[int]) -> None:
            ids -= set(rows[table])
            for chunk in [sorted(ids)[i:i + 500] for i in range(0, len(ids), 500)]:
                if chunk:
                    take(table, f"id IN ({', '.join(str(int(i)) for i in chunk)})", {})

        parents("rating", {r["rating_id"] for r in rows["rectification_task"].values()})
        parents("case_file", {r["case_id"] for r in rows["case_event"].values()}
                | {r["case_id"] for r in rows["case_suspension"].values()}
                | {r["case_id"] for r in rows["rating"].values() if r.get("case_id")})
        parents("ticket", {r["ticket_id"] for t in ("ticket_event", "rating", "rectification_task")
                           for r in rows[t].values()}
                | {r["ticket_id"] for r in rows["case_file"].values() if r.get("ticket_id")})
        case_ids = sorted(rows["case_file"])
        if case_ids:
            take("case_suspension", f"case_id IN ({', '.join(str(int(i)) for i in case_ids)})", {})
        out = {}
        for t in SYNC_TABLES:
            lst = sorted(rows[t].values(), key=lambda r: r["id"])
            for r in lst:
                for col in PERSONAL.get(t, ()):
                    if r.get(col):
                        r[col] = self.transport.encrypt(self.box.decrypt(r[col]))
            if lst:
                out[t] = lst
        after = {t: max([m[t]] + [r["id"] for r in new.get(t, ())]) for t in SYNC_TABLES}
        fresh = any(new[t] for t in new if t != "rectification_task") or bool(new["rectification_task"])
        return out, after, fresh

    async def push(self, on_batch=None) -> dict:
        """Send every batch after the acknowledged marks; resumable: run it again after a failure."""
        batches = rows_sent = replays = 0
        conflicts: list[str] = []
        first = True
        while True:
            st = await self.db.read(sstore.state)
            marks, seq = st.get("marks", {}), int(st.get("seq", 0)) + 1
            pending = st.get("pending")
            if pending and pending["seq"] == seq:  # sent before, answer lost: the same batch again
                rows, after, fresh = pending["rows"], pending["marks"], True
            else:
                rows, after, fresh = await self.db.read(self.build, marks)
                if not fresh and not (first and rows):
                    break
                tokens = {str(c["id"]): self.transport.encrypt(self._case_token(c)) for c in rows.get("case_file", ())}
                pending = {"seq": seq, "rows": rows, "marks": after, "case_tokens": tokens}
                await self.db.write(sstore.set_state, pending=pending)  # a retry resends exactly this
            first = False
            payload = {"seq": seq, "rows": pending["rows"], "marks": pending["marks"],
                       "case_tokens": pending.get("case_tokens", {})}
            ack = await asyncio.to_thread(self._call, "POST", "/api/v1/sync/batches", payload)
            await self.db.write(sstore.set_state, seq=seq, marks=ack["marks"], pending=None,
                                offset_s=ack.get("offset_s"))
            batches += 1
            rows_sent += sum(len(v) for v in pending["rows"].values())
            replays += int(bool(ack.get("replay")))
            conflicts += ack.get("conflicts", [])
            if on_batch:
                on_batch(ack)
        return {"batches": batches, "rows": rows_sent, "replays": replays, "conflicts": conflicts}


# ===== `onewindow sync` =============================================================================

OUTLET_FILE = "outlet.json"  # the central URL, the van's device id and token (mode 0600), its hall


def add_commands(sub) -> None:
    s = sub.add_parser("sync", help="a mobile outlet's van: outfit it from the centre (--pull) or send what it did "
                                    "offline and take back what changed centrally")
    s.add_argument("--data-dir", type=Path, default=Path("data"), help="the van's data dir (default ./data)")
    s.add_argument("--central", help="the centre's URL (kept in the data dir after the first time)")
    s.add_argument("--code", help="a pairing code for a device of kind van, made by the outlet's manager at the centre")
    s.add_argument("--pull", action="store_true", help="only take the configuration, accounts and calendar "
                                                       "(before leaving); writes outlet.toml for `serve`")
    s.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")


def _outlet(data_dir: Path, central: str | None, code: str | None, timeout: float) -> dict:
    import httpx

    from onewindow.server.store.files import secure_data_dir

    secure_data_dir(data_dir)
    path = data_dir / OUTLET_FILE
    outlet = json.loads(path.read_text()) if path.exists() else {}
    if central:
        outlet["central"] = central.rstrip("/")
    if not outlet.get("central"):
        raise SyncError("no central URL: give --central URL the first time")
    if code:
        r = httpx.post(outlet["central"] + "/api/v1/devices/pair", json={"code": code}, timeout=timeout)
        if r.status_code != 201:
            raise SyncError(f"pairing refused: {r.status_code} {r.text[:200]}")
        dev = r.json()
        if dev["device"]["kind"] != "van":
            raise SyncError("the code is for a device that is not a van")
        outlet.update(device=dev["device"]["id"], device_token=dev["device_token"], hall=dev["device"]["hall"])
    if not outlet.get("device_token"):
        raise SyncError("not paired: give --code with a pairing code of kind van")
    path.write_text(json.dumps(outlet))
    path.chmod(0o600)
    return outlet


async def run_sync(data_dir: Path, outlet: dict, pull_only: bool, timeout: float = 30.0, clock=_time.time,
                   transport=None, batch: int = BATCH, central: str | None = None) -> dict:
    import httpx

    from onewindow.server.settings import Settings
    from onewindow.server.store import migrate
    from onewindow.server.store.crypto import load_box
    from onewindow.server.store.database import open_database

    settings = Settings.from_env(data_dir=data_dir)
    box = await asyncio.to_thread(load_box, settings.secret_key, settings.data_dir)
    audit_key = box.derive("audit")[0]
    await asyncio.to_thread(migrate.upgrade, settings.db_url, audit_key)
    db = open_database(settings.db_url, audit_key=audit_key)
    try:
        with httpx.Client(base_url=central or outlet["central"], timeout=timeout, transport=transport) as http:
            van = VanSync(db, box, data_dir, outlet, http, clock=clock, batch=batch)
            if pull_only:
                data = await asyncio.to_thread(van._call, "POST", "/api/v1/sync/outfit", {})
                await van.take(data)
                if data.get("public_url"):
                    outlet["public_url"] = data["public_url"]
                    (data_dir / OUTLET_FILE).write_text(json.dumps(outlet))
                return {"pulled": True, "users": len(data.get("users", ())), "calendar": len(data.get("calendar", ()))}
            pushed = await van.push()
            await van.pull()
            st = await db.read(sstore.state)
            return {**pushed, "offset_s": st.get("offset_s"), "bytes_sent": getattr(van, "bytes_sent", 0),
                    "bytes_received": getattr(van, "bytes_received", 0)}
    finally:
        await asyncio.to_thread(db.close)


def sync_main(args) -> int:
    import sys

    import httpx

    try:
        outlet = _outlet(args.data_dir, args.central, args.code, args.timeout)
        out = asyncio.run(run_sync(args.data_dir, outlet, args.pull, args.timeout))
    except (SyncError, httpx.HTTPError, OSError) as exc:
        print(f"onewindow: sync: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(out, ensure_ascii=False))
    return 0


def serve_defaults(args) -> None:
    """`serve` in a van's data dir: the outlet's configuration and the centre's public URL (the receipts'
    QR codes point at the centre, where a case is tracked once synced), unless given."""
    outlet_toml = Path(args.data_dir) / "outlet.toml"
    if args.config is None and outlet_toml.exists():
        args.config = outlet_toml
    path = Path(args.data_dir) / OUTLET_FILE
    if not args.public_url and path.exists():
        try:
            args.public_url = json.loads(path.read_text()).get("public_url") or None
        except (OSError, ValueError):
            pass
