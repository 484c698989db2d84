"""Ticket SQL: issue, call, and every later change, each with its event.

Functions take a `Tx` (see db.py) and plain values; the caller supplies the
clock reading so tests control time. They raise `NotFound` or
`RuleViolation`; the transaction around them then changes nothing.
"""
from __future__ import annotations

import json
from typing import cast

from onewindow.appointments.fairness import APPOINTMENT
from onewindow.caller.order import Head, choose_next
from onewindow.server.errors import Conflict, NotFound
from onewindow.server.store.database import Tx
from onewindow.server.store.rows import TicketRow
from onewindow.tickets import lifecycle, numbering
from onewindow.tickets.lifecycle import RuleViolation

TICKET_COLUMNS = (
    "id, hall, category, number, service_day, priority, status, lang, track_token, issued_at, "
    "arrived_at, called_at, last_called_at, started_at, finished_at, call_count, window_id, clerk, "
    "first_clerk, origin_category, target_window, note, wait_s, walk_s, service_s, phone_enc"
)


class CapReached(Conflict):
    code = "daily_cap"


class RemoteCapReached(Conflict):
    code = "remote_cap"


def _event(tx: Tx, hall: str, ticket_id: int, type_: str, at: float, clerk=None, window=None, **data) -> None:
    tx.execute(
        "INSERT INTO ticket_event (hall, ticket_id, type, at, clerk, window_id, data) "
        "VALUES (:hall, :tid, :type, :at, :clerk, :window, :data)",
        {"hall": hall, "tid": ticket_id, "type": type_, "at": at, "clerk": clerk, "window": window,
         "data": json.dumps(data, ensure_ascii=False) if data else "{}"},
    )


def probe(tx: Tx) -> None:
    """A write that changes nothing, and a read: /healthz's proof that both work."""
    tx.execute("UPDATE ticket_counter SET last = last WHERE hall = ''")
    tx.scalar("SELECT 1")


def get(tx: Tx, ticket_id: int, lock: bool = False) -> TicketRow:
    row = tx.one(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = :id"
        + (" FOR UPDATE" if lock and tx.dialect == "postgresql" else ""),
        {"id": ticket_id},
    )
    if row is None:
        raise NotFound(f"no ticket {ticket_id}")
    return cast(TicketRow, dict(row))


def by_number(tx: Tx, hall: str, day: str, number: str) -> TicketRow:
    row = tx.one(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE hall = :hall AND service_day = :day AND number = :number",
        {"hall": hall, "day": day, "number": number},
    )
    if row is None:
        raise NotFound(f"no ticket {number} today")
    return cast(TicketRow, dict(row))


def issue(
    tx: Tx, *, hall: str, category: str, prefix: str, priority: int, lang: str, now: float, day: str,
    token: str, daily_cap: int, pool: tuple[str, ...], kind: str | None = None, channel: str = "kiosk",
    remote_cap: int | None = None, device: int | None = None, phone_enc: str = "", notify: bool = False,
    arrived_at: float | None = None,
) -> dict:
    """Take the next number of the category's day and queue the ticket. A remote
    ticket (`channel` "remote") also counts in the counter's `remote`, held to
    `remote_cap` in the same statement, so remote tickets never take the door's share."""
    if channel == "remote":
        row = tx.one(
            "INSERT INTO ticket_counter (hall, category, service_day, last, remote) VALUES (:hall, :cat, :day, 1, 1) "
            "ON CONFLICT (hall, category, service_day) DO UPDATE SET last = ticket_counter.last + 1, "
            "remote = ticket_counter.remote + 1 RETURNING last, remote",
            {"hall": hall, "cat": category, "day": day},
        )
        seq = row["last"]
        if remote_cap is not None and row["remote"] > remote_cap:
            raise RemoteCapReached(f"今日网上号源已满，请到大厅取号机取号 / today's {remote_cap} remote tickets "
                                   "for this category are all taken: take one at the hall's kiosk")
    else:
        seq = tx.scalar(
            "INSERT INTO ticket_counter (hall, category, service_day, last) VALUES (:hall, :cat, :day, 1) "
            "ON CONFLICT (hall, category, service_day) DO UPDATE SET last = ticket_counter.last + 1 "
            "RETURNING last",
            {"hall": hall, "cat": category, "day": day},
        )
    if daily_cap and seq > daily_cap:
        raise CapReached(f"今日号源已满 / today's {daily_cap} tickets for this category are all taken")
    number = numbering.format_number(prefix, seq)
    tid = tx.scalar(
        "INSERT INTO ticket (hall, category, number, service_day, priority, status, lang, track_token, "
        "issued_at, arrived_at, call_count, note, phone_enc, notify) VALUES (:hall, :cat, :number, :day, :prio, "
        "'waiting', :lang, :token, :now, :arrived, 0, '', :phone, :notify) RETURNING id",
        {"hall": hall, "cat": category, "number": number, "day": day, "prio": priority, "lang": lang,
         "token": token, "now": now, "phone": phone_enc, "notify": notify,
         # an appointment's place in the queue is its slot's start (appointments/fairness.py)
         "arrived": now if arrived_at is None else arrived_at},
    )
    _event(tx, hall, tid, "issued", now, category=category, number=number, priority=priority, channel=channel,
           **({"kind": kind} if kind else {}), **({"device": device} if device is not None else {}))
    ahead = count_ahead(tx, hall, pool, priority, now if arrived_at is None else arrived_at, tid)
    return {"id": tid, "number": number, "category": category, "issued_at": now, "ahead": ahead,
            "priority": priority, "status": lifecycle.WAITING, "track_token": token}


