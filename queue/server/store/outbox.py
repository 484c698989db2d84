"""The notifications outbox (table notify_outbox): enqueue, claim with a lease,
record the intent to submit and the outcome, delivery receipts, the manager's view.

States: queued -> sending (claimed: lease_owner, lease_until) -> sent -> delivered,
or back to queued (a retry, next_try_at later), or failed. Every update by a
sender names its lease, so a sender whose lease expired and was taken over can
no longer change the row.
"""
from __future__ import annotations

from onewindow.server.store.database import Tx

MESSAGE_COLUMNS = ("id, hall, channel, kind, event_key, recipient, lang, body, segments, state, tries, next_try_at, "
                   "submit_at, last_error, provider_id, created_at, sent_at, delivered_at")
STATES = ("queued", "sending", "sent", "delivered", "failed")
LIMITED = "daily_limit"  # last_error of a message the daily limit held back (never sent)


def insert(tx: Tx, *, hall: str, channel: str, kind: str, event_key: str, recipient: str, recipient_hash: str,
           day: str, lang: str, body: str, segments: int, state: str, next_try_at: float, now: float,
           last_error: str | None = None) -> tuple[int, bool]:
    """(id, created): an event_key already stored keeps its message (created False)."""
    new = tx.scalar(
        "INSERT INTO notify_outbox (hall, channel, kind, event_key, recipient, recipient_hash, day, lang, body, "
        "segments, state, tries, next_try_at, last_error, created_at, updated_at) VALUES (:hall, :channel, :kind, "
        ":key, :rcpt, :rh, :day, :lang, :body, :seg, :state, 0, :next, :err, :now, :now) "
        "ON CONFLICT (event_key) DO NOTHING RETURNING id",
        {"hall": hall, "channel": channel, "kind": kind, "key": event_key, "rcpt": recipient, "rh": recipient_hash,
         "day": day, "lang": lang, "body": body, "seg": segments, "state": state, "next": next_try_at,
         "err": last_error, "now": now})
    if new is not None:
        return int(new), True
    return int(tx.scalar("SELECT id FROM notify_outbox WHERE event_key = :key", {"key": event_key})), False


def existing(tx: Tx, event_key: str) -> dict | None:
    row = tx.one("SELECT id, state, last_error FROM notify_outbox WHERE event_key = :key", {"key": event_key})
    return dict(row) if row else None


def count_for_recipient(tx: Tx, recipient_hash: str, day: str) -> int:
    """Messages to this recipient on this day that count against the daily limit."""
    return int(tx.scalar(
        "SELECT COUNT(*) FROM notify_outbox WHERE recipient_hash = :rh AND day = :day "
        "AND (last_error IS NULL OR last_error <> :lim)", {"rh": recipient_hash, "day": day, "lim": LIMITED}))


def recover(tx: Tx, hall: str, now: float) -> tuple[int, int]:
    """Claims whose lease expired (their sender died or hung): never submitted -> queued again;
    submitted without a recorded outcome -> failed 'in_doubt' (not resent: at most once).
    Returns (requeued, in_doubt)."""
    requeued = tx.execute(
        "UPDATE notify_outbox SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = :now "
        "WHERE hall = :hall AND state = 'sending' AND lease_until < :now AND submit_at IS NULL",
        {"hall": hall, "now": now})
    doubt = tx.execute(
        "UPDATE notify_outbox SET state = 'failed', lease_owner = NULL, lease_until = NULL, updated_at = :now, "
        "last_error = 'in_doubt: the sender stopped after submitting; not resent' "
        "WHERE hall = :hall AND state = 'sending' AND lease_until < :now AND submit_at IS NOT NULL",
        {"hall": hall, "now": now})
    return requeued, doubt


def claim(tx: Tx, hall: str, owner: str, now: float, lease_s: float, limit: int) -> list[dict]:
    """Up to `limit` due messages of the hall, oldest due first, leased to `owner`."""
    ids = [r[0] for r in tx.all(
        "SELECT id FROM notify_outbox WHERE state = 'queued' AND next_try_at <= :now AND hall = :hall "
        "ORDER BY next_try_at, id LIMIT :n" + tx.for_update, {"hall": hall, "now": now, "n": limit})]
    if not ids:
        return []
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    params = {f"i{n}": i for n, i in enumerate(ids)}
    params.update(owner=owner, until=now + lease_s, now=now)
    rows = tx.all(
        f"UPDATE notify_outbox SET state = 'sending', lease_owner = :owner, lease_until = :until, submit_at = NULL, "
        f"tries = tries + 1, updated_at = :now WHERE id IN ({marks}) AND state = 'queued' "
        f"RETURNING {MESSAGE_COLUMNS}", params)
    return sorted((dict(r) for r in rows), key=lambda r: (r["next_try_at"], r["id"]))


def intend(tx: Tx, msg_id: int, owner: str, now: float, lease_s: float) -> bool:
    """Record the intent to submit (committed before the gateway sees the message) and extend
    the lease of all the owner's claims. False: the claim was lost (taken over), do not send."""
    tx.execute("UPDATE notify_outbox SET lease_until = :until WHERE lease_owner = :owner AND state = 'sending'",
               {"owner": owner, "until": now + lease_s})
    return tx.execute(
        "UPDATE notify_outbox SET submit_at = :now, updated_at = :now WHERE id = :id AND lease_owner = :owner "
        "AND state = 'sending' AND submit_at IS NULL", {"id": msg_id, "owner": owner, "now": now}) == 1


