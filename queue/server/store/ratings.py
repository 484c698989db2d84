"""Rating and rectification-task SQL.

A rating is accepted once per ticket (a unique key, so two pads racing
cannot both succeed); a bad one opens its rectification task in the same
transaction. Callers pass the clock reading and the task's due time.
"""
from __future__ import annotations

import json
from typing import Any

from onewindow.ratings import StepError, Task, advance, from_steps, opens_task
from onewindow.server.errors import Conflict, NotFound
from onewindow.server.store import cases as cstore
from onewindow.server.store import tickets as tstore
from onewindow.server.store.crypto import track_matches
from onewindow.server.store.database import Tx


class AlreadyRated(Conflict):
    code = "already_rated"


class NotRateable(Conflict):
    """The ticket cannot be rated through this channel (not done, not the window's last)."""

    code = "not_rateable"


class TaskConflict(Conflict):
    """A step out of order, or someone else advanced the task first."""

    code = "bad_step"


RATING_COLUMNS = "id, ticket_id, case_id, hall, category, window_id, clerk, channel, level, reasons, comment, at"
TASK_COLUMNS = ("k.id, k.rating_id, k.hall, k.ticket_id, k.window_id, k.clerk, k.level, k.state, k.opened_at, "
                "k.due_at, k.closed_at, k.steps")


def last_completed(tx: Tx, hall: str, window: str | None, since: float | None, day_from: str) -> dict | None:
    """The ticket most recently completed at `window` since `since`, and whether it is rated."""
    row = tx.one(
        "SELECT t.id, t.number, t.category, t.finished_at, r.id AS rating_id FROM ticket t "
        "LEFT JOIN rating r ON r.ticket_id = t.id AND r.kind = 'visit' "
        "WHERE t.hall = :hall AND t.service_day >= :day AND t.status = 'done' AND t.window_id = :w "
        "AND t.finished_at >= :since ORDER BY t.finished_at DESC, t.id DESC LIMIT 1",
        {"hall": hall, "day": day_from, "w": window, "since": since},
    )
    return dict(row) if row else None


def case_of(tx: Tx, ticket_id: int) -> int | None:
    return tx.scalar("SELECT id FROM case_file WHERE ticket_id = :t ORDER BY id DESC LIMIT 1", {"t": ticket_id})


def rate(tx: Tx, *, ticket_id: int, level: int, reasons: tuple[str, ...], comment: str, channel: str, now: float,
         due_at: float, token: tuple[str, ...] = (), pad_since: float | None = None, day_from: str = "") -> dict:
    """Record a rating (and, for a bad one, open its task). Raises NotFound for a
    wrong token (`token`: the digests the stored one must equal, HallService.track_digests),
    NotRateable, or AlreadyRated."""
    t = tstore.get(tx, ticket_id)
    if channel == "qr" and not track_matches(t["track_token"], token):
        raise NotFound(f"no ticket {ticket_id}")
    if t["status"] != "done":
        raise NotRateable("只有办结的号才能评价 / only a completed ticket can be rated")
    if channel == "pad":
        last = last_completed(tx, t["hall"], t["window_id"], pad_since, day_from)
        if last is None or last["id"] != t["id"]:
            raise NotRateable("该号已不能在窗口评价 / this ticket can no longer be rated at the window")
    rating: dict[str, Any] = {
        "ticket_id": t["id"], "case_id": case_of(tx, t["id"]), "hall": t["hall"], "category": t["category"],
        "window_id": t["window_id"], "clerk": t["clerk"], "channel": channel, "level": level,
        "reasons": json.dumps(list(reasons), ensure_ascii=False), "comment": comment, "at": now}
    rid = tx.scalar(
        "INSERT INTO rating (ticket_id, case_id, hall, category, window_id, clerk, channel, level, reasons, comment,"
        " at) VALUES (:ticket_id, :case_id, :hall, :category, :window_id, :clerk, :channel, :level, :reasons,"
        " :comment, :at) "
        "ON CONFLICT (ticket_id, kind) DO NOTHING RETURNING id",
        rating,
    )
    if rid is None:
        raise AlreadyRated(f"ticket {t['number']} is already rated")
    rating.update(id=rid, number=t["number"], reasons=list(reasons))
    rating["task"] = open_task(tx, rating, now, due_at) if opens_task(level) else None
    return rating


def open_task(tx: Tx, rating: dict, now: float, due_at: float) -> dict:
    task = Task(now, due_at)
    tid = tx.scalar(
        "INSERT INTO rectification_task (rating_id, hall, ticket_id, window_id, clerk, level, state, opened_at, "
        "due_at, steps) VALUES (:rid, :hall, :tid, :w, :clerk, :level, :state, :now, :due, '[]') RETURNING id",
        {"rid": rating["id"], "hall": rating["hall"], "tid": rating["ticket_id"], "w": rating["window_id"],
         "clerk": rating["clerk"], "level": rating["level"], "state": task.state, "now": now, "due": due_at},
    )
    return {"id": tid, "state": task.state, "opened_at": now, "due_at": due_at}


def _task_query(where: str) -> str:
    return (f"SELECT {TASK_COLUMNS}, r.reasons, r.comment, r.channel, r.category, r.kind, t.number "
            "FROM rectification_task k "
            f"JOIN rating r ON r.id = k.rating_id JOIN ticket t ON t.id = k.ticket_id WHERE {where}")