def count_ahead(tx: Tx, hall: str, pool: tuple[str, ...], priority: int, arrived_at: float, ticket_id: int) -> int:
    """Waiting tickets that the windows serving this one will call before it:
    every higher class, and the earlier arrivals of its own class. Two index
    ranges per category, so the cost is the number ahead, not the queue."""
    marks = ", ".join(f":c{i}" for i in range(len(pool)))
    params: dict[str, object] = {f"c{i}": c for i, c in enumerate(pool)}
    params.update(hall=hall, prio=priority, at=arrived_at, id=ticket_id)
    return tx.scalar(
        f"SELECT (SELECT COUNT(*) FROM ticket WHERE hall = :hall AND status = 'waiting' AND category IN ({marks}) "
        "AND priority > :prio) + "
        f"(SELECT COUNT(*) FROM ticket WHERE hall = :hall AND status = 'waiting' AND category IN ({marks}) "
        "AND priority = :prio AND (arrived_at < :at OR (arrived_at = :at AND id < :id)))",
        params,
    )


def issued_counts(tx: Tx, hall: str, day: str) -> dict[str, int]:
    """Numbers taken so far on `day` per category (the daily cap counts these)."""
    rows = tx.all("SELECT category, last FROM ticket_counter WHERE hall = :hall AND service_day = :day",
                  {"hall": hall, "day": day})
    return {r["category"]: int(r["last"]) for r in rows}


def waiting_counts(tx: Tx, hall: str) -> dict[str, int]:
    rows = tx.all(
        "SELECT category, COUNT(*) AS n FROM ticket WHERE hall = :hall AND status = 'waiting' GROUP BY category",
        {"hall": hall},
    )
    return {r["category"]: r["n"] for r in rows}


_HEAD = ("SELECT id, category, priority, arrived_at FROM ticket WHERE hall = :hall AND category = :c{i} "
         "AND priority = {p} AND status = 'waiting' AND (target_window IS NULL OR target_window = :w) "
         "ORDER BY arrived_at, id LIMIT 1")
_TARGETED = ("SELECT id, category, priority, arrived_at FROM ticket WHERE hall = :hall AND status = 'waiting' "
             "AND target_window = :w ORDER BY arrived_at, id LIMIT 1")
_TARGETED_ROW = (f"SELECT {TICKET_COLUMNS} FROM ticket WHERE hall = :hall AND status = 'waiting' "
                 "AND target_window = :w ORDER BY arrived_at, id LIMIT 1")
_UNION_CACHE: dict[int, str] = {}
_CLASSES = (APPOINTMENT, 1, 0)  # a head per class: checked-in appointments, priority, normal


def _heads_sql_union(n: int) -> str:
    """All heads in one statement (SQLite): one round trip instead of 2n+1."""
    sql = _UNION_CACHE.get(n)
    if sql is None:
        parts = [_HEAD.format(i=i, p=p) for i in range(n) for p in _CLASSES] + [_TARGETED]
        sql = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in parts)
        _UNION_CACHE[n] = sql
    return sql


