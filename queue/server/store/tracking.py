"""Case tracking SQL (issue 14): a case's tracking token (its keyed hash), opt-in and look-ups;
a case's own rating (kind 'case', once per case) and its rectification task; a ticket's phone
for queue messages; the figures the reports count."""
from __future__ import annotations

import json
from typing import Any

from onewindow.server.errors import NotFound
from onewindow.server.store import cases as cstore
from onewindow.server.store import ratings as rstore
from onewindow.server.store import tickets as tstore
from onewindow.server.store.crypto import track_matches
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import CaseRow


def set_case(tx: Tx, case_id: int, *, digest: str, notify: bool, lang: str) -> None:
    tx.execute("UPDATE case_file SET track_token = :d, notify = :n, lang = :l WHERE id = :id",
               {"d": digest, "n": notify, "l": lang, "id": case_id})


def contact(tx: Tx, case_id: int) -> dict:
    """What messages about a case need: the opt-in, the language, the encrypted phone."""
    row = tx.one("SELECT notify, lang, applicant_phone_enc AS phone_enc FROM case_file WHERE id = :id",
                 {"id": case_id})
    if row is None:
        raise NotFound(f"no case {case_id}")
    return {"notify": bool(row["notify"]), "lang": row["lang"], "phone_enc": row["phone_enc"]}


def tracked(tx: Tx, case_id: int, digests: tuple[str, ...]) -> CaseRow:
    """The case if `digests` match its token; NotFound otherwise (the same for an unknown id)."""
    stored = tx.scalar("SELECT track_token FROM case_file WHERE id = :id", {"id": case_id})
    if not stored or not track_matches(stored, digests):
        # A case a mobile outlet's van accepted offline: its receipt names the van's id and token
        # (services/sync.py keeps their keyed hash once synced).
        synced = tx.all("SELECT central_id, digest FROM sync_map WHERE kind = 'case_token' AND origin_id = :id",
                        {"id": case_id})
        hit = next((r["central_id"] for r in synced if track_matches(r["digest"], digests)), None)
        if hit is None:
            raise NotFound("no such case")
        return cstore.get(tx, hit)
    return cstore.get(tx, case_id)


def count_lookup(tx: Tx, case_id: int) -> None:
    tx.execute("UPDATE case_file SET lookups = lookups + 1 WHERE id = :id", {"id": case_id})


# ----- a case's own rating -------------------------------------------------------------------


def case_rating(tx: Tx, case: CaseRow) -> dict | None:
    """The case's rating and its rectification task (None: not rated yet)."""
    row = tx.one("SELECT id, level, reasons, comment, at FROM rating WHERE ticket_id = :t AND kind = 'case'",
                 {"t": case["ticket_id"]})
    if row is None:
        return None
    out = dict(row)
    out["reasons"] = json.loads(out["reasons"] or "[]")
    task = tx.one("SELECT id, state, due_at, closed_at, steps FROM rectification_task WHERE rating_id = :r",
                  {"r": row["id"]})
    out["task"] = None
    if task is not None:
        out["task"] = {**dict(task), "steps": json.loads(task["steps"] or "[]")}
    return out


