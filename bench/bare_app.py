"""The ceiling: a bare Starlette app doing the same transactions as
onewindow's issue and next with the stdlib sqlite3 module, straight on the
event loop, no auth, no events, no validation. Our figures are reported as
a share of this one's.

    BARE_DB=/tmp/bare.db uvicorn bench.bare_app:app --loop uvloop --http httptools
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CATEGORIES = ("eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist")
db = sqlite3.connect(os.environ.get("BARE_DB", "/tmp/onewindow-bare.db"), isolation_level=None,
                     check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.executescript("""
CREATE TABLE IF NOT EXISTS counter (category TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ticket (id INTEGER PRIMARY KEY, category TEXT, number TEXT, priority INTEGER,
  status TEXT, token TEXT, issued_at REAL, arrived_at REAL, window_id TEXT, called_at REAL);
CREATE INDEX IF NOT EXISTS ix_wait ON ticket (category, priority, arrived_at, id) WHERE status = 'waiting';
CREATE TABLE IF NOT EXISTS event (id INTEGER PRIMARY KEY, ticket_id INTEGER, type TEXT, at REAL, data TEXT);
""")


async def issue(request):
    body = json.loads(await request.body())
    cat = body["category"]
    now = time.time()
    db.execute("BEGIN IMMEDIATE")
    seq = db.execute("INSERT INTO counter VALUES (?, 1) ON CONFLICT (category) DO UPDATE SET last = last + 1 "
                     "RETURNING last", (cat,)).fetchone()[0]
    number = f"A{seq:03d}"
    tid = db.execute("INSERT INTO ticket (category, number, priority, status, token, issued_at, arrived_at) "
                     "VALUES (?, ?, 0, 'waiting', ?, ?, ?) RETURNING id",
                     (cat, number, secrets.token_urlsafe(32), now, now)).fetchone()[0]
    db.execute("INSERT INTO event (ticket_id, type, at, data) VALUES (?, 'issued', ?, '{}')", (tid, now))
    ahead = db.execute("SELECT COUNT(*) FROM ticket WHERE status = 'waiting' AND category IN (?,?,?,?,?,?,?) "
                       "AND arrived_at < ?", (*CATEGORIES, now)).fetchone()[0]
    db.execute("COMMIT")
    return JSONResponse({"id": tid, "number": number, "ahead": ahead}, status_code=201)


async def call_next(request):
    window = request.path_params["window"]
    now = time.time()
    db.execute("BEGIN IMMEDIATE")
    best = None
    for cat in CATEGORIES:
        for prio in (1, 0):
            row = db.execute("SELECT id, arrived_at FROM ticket WHERE category = ? AND priority = ? "
                             "AND status = 'waiting' ORDER BY arrived_at, id LIMIT 1", (cat, prio)).fetchone()
            if row and (best is None or row[1] < best[1]):
                best = row
    if best is None:
        db.execute("COMMIT")
        return Response(status_code=204)
    db.execute("UPDATE ticket SET status = 'called', window_id = ?, called_at = ? WHERE id = ?", (window, now, best[0]))
    db.execute("INSERT INTO event (ticket_id, type, at, data) VALUES (?, 'call', ?, '{}')", (best[0], now))
    db.execute("COMMIT")
    return JSONResponse({"id": best[0]})


app = Starlette(routes=[
    Route("/api/v1/halls/{hall}/tickets", issue, methods=["POST"]),
    Route("/api/v1/halls/{hall}/windows/{window}/next", call_next, methods=["POST"]),
])