_LATERAL_CACHE: dict[int, str] = {}


def _heads_sql_lateral(n: int) -> str:
    """All heads in one statement (PostgreSQL), each locked, SKIP LOCKED, whole rows
    (the one chosen needs no second read), the one transferred to this window last:
    one round trip instead of three on the hot path."""
    sql = _LATERAL_CACHE.get(n)
    if sql is None:
        keys = ", ".join(f"(:c{i}, {p}, {3 * i + k})" for i in range(n) for k, p in enumerate(_CLASSES))
        sql = (f"SELECT h.*, k.ord AS head_ord FROM (VALUES {keys}) AS k (cat, prio, ord) CROSS JOIN LATERAL ("
               f"SELECT {TICKET_COLUMNS} FROM ticket WHERE hall = :hall AND category = k.cat "
               "AND priority = k.prio AND status = 'waiting' AND (target_window IS NULL OR target_window = :w) "
               "ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) h "
               # FOR UPDATE is not allowed in a UNION's own branches, but is in a sub-select of one.
               f"UNION ALL SELECT x.*, {3 * n} FROM ({_TARGETED_ROW} FOR UPDATE SKIP LOCKED) x ORDER BY head_ord")
        _LATERAL_CACHE[n] = sql
    return sql


def _heads(tx: Tx, hall: str, window: str, categories: list[str],
           whole: dict[int, TicketRow] | None = None) -> list[Head]:
    """The first waiting ticket of each category and class this window serves,
    plus the first one transferred to this very window, whatever its category.
    PostgreSQL also puts each head's whole row into `whole` (by id)."""
    params = {"hall": hall, "w": window, **{f"c{i}": c for i, c in enumerate(categories)}}
    if tx.dialect == "sqlite":
        rows = tx.all(_heads_sql_union(len(categories)), params)
    else:
        # PostgreSQL: lock each head, skipping rows another transaction holds.
        rows = tx.all(_heads_sql_lateral(len(categories)), params)
        if whole is not None:
            for r in rows:
                row = dict(r)
                del row["head_ord"]
                whole[row["id"]] = cast(TicketRow, row)
    seen: set[int] = set()
    heads = []
    for r in rows:
        if r["id"] not in seen:
            seen.add(r["id"])
            heads.append(Head(r["id"], r["category"], r["priority"], r["arrived_at"]))
    return heads


def call_next(
    tx: Tx, *, hall: str, window: str, clerk: str, categories: list[str], mode: str, now: float,
    starvation_limit_s: float, also_windows: tuple[str, ...] = (), promise_s: dict[str, float] | None = None,
) -> TicketRow | None:
    """Call the next ticket at `window`. `also_windows`: windows whose directed
    visitors (transferred or parked there) this call may take too: a B post
    covering them (access.next_windows)."""
    whole: dict[int, TicketRow] = {}
    heads = _heads(tx, hall, window, categories, whole)
    for w in also_windows:
        if w == window:
            continue
        row = tx.one(_TARGETED + tx.for_update, {"hall": hall, "w": w})
        if row is not None and all(h.ticket_id != row["id"] for h in heads):
            heads.append(Head(row["id"], row["category"], row["priority"], row["arrived_at"]))
    chosen = choose_next(heads, categories + [h.category for h in heads if h.category not in categories],
                               mode, now, starvation_limit_s, promise_s)
    if chosen is None:
        return None
    t = whole.get(chosen.ticket_id)
    return _call(tx, t if t is not None else get(tx, chosen.ticket_id), window, clerk, now)


def call_number(tx: Tx, *, hall: str, day: str, number: str, window: str, clerk: str, now: float) -> TicketRow:
    ticket = by_number(tx, hall, day, number)
    lifecycle.check_action("call", ticket["status"])
    return _call(tx, ticket, window, clerk, now)


# Waiting tickets whose holder asked for messages: the predicate of ix_ticket_notify, word for word
# (SQLite uses a partial index only then), plus a phone to send to.
NOTIFY_WAITING = "status = 'waiting' AND notify = TRUE AND phone_enc <> ''"

_CALL_UPDATE = ("UPDATE ticket SET status = 'called', called_at = :called, last_called_at = :now, call_count = 1, "
                "window_id = :w, clerk = :clerk, first_clerk = :first, wait_s = :wait, target_window = NULL "
                "WHERE id = :id AND status = 'waiting'")