def _task_row(row) -> dict:
    d = dict(row)
    d["steps"] = json.loads(d["steps"] or "[]")
    d["reasons"] = json.loads(d["reasons"] or "[]")
    return d


def tasks(tx: Tx, hall: str, open_only: bool = True, limit: int = 200) -> list[dict]:
    where = "k.hall = :hall" + (" AND k.state <> 'closed'" if open_only else "")
    rows = tx.all(_task_query(where) + " ORDER BY k.due_at, k.id LIMIT :n", {"hall": hall, "n": limit})
    return [_task_row(r) for r in rows]


def task(tx: Tx, task_id: int) -> dict:
    row = tx.one(_task_query("k.id = :id"), {"id": task_id})
    if row is None:
        raise NotFound(f"no rectification task {task_id}")
    return _task_row(row)


def advance_task(tx: Tx, task_id: int, *, step: str, by: str, at: float, note: str, outcome: str) -> dict:
    """Do the task's next step; the domain decides whether it may be done."""
    current = task(tx, task_id)
    try:
        done = advance(from_steps(current["opened_at"], current["due_at"], current["steps"]), step, by, at, note,
                       outcome)
    except StepError as exc:
        raise TaskConflict(str(exc)) from None
    steps = [s.as_dict() for s in done.steps]
    n = tx.execute(
        "UPDATE rectification_task SET state = :state, steps = :steps, closed_at = :closed "
        "WHERE id = :id AND state = :old",
        {"state": done.state, "steps": json.dumps(steps, ensure_ascii=False), "closed": done.closed_at,
         "id": task_id, "old": current["state"]},
    )
    if n != 1:
        raise TaskConflict("the task was changed meanwhile; reload it")
    current.update(state=done.state, steps=steps, closed_at=done.closed_at)
    return current


def ratings_between(tx: Tx, hall: str, start: float, end: float) -> list[dict]:
    rows = tx.all(f"SELECT {RATING_COLUMNS} FROM rating WHERE hall = :hall AND kind = 'visit' AND at >= :a AND at < :b "
                  "ORDER BY at, id",
                  {"hall": hall, "a": start, "b": end})
    out = []
    for r in rows:
        d = dict(r)
        d["reasons"] = json.loads(d["reasons"] or "[]")
        out.append(d)
    return out


def tasks_opened_between(tx: Tx, hall: str, start: float, end: float) -> list[dict]:
    rows = tx.all(_task_query("k.hall = :hall AND k.opened_at >= :a AND k.opened_at < :b") + " ORDER BY k.id",
                  {"hall": hall, "a": start, "b": end})
    return [_task_row(r) for r in rows]


def level_totals(tx: Tx, hall: str) -> dict[int, int]:
    rows = tx.all("SELECT level, COUNT(*) AS n FROM rating WHERE hall = :hall AND kind = 'visit' GROUP BY level",
                  {"hall": hall})
    return {int(r["level"]): int(r["n"]) for r in rows}


def task_counts(tx: Tx, hall: str, now: float) -> dict[str, int]:
    row = tx.one(
        "SELECT COUNT(*) AS open, COALESCE(SUM(CASE WHEN due_at < :now THEN 1 ELSE 0 END), 0) AS overdue "
        "FROM rectification_task WHERE hall = :hall AND state <> 'closed'",
        {"hall": hall, "now": now},
    )
    return {"open": int(row["open"]), "overdue": int(row["overdue"])}


def completed_unrated(tx: Tx, hall: str, since: float, before: float) -> list[tuple[int, float]]:
    """Done tickets finished in [since, before) that nobody rated."""
    rows = tx.all(
        "SELECT t.id, t.finished_at FROM ticket t LEFT JOIN rating r ON r.ticket_id = t.id AND r.kind = 'visit' "
        "WHERE t.hall = :hall AND t.status = 'done' AND t.finished_at >= :a AND t.finished_at < :b "
        "AND r.id IS NULL ORDER BY t.finished_at",
        {"hall": hall, "a": since, "b": before},
    )
    return [(int(r["id"]), float(r["finished_at"])) for r in rows]


def raise_overdue_alerts(tx: Tx, hall: str, now: float) -> list[dict]:
    """One supervision alert (电子监察) per overdue open task, logged once: its key is unique."""
    raised = []
    for r in tx.all("SELECT k.id, k.ticket_id, k.window_id, t.category FROM rectification_task k "
                    "JOIN ticket t ON t.id = k.ticket_id "
                    "WHERE k.hall = :hall AND k.state <> 'closed' AND k.due_at < :now ORDER BY k.id",
                    {"hall": hall, "now": now}):
        a = cstore.raise_alert(
            tx, key=task_alert_key(r["id"]), hall=hall, kind="rating_overdue", level="red", now=now,
            ticket_id=r["ticket_id"], category=r["category"],
            message=f"差评整改超时（任务 {r['id']}）/ Rectification of a bad rating overdue (task {r['id']})")
        if a is not None:
            raised.append({**a, "task": r["id"]})
    return raised


def task_alert_key(task_id: int) -> str:
    return f"rating_task:{task_id}:overdue"


def resolve_task_alert(tx: Tx, task_id: int, by: str, now: float) -> None:
    tx.execute("UPDATE supervision_alert SET resolved_at = :now, resolved_by = :by "
               "WHERE key = :key AND resolved_at IS NULL",
               {"now": now, "by": by, "key": task_alert_key(task_id)})
