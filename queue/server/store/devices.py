"""Paired devices (kiosks, rating pads, call screens) and their one-time
pairing codes. Codes and device tokens are stored as SHA-256 digests only."""
from __future__ import annotations

import json

from onewindow.server.errors import NotFound, Unauthorized
from onewindow.server.store import accounts
from onewindow.server.store.database import Tx

DEVICE_COLUMNS = "id, hall, kind, name, kiosk, token_hash, paired_at, paired_by, revoked_at, revoked_by, last_seen"


def create_code(tx: Tx, *, code_hash: str, hall: str, kind: str, name: str, kiosk: str | None, by: str,
                now: float, ttl_s: float) -> None:
    tx.execute("DELETE FROM pairing_code WHERE expires_at <= :now", {"now": now})
    tx.execute(
        "INSERT INTO pairing_code (code_hash, hall, kind, name, kiosk, created_by, created_at, expires_at) "
        "VALUES (:c, :hall, :kind, :name, :kiosk, :by, :now, :exp)",
        {"c": code_hash, "hall": hall, "kind": kind, "name": name, "kiosk": kiosk, "by": by, "now": now,
         "exp": now + ttl_s},
    )
    accounts.audit(tx, by, "device_code", json.dumps(
        {"hall": hall, "kind": kind, "name": name, "kiosk": kiosk}, ensure_ascii=False), now)


def pair(tx: Tx, *, code_hash: str, token_hash: str, now: float) -> dict:
    """Take the code (once: it is deleted in the same transaction) and make the device."""
    code = tx.one("SELECT hall, kind, name, kiosk, created_by, expires_at FROM pairing_code WHERE code_hash = :c"
                  + tx.for_update, {"c": code_hash})
    if code is None or code["expires_at"] <= now:
        raise Unauthorized("配对码无效或已过期 / the pairing code is wrong, used or expired", "bad_pairing_code")
    if tx.execute("DELETE FROM pairing_code WHERE code_hash = :c", {"c": code_hash}) != 1:
        raise Unauthorized("配对码无效或已过期 / the pairing code is wrong, used or expired", "bad_pairing_code")
    did = tx.scalar(
        "INSERT INTO device (hall, kind, name, kiosk, token_hash, paired_at, paired_by) "
        "VALUES (:hall, :kind, :name, :kiosk, :t, :now, :by) RETURNING id",
        {"hall": code["hall"], "kind": code["kind"], "name": code["name"], "kiosk": code["kiosk"],
         "t": token_hash, "now": now, "by": code["created_by"]},
    )
    accounts.audit(tx, code["created_by"], "device_paired", json.dumps(
        {"device": did, "hall": code["hall"], "kind": code["kind"], "name": code["name"], "kiosk": code["kiosk"]},
        ensure_ascii=False), now)
    return get(tx, did)


def get(tx: Tx, device_id: int) -> dict:
    row = tx.one(f"SELECT {DEVICE_COLUMNS} FROM device WHERE id = :id", {"id": device_id})
    if row is None:
        raise NotFound(f"no device {device_id}", "unknown_device")
    return dict(row)


def by_token(tx: Tx, token_hash: str) -> dict | None:
    row = tx.one(f"SELECT {DEVICE_COLUMNS} FROM device WHERE token_hash = :t AND revoked_at IS NULL",
                 {"t": token_hash})
    return dict(row) if row else None


def valid(tx: Tx) -> list[dict]:
    """Every device not revoked, of every hall: each process keeps them in memory."""
    return [dict(r) for r in tx.all(f"SELECT {DEVICE_COLUMNS} FROM device WHERE revoked_at IS NULL")]


def of_hall(tx: Tx, hall: str) -> list[dict]:
    return [dict(r) for r in tx.all(
        f"SELECT {DEVICE_COLUMNS} FROM device WHERE hall = :hall ORDER BY revoked_at IS NOT NULL, kind, name, id",
        {"hall": hall})]


def revoke(tx: Tx, device_id: int, by: str, now: float) -> dict:
    d = get(tx, device_id)
    if d["revoked_at"] is None:
        tx.execute("UPDATE device SET revoked_at = :now, revoked_by = :by WHERE id = :id",
                   {"now": now, "by": by, "id": device_id})
        accounts.audit(tx, by, "device_revoked", json.dumps(
            {"device": device_id, "hall": d["hall"], "kind": d["kind"], "name": d["name"]}, ensure_ascii=False), now)
        d.update(revoked_at=now, revoked_by=by)
    return d


def seen(tx: Tx, stamps: dict[int, float]) -> None:
    """Last-seen times, written in one batch off the hot path."""
    for did, at in stamps.items():
        tx.execute("UPDATE device SET last_seen = :at WHERE id = :id AND (last_seen IS NULL OR last_seen < :at)",
                   {"at": at, "id": did})