def _call(tx: Tx, t: TicketRow, window: str, clerk: str, now: float) -> TicketRow:
    lifecycle.check_action("call", t["status"])
    wait_s = now - t["issued_at"] if t["called_at"] is None else t["wait_s"]
    called_at = t["called_at"] if t["called_at"] is not None else now
    first = t["first_clerk"] or clerk
    params = {"called": called_at, "now": now, "w": window, "clerk": clerk, "first": first, "wait": wait_s,
              "id": t["id"], "hall": t["hall"]}
    if tx.dialect == "postgresql":
        # One round trip for the three writes (the window and the event only if the ticket was still
        # waiting), and whether anyone waiting asked for messages: most calls then need no more reads.
        row = tx.one(
            f"WITH u AS ({_CALL_UPDATE} RETURNING id), "
            "w AS (UPDATE window_state SET current_ticket = :id WHERE hall = :hall AND window_id = :w "
            "AND EXISTS (SELECT 1 FROM u)), "
            "e AS (INSERT INTO ticket_event (hall, ticket_id, type, at, clerk, window_id, data) "
            "SELECT :hall, id, 'call', :now, :clerk, :w, :data FROM u) SELECT (SELECT count(*) FROM u) AS n, "
            f"EXISTS (SELECT 1 FROM ticket WHERE hall = :hall AND {NOTIFY_WAITING}) AS notify_waiting",
            {**params, "data": json.dumps({"number": t["number"]}, ensure_ascii=False)})
        n = row["n"]
        t["notify_waiting"] = row["notify_waiting"]  # as before the call: it may count the ticket just called
    else:
        n = tx.execute(_CALL_UPDATE, params)
    if n != 1:  # someone else called it first (cannot happen under the write lock; kept as a guard)
        raise RuleViolation("ticket was called by another window")
    if tx.dialect != "postgresql":
        tx.execute("UPDATE window_state SET current_ticket = :id WHERE hall = :hall AND window_id = :w", params)
        _event(tx, t["hall"], t["id"], "call", now, clerk, window, number=t["number"])
    t.update({"status": lifecycle.CALLED, "called_at": called_at, "last_called_at": now, "call_count": 1,
              "window_id": window, "clerk": clerk, "first_clerk": first, "wait_s": wait_s, "target_window": None})
    return t


def recall(tx: Tx, ticket_id: int, *, clerk: str, now: float, max_calls: int) -> TicketRow:
    """Call again; after `max_calls` unanswered calls the ticket becomes a no-show."""
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("recall", t["status"])
    if t["call_count"] >= max_calls:
        return _no_show(tx, t, clerk, now, reason="unanswered")
    count = t["call_count"] + 1
    tx.execute("UPDATE ticket SET call_count = :n, last_called_at = :now WHERE id = :id",
               {"n": count, "now": now, "id": ticket_id})
    _event(tx, t["hall"], ticket_id, "recall", now, clerk, t["window_id"], number=t["number"], count=count)
    t.update({"call_count": count, "last_called_at": now})
    return t


def start(tx: Tx, ticket_id: int, *, clerk: str, now: float) -> TicketRow:
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("start", t["status"])
    walk = now - cast(float, t["last_called_at"])  # called before it starts
    tx.execute("UPDATE ticket SET status = 'serving', started_at = :now, walk_s = :walk, clerk = :clerk WHERE id = :id",
               {"now": now, "walk": walk, "clerk": clerk, "id": ticket_id})
    _event(tx, t["hall"], ticket_id, "start", now, clerk, t["window_id"])
    t.update({"status": lifecycle.SERVING, "started_at": now, "walk_s": walk, "clerk": clerk})
    return t


def complete(tx: Tx, ticket_id: int, *, clerk: str, now: float, outcome: str) -> TicketRow:
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("complete", t["status"])
    started = t["started_at"] if t["started_at"] is not None else now
    walk = t["walk_s"] if t["walk_s"] is not None else now - cast(float, t["last_called_at"])
    service = now - started
    tx.execute(
        "UPDATE ticket SET status = 'done', started_at = :started, finished_at = :now, walk_s = :walk, "
        "service_s = :service, clerk = :clerk WHERE id = :id",
        {"started": started, "now": now, "walk": walk, "service": service, "clerk": clerk, "id": ticket_id},
    )
    _clear_window(tx, t)
    _event(tx, t["hall"], ticket_id, "complete", now, clerk, t["window_id"], outcome=outcome)
    t.update({"status": lifecycle.DONE, "started_at": started, "finished_at": now, "walk_s": walk, "service_s": service,
              "clerk": clerk})
    return t