def rate_case(tx: Tx, case: CaseRow, *, level: int, reasons: tuple[str, ...], comment: str, now: float,
              due_at: float, bad: bool) -> dict:
    """Once per case (the unique key on ticket and kind); a bad rating opens the same rectification
    task a visit's does. Raises AlreadyRated."""
    t = tx.one("SELECT number FROM ticket WHERE id = :id", {"id": case["ticket_id"]})
    rating: dict[str, Any] = {
        "ticket_id": case["ticket_id"], "case_id": case["id"], "hall": case["hall"], "category": case["category"],
        "window_id": case["window_id"], "clerk": case["clerk"], "channel": "link", "level": level,
        "reasons": json.dumps(list(reasons), ensure_ascii=False), "comment": comment, "at": now}
    rid = tx.scalar(
        "INSERT INTO rating (ticket_id, case_id, hall, category, window_id, clerk, channel, level, reasons, comment,"
        " at, kind) VALUES (:ticket_id, :case_id, :hall, :category, :window_id, :clerk, :channel, :level, :reasons,"
        " :comment, :at, 'case') ON CONFLICT (ticket_id, kind) DO NOTHING RETURNING id",
        rating,
    )
    if rid is None:
        raise rstore.AlreadyRated(f"case {case['number']} is already rated")
    rating.update(id=rid, number=t["number"] if t else case["ticket_number"], reasons=list(reasons))
    rating["task"] = rstore.open_task(tx, rating, now, due_at) if bad else None
    cstore.event(tx, case, "rated", now, None, level=level, task=rating["task"]["id"] if rating["task"] else None)
    return rating


def case_of_task(tx: Tx, task_id: int) -> int | None:
    """The case whose own rating opened this task (None for a visit's rating)."""
    return tx.scalar("SELECT r.case_id FROM rectification_task k JOIN rating r ON r.id = k.rating_id "
                     "WHERE k.id = :id AND r.kind = 'case'", {"id": task_id})


# ----- phones on tickets ---------------------------------------------------------------------


def ticket_contact(tx: Tx, ticket_id: int) -> dict | None:
    row = tx.one("SELECT notify, lang, phone_enc FROM ticket WHERE id = :id", {"id": ticket_id})
    if row is None or not row["notify"] or not row["phone_enc"]:
        return None
    return {"lang": row["lang"], "phone_enc": row["phone_enc"]}


def waiting_to_notify(tx: Tx, hall: str) -> list[dict]:
    """Waiting tickets whose holder opted in to messages (few: a phone is optional)."""
    return [dict(r) for r in tx.all(
        "SELECT id, number, category, priority, arrived_at, lang, phone_enc FROM ticket WHERE hall = :hall "
        f"AND {tstore.NOTIFY_WAITING}", {"hall": hall})]


def ticket_phone(tx: Tx, ticket_id: int) -> str:
    return tx.scalar("SELECT phone_enc FROM ticket WHERE id = :id", {"id": ticket_id}) or ""


# ----- reports -------------------------------------------------------------------------------


def message_counts(tx: Tx, hall: str, start: float, end: float) -> list[dict]:
    """Messages created in [start, end) by channel, kind and state (the outbox, store/outbox.py)."""
    return [dict(r) for r in tx.all(
        "SELECT channel, kind, state, COUNT(*) AS n FROM notify_outbox WHERE hall = :h AND created_at >= :a "
        "AND created_at < :b GROUP BY channel, kind, state ORDER BY channel, kind, state",
        {"h": hall, "a": start, "b": end})]


def case_figures(tx: Tx, hall: str, start: float, end: float) -> dict:
    """Cases accepted in [start, end): how many were looked up online; cases completed then: how many
    were rated (their own rating)."""
    acc = tx.one(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN lookups > 0 THEN 1 ELSE 0 END), 0) AS looked, "
        "COALESCE(SUM(lookups), 0) AS lookups FROM case_file WHERE hall = :h AND accepted_at >= :a "
        "AND accepted_at < :b", {"h": hall, "a": start, "b": end})
    done = tx.one(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN r.id IS NOT NULL THEN 1 ELSE 0 END), 0) AS rated, "
        "COALESCE(SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END), 0) AS bad FROM case_file c "
        "LEFT JOIN rating r ON r.ticket_id = c.ticket_id AND r.kind = 'case' "
        "WHERE c.hall = :h AND c.status = 'completed' AND c.completed_at >= :a AND c.completed_at < :b",
        {"h": hall, "a": start, "b": end})
    return {"accepted": int(acc["n"]), "looked_up": int(acc["looked"]), "lookups": int(acc["lookups"]),
            "completed": int(done["n"]), "rated": int(done["rated"]), "rated_bad": int(done["bad"])}