def sent(tx: Tx, msg_id: int, owner: str, provider_id: str, now: float) -> None:
    tx.execute(
        "UPDATE notify_outbox SET state = 'sent', provider_id = :pid, sent_at = :now, updated_at = :now, "
        "lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = :id AND lease_owner = :owner",
        {"id": msg_id, "owner": owner, "pid": provider_id[:255], "now": now})


def retry(tx: Tx, msg_id: int, owner: str, next_try_at: float, error: str, now: float) -> None:
    """Not submitted (the gateway was down, throttled): queued again for later."""
    tx.execute(
        "UPDATE notify_outbox SET state = 'queued', next_try_at = :next, last_error = :err, submit_at = NULL, "
        "lease_owner = NULL, lease_until = NULL, updated_at = :now WHERE id = :id AND lease_owner = :owner",
        {"id": msg_id, "owner": owner, "next": next_try_at, "err": error[:255], "now": now})


def release(tx: Tx, owner: str, now: float) -> int:
    """A sender stopping: its claims not yet submitted go back to the queue at once."""
    return tx.execute(
        "UPDATE notify_outbox SET state = 'queued', lease_owner = NULL, lease_until = NULL, tries = tries - 1, "
        "updated_at = :now WHERE lease_owner = :owner AND state = 'sending' AND submit_at IS NULL",
        {"owner": owner, "now": now})


def release_ids(tx: Tx, owner: str, ids: list[int], now: float) -> int:
    """Some of a sender's claims, not yet submitted, back to the queue (the rest of a batch)."""
    if not ids:
        return 0
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    params: dict = {f"i{n}": i for n, i in enumerate(ids)}
    params.update(owner=owner, now=now)
    return tx.execute(
        "UPDATE notify_outbox SET state = 'queued', lease_owner = NULL, lease_until = NULL, tries = tries - 1, "
        f"updated_at = :now WHERE id IN ({marks}) AND lease_owner = :owner AND state = 'sending' "
        "AND submit_at IS NULL", params)


def failed(tx: Tx, msg_id: int, owner: str | None, error: str, now: float) -> None:
    tx.execute(
        "UPDATE notify_outbox SET state = 'failed', last_error = :err, lease_owner = NULL, lease_until = NULL, "
        "updated_at = :now WHERE id = :id AND (lease_owner = :owner OR :owner IS NULL)",
        {"id": msg_id, "owner": owner, "err": error[:255], "now": now})


def receipt(tx: Tx, channel: str, provider_id: str, outcome: str, stat: str, now: float) -> int:
    """A delivery receipt: sent -> delivered (or failed). Matches the first part's id."""
    if outcome == "delivered":
        return tx.execute(
            "UPDATE notify_outbox SET state = 'delivered', delivered_at = :now, updated_at = :now "
            "WHERE channel = :ch AND provider_id = :pid AND state IN ('sent', 'sending')",
            {"ch": channel, "pid": provider_id, "now": now})
    return tx.execute(
        "UPDATE notify_outbox SET state = 'failed', last_error = :err, updated_at = :now "
        "WHERE channel = :ch AND provider_id = :pid AND state IN ('sent', 'sending')",
        {"ch": channel, "pid": provider_id, "err": f"receipt: {stat}", "now": now})


def get(tx: Tx, msg_id: int) -> dict | None:
    row = tx.one(f"SELECT {MESSAGE_COLUMNS} FROM notify_outbox WHERE id = :id", {"id": msg_id})
    return dict(row) if row else None


def summary(tx: Tx, hall: str, failures: int = 20) -> dict:
    """Counts per channel and state, the retrying ones, and the latest failures (recipients encrypted)."""
    counts = [dict(r) for r in tx.all(
        "SELECT channel, state, COUNT(*) AS n FROM notify_outbox WHERE hall = :hall GROUP BY channel, state "
        "ORDER BY channel, state", {"hall": hall})]
    retrying = tx.scalar("SELECT COUNT(*) FROM notify_outbox WHERE hall = :hall AND state = 'queued' AND tries > 0",
                         {"hall": hall})
    latest = [dict(r) for r in tx.all(
        "SELECT id, channel, kind, recipient, tries, last_error, updated_at, segments FROM notify_outbox "
        "WHERE hall = :hall AND (state = 'failed' OR (state = 'queued' AND tries > 0)) "
        "ORDER BY updated_at DESC, id DESC LIMIT :n", {"hall": hall, "n": failures})]
    return {"counts": counts, "retrying": int(retrying or 0), "failures": latest}


def counts(tx: Tx) -> list[dict]:
    """Every hall's messages per channel, kind and state (for /metrics)."""
    return [dict(r) for r in tx.all(
        "SELECT hall, channel, kind, state, COUNT(*) AS n, COALESCE(SUM(segments), 0) AS segs FROM notify_outbox "
        "GROUP BY hall, channel, kind, state")]