def no_show(tx: Tx, ticket_id: int, *, clerk: str, now: float) -> TicketRow:
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("no_show", t["status"])
    return _no_show(tx, t, clerk, now, reason="clerk")


def _no_show(tx: Tx, t: TicketRow, clerk: str, now: float, reason: str) -> TicketRow:
    tx.execute("UPDATE ticket SET status = 'no_show', finished_at = :now WHERE id = :id", {"now": now, "id": t["id"]})
    _clear_window(tx, t)
    _event(tx, t["hall"], t["id"], "no_show", now, clerk, t["window_id"], reason=reason, calls=t["call_count"])
    t.update({"status": lifecycle.NO_SHOW, "finished_at": now})
    return t


def transfer(tx: Tx, ticket_id: int, *, clerk: str, now: float, category: str | None, window: str | None,
             note: str) -> TicketRow:
    """首问负责: hand the visitor on; they keep their place (arrival time) and
    the first clerk who received them stays on record."""
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("transfer", t["status"])
    new_cat = category or t["category"]
    origin = t["origin_category"] or (t["category"] if new_cat != t["category"] else None)
    tx.execute(
        "UPDATE ticket SET status = 'waiting', category = :cat, origin_category = :origin, target_window = :tw, "
        "note = :note, call_count = 0, window_id = NULL, clerk = NULL, started_at = NULL WHERE id = :id",
        {"cat": new_cat, "origin": origin, "tw": window, "note": note, "id": ticket_id},
    )
    _clear_window(tx, t)
    _event(tx, t["hall"], ticket_id, "transfer", now, clerk, t["window_id"], from_category=t["category"],
           to_category=new_cat, to_window=window, note=note)
    t.update({"status": lifecycle.WAITING, "category": new_cat, "origin_category": origin, "target_window": window,
              "note": note, "call_count": 0, "window_id": None, "clerk": None, "started_at": None})
    return t


def park(tx: Tx, ticket_id: int, *, clerk: str, now: float, note: str) -> TicketRow:
    """Set a visitor aside (fetching a document) without losing them."""
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("park", t["status"])
    tx.execute("UPDATE ticket SET status = 'parked', note = :note WHERE id = :id", {"note": note, "id": ticket_id})
    _clear_window(tx, t)
    _event(tx, t["hall"], ticket_id, "park", now, clerk, t["window_id"], note=note)
    t.update({"status": lifecycle.PARKED, "note": note})
    return t


def resume(tx: Tx, ticket_id: int, *, clerk: str, now: float) -> TicketRow:
    """Back to the queue of the window that parked it, keeping its place."""
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("resume", t["status"])
    tx.execute("UPDATE ticket SET status = 'waiting', target_window = window_id, call_count = 0 WHERE id = :id",
               {"id": ticket_id})
    _event(tx, t["hall"], ticket_id, "resume", now, clerk, t["window_id"])
    t.update({"status": lifecycle.WAITING, "target_window": t["window_id"], "call_count": 0})
    return t


def reactivate(tx: Tx, ticket_id: int, *, clerk: str, now: float, late_arrival: str) -> TicketRow:
    """A no-show who turns up late goes back to waiting: at their old place or last."""
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("reactivate", t["status"])
    arrived = t["arrived_at"] if late_arrival == "keep_place" else now
    tx.execute("UPDATE ticket SET status = 'waiting', arrived_at = :a, call_count = 0, finished_at = NULL, "
               "target_window = NULL WHERE id = :id", {"a": arrived, "id": ticket_id})
    _event(tx, t["hall"], ticket_id, "reactivate", now, clerk, None, policy=late_arrival)
    t.update({"status": lifecycle.WAITING, "arrived_at": arrived, "call_count": 0, "finished_at": None})
    return t


def cancel(tx: Tx, ticket_id: int, *, now: float) -> TicketRow:
    t = get(tx, ticket_id, lock=True)
    lifecycle.check_action("cancel", t["status"])
    tx.execute("UPDATE ticket SET status = 'cancelled', finished_at = :now WHERE id = :id",
               {"now": now, "id": ticket_id})
    _event(tx, t["hall"], ticket_id, "cancel", now)
    t.update({"status": lifecycle.CANCELLED, "finished_at": now})
    return t


def close_past_days(tx: Tx, hall: str, today: str, now: float) -> tuple[dict[str, int], set[str]]:
    """Tickets of an earlier service day still open (the hall closed with people
    waiting, a clerk forgot to complete) are cancelled, each with a `day_closed`
    event naming the state it was left in, so tomorrow's queue starts empty.
    Returns how many waiting tickets each category lost, and the windows cleared."""
    rows = tx.all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE hall = :hall AND service_day < :today "
        "AND status IN ('waiting', 'called', 'serving', 'parked')",
        {"hall": hall, "today": today},
    )
    lost: dict[str, int] = {}
    windows: set[str] = set()
    for r in rows:
        t = cast(TicketRow, dict(r))
        tx.execute("UPDATE ticket SET status = 'cancelled', finished_at = :now WHERE id = :id",
                   {"now": now, "id": t["id"]})
        _event(tx, hall, t["id"], "day_closed", now, None, t["window_id"], left=t["status"], day=t["service_day"])
        _clear_window(tx, t)
        if t["window_id"] and t["status"] in (lifecycle.CALLED, lifecycle.SERVING):
            windows.add(t["window_id"])
        if t["status"] == lifecycle.WAITING:
            lost[t["category"]] = lost.get(t["category"], 0) + 1
    return lost, windows


def _clear_window(tx: Tx, t: TicketRow) -> None:
    if t["window_id"]:
        tx.execute("UPDATE window_state SET current_ticket = NULL WHERE hall = :hall AND window_id = :w "
                   "AND current_ticket = :id", {"hall": t["hall"], "w": t["window_id"], "id": t["id"]})


def priority_kind(tx: Tx, ticket_id: int) -> str | None:
    """Why a ticket has priority (elderly, disabled, green_channel), as its issue recorded it; None if unsaid."""
    data = tx.scalar("SELECT data FROM ticket_event WHERE ticket_id = :id AND type = 'issued' ORDER BY id LIMIT 1",
                     {"id": ticket_id})
    try:
        kind = json.loads(data).get("kind") if data else None
    except (ValueError, AttributeError):
        return None
    return kind if isinstance(kind, str) else None


def events(tx: Tx, ticket_id: int) -> list[dict]:
    return [dict(r) for r in tx.all(
        "SELECT type, at, clerk, window_id, data FROM ticket_event WHERE ticket_id = :id ORDER BY id",
        {"id": ticket_id})]


def recent_calls(tx: Tx, hall: str, since: float, limit: int) -> list[dict]:
    rows = tx.all(
        "SELECT e.type, e.at, e.window_id, t.number FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
        "WHERE e.hall = :hall AND e.at >= :since AND e.type IN ('call', 'recall') ORDER BY e.id DESC LIMIT :n",
        {"hall": hall, "since": since, "n": limit},
    )
    return [dict(r) for r in rows]


def mean_cycle_s(tx: Tx, hall: str, since: float) -> dict[str, tuple[float, int]]:
    """Mean call-to-done time per category over tickets done since `since`."""
    rows = tx.all(
        "SELECT category, AVG(COALESCE(walk_s, 0) + service_s) AS m, COUNT(*) AS n FROM ticket "
        "WHERE hall = :hall AND status = 'done' AND finished_at >= :since AND service_s IS NOT NULL "
        "GROUP BY category",
        {"hall": hall, "since": since},
    )
    return {r["category"]: (float(r["m"]), int(r["n"])) for r in rows}


def hash_plain_tokens(tx: Tx, key: bytes) -> int:
    """Once, at start: tracking tokens stored in plain text by an earlier version become their
    HMAC (store/crypto.py), so the links already handed out keep working. Idempotent."""
    from onewindow.server.store.crypto import TRACK_PREFIX, track_digest

    rows = tx.all("SELECT id, track_token FROM ticket WHERE track_token NOT LIKE :p", {"p": TRACK_PREFIX + "%"})
    for r in rows:
        tx.execute("UPDATE ticket SET track_token = :t WHERE id = :id",
                   {"t": track_digest(key, r["track_token"]), "id": r["id"]})
    return len(rows)
